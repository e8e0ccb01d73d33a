#include "systole/hw/core/controller.h"

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/hw/core/process_guard.h"

namespace systole::hw {
namespace {

bool payload_matches(const Instruction& inst) {
  switch (inst.op) {
    case Opcode::kLoad:
    case Opcode::kStore:
      return std::holds_alternative<DmaDescriptor>(inst.payload);
    case Opcode::kMatmul:
      return std::holds_alternative<MatmulOp>(inst.payload);
    case Opcode::kVector:
      return std::holds_alternative<VectorOp>(inst.payload);
    case Opcode::kSync:
      return std::holds_alternative<SyncOp>(inst.payload);
  }
  return false;
}

}  // namespace

Controller::Controller(sc_core::sc_module_name name, const ControllerParams& params)
    : sc_core::sc_module(name),
      dma_port("dma_port"),
      array_port("array_port"),
      vector_port("vector_port"),
      barrier_port("barrier_port"),
      m_program(params.program ? params.program : throw InternalError("controller without a program")),
      m_clock(params.clock),
      m_core(params.core),
      m_on_finished(params.on_finished),
      m_retired(m_program->instructions.size(), false),
      m_records(params.records
                    ? params.records
                    : std::make_shared<std::vector<InstructionRecord>>(m_program->instructions.size())) {
  if (m_records->size() != m_program->instructions.size())
    throw InternalError(fmt::format("controller: {} records for {} instructions", m_records->size(),
                                    m_program->instructions.size()));
  validate();
  for (const Instruction& inst : m_program->instructions) {
    if (inst.core != m_core) continue;
    m_queues[unit_of(inst.op)].push_back(inst.id);
    ++m_own;
  }
  SC_THREAD(run);
}

Controller::Unit Controller::unit_of(Opcode op) {
  switch (op) {
    case Opcode::kLoad:
    case Opcode::kStore:
      return kDmaUnit;
    case Opcode::kMatmul:
      return kArrayUnit;
    case Opcode::kVector:
      return kVectorUnit;
    case Opcode::kSync:
      return kSyncUnit;
  }
  throw InternalError("controller: unknown opcode");
}

const char* Controller::unit_name(Unit u) {
  static constexpr const char* kNames[] = {"dma", "array", "vector", "sync"};
  return kNames[u];
}

void Controller::validate() const {
  const auto& insts = m_program->instructions;
  for (size_t i = 0; i < insts.size(); ++i) {
    const Instruction& inst = insts[i];
    if (inst.id != i)
      throw InternalError(fmt::format("controller: instruction at index {} has id {}", i, inst.id));
    if (inst.layer >= m_program->layers.size()) {
      throw InternalError(
          fmt::format("controller: instruction {} names layer {} but the program has {} layers", inst.id,
                      inst.layer, m_program->layers.size()));
    }
    if (!payload_matches(inst)) {
      throw InternalError(fmt::format("controller: instruction {} ({}) carries the wrong payload", inst.id,
                                      to_string(inst.op)));
    }
    for (uint32_t dep : inst.deps) {
      if (dep >= insts.size()) {
        throw InternalError(
            fmt::format("controller: instruction {} depends on {} but the program has {} instructions",
                        inst.id, dep, insts.size()));
      }
      if (insts[dep].core != inst.core) {
        throw InternalError(
            fmt::format("controller: instruction {} on core {} depends on {} on core {}: cores "
                        "meet only at barriers",
                        inst.id, inst.core, dep, insts[dep].core));
      }
    }
    if (const auto* sync = std::get_if<SyncOp>(&inst.payload); sync != nullptr && sync->on_fabric()) {
      if (m_program->cores <= 1) {
        throw InternalError(
            fmt::format("controller: instruction {} is a cross-core SYNC in a single-core program", inst.id));
      }
      for (const int32_t other : {sync->signal_core, sync->wait_core}) {
        if (other != -1 && (other < 0 || other >= m_program->cores ||
                            other == static_cast<int32_t>(inst.core) || sync->token < 0)) {
          throw InternalError(fmt::format(
              "controller: instruction {} on core {} signals or waits for core {} (token {}) of {} cores",
              inst.id, inst.core, other, sync->token, m_program->cores));
        }
      }
    }
    if (const auto* d = std::get_if<DmaDescriptor>(&inst.payload); d != nullptr && d->store_core != -1) {
      if (!d->on_chip || inst.op != Opcode::kStore || d->store_core < 0 ||
          d->store_core >= m_program->cores || d->store_core == static_cast<int32_t>(inst.core)) {
        throw InternalError(
            fmt::format("controller: instruction {} ({}) on core {} moves data to core {}'s tensor store of "
                        "{} cores: only an on-chip STORE to another core may",
                        inst.id, to_string(inst.op), inst.core, d->store_core, m_program->cores));
      }
    }
    if (inst.core >= m_program->cores) {
      throw InternalError(fmt::format("controller: instruction {} runs on core {} of a {}-core program",
                                      inst.id, inst.core, m_program->cores));
    }
  }
}

bool Controller::ready(const Instruction& inst) const {
  for (uint32_t dep : inst.deps) {
    if (!m_retired[dep]) return false;
  }
  return true;
}

void Controller::retire(uint32_t id, const InstructionRecord& record) {
  m_completed.emplace_back(id, record);
  m_retire_event.notify(sc_core::SC_ZERO_TIME);
}

void Controller::mark_retired(uint32_t id, const InstructionRecord& record, int64_t cycle) {
  const int64_t issue = (*m_records)[id].issue_cycle;
  (*m_records)[id] = record;
  (*m_records)[id].issue_cycle = issue;
  (*m_records)[id].retire_cycle = cycle;
  m_retired[id] = true;
  ++m_retired_count;
  m_end = sc_core::sc_time_stamp();
  if (m_observer != nullptr) m_observer->on_retire(m_program->instructions[id], (*m_records)[id]);
}

bool Controller::issue_ready() {
  bool progress = false;
  const int64_t now_cycle = m_clock.cycle_of(sc_core::sc_time_stamp());
  for (int u = 0; u < kUnitCount; ++u) {
    auto& queue = m_queues[u];
    while (!queue.empty() && !m_busy[u] && ready(m_program->instructions[queue.front()])) {
      const Instruction& inst = m_program->instructions[queue.front()];
      queue.pop_front();
      (*m_records)[inst.id].issue_cycle = now_cycle;
      progress = true;
      if (u == kSyncUnit && !std::get<SyncOp>(inst.payload).on_fabric()) {
        mark_retired(inst.id, InstructionRecord{}, now_cycle);
        continue;
      }
      if (u == kSyncUnit) {
        if (barrier_port.size() == 0) {
          // Not thrown: this runs on a coroutine stack (process_guard.h).
          fail_internal(m_failure,
                        fmt::format("controller: cross-core SYNC {} on an NPU without a NoC", inst.id));
          return false;
        }
        m_busy[u] = true;
        barrier_port->start(inst);
        continue;
      }
      m_busy[u] = true;
      sc_core::sc_port<IExecUnit>& port = u == kDmaUnit     ? dma_port
                                          : u == kArrayUnit ? array_port
                                                            : vector_port;
      port->start(inst);
    }
  }
  return progress;
}

std::string Controller::blocked_report() const {
  std::string out;
  for (int u = 0; u < kUnitCount; ++u) {
    if (m_queues[u].empty()) continue;
    const Instruction& inst = m_program->instructions[m_queues[u].front()];
    std::vector<uint32_t> unmet;
    for (uint32_t dep : inst.deps) {
      if (!m_retired[dep]) unmet.push_back(dep);
    }
    out += fmt::format("\n  {} queue head: instruction {} ({}, layer {}) waits on [{}]",
                       unit_name(static_cast<Unit>(u)), inst.id, to_string(inst.op), inst.layer,
                       fmt::join(unmet, ", "));
  }
  return out;
}

void Controller::run() {
  run_guarded(m_failure, [this] {
    while (true) {
      const int64_t now_cycle = m_clock.cycle_of(sc_core::sc_time_stamp());
      for (const auto& [id, record] : m_completed) {
        m_busy[unit_of(m_program->instructions[id].op)] = false;
        mark_retired(id, record, now_cycle);
      }
      m_completed.clear();
      while (issue_ready()) {
      }
      if (m_failure) return;
      if (finished()) {
        if (m_on_finished) {
          m_on_finished();
        } else {
          sc_core::sc_stop();
        }
        return;
      }
      if (!m_busy[kDmaUnit] && !m_busy[kArrayUnit] && !m_busy[kVectorUnit] && !m_busy[kSyncUnit]) {
        fail_internal(m_failure, fmt::format("controller: deadlock at cycle {}: no unit is busy and {} of {} "
                                             "instructions have not retired; blocked:{}",
                                             now_cycle, m_own - m_retired_count, m_own, blocked_report()));
        return;
      }
      wait(m_retire_event);
    }
  });
}

}  // namespace systole::hw
