#include "systole/hw/core/core.h"

#include <fmt/format.h>

#include "systole/array/array_timing.h"
#include "systole/common/error.h"

namespace systole::hw {
namespace {

ScratchpadModuleParams spm_params(const std::string& buffer, const systole::ScratchpadParams& p,
                                  const Clock& clock, bool functional) {
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

// Built while the Core is being constructed, so that each is a child of it in the hierarchy.
std::vector<std::unique_ptr<Scratchpad>> make_scratchpads(const ScratchpadsParams& spec, const Clock& clock,
                                                          bool functional) {
  std::vector<std::unique_ptr<Scratchpad>> out;
  for (const ScratchpadsParams::Named& s : spec.named())
    out.push_back(
        std::make_unique<Scratchpad>(s.name.c_str(), spm_params(s.name, *s.params, clock, functional)));
  return out;
}

PeArrayParams array_params(const ArrayParams& a, const Clock& clock, bool functional,
                           IArrayObserver* observer) {
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

VectorUnitParams vector_params(const CoreParams& spec, const Clock& clock, bool functional) {
  const ArrayParams& a = spec.array;
  VectorUnitParams p;
  p.lanes = spec.vector.lanes;
  p.clock = clock;
  p.functional = functional;
  p.input_type = a.input_type;
  p.accumulator_type = a.accumulator_type;
  p.weight_type = a.weight_type;
  p.accumulator = a.accumulator();
  p.k_group = k_group(ArrayGeometry{a.rows, a.cols, a.microarch}, a.dataflow);
  return p;
}

}  // namespace

Core::Core(sc_core::sc_module_name name, const CoreModuleParams& params)
    : sc_core::sc_module(name),
      m_clock(params.spec.clock_mhz),
      m_placement(params.spec.scratchpads.placement),
      m_scratchpads(make_scratchpads(params.spec.scratchpads, m_clock, params.functional)),
      m_dma("dma",
            DmaModuleParams{params.spec.dma.max_outstanding, params.spec.dma.burst_bytes,
                            params.spec.dma.completion, m_clock, params.functional,
                            params.spec.array.input_type, params.spec.array.weight_type,
                            params.spec.array.accumulator_type, params.dram_contents,
                            params.dram_peak_gbps * 1000.0 / params.spec.clock_mhz, params.dram_streaming}),
      m_array("array", array_params(params.spec.array, m_clock, params.functional, params.array_observer)),
      m_vector("vector", vector_params(params.spec, m_clock, params.functional)),
      m_controller("controller", ControllerParams{params.program, params.records, m_clock, params.index,
                                                  params.on_finished}) {
  m_controller.set_observer(params.run_observer);
  m_dma.set_observer(params.run_observer);
  // Each role's ports go to the scratchpad core.operands places it in (one for all three when
  // unified).
  Scratchpad& ifmap = scratchpad_of(Buffer::kIfmap);
  Scratchpad& weight = scratchpad_of(Buffer::kWeight);
  Scratchpad& ofmap = scratchpad_of(Buffer::kOfmap);
  m_dma.ifmap_socket.bind(ifmap.dma_socket);
  m_dma.weight_socket.bind(weight.dma_socket);
  m_dma.ofmap_socket.bind(ofmap.dma_socket);
  m_array.ifmap_port.bind(ifmap);
  m_array.weight_port.bind(weight);
  m_array.ofmap_port.bind(ofmap);
  m_vector.spm_port.bind(ofmap);
  m_vector.ifmap_port.bind(ifmap);
  m_vector.weight_port.bind(weight);
  m_controller.dma_port.bind(m_dma);
  m_controller.array_port.bind(m_array);
  m_controller.vector_port.bind(m_vector);
  m_dma.retire_port.bind(m_controller);
  m_array.retire_port.bind(m_controller);
  m_vector.retire_port.bind(m_controller);
  for (const Instruction& inst : params.program->instructions) {
    if (inst.core == params.index && inst.op == Opcode::kMatmul &&
        std::holds_alternative<MatmulOp>(inst.payload))
      m_array.check_tile(inst.matmul());
  }
}

Scratchpad& Core::scratchpad_named(const std::string& name) {
  for (const auto& s : m_scratchpads) {
    if (s->basename() == name) return *s;
  }
  throw InternalError(fmt::format("core {} has no scratchpad '{}'", this->name(), name));
}

Scratchpad& Core::scratchpad_of(Buffer role) {
  return scratchpad_named(m_placement.at(static_cast<size_t>(index_of(role))));
}

const Scratchpad& Core::scratchpad(const std::string& name) const {
  return const_cast<Core*>(this)->scratchpad_named(name);
}

std::exception_ptr Core::failure() const {
  for (const auto& s : m_scratchpads) {
    if (std::exception_ptr f = s->failure()) return f;
  }
  for (const std::exception_ptr& f :
       {m_controller.failure(), m_dma.failure(), m_array.failure(), m_vector.failure()}) {
    if (f) return f;
  }
  return nullptr;
}

}  // namespace systole::hw
