// One NPU core as a SystemC module, built from its spec (config/arch_spec.h CoreParams) and its
// instruction stream:
//
//   core
//   ├── controller   sc_port<IExecUnit> x3  -> dma, array, vector
//   ├── dma          dram_port -> (bound by the NPU to the memory system's request port);
//   │                {ifmap,weight,ofmap}_socket -> <scratchpad>.dma_socket
//   ├── <scratchpad> one Scratchpad per scratchpad of the spec that holds an operand role, named
//   │                by it (TLM targets on the DMA side, ISpmAccounting to the units)
//   ├── array        PeArray: ports to the ifmap / weight / ofmap roles' scratchpads
//   └── vector       VectorUnit: ports to the ofmap role's (and the ifmap role's, for functional reads)
//
// Units and the DMA address scratchpads by operand role; the core binds each role's ports to the
// scratchpad core.operands places it in, so a unified scratchpad is one module bound three times.
//
// The core owns its clock (core.clock_mhz). Units report completion through
// sc_port<IRetireListener> bound to the controller. Every MATMUL of the program is checked
// against the array at construction (PeArray::check_tile).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/hw/array/pe_array.h"
#include "systole/hw/core/clock.h"
#include "systole/hw/core/controller.h"
#include "systole/hw/dma/dma.h"
#include "systole/hw/memory/scratchpad.h"
#include "systole/hw/vector/vector_unit.h"
#include "systole/stats/run_observer.h"

namespace systole::hw {

struct CoreModuleParams {
  CoreParams spec;
  // The NPU's program (this core runs the instructions with Instruction::core == index); one copy
  // shared by every core. Never null.
  std::shared_ptr<const Program> program;
  std::shared_ptr<std::vector<InstructionRecord>> records;  // shared by every core's controller
  bool functional = false;  // scratchpads keep bytes and every unit computes values
  // Functional runs: the DRAM contents, which the DMA's indexed LOADs read rows from and its
  // resident STOREs write a debug copy to (hw/dma/dma.h); nullptr when timing-only. Not owned.
  std::vector<uint8_t>* dram_contents = nullptr;
  IArrayObserver* array_observer = nullptr;  // rtl fidelity: per-cycle PE registers (VCD)
  IRunObserver* run_observer = nullptr;      // retires and DRAM bursts (traces, progress)
  // The DRAM's peak data bandwidth, GB/s (DramParams::planning_bandwidth_gbps(); 0 = unbounded):
  // the DMA's bound for the stall attribution (hw/dma/dma.h).
  double dram_peak_gbps = 0.0;
  bool dram_streaming = true;         // DmaModuleParams::dram_streaming
  uint32_t index = 0;                 // which core of the NPU (the program's Instruction::core)
  std::function<void()> on_finished;  // multi-core: called when this core's instructions retired
};

class Core : public sc_core::sc_module {
 public:
  Core(sc_core::sc_module_name name, const CoreModuleParams& params);

  // The DMA's port to the memory system: the NPU binds it.
  sc_core::sc_port<IDramRequestPort>& dram_port() { return m_dma.dram_port; }
  // Multi-core: the controller's port for barrier SYNCs, and where their releases retire.
  sc_core::sc_port<IExecUnit, 1, sc_core::SC_ZERO_OR_MORE_BOUND>& barrier_port() {
    return m_controller.barrier_port;
  }
  IRetireListener& retire_listener() { return m_controller; }
  // Multi-core: the DMA-side socket of the scratchpad holding the tensor store (kTensorStore's
  // role), which the NoC fabric binds to write other cores' remote stores (hw/noc/remote_store.h).
  tlm_utils::multi_passthrough_target_socket<Scratchpad>& tensor_store_socket() {
    return scratchpad_of(kTensorStore).dma_socket;
  }

  const Clock& clock() const { return m_clock; }
  const Controller& controller() const { return m_controller; }
  const Dma& dma() const { return m_dma; }
  const PeArray& array() const { return m_array; }
  const VectorUnit& vector_unit() const { return m_vector; }
  // A scratchpad by the spec's name; InternalError for a name the spec does not have.
  const Scratchpad& scratchpad(const std::string& name) const;
  // The scratchpad role b lives in (core.operands).
  const Scratchpad& scratchpad(Buffer b) const { return const_cast<Core*>(this)->scratchpad_of(b); }
  const std::vector<std::unique_ptr<Scratchpad>>& scratchpads() const { return m_scratchpads; }

  // The exception a module stopped the simulation with, if any (scratchpads first: their message
  // explains the DMA's error response).
  std::exception_ptr failure() const;

 private:
  Scratchpad& scratchpad_named(const std::string& name);
  Scratchpad& scratchpad_of(Buffer role);

  Clock m_clock;
  std::vector<std::string> m_placement;                    // core.operands: scratchpad name per role
  std::vector<std::unique_ptr<Scratchpad>> m_scratchpads;  // in the spec's order
  Dma m_dma;
  PeArray m_array;
  VectorUnit m_vector;
  Controller m_controller;
};

}  // namespace systole::hw
