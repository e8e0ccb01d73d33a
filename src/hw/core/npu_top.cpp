#include "systole/hw/core/npu_top.h"

#include <string>

namespace systole::hw {
namespace {

// Built while the NpuTop is being constructed, so that each core is a child of it.
std::vector<std::unique_ptr<Core>> make_cores(const NpuTopParams& p) {
  CoreModuleParams c;
  c.spec = p.arch.core;
  c.program = p.program;
  c.functional = p.dram_contents != nullptr;
  c.dram_contents = p.dram_contents;
  c.array_observer = p.array_observer;
  c.run_observer = p.run_observer;
  c.dram_peak_gbps = p.arch.dram.planning_bandwidth_gbps();
  std::vector<std::unique_ptr<Core>> out;
  out.push_back(std::make_unique<Core>("core0", c));
  return out;
}

}  // namespace

NpuTop::NpuTop(sc_core::sc_module_name name, const NpuTopParams& params)
    : sc_core::sc_module(name),
      m_dram(make_dram_channel(to_string(params.arch.dram.kind), "dram", params.arch.dram)),
      m_cores(make_cores(params)) {
  for (const auto& core : m_cores) core->dram_port().bind(m_dram->request_export());
  if (params.dram_contents != nullptr) m_dram->attach_contents(params.dram_contents);
}

std::exception_ptr NpuTop::failure() const {
  for (const auto& core : m_cores) {
    if (std::exception_ptr f = core->failure()) return f;
  }
  return nullptr;
}

}  // namespace systole::hw
