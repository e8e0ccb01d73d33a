// ArchSpec: the validated, fully resolved description of the accelerator. Its shape follows the
// config tree (and the module tree): `core.array.rows` in YAML is `spec.core.array.rows` here.
// Every field is declared, with unit, default, range and doc, once in config/schema.cpp; nothing
// else reads YAML.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "systole/config/array_model_list.h"
#include "systole/config/compiler_params.h"
#include "systole/config/dram_spec.h"
#include "systole/config/noc_params.h"
#include "systole/config/types.h"
#include "systole/numeric/arith.h"

namespace systole {

// How the array is simulated: `tile` times each MATMUL with the closed form (timing/), `rtl` moves
// real operands through every PE register each cycle (rtl/) and must give the same cycles.
// One enumerator per line of SYSTOLE_ARRAY_MODELS (config/array_model_list.h), in its order.
enum class ArrayFidelity {
#define SYSTOLE_ARRAY_MODEL_ENUMERATOR(name, enumerator) enumerator,
  SYSTOLE_ARRAY_MODELS(SYSTOLE_ARRAY_MODEL_ENUMERATOR)
#undef SYSTOLE_ARRAY_MODEL_ENUMERATOR
};
const char* to_string(ArrayFidelity f);  // the names of SYSTOLE_ARRAY_MODELS: "tile", "rtl"
bool parse_array_fidelity(const std::string& s, ArrayFidelity* out);
std::vector<std::string> array_fidelity_names();

// Microarchitecture of the systolic array that the closed-form tile timing (timing/) and the
// register-level model (rtl/) share; every field enters tile_timing() (array/array_timing.h has
// the formula term by term). `core.array.scalesim_compat: true` selects ArrayMicroarch::scalesim().
struct ArrayMicroarch {
  // Double-buffered stationary registers: the next fold's stationary operand is preloaded while
  // the current fold streams, so a fold step costs max(T, preload) instead of preload + T.
  bool preload_overlap = true;
  // Consecutive folds of one tile follow each other through the skewed pipeline, so the
  // fill/drain skew is paid once per tile instead of once per fold.
  bool fold_pipelining = true;
  // SCALE-Sim v2 cycle counting: a fold's streaming dimension may be split across MATMUL tiles
  // (preload charged on the first chunk, fill/drain on the last), and a layer counts one cycle
  // less (SCALE-Sim starts counting at cycle 0). Only valid with the SCALE-Sim setting below.
  bool scalesim_counting = false;
  // Operand skew FIFOs at the array's input edges: the scratchpad delivers one unskewed operand
  // vector per cycle and triangular register FIFOs skew it (row r delayed by r hops), behind one
  // input register stage: +1 cycle of fill per skew pass. false: the feeder reads pre-skewed
  // operands straight into the edge PEs (SCALE-Sim's model), 0 cycles.
  bool input_skew_registers = false;
  // Result de-skew FIFOs at the array's output edge: results of one output vector are aligned
  // (column c delayed by C - 1 - c hops) and written as one row through one output register
  // stage: +1 cycle of drain per skew pass. false: results are written as they leave, 0 cycles.
  bool output_skew_registers = false;
  // Register stages per PE-to-PE hop (>= 1) for moving operands and partial sums: the fill/drain
  // wavefront takes pe_pipeline_depth * (R + C - 2) cycles instead of R + C - 2.
  int64_t pe_pipeline_depth = 1;
  // Cycles (>= 0) of the accumulator-SRAM read-modify-write that adds a weight- or
  // input-stationary fold's partial sums into the accumulator: the tile's last result lands this
  // many cycles after it leaves the array, and a row fold may not start streaming sooner than
  // this after the previous row fold of the same output block (read-after-write on the
  // accumulator). Output-stationary arrays accumulate in the PEs and do not use it.
  int64_t accumulator_rmw_latency = 0;

