// The NPU: builds every module from the ArchSpec and binds their sockets and ports (the only
// place where binding happens).
//
//   npu
//   ├── controller   sc_port<IExecUnit> x3  -> dma, array, vector
//   ├── dma          dram_port -> dram.request (IDramRequestPort); {ifmap,weight,ofmap}_socket ->
//   │                <buffer>.dma_socket
//   ├── ifmap, weight, ofmap   Scratchpad (TLM targets on the DMA side, ISpmAccounting to the units)
//   ├── array        PeArray: ports to ifmap / weight / ofmap
//   ├── vector       VectorUnit: ports to ofmap (and ifmap, for functional reads)
//   └── dram         the IDramChannel registered as dram.kind (its TLM target socket stays free
//                    for other loosely-timed initiators)
// Units report completion through sc_port<IRetireListener> bound to the controller. Every MATMUL
// of the program is checked against the array at construction (PeArray::check_tile).
#pragma once

#include <exception>
#include <memory>
#include <vector>

#include <systemc>

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/hw/array/pe_array.h"
#include "systole/hw/core/clock.h"
#include "systole/hw/core/controller.h"
#include "systole/hw/dma/dma.h"
#include "systole/hw/dram/dram_channel.h"
#include "systole/hw/memory/scratchpad.h"
#include "systole/hw/vector/vector_unit.h"
#include "systole/stats/run_observer.h"

namespace systole::hw {

struct NpuTopParams {
  ArchSpec arch;
  Program program;
  // Functional simulation: the DRAM's contents (owned by the caller, outliving the NpuTop); the
  // scratchpads then keep bytes and every unit computes values. nullptr: timing only.
  std::vector<uint8_t>* dram_contents = nullptr;
  rtl::IArrayObserver* array_observer = nullptr;  // rtl fidelity: per-cycle PE registers (VCD)
  IRunObserver* run_observer = nullptr;           // retires and DRAM bursts (traces, progress)
};

class NpuTop : public sc_core::sc_module {
 public:
  NpuTop(sc_core::sc_module_name name, const NpuTopParams& params);

  const Clock& clock() const { return m_clock; }
  const Controller& controller() const { return m_controller; }
  const Dma& dma() const { return m_dma; }
  const Scratchpad& scratchpad(Buffer b) const;
  const PeArray& array() const { return m_array; }
  const VectorUnit& vector_unit() const { return m_vector; }
  const IDramChannel& dram() const { return *m_dram; }
  IDramChannel& dram() { return *m_dram; }

  // The exception a module stopped the simulation with, if any (scratchpads first). Rethrow it
  // after destroying the NpuTop: AddressSanitizer mis-tracks a throw while SystemC's coroutine
  // stacks are alive.
  std::exception_ptr failure() const;

 private:
  Clock m_clock;
  std::unique_ptr<IDramChannel> m_dram;
  Scratchpad m_ifmap;
  Scratchpad m_weight;
  Scratchpad m_ofmap;
  Dma m_dma;
  PeArray m_array;
  VectorUnit m_vector;
  Controller m_controller;
};

}  // namespace systole::hw
