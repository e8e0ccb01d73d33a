// The NPU: its cores and the memory system they share, built from the ArchSpec and bound
// together (the only place where cores meet the memory system).
//
//   npu
//   ├── dram         the IDramChannel registered as dram.kind, behind the request-port seam
//   │                (IDramRequestPort; its TLM target socket stays free for other loosely-timed
//   │                initiators)
//   ├── noc          multi-core only (cores.count > 1): the NocFabric (hw/noc/noc_fabric.h);
//   │                its dram_port -> dram.request
//   └── core0..N-1   Core (hw/core/core.h): controller, DMA, scratchpads, array, vector unit;
//                    its DMA's dram_port -> dram.request (one core) or noc.core_port(i), its
//                    controller's barrier_port -> noc.barrier_unit(i)
//
// Every core runs the one Program (its instructions: Instruction::core); the simulation stops when
// the last core has retired its last instruction.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

#include <systemc>

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/hw/core/core.h"
#include "systole/hw/dram/dram_channel.h"
#include "systole/hw/noc/noc_fabric.h"
#include "systole/stats/run_observer.h"

namespace systole::hw {

struct NpuTopParams {
  ArchSpec arch;
  Program program;
  // Functional simulation: the DRAM's contents (owned by the caller, outliving the NpuTop); the
  // scratchpads then keep bytes and every unit computes values. nullptr: timing only.
  std::vector<uint8_t>* dram_contents = nullptr;
  IArrayObserver* array_observer = nullptr;  // rtl fidelity: per-cycle PE registers (VCD)
  IRunObserver* run_observer = nullptr;      // retires and DRAM bursts (traces, progress)
  bool dram_streaming = true;                // DmaModuleParams::dram_streaming
};

class NpuTop : public sc_core::sc_module {
 public:
  NpuTop(sc_core::sc_module_name name, const NpuTopParams& params);

  const std::vector<std::unique_ptr<Core>>& cores() const { return m_cores; }
  const Core& core(size_t i) const { return *m_cores.at(i); }
  // The single core's units (every NPU has core 0).
  const Clock& clock() const { return core(0).clock(); }
  const Controller& controller() const { return core(0).controller(); }
  const Dma& dma() const { return core(0).dma(); }
  const Scratchpad& scratchpad(Buffer b) const { return core(0).scratchpad(b); }
  const PeArray& array() const { return core(0).array(); }
  const VectorUnit& vector_unit() const { return core(0).vector_unit(); }
  const IDramChannel& dram() const { return *m_dram; }
  IDramChannel& dram() { return *m_dram; }
  const NocFabric* fabric() const { return m_fabric.get(); }  // nullptr with one core
  // The time the last core finished (its controller's end_time()).
  sc_core::sc_time end_time() const;
  bool finished() const;

  // The exception a module stopped the simulation with, if any (the cores' first, then the NoC's). Rethrow it
  // after destroying the NpuTop: AddressSanitizer mis-tracks a throw while SystemC's coroutine
  // stacks are alive.
  std::exception_ptr failure() const;

 private:
  std::unique_ptr<IDramChannel> m_dram;
  std::unique_ptr<NocFabric> m_fabric;
  int64_t m_running = 0;  // cores not finished yet
  std::vector<std::unique_ptr<Core>> m_cores;
};

}  // namespace systole::hw
