// The controller: owns the Program and sequences it. Instructions go to per-unit in-order queues
// (DMA: LOAD/STORE, array: MATMUL, vector unit: VECTOR, the controller itself: SYNC); the head of
// a queue is issued when its unit is idle and every dependency has retired (scoreboard of retired
// ids). SYNC retires in zero time when its dependencies have. Issue and retire cycles are recorded
// per instruction. When every instruction has retired the controller calls sc_stop().
// Multi-core programs: one controller per core runs that core's instructions (records are indexed
// by the program's ids, the others' left empty); a barrier SYNC goes to barrier_port and retires
// when the fabric releases it.
// Hang detection: if no unit is busy and instructions remain, it stops the simulation with an
// InternalError (failure(), rethrown by simulate()) listing each blocked queue head and its unmet
// dependencies: a program that would deadlock never hangs.
// Programs are checked at construction (ids, dependency ids, layer indices, payload vs opcode).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <systemc>

#include "systole/compiler/program.h"
#include "systole/hw/core/clock.h"
#include "systole/hw/core/exec_unit.h"
#include "systole/stats/attribution.h"
#include "systole/stats/run_observer.h"

namespace systole::hw {

struct ControllerParams {
  std::shared_ptr<const Program> program;  // shared with the other cores' controllers; never null
  // Every instruction's record, indexed by id, shared by the NPU's controllers: each writes only
  // its own core's entries (one vector for the NPU, not one per core). nullptr: the controller
  // makes its own.
  std::shared_ptr<std::vector<InstructionRecord>> records;
  Clock clock;
  // Multi-core programs: the core this controller runs (it queues the instructions with
  // Instruction::core == core), and what to call when they have all retired instead of
  // sc_stop() (the NPU stops when every core has finished).
  uint32_t core = 0;
  std::function<void()> on_finished;
};

class Controller : public sc_core::sc_module, public IRetireListener {
 public:
  sc_core::sc_port<IExecUnit> dma_port;
  sc_core::sc_port<IExecUnit> array_port;
  sc_core::sc_port<IExecUnit> vector_port;
  // Barrier SYNCs (SyncOp::barrier >= 0) go here (the NoC fabric's barrier unit); unbound on a
  // single-core NPU, whose programs have none.
  sc_core::sc_port<IExecUnit, 1, sc_core::SC_ZERO_OR_MORE_BOUND> barrier_port;

  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, const ControllerParams& params);

  void retire(uint32_t id, const InstructionRecord& record) override;

  const Program& program() const { return *m_program; }
  // Indexed by instruction id; a multi-core NPU's controllers share it (ControllerParams::records).
  const std::vector<InstructionRecord>& records() const { return *m_records; }
  // Called at every retire from now on (stats/run_observer.h); nullptr detaches. Not owned.
  void set_observer(IRunObserver* observer) { m_observer = observer; }
  bool finished() const { return m_retired_count == m_own; }
  uint32_t core() const { return m_core; }
  sc_core::sc_time end_time() const { return m_end; }  // time of the last retire
  std::exception_ptr failure() const { return m_failure; }

 private:
  enum Unit { kDmaUnit, kArrayUnit, kVectorUnit, kSyncUnit, kUnitCount };
  static Unit unit_of(Opcode op);
  static const char* unit_name(Unit u);

  void run();
  void validate() const;
  bool ready(const Instruction& inst) const;
  void mark_retired(uint32_t id, const InstructionRecord& record, int64_t cycle);
  bool issue_ready();  // issues every ready head; returns true when something was issued or retired
  std::string blocked_report() const;

  std::shared_ptr<const Program> m_program;
  Clock m_clock;
  uint32_t m_core = 0;
  size_t m_own = 0;  // instructions of this core
  std::function<void()> m_on_finished;
  std::array<std::deque<uint32_t>, kUnitCount> m_queues;
  std::array<bool, kUnitCount> m_busy{};
  std::vector<bool> m_retired;
  std::shared_ptr<std::vector<InstructionRecord>> m_records;
  IRunObserver* m_observer = nullptr;
  std::vector<std::pair<uint32_t, InstructionRecord>> m_completed;  // retired by units, not yet processed
  size_t m_retired_count = 0;
  sc_core::sc_event m_retire_event;
  sc_core::sc_time m_end;
  std::exception_ptr m_failure;
};

}  // namespace systole::hw
