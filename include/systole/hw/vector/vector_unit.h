// The vector unit: elementwise / reduction operations on data already in the scratchpads, one
// wait() per VECTOR instruction: cycles = vector_cycles() (isa/isa.h: ceil(elements *
// ops_per_element / lanes), and for a depthwise convolution at least its bytes over the
// scratchpads' port widths), starting on the first clock edge after issue. Its scratchpad bytes
// are counted into the ofmap scratchpad (it works on layer outputs), except a depthwise
// convolution's, which are counted where they are: its input reads in the ifmap scratchpad, its
// kernel reads in the weight scratchpad, its writes in the ofmap scratchpad. Other functions are
// not stalled by port bandwidth in this fidelity. Actions: bank word accesses, ceil(bytes / bank
// width) reads and writes (InstructionRecord and the scratchpads' counters get the same numbers);
// lane operations by energy class (stats/sim_result.h VectorLaneOps): a depthwise convolution's
// elements * kh * kw MACs are `mac` (priced as the array's MAC of the same types, docs/energy.md),
// its fused activation one add-class operation per element on accumulators.
// Functional simulation (`functional`): the operation reads and writes the scratchpads' storage
// when it ends (VectorOp in isa/isa.h says where), with the element functions of
// numeric/vector_math.h: fused relu / relu6 in place on accumulators; relu, relu6, gelu,
// sigmoid, tanh, add, softmax and layernorm on input_type data from the ifmap scratchpad into the
// ofmap scratchpad; max / avg pools gather each window from the input rows the chunk holds
// (VectorOp::pool, isa/isa.h) with the reference pool's semantics; a depthwise convolution
// (VectorOp::depthwise) multiplies each window by its kernel from the weight scratchpad in the
// array's arithmetic (accumulator spec, k grouping), applies its fused activation and requantises,
// giving the GEMM lowering's numbers.
#pragma once

#include <cstdint>
#include <exception>

#include <systemc>

#include "systole/config/types.h"
#include "systole/hw/core/clock.h"
#include "systole/hw/core/exec_unit.h"
#include "systole/hw/memory/spm_accounting.h"
#include "systole/numeric/arith.h"

namespace systole::hw {

struct VectorUnitParams {
  int64_t lanes = 32;
  Clock clock;
  bool functional = false;
  DataType input_type = DataType::kInt8;         // functional: layer data
  DataType accumulator_type = DataType::kInt32;  // functional: fused activations' data
  DataType weight_type = DataType::kInt8;        // functional: depthwise kernels
  AccumulatorSpec accumulator;                   // functional: depthwise sums, as the array's
  int64_t k_group = 0;                           // functional: the array's k grouping (array_timing.h)
};

struct VectorUnitCounters {
  int64_t operations = 0;  // VECTOR instructions
  int64_t lane_ops = 0;    // elements * ops_per_element
  int64_t busy_cycles = 0;
};

class VectorUnit : public sc_core::sc_module, public IExecUnit {
 public:
  sc_core::sc_port<IRetireListener> retire_port;
  sc_core::sc_port<ISpmAccounting> spm_port;     // the ofmap scratchpad
  sc_core::sc_port<ISpmAccounting> ifmap_port;   // functional reads of vector layers' operands
  sc_core::sc_port<ISpmAccounting> weight_port;  // depthwise kernels

  SC_HAS_PROCESS(VectorUnit);
  VectorUnit(sc_core::sc_module_name name, const VectorUnitParams& params);

  void start(const Instruction& inst) override;
  const VectorUnitCounters& counters() const { return m_counters; }
  std::exception_ptr failure() const { return m_failure; }

 private:
  void run();
  InstructionRecord execute(const Instruction& inst);
  void compute(const VectorOp& op);  // functional: the values
  VectorPorts ports();               // the scratchpads' identities and port widths, per role

  VectorUnitParams m_params;
  VectorUnitCounters m_counters;
  const Instruction* m_pending = nullptr;
  sc_core::sc_event m_start_event;
  std::exception_ptr m_failure;
};

}  // namespace systole::hw