  static ArrayMicroarch scalesim() {
    ArrayMicroarch m;
    m.preload_overlap = false;
    m.fold_pipelining = false;
    m.scalesim_counting = true;
    m.input_skew_registers = false;
    m.output_skew_registers = false;
    m.pe_pipeline_depth = 1;
    m.accumulator_rmw_latency = 0;
    return m;
  }
};

// How operand vectors reach the array from the scratchpads (core.array.operand_feeder).
//   kStaged: through staging buffers (the im2col / transpose feeder real NPUs put in front of the
//            array, e.g. the TPU's systolic data setup unit) that read whole scratchpad words in
//            address order; the array sees the scratchpad as port bandwidth, no bank conflicts.
//   kDirect: every element of a vector is read where the compiler's layout placed it, in the
//            same cycle; accesses to more words of one bank than it has ports stall (exact).
enum class OperandFeeder { kStaged, kDirect };
const char* to_string(OperandFeeder f);  // "staged", "direct"
bool parse_operand_feeder(const std::string& s, OperandFeeder* out);

struct ArrayParams {
  int64_t rows = 32;  // R: PE rows
  int64_t cols = 32;  // C: PE columns
  Dataflow dataflow = Dataflow::kWeightStationary;
  DataType input_type = DataType::kInt8;
  DataType weight_type = DataType::kInt8;
  DataType accumulator_type = DataType::kInt32;
  // Integer accumulators only: width in bits (8..64) and what an addition beyond it does
  // (numeric/arith.h acc_add). Float accumulators are fp32 with round-to-nearest-even.
  int64_t accumulator_width_bits = 32;
  Overflow accumulator_overflow = Overflow::kSaturate;
  ArrayFidelity fidelity = ArrayFidelity::kTile;
  OperandFeeder operand_feeder = OperandFeeder::kDirect;
  bool scalesim_compat = false;
  // core.array.{preload_overlap, fold_pipelining, input_skew_registers, output_skew_registers,
  // pe_pipeline_depth, accumulator_rmw_latency} in YAML; the loader replaces it with
  // ArrayMicroarch::scalesim() when scalesim_compat is true.
  ArrayMicroarch microarch;

  AccumulatorSpec accumulator() const {
    return AccumulatorSpec{accumulator_type, static_cast<int>(accumulator_width_bits), accumulator_overflow};
  }
};

// Which bank holds byte address a of a scratchpad (w = bank_width_bytes, B = banks, both powers
// of two): kInterleaved: (a / w) mod B (consecutive words in consecutive banks);
// kXor: ((a / w) xor (a / (w * B))) mod B (the row index hashed into the bank, which spreads
// power-of-two strides that interleaving maps onto one bank).
enum class BankMapping { kInterleaved, kXor };
const char* to_string(BankMapping m);  // "interleaved", "xor"
bool parse_bank_mapping(const std::string& s, BankMapping* out);

struct ScratchpadParams {
  int64_t capacity_kib = 256;
  int64_t read_bytes_per_cycle = 64;   // port bandwidth towards the array / DMA reads
  int64_t write_bytes_per_cycle = 64;  // port bandwidth for DMA fills / array writes
  // Banked SRAM: `banks` banks of bank_width_bytes per access, each with ports_per_bank ports
  // (one access per port per cycle); an access is answered read_latency_cycles (written
  // write_latency_cycles) after it is issued. Accesses of one cycle to more distinct words of a
  // bank than it has ports conflict: the extra ones wait a cycle each.
  int64_t banks = 16;
  int64_t bank_width_bytes = 4;
  int64_t ports_per_bank = 1;
  int64_t read_latency_cycles = 1;
  int64_t write_latency_cycles = 1;
  BankMapping bank_mapping = BankMapping::kInterleaved;
  int64_t capacity_bytes() const { return capacity_kib * 1024; }
};

// One scratchpad the spec declares, under its name (core.scratchpads.<name>).
struct NamedScratchpad {
  std::string name;
  ScratchpadParams params;
};

// The core's scratchpads and where each operand role lives. A scratchpad is named by the spec:
// `core.scratchpads.<name>` declares it, and `core.operands.<role>` places a role in it. The
// default is one scratchpad per role under the role's name; a unified scratchpad is one name
// that all three roles point at (the compiler then splits it between them per layer,
// compiler/buffer_plan.h). A core builds exactly the scratchpads that hold a role.
struct ScratchpadsParams {
  // The standard scratchpads' defaults equal the schema's (src/config/schema.cpp); the ofmap
  // ports are wider because they carry accumulator_type partial sums (32 columns x 4 B), so it
  // has twice the banks. Any other name starts from the ifmap defaults (kOtherDefaults).
  static constexpr ScratchpadParams kIfmapDefaults{256, 64, 64, 16, 4, 1, 1, 1, BankMapping::kInterleaved};
  static constexpr ScratchpadParams kWeightDefaults{256, 64, 64, 16, 4, 1, 1, 1, BankMapping::kInterleaved};
  // Output / accumulator scratchpad: partial sums in accumulator_type, read-modify-written by
  // the array between row folds (ArrayMicroarch::accumulator_rmw_latency).
  static constexpr ScratchpadParams kOfmapDefaults{256, 128, 128, 32, 4, 1, 1, 1, BankMapping::kInterleaved};
  static constexpr ScratchpadParams kOtherDefaults = kIfmapDefaults;
  // The defaults of the scratchpad called `name`.
  static ScratchpadParams defaults_for(const std::string& name);

