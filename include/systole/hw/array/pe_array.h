// The R x C systolic array: one wait() per MATMUL.
//   duration = cycles + stall + conflicts
//   cycles   = tile_timing(geometry, op).cycles                  (fidelity tile)
//            = rtl::run_tile(...).cycles, the register-level engine (fidelity rtl; equal by contract)
//   stall    = max(0, max over ports of ceil(bytes / port bytes_per_cycle) - cycles)
// over the four scratchpad streams of the tile (tile_traffic elements x element size): ifmap reads
// (input_type), weight reads (weight_type), ofmap reads and ofmap writes (accumulator_type);
//   conflicts = TileBankModel::cost(op).conflict_cycles(): the bank conflicts of every operand
// vector the tile reads or writes (array/tile_bank_cost.h), through the banking of each scratchpad;
// charged with the direct feeder only (staging buffers absorb them).
// With SCALE-Sim counting there is neither stall nor conflict (SCALE-Sim assumes the SRAM keeps
// up); accesses are still counted. The work starts on the first clock edge after issue; its
// closed-form part is the first `cycles` of the duration, of which the first
// fill_drain = cycles - stream_cycles (TileTiming) move no new operands (rtl fidelity: the closed
// form's value, equal by construction), and of those the first preload =
// min(TileTiming::preload_cycles, fill_drain) shift the stationary block in. Of the remaining
// stream = cycles - fill_drain cycles, under-use = stream - min(stream, ceil(MACs / (R * C)))
// are the PE-cycles the tile leaves idle, expressed in whole-array cycles (stats/attribution.h).
// InstructionRecord: work_cycles = cycles, fill_drain_cycles, preload_cycles, underuse_cycles,
// spm_stall_cycles = stall, bank_conflict_cycles = conflicts, busy_cycles = duration.
// Counts: MACs = m*n*k; per scratchpad bytes, bank word accesses (as core.array.operand_feeder
// reads them: packed words when staged, the words each vector touches when direct), conflict
// cycles and (ofmap)
// accumulator read-modify-writes, through ISpmAccounting; the same accesses and RMWs, and the
// register shifts (register_shift_bytes below), in InstructionRecord::actions.
// Functional simulation (`functional`): the tile reads its operands from the scratchpads'
// storage when it starts and writes the ofmap when it ends (array/tile_compute.h has the values).
#pragma once

#include <cstdint>
#include <exception>
#include <memory>

#include <systemc>

#include "systole/array/array_model.h"
#include "systole/array/array_observer.h"
#include "systole/array/array_timing.h"
#include "systole/array/tile_bank_cost.h"
#include "systole/array/tile_compute.h"
#include "systole/hw/core/clock.h"
#include "systole/hw/core/exec_unit.h"
#include "systole/hw/memory/spm_accounting.h"

