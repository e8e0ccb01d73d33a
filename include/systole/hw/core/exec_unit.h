// The narrow interfaces between the Controller and the execution units (Dma, PeArray, VectorUnit),
// bound as sc_port -> module in NpuTop.
#pragma once

#include <cstdint>

#include <systemc>

#include "systole/isa/isa.h"
#include "systole/stats/attribution.h"

namespace systole::hw {

// Implemented by the Controller; a unit calls it from its own process at the time an instruction
// finishes (sc_time_stamp()). The record carries what the unit measured and counted; the
// controller fills in issue and retire cycles.
class IRetireListener : public virtual sc_core::sc_interface {
 public:
  virtual void retire(uint32_t id, const InstructionRecord& record) = 0;
};

// Implemented by each execution unit. start() is called only while the unit is idle (the
// controller tracks that); the instruction stays valid until it retires.
class IExecUnit : public virtual sc_core::sc_interface {
 public:
  virtual void start(const Instruction& inst) = 0;
};

}  // namespace systole::hw
