#include "systole/hw/vector_unit.h"

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/hw/process_guard.h"

namespace systole::hw {

VectorUnit::VectorUnit(sc_core::sc_module_name name, const VectorUnitParams& params)
    : sc_core::sc_module(name), retire_port("retire_port"), spm_port("spm_port"), m_params(params) {
  if (params.lanes <= 0) throw InternalError(fmt::format("vector unit with {} lanes", params.lanes));
  SC_THREAD(run);
}

void VectorUnit::start(const Instruction& inst) {
  if (m_pending != nullptr) {
    throw InternalError(fmt::format("vector unit: instruction {} issued while busy", inst.id));
  }
  m_pending = &inst;
  m_start_event.notify(sc_core::SC_ZERO_TIME);
}

void VectorUnit::run() {
  run_guarded(m_failure, [this] {
    while (true) {
      while (m_pending == nullptr) wait(m_start_event);
      const Instruction& inst = *m_pending;
      const InstructionRecord record = execute(inst);
      m_pending = nullptr;
      retire_port->retire(inst.id, record);
    }
  });
}

InstructionRecord VectorUnit::execute(const Instruction& inst) {
  if (inst.op != Opcode::kVector) {
    throw InternalError(fmt::format("vector unit: instruction {} is not a VECTOR", inst.id));
  }
  const VectorOp& op = inst.vector();
  const auto lane_ops = static_cast<int64_t>(op.elements * op.ops_per_element);
  const int64_t cycles = (lane_ops + m_params.lanes - 1) / m_params.lanes;
  const Clock& clock = m_params.clock;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const int64_t start_cycle = clock.cycle_of(now);
  wait(clock.time_of(start_cycle + cycles) - now);

  const auto rd = static_cast<int64_t>(op.spm_read_bytes);
  const auto wr = static_cast<int64_t>(op.spm_write_bytes);
  spm_port->count_direct_access(rd, wr);

  InstructionRecord rec;
  rec.work_start_cycle = start_cycle;
  rec.work_cycles = cycles;
  rec.busy_cycles = cycles;
  rec.vector_ops = lane_ops;
  rec.sram_read_bytes = rd;
  rec.sram_write_bytes = wr;
  m_counters.operations += 1;
  m_counters.lane_ops += lane_ops;
  m_counters.busy_cycles += cycles;
  return rec;
}

}  // namespace systole::hw