  // Every declared scratchpad in declaration order: the three standard ones, then others in the
  // order the config first names them.
  std::vector<NamedScratchpad> declared{
      {"ifmap", kIfmapDefaults}, {"weight", kWeightDefaults}, {"ofmap", kOfmapDefaults}};
  // core.operands: the name of the scratchpad each role lives in, indexed by index_of(role).
  std::vector<std::string> placement{"ifmap", "weight", "ofmap"};

  // The declared scratchpad called `name`, or nullptr.
  const ScratchpadParams* find(const std::string& name) const;
  // The scratchpad called `name`, declared with defaults_for(name) if it is not yet.
  ScratchpadParams& declare(const std::string& name);
  // The name of the scratchpad role r lives in.
  const std::string& name_of(OperandRole r) const { return placement.at(static_cast<size_t>(index_of(r))); }
  // The scratchpad role r lives in. InternalError when placement names an undeclared one (the
  // loader refuses such a config).
  const ScratchpadParams& of(OperandRole r) const;
  // True when r shares its scratchpad with another role.
  bool shared(OperandRole r) const;
  // True when some role lives in the scratchpad called `name`.
  bool holds_a_role(const std::string& name) const;

  // The scratchpads a core builds (those holding a role), by name, in declaration order: what
  // a core builds and what reports list. At most kOperandRoleCount.
  struct Named {
    std::string name;
    const ScratchpadParams* params;
  };
  std::vector<Named> named() const;
  // Position of role r's scratchpad in named().
  int named_index(OperandRole r) const;
};

struct DmaParams {
  // Bursts in flight at once. 64 x 64 B covers the default DRAM's bandwidth-delay product
  // (25.6 GB/s x 100 ns = 2560 B); 8 would cap the DMA at 8 x 64 B / 100 ns = 5.1 GB/s.
  int64_t max_outstanding = 64;
  int64_t burst_bytes = 64;  // a descriptor is split into bursts of at most this size
  // kInOrder: responses are retired in issue order (a burst slot frees when it and every older
  // burst have completed); kOutOfOrder: a slot frees as soon as its own burst completes.
  DmaCompletion completion = DmaCompletion::kInOrder;
};

struct VectorParams {
  int64_t lanes = 32;  // elementwise operations per cycle
};

struct CoreParams {
  ArrayParams array;
  ScratchpadsParams scratchpads;
  DmaParams dma;
  VectorParams vector;
  double clock_mhz = 1000.0;
  double cycle_ns() const { return 1000.0 / clock_mhz; }
};

struct DramParams {
  DramKind kind = DramKind::kSimple;
  double latency_ns = 100.0;     // kind simple: fixed access latency added to every request
  double bandwidth_gbps = 25.6;  // kind simple: peak bandwidth, GB/s (1e9 bytes/s), shared by requests
  // kind cycle: the device preset (arch/dram/<preset>.yaml, or a path), and controller options.
  std::string preset = "ddr4-3200";
  int64_t channels = 0;  // 0: the preset's channel count
  DramPagePolicy page_policy = DramPagePolicy::kOpen;
  DramAddressMapping address_mapping = DramAddressMapping::kRoCoBaRaCh;
  int64_t queue_depth = 32;  // request queue entries per channel
  bool refresh = true;
  DramScheduler scheduler = DramScheduler::kFrfcfs;
  int64_t row_hit_cap = 4;  // frfcfs_cap only
  // Resolved by the loader when kind is cycle: the preset file's contents with `channels`
  // applied. Empty (default-constructed, path "") otherwise.
  DramDeviceSpec device;

