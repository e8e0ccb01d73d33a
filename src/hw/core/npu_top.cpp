#include "systole/hw/core/npu_top.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/config/noc_attachment.h"

namespace systole::hw {
namespace {

// Built while the NpuTop is being constructed, so that each core is a child of it.
std::vector<std::unique_ptr<Core>> make_cores(const NpuTopParams& p, int64_t* running) {
  std::vector<std::unique_ptr<Core>> out;
  const int64_t count = p.arch.cores.count;
  *running = count;
  const auto program = std::make_shared<const Program>(p.program);  // one copy for every core
  const auto records = std::make_shared<std::vector<InstructionRecord>>(program->instructions.size());
  for (int64_t i = 0; i < count; ++i) {
    CoreModuleParams c;
    c.spec = p.arch.core_of(i);
    c.program = program;
    c.records = records;
    c.functional = p.dram_contents != nullptr;
    c.dram_contents = p.dram_contents;
    c.array_observer = i == 0 ? p.array_observer : nullptr;
    c.run_observer = p.run_observer;
    // The DMA's bound for the stall attribution: with several cores, each core's fair share of
    // the DRAM they all load from (docs/multicore.md "Statistics").
    c.dram_peak_gbps = p.arch.dram.planning_bandwidth_gbps() / static_cast<double>(count);
    c.dram_streaming = p.dram_streaming;
    c.index = static_cast<uint32_t>(i);
    if (count > 1) {
      c.on_finished = [running] {
        if (--*running == 0) sc_core::sc_stop();
      };
    }
    out.push_back(std::make_unique<Core>(fmt::format("core{}", i).c_str(), c));
  }
  return out;
}

std::unique_ptr<NocFabric> make_fabric(const ArchSpec& arch, const IDramChannel& dram) {
  if (arch.cores.count <= 1) return nullptr;
  // Links are counted per power window (energy.power_window_cycles core cycles) in NoC cycles,
  // rounded up: the per-link tracks of traces (docs/multicore.md "Traces").
  const auto link_window = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(static_cast<double>(arch.energy.power_window_cycles) *
                                        arch.noc.clock_mhz / arch.core.clock_mhz)));
  return std::make_unique<NocFabric>(
      "noc", NocFabricParams{arch.noc, resolve_noc_attachment(arch), link_window}, dram);
}

}  // namespace

NpuTop::NpuTop(sc_core::sc_module_name name, const NpuTopParams& params)
    : sc_core::sc_module(name),
      m_dram(make_dram_channel(to_string(params.arch.dram.kind), "dram", params.arch.dram)),
      m_fabric(make_fabric(params.arch, *m_dram)),
      m_cores(make_cores(params, &m_running)) {
  if (params.program.cores != params.arch.cores.count) {
    throw InternalError(fmt::format("a program for {} cores on an NPU of {} (cores.count)",
                                    params.program.cores, params.arch.cores.count));
  }
  if (m_fabric) {
    m_fabric->dram_port.bind(m_dram->request_export());
    for (size_t i = 0; i < m_cores.size(); ++i) {
      m_cores[i]->dram_port().bind(m_fabric->core_port(static_cast<int>(i)));
      m_cores[i]->barrier_port().bind(m_fabric->barrier_unit(static_cast<int>(i)));
      m_fabric->set_retire_listener(static_cast<int>(i), &m_cores[i]->retire_listener());
      m_fabric->store_socket(static_cast<int>(i)).bind(m_cores[i]->tensor_store_socket());
    }
  } else {
    for (const auto& core : m_cores) core->dram_port().bind(m_dram->request_export());
  }
  if (params.dram_contents != nullptr) m_dram->attach_contents(params.dram_contents);
}

sc_core::sc_time NpuTop::end_time() const {
  sc_core::sc_time end = sc_core::SC_ZERO_TIME;
  for (const auto& core : m_cores) end = std::max(end, core->controller().end_time());
  return end;
}

bool NpuTop::finished() const {
  for (const auto& core : m_cores) {
    if (!core->controller().finished()) return false;
  }
  return true;
}

std::exception_ptr NpuTop::failure() const {
  for (const auto& core : m_cores) {
    if (std::exception_ptr f = core->failure()) return f;
  }
  if (m_fabric) return m_fabric->failure();
  return nullptr;
}

}  // namespace systole::hw
