#include "systole/report/report.h"

#include "systole/report/energy_report.h"
#include "systole/report/llm_report.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/output_file.h"
#include "systole/config/loader.h"
#include "systole/report/energy_report.h"
#include "systole/report/noc_report.h"
#include "systole/report/sha256.h"
#include "systole/stats/run_stats.h"

namespace systole {
namespace {

using Json = nlohmann::ordered_json;

// The per-layer record of report.json, in key order; layers.csv has the same columns with the
// breakdowns flattened into cyc_<cause> and then cp_<cause> columns after stall_cycles.
Json stats_json(const LayerStats& s) {
  Json breakdown = Json::object();
  Json path = Json::object();
  for (const CycleCauseInfo& c : kCycleCauses) {
    breakdown[c.key] = s.breakdown[c.cause];
    path[c.key] = s.critical_path[c.cause];
  }
  return {
      {"name", s.name},
      {"type", s.type},
      {"macs", s.macs},
      {"vector_ops", s.vector_ops},
      {"cycles", s.cycles},
      {"compute_cycles", s.compute_cycles},
      {"stall_cycles", s.stall_cycles},
      {"cycle_breakdown", std::move(breakdown)},
      {"critical_path_breakdown", std::move(path)},
      {"utilization", s.utilization},
      {"sram_reads_bytes", s.sram_reads_bytes},
      {"sram_writes_bytes", s.sram_writes_bytes},
      {"dram_reads_bytes", s.dram_reads_bytes},
      {"dram_writes_bytes", s.dram_writes_bytes},
      {"on_chip_bytes", s.on_chip_bytes},
      {"array_busy_cycles", s.array_busy_cycles},
      {"vector_busy_cycles", s.vector_busy_cycles},
      {"dma_busy_cycles", s.dma_busy_cycles},
      {"instructions", s.instructions},
  };
}

// The priced actions of a layer or the total (the energy model's counts, enough to re-price a run
// from report.json alone): MACs, register shift bytes, bank word accesses per scratchpad (ofmap
// with its accumulator read-modify-writes), DMA bursts, vector lane ops, DRAM bytes; with `noc` (a
// multi-core run) also noc: {flit_hops, router_traversals}.
// A record's scratchpad accesses by operand role.
Json scratchpads_json(const ActionRecord& a) {
  auto spm = [](const SpmActions& x) -> Json {
    return {{"read_accesses", x.read_accesses}, {"write_accesses", x.write_accesses}};
  };
  Json ofmap = spm(a.ofmap);
  ofmap["accumulator_rmw"] = a.ofmap.accumulator_rmw;
  return {{"ifmap", spm(a.ifmap)}, {"weight", spm(a.weight)}, {"ofmap", std::move(ofmap)}};
}

// class_labels: a heterogeneous NPU's core classes after the first ("cores 2-3", ...), whose
// scratchpad accesses are given apart (LayerStats::class_actions); empty otherwise.
Json actions_json(const LayerStats& s, bool noc, const std::vector<std::string>& class_labels = {}) {
  const ActionRecord& a = s.actions;
  Json j = {
      {"macs", s.macs},
      {"register_shift_bytes", a.register_shift_bytes},
      {"scratchpads", scratchpads_json(a)},
      {"dma_bursts", a.dma_bursts},
      {"vector_lane_ops",
       {{"add_on_accumulator", a.vector.add_on_accumulator},
        {"mul_on_accumulator", a.vector.mul_on_accumulator},
        {"add_on_input", a.vector.add_on_input},
        {"mul_on_input", a.vector.mul_on_input},
        {"mac", a.vector.mac}}},
      {"dram_read_bytes", s.dram_reads_bytes},
      {"dram_write_bytes", s.dram_writes_bytes},
  };
  if (noc) j["noc"] = {{"flit_hops", a.noc_flit_hops}, {"router_traversals", a.noc_router_traversals}};
  if (!class_labels.empty()) {
    if (s.class_actions.size() != class_labels.size())
      throw InternalError("report: the actions of " + std::to_string(s.class_actions.size()) +
                          " core classes");
    Json classes = Json::array();
    for (size_t k = 0; k < class_labels.size(); ++k)
      classes.push_back({{"cores", class_labels[k]}, {"scratchpads", scratchpads_json(s.class_actions[k])}});
    j["core_classes"] = std::move(classes);
  }
  return j;
}

// layers.csv cells (header, value) of one layer, in column order: report.json's record flattened.
std::vector<std::pair<std::string, std::string>> csv_cells(const LayerStats& s) {
  std::vector<std::pair<std::string, std::string>> cells;
  const Json record = stats_json(s);  // named: items() must not outlive it
  for (const auto& [key, value] : record.items()) {
    if (key == "name" || key == "type") continue;
    if (value.is_object()) {
      const std::string prefix = key == "critical_path_breakdown" ? "cp_" : "cyc_";
      for (const auto& [sub, v] : value.items())
        cells.emplace_back(prefix + sub, std::to_string(v.get<int64_t>()));
    } else if (value.is_number_float()) {
      cells.emplace_back(key, fmt::format("{:.6f}", value.get<double>()));
    } else {
      cells.emplace_back(key, std::to_string(value.get<int64_t>()));
    }
  }
  return cells;
}

Json mapping_json(const MappingRecord& m) {
  Json j = {{"dataflow", m.dataflow}, {"gemm_m", m.gemm_m},         {"gemm_n", m.gemm_n},
            {"gemm_k", m.gemm_k},     {"groups", m.groups},         {"tile_m", m.tile_m},
            {"tile_n", m.tile_n},     {"tile_k", m.tile_k},         {"folds", m.folds},
            {"tiles", m.tiles},       {"loop_order", m.loop_order}, {"fused_into", m.fused_into},
            {"reason", m.reason},     {"residency", m.residency}};
  if (!m.layouts.empty()) j["layouts"] = m.layouts;
  // The chosen tiling's estimate and the runner-up's, so a reader sees how close the choice was.
  if (!m.ranked.empty()) {
    j["mapper"] = m.mapper;
    j["objective"] = m.objective;
    j["estimated_cost"] = m.ranked[0].estimated_cost;
    j["estimated_energy_pj"] = m.ranked[0].estimated_energy_pj;
    j["score"] = m.ranked[0].score;
  }
  if (m.ranked.size() > 1) j["runner_up"] = ranked_json(m)[1];
  // Multi-core runs: how the cores shared the layer (docs/multicore.md "Partitioning").
  if (!m.partition.empty())
    j["partition"] = {{"strategy", m.partition}, {"split", m.split}, {"reason", m.partition_reason}};
  return j;
}

Json input_file(const std::string& path) {
  return {{"path", path}, {"sha256", sha256_file(path)}};
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Writes `text` to "<path>.tmp"; the caller renames it into place once every file is written.
// UserError naming the file and the OS's reason (a full disk, a read-only folder, a size limit).
std::filesystem::path write_temporary(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  if (const int err = write_whole_file(tmp.string(), text); err != 0) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw UserError(fmt::format("{}: cannot write the file: {}", tmp.string(), std::strerror(err)));
  }
  return tmp;
}

// report.json's "verified": true / false when the output was compared with the reference, null
// when it was not (a layout-only layer). LayerStats carries it as "true" / "false" / "".
Json verified_json(const std::string& verified) {
  if (verified == "true") return true;
  if (verified == "false") return false;
  return nullptr;
}

double percent(int64_t part, int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// Up to three nonzero causes, largest first (ties in report order), each "name  pct%" in a fixed
// width so the entries line up from row to row, e.g. "comp   61.2%  fill   10.3%  bw     20.0%".
std::string largest_causes(const CycleBreakdown& b, int64_t cycles) {
  constexpr size_t kShown = 3;
  std::vector<CycleCauseInfo> order(std::begin(kCycleCauses), std::end(kCycleCauses));
  std::stable_sort(order.begin(), order.end(), [&b](const CycleCauseInfo& x, const CycleCauseInfo& y) {
    return b[x.cause] > b[y.cause];
  });
  std::string out;
  for (size_t i = 0; i < order.size() && i < kShown && b[order[i].cause] > 0; ++i) {
    out += fmt::format("{}{:<5} {:>5.1f}%", i ? "  " : "", order[i].short_name,
                       percent(b[order[i].cause], cycles));
  }
  return out;
}

// The causes only a multi-core run has (the NoC, barriers): left out of a single-core summary.
bool multicore_cause(CycleCause c) {
  return c == CycleCause::kNoc || c == CycleCause::kBarrier;
}

std::string cause_legend(bool multicore) {
  std::string out;
  for (const CycleCauseInfo& c : kCycleCauses) {
    if (!multicore && multicore_cause(c.cause)) continue;
    out += fmt::format("{}{} = {}", out.empty() ? "" : ", ", c.short_name, c.label);
  }
  return out;
}

// Every cause in report order: "compute 61.2 %, fill/drain 10.3 %, ...".
std::string all_causes(const CycleBreakdown& b, int64_t cycles, bool multicore) {
  std::string out;
  for (const CycleCauseInfo& c : kCycleCauses) {
    if (!multicore && multicore_cause(c.cause)) continue;
    out += fmt::format("{}{} {:.1f} %", out.empty() ? "" : ", ", c.label, percent(b[c.cause], cycles));
  }
  return out;
}

// Whole-run memory statistics: the DRAM model's requests (and, for kind cycle, its commands and
// row hits) and each scratchpad's bank accesses. achieved_gbps = bytes / simulated time.
Json memory_json(const ArchSpec& arch, const SimResult& r) {
  const DramStats& d = r.dram;
  Json dram;
  dram["kind"] = d.kind;
  const DramDeviceSpec* device = arch.dram.device_model();
  if (device) dram["preset"] = device->name;
  dram["standard"] = energy_dram_standard(arch);  // the standard its traffic is priced at
  dram["reads"] = d.reads;
  dram["writes"] = d.writes;
  dram["read_bytes"] = d.read_bytes;
  dram["write_bytes"] = d.write_bytes;
  dram["achieved_gbps"] =
      r.simulated_ns > 0.0 ? static_cast<double>(d.read_bytes + d.write_bytes) / r.simulated_ns : 0.0;
  dram["avg_read_latency_ns"] = d.avg_read_latency_ns();
  if (device) {
    dram["peak_gbps"] = device->peak_gbps();
    dram["atoms"] = d.atoms;
    dram["row_hit_rate"] = d.row_hit_rate();
    dram["commands"] = {{"ACT", d.act}, {"PRE", d.pre}, {"RD", d.rd}, {"WR", d.wr}, {"REF", d.ref}};
    dram["active_standby_ns"] = d.active_standby_ns;  // summed over ranks (stats/dram_stats.h)
    dram["precharged_standby_ns"] = d.precharged_standby_ns;
  }
  const Json model = dram_energy_model_json(arch);
  for (const auto& [key, value] : model.items()) dram[key] = value;
  Json spms = Json::object();
  for (const ScratchpadStats& s : r.scratchpads) {
    spms[s.name] = {{"read_bytes", s.read_bytes},
                    {"write_bytes", s.write_bytes},
                    {"read_accesses", s.read_accesses},
                    {"write_accesses", s.write_accesses},
                    {"bank_conflict_cycles", s.bank_conflict_cycles},
                    {"accumulator_rmw", s.accumulator_rmw}};
  }
  Json memory;
  memory["dram"] = std::move(dram);
  memory["scratchpads"] = std::move(spms);
  return memory;
}

}  // namespace

nlohmann::ordered_json build_report(const ArchSpec& arch, const Program& program, const SimResult& result,
                                    const RunInputs& inputs) {
  Json report;
  report["tool"] = {{"name", "systole"}, {"version", SYSTOLE_VERSION}};
  report["inputs"] = {{"arch", input_file(inputs.arch_path)},
                      {"workload", input_file(inputs.workload_path)},
                      {"overrides", inputs.overrides}};
  if (!inputs.mapping_path.empty()) report["inputs"]["mapping"] = input_file(inputs.mapping_path);
  if (inputs.batch > 0) report["inputs"]["batch"] = inputs.batch;
  if (inputs.onnx) {
    report["inputs"]["onnx"] = {{"set_dims", inputs.set_dims},
                                {"skip_unsupported", inputs.skip_unsupported},
                                {"placeholders", inputs.onnx_placeholders},
                                {"folded_nodes", inputs.onnx_folded_nodes},
                                {"weighted_layers", inputs.onnx_weighted_layers},
                                {"warnings", inputs.onnx_warnings}};
  }
  report["config"] = arch_to_json(arch);
  report["network"] = program.network;
  if (inputs.functional) {
    report["functional"] = {{"seed", inputs.seed},
                            {"verified", verified_json(result.total.verified)},
                            {"max_abs_error", result.total.max_abs_error}};
  }
  report["units"] = {{"cycles", fmt::format("core clock cycles at {} MHz", arch.core.clock_mhz)},
                     {"bytes", "bytes"},
                     {"utilization", arch.heterogeneous()   ? "MACs / (cycles x the PEs of every core)"
                                     : arch.cores.count > 1 ? "MACs / (cycles x rows x cols x cores)"
                                                            : "MACs / (cycles x rows x cols)"},
                     {"accesses", "scratchpad bank word accesses (one word of one bank)"}};
  const bool noc = !result.noc.topology.empty();  // a multi-core run: its actions count NoC flits
  std::vector<std::string> class_labels;          // a heterogeneous NPU's core classes after the first
  if (arch.heterogeneous()) {
    const std::vector<int> classes = core_classes(arch);
    for (int k = 1; k <= *std::max_element(classes.begin(), classes.end()); ++k)
      class_labels.push_back(core_class_label(arch, k));
  }
  Json layers = Json::array();
  // Verification fields appear only in functional runs, so timing-only reports stay unchanged.
  auto add_verification = [&](Json& j, const LayerStats& s) {
    if (!inputs.functional) return;
    j["verified"] = verified_json(s.verified);
    j["max_abs_error"] = s.max_abs_error;
    j["first_mismatch"] = s.first_mismatch;
  };
  for (size_t i = 0; i < result.layers.size(); ++i) {
    Json l = stats_json(result.layers[i]);
    l["actions"] = actions_json(result.layers[i], noc, class_labels);
    add_verification(l, result.layers[i]);
    if (i < program.mappings.size()) l["mapping"] = mapping_json(program.mappings[i]);
    layers.push_back(std::move(l));
  }
  report["layers"] = std::move(layers);
  const ResidencySummary& res = program.residency;
  report["residency"] = {{"mode", res.mode},
                         {"scratchpad", res.scratchpad},
                         {"reserved_bytes", res.reserved_bytes},
                         {"peak_live_bytes", res.peak_live_bytes},
                         {"resident_tensors", res.resident_tensors},
                         {"choice", res.choice}};
  Json total = stats_json(result.total);
  total["actions"] = actions_json(result.total, noc, class_labels);
  add_verification(total, result.total);
  total["time_us"] = static_cast<double>(result.total_cycles) * arch.core.cycle_ns() / 1000.0;
  total["inferences"] = inputs.inferences;
  Json llm;  // after total, before memory
  if (inputs.decoder.present()) llm = llm_json(arch, program, result, inputs.decoder, total);
  report["total"] = std::move(total);
  if (!llm.is_null()) report["llm"] = std::move(llm);
  report["memory"] = memory_json(arch, result);
  report["activity"] = activity_json(result);
  report["stats"] = stats::run_stats(arch, result).to_json();
  if (!result.cores.empty()) {
    Json cores = Json::array();
    for (const CoreStats& c : result.cores) {
      Json j = stats_json(c.total);
      j["name"] = fmt::format("core{}", c.core);
      j["actions"] = actions_json(c.total, true);
      cores.push_back(std::move(j));
    }
    report["cores"] = std::move(cores);
  }
  if (noc) report["noc"] = noc_json(result.noc);
  return report;
}

std::string layers_csv(const SimResult& result) {
  std::string out = "name,type";
  for (const auto& cell : csv_cells(LayerStats{})) out += "," + cell.first;
  out += "\n";
  auto row = [&out](const LayerStats& s) {
    out += csv_field(s.name) + "," + csv_field(s.type);
    for (const auto& cell : csv_cells(s)) out += "," + cell.second;
    out += "\n";
  };
  for (const auto& l : result.layers) row(l);
  row(result.total);
  return out;
}

std::string summary_table(const ArchSpec& arch, const SimResult& result,
                          const std::vector<double>& energy_uj) {
  const bool with_energy = energy_uj.size() == result.layers.size() + 1;
  size_t name_w = 5;
  for (const auto& l : result.layers) name_w = std::max(name_w, l.name.size());
  // A multi-core NPU: its cores, and the NoC joining them (util% is then over every core's PEs).
  const std::string cores =
      arch.cores.count > 1 ? fmt::format("{} cores of a ", arch.cores.count) : std::string();
  const std::string noc = arch.cores.count > 1
                              ? fmt::format(", {} {}x{} NoC", to_string(arch.noc.topology), arch.noc.x,
                                            arch.noc.topology == NocTopology::kRing ? 1 : arch.noc.y)
                              : std::string();
  std::string arrays = fmt::format("{}{}x{} {} array", cores, arch.core.array.rows, arch.core.array.cols,
                                   to_string(arch.core.array.dataflow));
  if (arch.heterogeneous()) {  // each class of cores with its array
    const std::vector<int> classes = core_classes(arch);
    arrays = fmt::format("{} cores (", arch.cores.count);
    for (int k = 0; k <= *std::max_element(classes.begin(), classes.end()); ++k) {
      const ArrayParams& a =
          arch.core_of(std::find(classes.begin(), classes.end(), k) - classes.begin()).array;
      arrays += fmt::format("{}{}: {}x{} {}", k == 0 ? "" : "; ", core_class_label(arch, k), a.rows, a.cols,
                            to_string(a.dataflow));
    }
    arrays += ")";
  }
  std::string out = fmt::format("{}: {} at {} MHz, DRAM {}{}\n", arch.name, arrays, arch.core.clock_mhz,
                                to_string(arch.dram.kind), noc);
  const std::string header =
      fmt::format("{:<{}}  {:<10} {:>14} {:>12} {:>12} {:>12} {:>7} {:>12} {:>12}{}  {}\n", "layer", name_w,
                  "type", "MACs", "cycles", "compute", "stall", "util%", "DRAM rd KiB", "DRAM wr KiB",
                  with_energy ? fmt::format(" {:>12}", "energy uJ") : "", "largest causes (% of cycles)");
  out += header;
  out += std::string(header.size() - 1, '-') + "\n";
  auto row = [&](const LayerStats& s, size_t index) {
    out += fmt::format("{:<{}}  {:<10} {:>14} {:>12} {:>12} {:>12} {:>7.2f} {:>12.1f} {:>12.1f}", s.name,
                       name_w, s.type, s.macs, s.cycles, s.compute_cycles, s.stall_cycles,
                       100.0 * s.utilization, s.dram_reads_bytes / 1024.0, s.dram_writes_bytes / 1024.0);
    if (with_energy) out += fmt::format(" {:>12.2f}", energy_uj[index]);
    const std::string causes = largest_causes(s.breakdown, s.cycles);
    out += (causes.empty() ? "" : "  " + causes) + "\n";
  };
  for (size_t i = 0; i < result.layers.size(); ++i) row(result.layers[i], i);
  out += std::string(header.size() - 1, '-') + "\n";
  row(result.total, result.layers.size());
  const bool multicore = !result.cores.empty();
  out += fmt::format("causes: {}\n", cause_legend(multicore));
  const double time_us = static_cast<double>(result.total_cycles) * arch.core.cycle_ns() / 1000.0;
  const double gops = time_us > 0 ? 2.0 * static_cast<double>(result.total.macs) / (time_us * 1e3) : 0.0;
  out += fmt::format(
      "\ntotal: {} cycles = {:.3f} us at {} MHz; {:.1f} GOP/s (2 ops per MAC); utilization {:.2f}%\n",
      result.total_cycles, time_us, arch.core.clock_mhz, gops, 100.0 * result.total.utilization);
  out += fmt::format("cycles by cause: {}\n",
                     all_causes(result.total.breakdown, result.total.cycles, multicore));
  const DramStats& d = result.dram;
  const double gbps = result.simulated_ns > 0.0
                          ? static_cast<double>(d.read_bytes + d.write_bytes) / result.simulated_ns
                          : 0.0;
  out +=
      fmt::format("DRAM ({}{}): {:.2f} GB/s average, read latency {:.1f} ns average", d.kind,
                  arch.dram.device_model() ? " " + arch.dram.device.name : "", gbps, d.avg_read_latency_ns());
  if (arch.dram.device_model()) {
    out += fmt::format(", row hits {:.1f} %; ACT {} PRE {} RD {} WR {} REF {}", 100.0 * d.row_hit_rate(),
                       d.act, d.pre, d.rd, d.wr, d.ref);
  }
  out += "\n";
  out += multicore_summary(result);
  return out;
}

void write_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(fmt::format("{}: cannot create output directory: {}", dir, ec.message()));
  const std::filesystem::path base(dir);
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> staged;
  // Whatever fails, no temporary is left behind.
  struct Cleanup {
    std::vector<std::pair<std::filesystem::path, std::filesystem::path>>& staged;
    ~Cleanup() {
      std::error_code ignored;
      for (const auto& entry : staged) std::filesystem::remove(entry.first, ignored);
    }
  } cleanup{staged};
  for (const auto& [name, text] : files) staged.emplace_back(write_temporary(base / name, text), base / name);
  for (const auto& [tmp, final_path] : staged) {
    std::filesystem::rename(tmp, final_path, ec);
    if (ec)
      throw UserError(fmt::format("{}: cannot rename into place: {}", final_path.string(), ec.message()));
  }
}

void write_outputs(const std::string& dir, const nlohmann::ordered_json& report, const std::string& csv,
                   const std::string& summary,
                   const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> files = {
      {"report.json", report.dump(2) + "\n"}, {"layers.csv", csv}, {"summary.txt", summary}};
  files.insert(files.end(), extra.begin(), extra.end());
  write_files(dir, files);
}

}  // namespace systole
