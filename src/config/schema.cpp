// The one declaration of every architecture parameter. Adding a parameter: add the field to
// ArchSpec (with the same default as here), declare it below, regenerate docs/config-reference.md
// (`systole config-doc > docs/config-reference.md`); the unit tests check the rest.
#include "systole/config/schema.h"

#include "schema_builders.h"
#include "schema_detail.h"

#include <array>
#include <utility>

#include "systole/common/error.h"

namespace systole {
namespace {

using namespace config_detail;

std::vector<std::string> input_types() {
  return {"int8", "int16", "fp16", "bf16", "fp32"};
}

// One scratchpad's parameters, under core.scratchpads.<name>. Port widths are bytes per core
// clock cycle. The accessor reads the scratchpad of that name (its defaults when the spec has not
// declared it) and, when a value is set, declares it.
struct ScratchpadDecl {
  std::string name;
  const char* what;
  const char* read_doc;
  const char* write_doc;
};

struct ScratchpadField {
  std::string name;
  ScratchpadParams defaults;
  const ScratchpadParams& operator()(const ArchSpec& s) const {
    const ScratchpadParams* p = s.core.scratchpads.find(name);
    return p != nullptr ? *p : defaults;
  }
  ScratchpadParams& operator()(ArchSpec& s) const { return s.core.scratchpads.declare(name); }
};

void add_scratchpad(std::vector<ParamDef>* out, const ScratchpadDecl& d) {
  const std::string prefix = "core.scratchpads." + d.name + ".";
  const ScratchpadParams def = ScratchpadsParams::defaults_for(d.name);
  const ScratchpadField m{d.name, def};
  out->push_back(int_param(
      prefix + "capacity_kib", "KiB", def.capacity_kib, at_least(1, 1 << 30),
      std::string(d.what) + "; the upper bound (1 TiB) keeps byte counts in 64 bits", [m](auto& s) -> auto& {
        return m(s).capacity_kib;
      }));
  out->push_back(int_param(
      prefix + "read_bytes_per_cycle", "B/cycle", def.read_bytes_per_cycle, at_least(1, 1 << 24),
      d.read_doc, [m](auto& s) -> auto& { return m(s).read_bytes_per_cycle; }));
  out->push_back(int_param(
      prefix + "write_bytes_per_cycle", "B/cycle", def.write_bytes_per_cycle, at_least(1, 1 << 24),
      d.write_doc, [m](auto& s) -> auto& { return m(s).write_bytes_per_cycle; }));
  out->push_back(int_param(
      prefix + "banks", "banks", def.banks, power_of_two(1, 4096),
      "SRAM banks; the default times bank_width_bytes equals the read port, so a contiguous "
      "operand vector touches every bank once",
      [m](auto& s) -> auto& { return m(s).banks; }));
  out->push_back(int_param(
      prefix + "bank_width_bytes", "B", def.bank_width_bytes, power_of_two(1, 4096),
      "Bytes one bank port reads or writes per cycle (one SRAM word); 4 B = a 32-bit macro",
      [m](auto& s) -> auto& { return m(s).bank_width_bytes; }));
  out->push_back(int_param(
      prefix + "ports_per_bank", "ports", def.ports_per_bank, at_least(1, 8),
      "Independent accesses one bank serves per cycle; 1 = single-port SRAM macros (the "
      "densest), 2 = dual-port",
      [m](auto& s) -> auto& { return m(s).ports_per_bank; }));
  out->push_back(int_param(
      prefix + "read_latency_cycles", "cycles", def.read_latency_cycles, at_least(0, 64),
      "Cycles from a read access to its data; 1 is a registered SRAM macro output", [m](auto& s) -> auto& {
        return m(s).read_latency_cycles;
      }));
  out->push_back(int_param(
      prefix + "write_latency_cycles", "cycles", def.write_latency_cycles, at_least(0, 64),
      "Cycles from a write access until the data is readable", [m](auto& s) -> auto& {
        return m(s).write_latency_cycles;
      }));
  out->push_back(enum_param(
      prefix + "bank_mapping", def.bank_mapping, {"interleaved", "xor"},
      "Address to bank: interleaved ((addr / width) mod banks) or xor (the word's row index "
      "XORed in, which spreads power-of-two strides)",
      [m](auto& s) -> auto& { return m(s).bank_mapping; }));
}

// The parameters of a scratchpad under a name of the user's choosing (core.scratchpads.<name>).
ScratchpadDecl other_scratchpad(const std::string& name) {
  return {name, "Capacity of a scratchpad named by the spec (core.operands places roles in it)",
          "Read port (array operand reads, vector-unit reads and DMA stores of every role it holds)",
          "Write port (DMA fills, array results and vector-unit writes of every role it holds)"};
}

std::vector<ParamDef> declare() {
  std::vector<ParamDef> s;
  s.push_back(required(int_param(
      "schema_version", "", 1, exactly(1), "Version of this schema; 1 is the only version this Systole reads",
      [](auto& a) -> auto& { return a.schema_version; })));
  ParamDef name = base("name", ParamType::kString, "", "Name of the accelerator, copied into every report",
                       [](const ArchSpec& a) { return a.name; });
  name.non_empty = true;
  name.set = [](ArchSpec& a, const ParamValue& v) { a.name = std::get<std::string>(v); };
  s.push_back(required(std::move(name)));

  s.push_back(int_param(
      "core.array.rows", "PEs", 32, at_least(1, 4096),
      "PE rows R of the systolic array; 32 x 32 (1024 MACs) is a typical edge NPU",
      [](auto& a) -> auto& { return a.core.array.rows; }));
  s.push_back(int_param(
      "core.array.cols", "PEs", 32, at_least(1, 4096),
      "PE columns C of the systolic array; 32 x 32 (1024 MACs) is a typical edge NPU",
      [](auto& a) -> auto& { return a.core.array.cols; }));
  s.push_back(enum_param(
      "core.array.dataflow", Dataflow::kWeightStationary, dataflow_names(),
      "Default dataflow: ws weight-, os output-, is input-stationary; ws is the TPU's",
      [](auto& a) -> auto& { return a.core.array.dataflow; }));
  s.push_back(enum_param(
      "core.array.input_type", DataType::kInt8, input_types(),
      "Number format of input activations; int8 is the usual inference format",
      [](auto& a) -> auto& { return a.core.array.input_type; }));
  s.push_back(enum_param(
      "core.array.weight_type", DataType::kInt8, input_types(),
      "Number format of weights; int8 is the usual inference format",
      [](auto& a) -> auto& { return a.core.array.weight_type; }));
  s.push_back(enum_param(
      "core.array.accumulator_type", DataType::kInt32, {"int32", "fp32"},
      "Format of partial sums (array and ofmap scratchpad); int32 sums 2^17 int8 x int8 "
      "products without overflow",
      [](auto& a) -> auto& { return a.core.array.accumulator_type; }));
  s.push_back(int_param(
      "core.array.accumulator_width_bits", "bits", 32, at_least(8, 64),
      "Width of integer partial sums (int32 accumulator_type); 32 is the usual int8 accumulator",
      [](auto& a) -> auto& { return a.core.array.accumulator_width_bits; }));
  s.push_back(enum_param(
      "core.array.accumulator_overflow", Overflow::kSaturate, {"saturate", "wrap"},
      "Integer partial sum beyond accumulator_width_bits after an addition: saturate (clamp, "
      "what inference accelerators do) or wrap (two's complement)",
      [](auto& a) -> auto& { return a.core.array.accumulator_overflow; }));
  s.push_back(enum_param(
      "core.array.fidelity", ArrayFidelity::kTile, array_fidelity_names(),
      "Array model: tile (closed-form cycles per MATMUL, fast) or rtl (operands move through "
      "every PE register each cycle; same cycles, slower)",
      [](auto& a) -> auto& { return a.core.array.fidelity; }));
  s.push_back(enum_param(
      "core.array.operand_feeder", OperandFeeder::kDirect, {"direct", "staged"},
      "How operand vectors leave the scratchpads: direct (each vector's elements read in place, "
      "where the compiler's layouts put them, in one cycle: every bank word it touches is a read, "
      "bank conflicts stall, counted exactly) or staged (im2col/transpose staging buffers, such as "
      "the TPU's systolic data setup unit, read whole words in address order: ceil(bytes / bank "
      "width) word reads per vector, no bank conflicts, port bandwidth only). SCALE-Sim "
      "compatibility uses staged",
      [](auto& a) -> auto& { return a.core.array.operand_feeder; }));
  s.push_back(bool_param(
      "core.array.scalesim_compat", false,
      "Count compute cycles as SCALE-Sim v2 does; true forces ArrayMicroarch::scalesim() "
      "(preload_overlap and fold_pipelining off, no skew registers, pe_pipeline_depth 1, "
      "accumulator_rmw_latency 0, count from cycle 0) and the staged operand_feeder (SCALE-Sim's "
      "SRAMs never stall), so setting any of them otherwise beside it is an error",
      [](auto& a) -> auto& { return a.core.array.scalesim_compat; }));
  s.push_back(bool_param(
      "core.array.preload_overlap", true,
      "Double-buffered stationary registers: the next fold's stationary operand loads "
      "while the current fold streams (fold step max(T, preload) instead of preload + T)",
      [](auto& a) -> auto& { return a.core.array.microarch.preload_overlap; }));
  s.push_back(bool_param(
      "core.array.fold_pipelining", true,
      "Consecutive folds of a tile follow each other through the skewed pipeline, so the "
      "fill/drain skew is paid once per tile instead of once per fold",
      [](auto& a) -> auto& { return a.core.array.microarch.fold_pipelining; }));
  s.push_back(bool_param(
      "core.array.input_skew_registers", false,
      "Operand skew FIFOs (and one input register) at the array's input edges: +1 cycle per "
      "fill; false = the feeder reads pre-skewed operands, as SCALE-Sim assumes",
      [](auto& a) -> auto& { return a.core.array.microarch.input_skew_registers; }));
  s.push_back(bool_param(
      "core.array.output_skew_registers", false,
      "Result de-skew FIFOs (and one output register) at the array's output edge: +1 cycle "
      "per drain; false = results are written as they leave, as SCALE-Sim assumes",
      [](auto& a) -> auto& { return a.core.array.microarch.output_skew_registers; }));
  s.push_back(int_param(
      "core.array.pe_pipeline_depth", "cycles/hop", 1, at_least(1, 16),
      "Register stages per PE-to-PE hop; the fill/drain skew is depth x (R + C - 2) cycles; "
      "1 = a single-cycle MAC per PE",
      [](auto& a) -> auto& { return a.core.array.microarch.pe_pipeline_depth; }));
  s.push_back(int_param(
      "core.array.accumulator_rmw_latency", "cycles", 0, at_least(0, 1024),
      "Accumulator-SRAM read-modify-write latency (ws/is): added once to the tile's last "
      "result, and a lower bound on the step between row folds; 0 = an ideal accumulator",
      [](auto& a) -> auto& { return a.core.array.microarch.accumulator_rmw_latency; }));

  add_scratchpad(&s, {"ifmap", "Input-activation scratchpad capacity; 256 KiB is a typical edge-NPU buffer",
                      "Read port towards the array; 64 B (a 512-bit port) is twice what 32 int8 rows take",
                      "Write port for DMA fills; 64 B is above the default DRAM's 25.6 B/cycle at 1 GHz"});
  add_scratchpad(&s, {"weight", "Weight scratchpad capacity; 256 KiB is a typical edge-NPU buffer",
                      "Read port towards the array; 64 B (a 512-bit port) is twice what 32 int8 columns take",
                      "Write port for DMA fills; 64 B is above the default DRAM's 25.6 B/cycle at 1 GHz"});
  add_scratchpad(
      &s, {"ofmap", "Output/accumulator scratchpad capacity (partial sums in accumulator_type); 256 KiB",
           "Read port (accumulate and DMA stores); 128 B = 32 columns x 4 B int32 partial sums",
           "Write port from the array; 128 B = 32 columns x 4 B int32 partial sums per cycle"});
  for (const OperandRole r : kOperandRoles) {
    const int i = index_of(r);
    s.push_back(string_param(
        std::string("core.operands.") + to_string(r), to_string(r),
        std::string("Scratchpad (a name under core.scratchpads) the ") +
            (r == OperandRole::kIfmap    ? "input activations"
             : r == OperandRole::kWeight ? "weights"
                                         : "outputs and partial sums") +
            " live in; roles that name the same one share it (a unified buffer)",
        [i](auto& a) -> auto& { return a.core.scratchpads.placement[static_cast<size_t>(i)]; }));
  }

  s.push_back(int_param(
      "core.dma.max_outstanding", "bursts", 64, at_least(1, 65536),
      "Bursts in flight at once; 64 x 64 B = 4 KiB covers the default DRAM's "
      "bandwidth-delay product (25.6 GB/s x 100 ns = 2560 B; 8 would cap it at 5.1 GB/s)",
      [](auto& a) -> auto& { return a.core.dma.max_outstanding; }));
  s.push_back(int_param(
      "core.dma.burst_bytes", "B", 64, power_of_two(1, 1 << 20),
      "Largest DMA burst; 64 B is one LPDDR4 BL16 access on a 32-bit channel",
      [](auto& a) -> auto& { return a.core.dma.burst_bytes; }));
  s.push_back(enum_param(
      "core.dma.completion", DmaCompletion::kInOrder, dma_completion_names(),
      "in_order: a burst slot frees when it and all older bursts are done (responses retire "
      "in order); out_of_order: as soon as its own burst is done (AXI-style IDs)",
      [](auto& a) -> auto& { return a.core.dma.completion; }));
  s.push_back(int_param(
      "core.vector.lanes", "elements/cycle", 32, at_least(1, 65536),
      "Vector-unit operations per cycle; 32 matches the default array width (one row/cycle)",
      [](auto& a) -> auto& { return a.core.vector.lanes; }));
  s.push_back(float_param(
      "core.clock_mhz", "MHz", 1000.0, at_least(1, 10000),
      "Core clock (array, scratchpads, DMA, vector unit); 1 GHz is typical of edge NPUs; the "
      "bounds (1 MHz to 10 GHz) catch a value given in Hz or GHz",
      [](auto& a) -> auto& { return a.core.clock_mhz; }));

  s.push_back(enum_param(
      "dram.kind", DramKind::kSimple, dram_kind_names(),
      "DRAM model: ideal (no latency, unlimited bandwidth), simple (fixed latency + "
      "shared peak bandwidth) or cycle (memory controller + JEDEC device timing, dram.preset)",
      [](auto& a) -> auto& { return a.dram.kind; }));
  s.push_back(float_param(
      "dram.latency_ns", "ns", 100.0, at_least(0, 10000),
      "Fixed latency added to every request (kind simple); 100 ns is a loaded LPDDR4 read; "
      "at most 10 us (a value given in ps or cycles)",
      [](auto& a) -> auto& { return a.dram.latency_ns; }));
  s.push_back(float_param(
      "dram.bandwidth_gbps", "GB/s", 25.6, at_least(0.1, 1e5),
      "Peak bandwidth, 1 GB/s = 1e9 B/s (kind simple); 25.6 = LPDDR4-3200 on a 64-bit bus; at "
      "least 0.1 GB/s (a value given in TB/s), at most 100 TB/s",
      [](auto& a) -> auto& { return a.dram.bandwidth_gbps; }));
  s.push_back(string_param(
      "dram.preset", "ddr4-3200",
      "Device of kind cycle: ddr4-3200, lpddr4-4266, lpddr5-6400, hbm2 (arch/dram/<name>.yaml, "
      "JEDEC timing with sources) or a path to such a file",
      [](auto& a) -> auto& { return a.dram.preset; }));
  s.push_back(int_param(
      "dram.channels", "channels", 0, at_least(0, 64),
      "Channels of kind cycle (HBM2: pseudo-channels); 0 = the preset's count",
      [](auto& a) -> auto& { return a.dram.channels; }));
  s.push_back(enum_param(
      "dram.page_policy", DramPagePolicy::kOpen, dram_page_policy_names(),
      "Row buffer (kind cycle): open keeps a row open for later hits; closed precharges when no "
      "queued request hits it",
      [](auto& a) -> auto& { return a.dram.page_policy; }));
  s.push_back(enum_param(
      "dram.address_mapping", DramAddressMapping::kRoCoBaRaCh, dram_address_mapping_names(),
      "Address bits to DRAM coordinates, most significant first (kind cycle); RoCoBaRaCh "
      "interleaves channels, ranks and banks (bank group first) at burst granularity, so streams "
      "run at tCCD_S and hit open rows",
      [](auto& a) -> auto& { return a.dram.address_mapping; }));
  s.push_back(enum_param(
      "dram.scheduler", DramScheduler::kFrfcfs, dram_scheduler_names(),
      "Which queued request a channel serves next (kind cycle): frfcfs (row hits first, then the "
      "oldest), fcfs (the oldest of each bank, hit or not), frfcfs_cap (as frfcfs, but an older "
      "miss goes first once its bank served dram.row_hit_cap hits to the open row)",
      [](auto& a) -> auto& { return a.dram.scheduler; }));
  s.push_back(int_param(
      "dram.row_hit_cap", "hits", 4, at_least(1, 1024),
      "frfcfs_cap: row hits a bank serves from one open row while an older miss of it waits",
      [](auto& a) -> auto& { return a.dram.row_hit_cap; }));
  s.push_back(int_param(
      "dram.queue_depth", "requests", 32, at_least(1, 4096),
      "Request queue entries per channel that FR-FCFS chooses from (kind cycle); 32 is typical",
      [](auto& a) -> auto& { return a.dram.queue_depth; }));
  s.push_back(bool_param(
      "dram.refresh", true, "All-bank refresh every tREFI for tRFC (kind cycle); false only for experiments",
      [](auto& a) -> auto& { return a.dram.refresh; }));

  s.push_back(string_param(
      "energy.table", "7nm",
      "Energy reference table: 45nm (Horowitz, ISSCC 2014) or 7nm (TPUv4i, ISCA 2021) from "
      "arch/energy/<name>.yaml, or a path to such a file (docs/energy.md)",
      [](auto& a) -> auto& { return a.energy.table; }));
  s.push_back(enum_param(
      "energy.dram_standard", EnergyDramStandard::kAuto, {"auto", "DDR4", "LPDDR4", "LPDDR5", "HBM2"},
      "DRAM standard whose pJ/bit prices DRAM traffic (unused when a kind cycle preset with "
      "datasheet currents prices it per command); auto = the preset's standard with dram.kind "
      "cycle, LPDDR4 (the simple model's default interface) with kinds ideal and simple",
      [](auto& a) -> auto& { return a.energy.dram_standard; }));
  s.push_back(float_param(
      "energy.static_power_mw.array", "mW", 0.0, at_least(0, 1e7),
      "Static power of one core's PE array (leakage and ungated clock), drawn for the whole run by "
      "every core; a property of the design, not of the node: 0 leaves it out",
      [](auto& a) -> auto& { return a.energy.static_power.array_mw; }));
  s.push_back(float_param(
      "energy.static_power_mw.vector", "mW", 0.0, at_least(0, 1e7), "Static power of one core's vector unit",
      [](auto& a) -> auto& { return a.energy.static_power.vector_mw; }));
  s.push_back(float_param(
      "energy.static_power_mw.scratchpads", "mW", 0.0, at_least(0, 1e7),
      "Static power of one core's scratchpads together, split between them by capacity",
      [](auto& a) -> auto& { return a.energy.static_power.scratchpads_mw; }));
  s.push_back(float_param(
      "energy.static_power_mw.control", "mW", 0.0, at_least(0, 1e7),
      "Static power of one core's controller, DMA engine and other always-on logic",
      [](auto& a) -> auto& { return a.energy.static_power.control_mw; }));
  s.push_back(int_param(
      "energy.power_window_cycles", "cycles", 10000, at_least(1, 1e12),
      "power.csv: average power per component over windows of this many core cycles; a run may "
      "have at most 100,000 windows (report.json keeps them for re-pricing)",
      [](auto& a) -> auto& { return a.energy.power_window_cycles; }));

  declare_multicore_params(s);

  s.push_back(int_param(
      "sim.max_cycles", "cycles", 100'000'000'000, at_least(1000, 1e13),
      "Simulated-time budget in core cycles: a run that has not finished by then stops with an "
      "error instead of running for hours; 1e11 is 100 s at 1 GHz, ~20x the largest network "
      "in workloads/; at most 1e13 so that the budget is a SystemC time at every clock",
      [](auto& a) -> auto& { return a.sim.max_cycles; }));

  s.push_back(enum_param(
      "compiler.residency", Residency::kAuto, {"auto", "off"},
      "Activation residency: auto keeps layer outputs that fit in a region at the top of the ifmap "
      "role's scratchpad for their consumers (liveness over the network, spilled to DRAM in "
      "production order when full); off sends every layer output to DRAM and back. SCALE-Sim "
      "compatibility forces off (docs/compiler.md \"Activation residency\")",
      [](auto& a) -> auto& { return a.compiler.residency; }));
  s.push_back(int_param(
      "compiler.resident_kib", "KiB", 0, at_least(0, 1e9),
      "KiB of the ifmap role's scratchpad reserved for resident tensors; 0 = the compiler chooses "
      "by its estimate among 0, 1/8, 1/4, 1/2, 3/4 of the scratchpad and the network's peak live "
      "bytes; at most the scratchpad's capacity minus what the smallest tiles need",
      [](auto& a) -> auto& { return a.compiler.resident_kib; }));
  s.push_back(enum_param(
      "compiler.partition", PartitionChoice::kAuto, partition_choice_names(),
      "Multi-core NPUs (cores.count > 1): how each layer is shared among the cores: "
      "output_channels (GEMM n), spatial (output rows / GEMM m), batch (images or batched GEMMs), "
      "or auto (per layer the cheapest by the compiler's estimate); a mapping file may name one "
      "per layer; or pipeline: each core runs whole consecutive layers and the batch's images "
      "stream through the cores (docs/multicore.md)",
      [](auto& a) -> auto& { return a.compiler.partition; }));
  s.push_back(int_param(
      "compiler.pipeline_microbatch", "images", 0, at_least(0, 65536),
      "compiler.partition pipeline: images that pass through the stages together (a divisor of the "
      "batch); more images per step load each stage's weights fewer times, fewer fill the pipeline "
      "sooner; 0 = the compiler chooses by its estimate among the divisors of the batch "
      "(docs/multicore.md)",
      [](auto& a) -> auto& { return a.compiler.pipeline_microbatch; }));

  s.push_back(string_param(
      "trace.formats", "none",
      "Traces every run writes: none, or a comma list of perfetto (trace.json), csv (events.csv), "
      "vcd (units.vcd; array.vcd too in rtl fidelity), dramsim3 / ramulator2 (every DRAM request "
      "in the trace format that simulator replays); `--trace` overrides (docs/tracing.md)",
      [](auto& a) -> auto& { return a.trace.formats; }));
  s.push_back(string_param(
      "trace.window", "all",
      "Part of the run the traces cover: all, START:END in core cycles (END exclusive), or "
      "FIRST:LAST layer names; `--trace-window` overrides",
      [](auto& a) -> auto& { return a.trace.window; }));

  s.push_back(enum_param(
      "compiler.mapper", MapperKind::kHeuristic, mapper_kind_names(),
      "How GEMM tilings are searched: heuristic (~70 tile sizes per dimension: array multiples "
      "2^j and D/q, q <= 8) or exhaustive (every array multiple and divisor of each dimension, "
      "at most 2^20 tilings a layer); both score by the closed-form estimate (docs/compiler.md)",
      [](auto& a) -> auto& { return a.compiler.mapper; }));
  s.push_back(enum_param(
      "compiler.objective", MappingObjective::kCycles, mapping_objective_names(),
      "What the mapper minimises over a layer's tilings: cycles (estimated), energy (estimated "
      "MAC + scratchpad + DRAM pJ) or edp (their product)",
      [](auto& a) -> auto& { return a.compiler.objective; }));
  return s;
}

}  // namespace

#define SYSTOLE_ARRAY_MODEL_ENTRY(name, enumerator) std::pair{ArrayFidelity::enumerator, #name},
constexpr std::array kArrayModels{SYSTOLE_ARRAY_MODELS(SYSTOLE_ARRAY_MODEL_ENTRY)};
#undef SYSTOLE_ARRAY_MODEL_ENTRY

const char* to_string(ArrayFidelity f) {
  for (const auto& [e, name] : kArrayModels) {
    if (e == f) return name;
  }
  return "?";
}

std::vector<std::string> array_fidelity_names() {
  std::vector<std::string> out;
  for (const auto& entry : kArrayModels) out.emplace_back(entry.second);
  return out;
}

bool parse_array_fidelity(const std::string& s, ArrayFidelity* out) {
  for (const auto& [e, name] : kArrayModels) {
    if (s == name) {
      *out = e;
      return true;
    }
  }
  return false;
}

const std::vector<ParamDef>& arch_schema() {
  static const std::vector<ParamDef> kSchema = declare();
  return kSchema;
}

namespace config_detail {

std::vector<ParamDef> scratchpad_params(const std::string& name) {
  std::vector<ParamDef> defs;
  add_scratchpad(&defs, other_scratchpad(name));
  return defs;
}

}  // namespace config_detail

}  // namespace systole