namespace systole::hw {

struct PeArrayParams {
  ArrayGeometry geometry;
  int64_t input_bytes = 1;        // bytes per ifmap element
  int64_t weight_bytes = 1;       // bytes per weight element
  int64_t accumulator_bytes = 4;  // bytes per partial sum / output element in the ofmap scratchpad
  Clock clock;
  bool functional = false;
  TileNumerics numerics;  // functional and rtl fidelity
  ArrayFidelity fidelity = ArrayFidelity::kTile;
  IArrayObserver* observer = nullptr;  // rtl fidelity: sees every cycle of every tile (VCD)
  // core.array.operand_feeder: kDirect charges each operand vector's bank conflicts (the array
  // reads its elements where the compiler's layout put them); kStaged reads through staging
  // buffers that fetch whole words in address order: accesses are counted, conflicts not charged.
  OperandFeeder feeder = OperandFeeder::kStaged;
};

struct PeArrayCounters {
  int64_t tiles = 0;
  int64_t macs = 0;
  int64_t compute_cycles = 0;  // closed-form cycles
  int64_t stall_cycles = 0;    // scratchpad-bandwidth stalls
  int64_t bank_conflict_cycles = 0;
  int64_t fill_drain_cycles = 0;  // closed-form cycles without new operands (cycles - stream_cycles)
  int64_t rtl_pe_cycles = 0;      // rtl fidelity: PE-cycles the register-level engine simulated
};

// The scratchpad traffic of one tile in bytes, its bank accesses and the stalls they cause.
struct TileSpmCost {
  int64_t ifmap_read_bytes = 0, weight_read_bytes = 0, ofmap_read_bytes = 0, ofmap_write_bytes = 0;
  int64_t stall_cycles = 0;
  TileBankCost banks;
  int64_t conflict_cycles = 0;  // banks.conflict_cycles(), 0 under SCALE-Sim counting
};

// Bytes moved between neighbouring PEs by one MATMUL tile (the energy model's register shifts).
// The tile's folds (FoldShape Sr, Sc, T; Fr, Fc folds, array_timing.h) use r <= R rows and c <= C
// columns each: Fr - 1 row folds of R rows and one of Sr - (Fr - 1) * R, likewise for columns. An
// element passing through q PEs of one row or column makes q - 1 hops; entering from the edge
// (skew / preload buffers) and leaving to the edge (de-skew, accumulator) is not a hop. Per fold:
//   WS: inputs streamed along the rows   T * r * (c - 1) hops x input_bytes
//       partial sums down the columns    T * c * (r - 1) hops x accumulator_bytes
//       weights preloaded down columns   c * r(r - 1)/2 hops x weight_bytes (row i's weight shifts
//                                        down i rows; counted on the stream's first chunk only)
//   IS: as WS with inputs and weights exchanged (weights stream along the rows, inputs preload)
//   OS: inputs along the rows            T * r * (c - 1) hops x input_bytes
//       weights down the columns         T * c * (r - 1) hops x weight_bytes
//       outputs drained down the columns c * r(r - 1)/2 hops x accumulator_bytes (row i's output
//                                        shifts r - 1 - i rows; on the stream's last chunk only)
// Every term is g(r) * h(c), so the sum over folds is (sum over row folds of g) x (sum over column
// folds of h), with sum r = Sr, sum (r - 1) = Sr - Fr, sum (c - 1) = Sc - Fc, sum c = Sc.
int64_t register_shift_bytes(const ArrayGeometry& g, const MatmulOp& op, int64_t input_bytes,
                             int64_t weight_bytes, int64_t accumulator_bytes);

// The array models of SYSTOLE_ARRAY_MODELS by name (config/array_model_list.h).
const ArrayModelRegistry& array_model_registry();

class PeArray : public sc_core::sc_module, public IExecUnit {
 public:
  sc_core::sc_port<IRetireListener> retire_port;
  sc_core::sc_port<ISpmAccounting> ifmap_port;
  sc_core::sc_port<ISpmAccounting> weight_port;
  sc_core::sc_port<ISpmAccounting> ofmap_port;

  SC_HAS_PROCESS(PeArray);
  PeArray(sc_core::sc_module_name name, const PeArrayParams& params);

  void start(const Instruction& inst) override;
  // Throws InternalError if the tile cannot run on this array (tile_timing's checks). NpuTop calls
  // it for every MATMUL at elaboration, so no exception is thrown inside the process later.
  void check_tile(const MatmulOp& op) const;
  const PeArrayCounters& counters() const { return m_counters; }
  std::exception_ptr failure() const { return m_failure; }

 private:
  bool charges_bank_conflicts() const {
    return m_params.feeder == OperandFeeder::kDirect && !m_params.geometry.microarch.scalesim_counting;
  }
  void run();
  InstructionRecord execute(const Instruction& inst);
  TileSpmCost spm_cost(const MatmulOp& op, int64_t cycles);

  PeArrayParams m_params;
  PeArrayCounters m_counters;
  std::unique_ptr<IArrayModel> m_model;    // core.array.fidelity's (array/array_model.h)
  std::unique_ptr<TileBankModel> m_banks;  // made at the first MATMUL (the ports are bound by then)
  const Instruction* m_pending = nullptr;
  sc_core::sc_event m_start_event;
  std::exception_ptr m_failure;
};

}  // namespace systole::hw
