#include "systole/hw/core/npu_top.h"

#include "systole/common/error.h"

namespace systole::hw {
namespace {

ScratchpadModuleParams spm_params(const char* buffer, const systole::ScratchpadParams& p, const Clock& clock,
                                  bool functional) {
  ScratchpadModuleParams out;
  out.buffer = buffer;
  out.capacity_bytes = p.capacity_bytes();
  out.read_bytes_per_cycle = p.read_bytes_per_cycle;
  out.write_bytes_per_cycle = p.write_bytes_per_cycle;
  out.banking = BankGeometry{p.banks, p.bank_width_bytes, p.ports_per_bank, p.bank_mapping};
  out.read_latency_cycles = p.read_latency_cycles;
  out.write_latency_cycles = p.write_latency_cycles;
  out.clock = clock;
  out.functional = functional;
  return out;
}

PeArrayParams array_params(const ArrayParams& a, const Clock& clock, bool functional,
                           rtl::IArrayObserver* observer) {
  return {ArrayGeometry{a.rows, a.cols, a.microarch},
          bytes_of(a.input_type),
          bytes_of(a.weight_type),
          bytes_of(a.accumulator_type),
          clock,
          functional,
          TileNumerics{a.input_type, a.weight_type, a.accumulator()},
          a.fidelity,
          observer,
          a.operand_feeder};
}

bool functional(const NpuTopParams& p) {
  return p.dram_contents != nullptr;
}

}  // namespace

NpuTop::NpuTop(sc_core::sc_module_name name, const NpuTopParams& params)
    : sc_core::sc_module(name),
      m_clock(params.arch.core.clock_mhz),
      m_dram(make_dram_channel(to_string(params.arch.dram.kind), "dram", params.arch.dram)),
      m_ifmap("ifmap", spm_params("ifmap", params.arch.core.scratchpads.ifmap, m_clock, functional(params))),
      m_weight("weight",
               spm_params("weight", params.arch.core.scratchpads.weight, m_clock, functional(params))),
      m_ofmap("ofmap", spm_params("ofmap", params.arch.core.scratchpads.ofmap, m_clock, functional(params))),
      m_dma("dma", DmaModuleParams{params.arch.core.dma.max_outstanding, params.arch.core.dma.burst_bytes,
                                   params.arch.core.dma.completion, m_clock, functional(params),
                                   params.arch.core.array.input_type, params.arch.core.array.accumulator_type,
                                   params.dram_contents}),
      m_array("array",
              array_params(params.arch.core.array, m_clock, functional(params), params.array_observer)),
      m_vector("vector",
               VectorUnitParams{params.arch.core.vector.lanes, m_clock, functional(params),
                                params.arch.core.array.input_type, params.arch.core.array.accumulator_type}),
      m_controller("controller", ControllerParams{params.program, m_clock}) {
  m_dma.dram_port.bind(m_dram->request_export());
  m_controller.set_observer(params.run_observer);
  m_dma.set_observer(params.run_observer);
  m_dma.ifmap_socket.bind(m_ifmap.dma_socket);
  m_dma.weight_socket.bind(m_weight.dma_socket);
  m_dma.ofmap_socket.bind(m_ofmap.dma_socket);

  m_array.ifmap_port.bind(m_ifmap);
  m_array.weight_port.bind(m_weight);
  m_array.ofmap_port.bind(m_ofmap);
  m_vector.spm_port.bind(m_ofmap);
  m_vector.ifmap_port.bind(m_ifmap);
  if (params.dram_contents != nullptr) m_dram->attach_contents(params.dram_contents);

  m_controller.dma_port.bind(m_dma);
  m_controller.array_port.bind(m_array);
  m_controller.vector_port.bind(m_vector);
  m_dma.retire_port.bind(m_controller);
  m_array.retire_port.bind(m_controller);
  m_vector.retire_port.bind(m_controller);

  for (const Instruction& inst : params.program.instructions) {
    if (inst.op == Opcode::kMatmul && std::holds_alternative<MatmulOp>(inst.payload))
      m_array.check_tile(inst.matmul());
  }
}

const Scratchpad& NpuTop::scratchpad(Buffer b) const {
  switch (b) {
    case Buffer::kIfmap:
      return m_ifmap;
    case Buffer::kWeight:
      return m_weight;
    case Buffer::kOfmap:
      return m_ofmap;
  }
  throw InternalError("unknown buffer");
}

std::exception_ptr NpuTop::failure() const {
  // The scratchpads first: their message explains the DMA's error response.
  for (const std::exception_ptr& f :
       {m_ifmap.failure(), m_weight.failure(), m_ofmap.failure(), m_controller.failure(), m_dma.failure(),
        m_array.failure(), m_vector.failure()}) {
    if (f) return f;
  }
  return nullptr;
}

}  // namespace systole::hw
