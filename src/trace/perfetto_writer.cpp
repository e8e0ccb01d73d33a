#include "systole/trace/perfetto_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "systole/common/error.h"
#include "systole/trace/trace_sink.h"

namespace systole::trace {
namespace {

constexpr int kCorePid = 1;
constexpr int kDramPid = 2;
constexpr int kNocPid = 3;  // multi-core runs: the busiest links' utilisation
// Cores 1, 2, ... of a multi-core NPU: processes kOtherCorePid + core, with core 0's tracks.
constexpr int kOtherCorePid = 100;

int pid_of(uint32_t core) {
  return core == 0 ? kCorePid : kOtherCorePid + static_cast<int>(core);
}

// Track ids of process 1, in display order.
enum Track : int {
  kController = 1,
  kDma,
  kArray,
  kVector,
  kIfmapDmaPort,
  kIfmapArrayPort,
  kWeightDmaPort,
  kWeightArrayPort,
  kOfmapDmaPort,
  kOfmapArrayPort,
  kOfmapVectorPort,
  kLayers,
};

const std::pair<Track, const char*> kTracks[] = {
    {kController, "controller"},
    {kDma, "DMA"},
    {kArray, "PE array"},
    {kVector, "vector unit"},
    {kIfmapDmaPort, "ifmap: DMA port"},
    {kIfmapArrayPort, "ifmap: array port"},
    {kWeightDmaPort, "weight: DMA port"},
    {kWeightArrayPort, "weight: array port"},
    {kOfmapDmaPort, "ofmap: DMA port"},
    {kOfmapArrayPort, "ofmap: array port"},
    {kOfmapVectorPort, "ofmap: vector port"},
    {kLayers, "layers"},
};

Track dma_port(Buffer b) {
  return b == Buffer::kIfmap ? kIfmapDmaPort : b == Buffer::kWeight ? kWeightDmaPort : kOfmapDmaPort;
}

std::string quoted(const std::string& s) {
  return nlohmann::json(s).dump();
}

}  // namespace

PerfettoWriter::PerfettoWriter(const std::string& path, const ArchSpec& arch, const Program& program,
                               const energy::EnergyTable& table, const TraceOptions& options)
    : m_out(path, std::ios::binary | std::ios::trunc),
      m_path(path),
      m_arch(arch),
      m_program(program),
      m_table(table),
      m_pricing(pricing_context(arch)),
      m_core_class(core_classes(arch)),
      m_options(options),
      m_cycle_us(arch.core.cycle_ns() / 1000.0),
      m_window_cycles(std::max<int64_t>(1, arch.energy.power_window_cycles)),
      m_tiles_of_layer(program.layers.size(), 0),
      m_channels(arch.dram.device_model() ? static_cast<int>(arch.dram.device.org.channels) : 1) {
  if (!m_out) throw UserError(fmt::format("{}: cannot write the trace: {}", path, std::strerror(errno)));
  nlohmann::ordered_json other = {{"tool", "systole"},
                                  {"time_unit", "ts and dur are microseconds of simulated time"},
                                  {"arch", arch.name},
                                  {"network", program.network},
                                  {"clock_mhz", arch.core.clock_mhz},
                                  {"dataflow", to_string(arch.core.array.dataflow)}};
  m_out << "{\"displayTimeUnit\":\"ns\",\"otherData\":" << other.dump() << ",\"traceEvents\":[\n";
  m_out << fmt::format(R"({{"ph":"M","pid":{},"name":"process_name","args":{{"name":{}}}}})", kCorePid,
                       quoted("core 0: " + arch.name));
  m_out << fmt::format(R"(,{{"ph":"M","pid":{},"name":"process_name","args":{{"name":{}}}}})", kDramPid,
                       quoted(std::string("DRAM (") + to_string(arch.dram.kind) + ")"));
  for (int64_t core = 1; core < arch.cores.count; ++core) {
    m_out << fmt::format(R"(,{{"ph":"M","pid":{},"name":"process_name","args":{{"name":{}}}}})",
                         pid_of(static_cast<uint32_t>(core)),
                         quoted(fmt::format("core {}: {}", core, arch.name)));
  }
  for (int64_t core = 0; core < arch.cores.count; ++core) {
    const int pid = pid_of(static_cast<uint32_t>(core));
    for (const auto& [tid, name] : kTracks) {
      m_out << fmt::format(R"(,{{"ph":"M","pid":{},"tid":{},"name":"thread_name","args":{{"name":{}}}}})",
                           pid, static_cast<int>(tid), quoted(name));
      m_out << fmt::format(
          R"(,{{"ph":"M","pid":{},"tid":{},"name":"thread_sort_index","args":{{"sort_index":{}}}}})", pid,
          static_cast<int>(tid), static_cast<int>(tid));
    }
  }
  m_out << "\n";
}

std::string PerfettoWriter::ts(int64_t cycle) const {
  return fmt::format("{:.6f}", static_cast<double>(cycle) * m_cycle_us);
}

void PerfettoWriter::slice(int pid, int tid, const std::string& name, int64_t begin, int64_t end,
                           const std::string& args) {
  m_out << fmt::format(R"(,{{"ph":"X","pid":{},"tid":{},"name":{},"ts":{},"dur":{},"args":{{{}}}}})", pid,
                       tid, quoted(name), ts(begin),
                       fmt::format("{:.6f}", static_cast<double>(end - begin) * m_cycle_us), args)
        << "\n";
}

void PerfettoWriter::on_retire(const Instruction& inst, const hw::InstructionRecord& r) {
  const hw::ActiveInterval span = hw::active_interval(inst.op, r);
  if (!m_options.covers(inst.layer, span.begin, span.end)) return;
  const std::string& layer = m_program.layers.at(inst.layer).name;
  const double energy =
      price_counts(m_pricing, m_table, hw::counts_of(r, m_core_class.at(inst.core), m_pricing.classes.size()),
                   0.0)
          .dynamic_pj;
  std::string args = fmt::format(R"("layer":{},"id":{},"energy_pj":{:.6g})", quoted(layer), inst.id, energy);
  const std::string name = std::string(to_string(inst.op)) + " " + layer;
  const int pid = pid_of(inst.core);
  switch (inst.op) {
    case Opcode::kLoad:
    case Opcode::kStore: {
      const DmaDescriptor& d = inst.dma();
      args += fmt::format(
          R"(,"buffer":"{}","slot":"{}","bytes":{},"dram_addr":{},"first_data_cycle":{},"dram_end_cycle":{},"spm_end_cycle":{})",
          to_string(d.buffer), slot_name(d.slot), d.bytes(), d.dram_addr, r.first_data_cycle,
          r.dram_end_cycle, r.spm_end_cycle);
      slice(pid, kDma, name, span.begin, span.end, args);
      slice(pid, dma_port(d.buffer), name, span.begin, span.end, args);
      break;
    }
    case Opcode::kMatmul: {
      const MatmulOp& m = inst.matmul();
      args += fmt::format(
          R"(,"tile":{},"dataflow":"{}","m":{},"n":{},"k":{},"accumulate":{},"slots":"{}/{}/{}","macs":{},"fill_drain_cycles":{},"preload_cycles":{},"underuse_cycles":{},"stall_cycles":{},"sram_read_bytes":{},"sram_write_bytes":{})",
          m_tiles_of_layer[inst.layer]++, to_string(m.dataflow), m.m, m.n, m.k,
          m.accumulate ? "true" : "false", slot_name(m.ifmap_slot), slot_name(m.weight_slot),
          slot_name(m.ofmap_slot), r.macs, r.fill_drain_cycles, r.preload_cycles, r.underuse_cycles,
          r.spm_stall_cycles + r.bank_conflict_cycles, r.sram_read_bytes, r.sram_write_bytes);
      slice(pid, kArray, name, span.begin, span.end, args);
      slice(pid, kIfmapArrayPort, name, span.begin, span.end, args);
      slice(pid, kWeightArrayPort, name, span.begin, span.end, args);
      slice(pid, kOfmapArrayPort, name, span.begin, span.end, args);
      break;
    }
    case Opcode::kVector: {
      const VectorOp& v = inst.vector();
      args += fmt::format(
          R"(,"function":"{}","elements":{},"lane_ops":{},"sram_read_bytes":{},"sram_write_bytes":{})",
          to_string(v.func), v.elements, r.vector_ops, r.sram_read_bytes, r.sram_write_bytes);
      slice(pid, kVector, name, span.begin, span.end, args);
      slice(pid, kOfmapVectorPort, name, span.begin, span.end, args);
      break;
    }
    case Opcode::kSync:
      m_out << fmt::format(R"(,{{"ph":"i","s":"t","pid":{},"tid":{},"name":{},"ts":{},"args":{{{}}}}})", pid,
                           static_cast<int>(kController), quoted(name), ts(r.issue_cycle), args)
            << "\n";
      break;
  }
}

void PerfettoWriter::on_dram_burst(int channel, int64_t done_cycle, int64_t bytes, bool write) {
  auto& bin = m_dram_bins[{channel, std::max<int64_t>(0, done_cycle) / m_window_cycles}];
  (write ? bin.second : bin.first) += bytes;
}

void PerfettoWriter::finish(const SimResult& result) {
  // Over every core's PEs: the activity windows sum the cores' MACs.
  const double pes = static_cast<double>(m_arch.total_pes());
  auto in_window = [&](int64_t begin, int64_t end) {
    return begin < m_options.end_cycle && end > m_options.begin_cycle;
  };
  // The layers as the report attributes time to them: consecutive slices [B_{L-1}, B_L).
  int64_t begin = 0;
  for (size_t i = 0; i < result.layers.size(); ++i) {
    const LayerStats& l = result.layers[i];
    const int64_t end = begin + l.cycles;
    if (l.cycles > 0 && m_options.covers(static_cast<uint32_t>(i), begin, end)) {
      slice(kCorePid, kLayers, l.name, begin, end,
            fmt::format(R"("layer":{},"type":{},"cycles":{},"macs":{},"utilization":{:.6g})", quoted(l.name),
                        quoted(l.type), l.cycles, l.macs, l.utilization));
    }
    begin = end;
  }
  // Core counters, one sample per activity window (its start).
  for (const ActivityWindow& w : result.activity) {
    if (!in_window(w.begin_cycle, w.end_cycle)) continue;
    const double cycles = static_cast<double>(w.end_cycle - w.begin_cycle);
    const double ns = cycles * m_arch.core.cycle_ns();
    const std::string at = ts(w.begin_cycle);
    m_out
        << fmt::format(
               R"(,{{"ph":"C","pid":{},"name":"array utilisation %","ts":{},"args":{{"utilisation":{:.6g}}}}})",
               kCorePid, at, 100.0 * w.macs / (cycles * pes))
        << "\n";
    m_out
        << fmt::format(
               R"(,{{"ph":"C","pid":{},"name":"DRAM bandwidth GB/s","ts":{},"args":{{"read":{:.6g},"write":{:.6g}}}}})",
               kCorePid, at, w.dram_read_bytes / ns, w.dram_write_bytes / ns)
        << "\n";
    const PricedEnergy e = price_counts(m_pricing, m_table, w, cycles);
    std::string power;
    for (const auto& [component, pj] : e.by_component)
      power += fmt::format(",{}:{:.6g}", quoted(component), pj / ns / 1000.0);
    m_out << fmt::format(R"(,{{"ph":"C","pid":{},"name":"power W","ts":{},"args":{{{}}}}})", kCorePid, at,
                         power.substr(1))
          << "\n";
  }
  // DRAM channels: bandwidth per window from the bursts each channel completed.
  const double window_ns = static_cast<double>(m_window_cycles) * m_arch.core.cycle_ns();
  const int64_t windows = static_cast<int64_t>(result.activity.size());
  for (int ch = 0; ch < m_channels; ++ch) {
    for (int64_t i = 0; i < windows; ++i) {
      const int64_t begin = i * m_window_cycles;
      if (!in_window(begin, begin + m_window_cycles)) continue;
      auto it = m_dram_bins.find({ch, i});
      const auto [rd, wr] = it == m_dram_bins.end() ? std::pair<int64_t, int64_t>{0, 0} : it->second;
      m_out
          << fmt::format(
                 R"(,{{"ph":"C","pid":{},"name":"channel {} GB/s","ts":{},"args":{{"read":{:.6g},"write":{:.6g}}}}})",
                 kDramPid, ch, ts(begin), static_cast<double>(rd) / window_ns,
                 static_cast<double>(wr) / window_ns)
          << "\n";
    }
  }
  if (!result.noc.topology.empty()) noc_links(result.noc);
  m_out << "]}\n";
  m_out.close();
  if (!m_out) throw UserError(fmt::format("{}: writing the trace failed: {}", m_path, std::strerror(errno)));
}

void PerfettoWriter::noc_links(const NocStats& noc) {
  const int64_t w = noc.link_window_cycles;
  if (w < 1 || noc.clock_mhz <= 0) return;
  std::vector<const NocLinkStats*> busy;
  for (const NocLinkStats& l : noc.links)
    if (l.flits > 0) busy.push_back(&l);
  std::stable_sort(busy.begin(), busy.end(),
                   [](const NocLinkStats* a, const NocLinkStats* b) { return a->flits > b->flits; });
  if (busy.size() > kMaxLinkTracks) busy.resize(kMaxLinkTracks);
  m_out << fmt::format(R"(,{{"ph":"M","pid":{},"name":"process_name","args":{{"name":{}}}}})", kNocPid,
                       quoted(fmt::format("NoC {} {}x{}: the {} busiest links", noc.topology, noc.x, noc.y,
                                          busy.size())))
        << "\n";
  const double window_us = static_cast<double>(w) / noc.clock_mhz;  // NoC cycles / MHz = us
  const double core_cycles_per_us = m_arch.core.clock_mhz;
  auto router = [&](int r) {
    return noc.topology == "mesh" ? fmt::format("{} ({},{})", r, r % noc.x, r / noc.x) : std::to_string(r);
  };
  for (const NocLinkStats* l : busy) {
    const std::string name =
        quoted(fmt::format("link {} -> {} utilisation %", router(l->from_router), router(l->to_router)));
    // One sample per window that moved a flit, and a 0 where an idle stretch begins.
    auto sample = [&](int64_t k, double percent) {
      const double begin_us = static_cast<double>(k) * window_us;
      const auto begin = static_cast<int64_t>(begin_us * core_cycles_per_us);
      const auto end = static_cast<int64_t>((begin_us + window_us) * core_cycles_per_us) + 1;
      if (begin >= m_options.end_cycle || end <= m_options.begin_cycle) return;
      m_out << fmt::format(R"(,{{"ph":"C","pid":{},"name":{},"ts":{:.6f},"args":{{"utilisation":{:.6g}}}}})",
                           kNocPid, name, begin_us, percent)
            << "\n";
    };
    int64_t next = 0;  // the window after the last sample
    for (const auto& [k, flits] : l->windows) {
      if (k > next) sample(next, 0.0);
      sample(k, 100.0 * static_cast<double>(flits) / static_cast<double>(w));
      next = k + 1;
    }
    sample(next, 0.0);
  }
}

void register_trace_sink_perfetto(TraceSinkRegistry& registry) {
  registry.add("perfetto", {"trace.json"}, [](const TraceSinkContext& c) -> std::unique_ptr<ITraceSink> {
    return std::make_unique<WriterSink<PerfettoWriter>>(
        std::make_unique<PerfettoWriter>(c.path("trace.json"), c.arch, c.program, c.table, c.options),
        std::vector<std::string>{"trace.json"}, [](PerfettoWriter& w, const SimResult& r) { w.finish(r); });
  });
}

}  // namespace systole::trace