  // What the kinds mean for everything after the config, answered here once:
  // the resolved device when the model is device-level (kind cycle), nullptr otherwise;
  const DramDeviceSpec* device_model() const { return kind == DramKind::kCycle ? &device : nullptr; }
  // the bandwidth the compiler plans with, GB/s: the device's peak data bandwidth (cycle),
  // bandwidth_gbps (simple), 0 = unbounded (ideal).
  double planning_bandwidth_gbps() const {
    return kind == DramKind::kIdeal ? 0.0 : kind == DramKind::kCycle ? device.peak_gbps() : bandwidth_gbps;
  }
};

// The DRAM standard whose energy per bit prices DRAM traffic (energy/energy_table.h). kAuto: the
// device preset's standard with dram.kind cycle; LPDDR4 with kinds ideal and simple, whose default
// latency and bandwidth describe an LPDDR4-3200 interface.
enum class EnergyDramStandard { kAuto, kDdr4, kLpddr4, kLpddr5, kHbm2 };
const char* to_string(EnergyDramStandard s);  // "auto", "DDR4", "LPDDR4", "LPDDR5", "HBM2"
bool parse_energy_dram_standard(const std::string& s, EnergyDramStandard* out);

// Power drawn whether or not a unit works (leakage, and any clock that is not gated), mW. It is a
// property of the design (area, process flavour, threshold voltages, supply), not of the node
// alone, so it is given per design; 0 leaves static energy out. Energy = power x simulated time.
struct StaticPowerParams {
  double array_mw = 0.0;
  double vector_mw = 0.0;
  double scratchpads_mw = 0.0;  // all scratchpads together, split by capacity
  double control_mw = 0.0;      // controller, DMA engine and other always-on logic
};

// Traces a run writes (trace/trace_options.h parses both; `--trace` / `--trace-window` override).
struct TraceParams {
  std::string formats = "none";  // "none" or a comma list of perfetto, csv, vcd, dramsim3, ramulator2
  std::string window = "all";    // "all", START:END cycles, or FIRST:LAST layer names
};

struct EnergyParams {
  // Energy reference table: a name in arch/energy (45nm, 7nm) or a path to such a file.
  std::string table = "7nm";
  EnergyDramStandard dram_standard = EnergyDramStandard::kAuto;
  StaticPowerParams static_power;
  int64_t power_window_cycles = 10000;  // power.csv: one row per window of this many core cycles
};

// How long a simulation may run (docs/reliability.md).
struct SimParams {
  int64_t max_cycles = 100'000'000'000;  // simulated core cycles; then the run stops with an error
};

// Where a config value came from: a file and 1-based line, or "--set" with line 0.
struct KeyOrigin {
  std::string file;
  int line = 0;
};

// cores.*: how many copies of `core` the NPU has (docs/multicore.md). With more than one, they
// and the DRAM channels meet on the NoC (noc.*) and the compiler shares each layer among them
// (compiler.partition).
// One written per-core override (cores.<selector>.<key of core.*>, docs/multicore.md
// "Heterogeneous cores"): cores [first, last] take `value` for the key core.<key>.
struct CoreOverride {
  std::string selector;  // as written: "2" or "2-3"
  int64_t first = 0, last = 0;
  std::string key;  // below core., e.g. "array.rows"
  std::variant<int64_t, double, bool, std::string> value;
};

struct CoresParams {
  int64_t count = 1;
  // The overrides in the order they apply (the file's, then --set's), and what they resolve to:
  // per_core[c] is core c's whole spec, `core` with the overrides that cover c applied and checked;
  // empty when there is no override (every core is `core`).
  std::vector<CoreOverride> overrides;
  std::vector<CoreParams> per_core;
};

struct ArchSpec {
  int64_t schema_version = 1;
  std::string name;
  CoreParams core;
  DramParams dram;
  CoresParams cores;
  NocParams noc;  // noc.* (config/noc_params.h); unused while there is one core
  EnergyParams energy;
  SimParams sim;
  TraceParams trace;
  CompilerParams compiler;  // compiler.* (config/compiler_params.h)

  // Core c's spec: `core`, or its per-core overrides applied (cores.per_core).
  const CoreParams& core_of(int64_t c) const {
    return cores.per_core.empty() ? core : cores.per_core.at(static_cast<size_t>(c));
  }
  bool heterogeneous() const { return !cores.per_core.empty(); }
  // Core c's PEs (rows x cols), and the NPU's: the sum over its cores.
  int64_t core_pes(int64_t c) const { return core_of(c).array.rows * core_of(c).array.cols; }
  int64_t total_pes() const {
    int64_t n = 0;
    for (int64_t c = 0; c < cores.count; ++c) n += core_pes(c);
    return n;
  }

  // Provenance, not parameters: the file this spec was read from and where each explicitly written
  // key came from, so that later stages (e.g. the compiler's scratchpad fit check) can name the
  // file and line in their diagnostics.
  std::string source_path;
  std::map<std::string, KeyOrigin> key_origins;

  // The origin of `key`: where it was written, else the source file (line 0) for a default.
  KeyOrigin origin_of(const std::string& key) const {
    auto it = key_origins.find(key);
    return it != key_origins.end() ? it->second : KeyOrigin{source_path, 0};
  }
};

// A heterogeneous NPU's core classes: cores covered by the same per-core overrides have one spec
// and form a class, numbered in the order of their first cores (core 0's is class 0). One entry
// per core; all 0 when the cores are alike.
std::vector<int> core_classes(const ArchSpec& arch);
// The cores of class k, for names: "cores 2-3", "core 2", "cores 0, 2" (ranges where consecutive).
std::string core_class_label(const ArchSpec& arch, int k);

}  // namespace systole
