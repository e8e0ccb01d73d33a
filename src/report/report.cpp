#include "systole/report/report.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/config/loader.h"
#include "systole/report/sha256.h"

namespace systole {
namespace {

// The per-layer record shared by report.json and layers.csv, in column order.
struct Column {
  const char* name;
  bool is_real;
};
constexpr Column kColumns[] = {
    {"macs", false},
    {"vector_ops", false},
    {"cycles", false},
    {"compute_cycles", false},
    {"stall_cycles", false},
    {"utilization", true},
    {"sram_reads_bytes", false},
    {"sram_writes_bytes", false},
    {"dram_reads_bytes", false},
    {"dram_writes_bytes", false},
    {"array_busy_cycles", false},
    {"vector_busy_cycles", false},
    {"dma_busy_cycles", false},
    {"instructions", false},
};

nlohmann::json stats_json(const LayerStats& s) {
  return {
      {"name", s.name},
      {"type", s.type},
      {"macs", s.macs},
      {"vector_ops", s.vector_ops},
      {"cycles", s.cycles},
      {"compute_cycles", s.compute_cycles},
      {"stall_cycles", s.stall_cycles},
      {"utilization", s.utilization},
      {"sram_reads_bytes", s.sram_reads_bytes},
      {"sram_writes_bytes", s.sram_writes_bytes},
      {"dram_reads_bytes", s.dram_reads_bytes},
      {"dram_writes_bytes", s.dram_writes_bytes},
      {"array_busy_cycles", s.array_busy_cycles},
      {"vector_busy_cycles", s.vector_busy_cycles},
      {"dma_busy_cycles", s.dma_busy_cycles},
      {"instructions", s.instructions},
  };
}

nlohmann::json mapping_json(const MappingRecord& m) {
  return {{"dataflow", m.dataflow}, {"gemm_m", m.gemm_m},         {"gemm_n", m.gemm_n},
          {"gemm_k", m.gemm_k},     {"groups", m.groups},         {"tile_m", m.tile_m},
          {"tile_n", m.tile_n},     {"tile_k", m.tile_k},         {"folds", m.folds},
          {"tiles", m.tiles},       {"loop_order", m.loop_order}, {"fused_into", m.fused_into},
          {"reason", m.reason}};
}

nlohmann::json input_file(const std::string& path) {
  return {{"path", path}, {"sha256", sha256_file(path)}};
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Writes `text` to "<path>.tmp"; the caller renames it into place once every file is written.
std::filesystem::path write_temporary(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) throw UserError(fmt::format("{}: cannot write file", tmp.string()));
  out << text;
  out.flush();
  if (!out) throw UserError(fmt::format("{}: write failed", tmp.string()));
  return tmp;
}

}  // namespace

nlohmann::json build_report(const ArchSpec& arch, const Program& program, const SimResult& result,
                            const RunInputs& inputs) {
  nlohmann::json report;
  report["tool"] = {{"name", "systole"}, {"version", SYSTOLE_VERSION}};
  report["inputs"] = {{"arch", input_file(inputs.arch_path)},
                      {"workload", input_file(inputs.workload_path)},
                      {"overrides", inputs.overrides}};
  report["config"] = arch_to_json(arch);
  report["network"] = program.network;
  if (inputs.functional) {
    report["functional"] = {{"seed", inputs.seed},
                            {"verified", result.total.verified == "true"},
                            {"max_abs_error", result.total.max_abs_error}};
  }
  report["units"] = {{"cycles", fmt::format("core clock cycles at {} MHz", arch.core.clock_mhz)},
                     {"bytes", "bytes"},
                     {"utilization", "MACs / (cycles x rows x cols)"}};
  nlohmann::json layers = nlohmann::json::array();
  // Verification fields appear only in functional runs, so timing-only reports stay unchanged.
  auto add_verification = [&](nlohmann::json& j, const LayerStats& s) {
    if (!inputs.functional) return;
    j["verified"] = s.verified;
    j["max_abs_error"] = s.max_abs_error;
    j["first_mismatch"] = s.first_mismatch;
  };
  for (size_t i = 0; i < result.layers.size(); ++i) {
    nlohmann::json l = stats_json(result.layers[i]);
    add_verification(l, result.layers[i]);
    if (i < program.mappings.size()) l["mapping"] = mapping_json(program.mappings[i]);
    layers.push_back(std::move(l));
  }
  report["layers"] = std::move(layers);
  nlohmann::json total = stats_json(result.total);
  add_verification(total, result.total);
  total["time_us"] = static_cast<double>(result.total_cycles) * arch.core.cycle_ns() / 1000.0;
  report["total"] = std::move(total);
  return report;
}

std::string layers_csv(const SimResult& result) {
  std::string out = "name,type";
  for (const auto& c : kColumns) out += fmt::format(",{}", c.name);
  out += "\n";
  auto row = [&out](const LayerStats& s) {
    nlohmann::json j = stats_json(s);
    out += csv_field(s.name) + "," + csv_field(s.type);
    for (const auto& c : kColumns) {
      out += c.is_real ? fmt::format(",{:.6f}", j[c.name].get<double>())
                       : fmt::format(",{}", j[c.name].get<int64_t>());
    }
    out += "\n";
  };
  for (const auto& l : result.layers) row(l);
  row(result.total);
  return out;
}

std::string summary_table(const ArchSpec& arch, const SimResult& result) {
  size_t name_w = 5;
  for (const auto& l : result.layers) name_w = std::max(name_w, l.name.size());
  std::string out = fmt::format("{}: {}x{} {} array at {} MHz, DRAM {}\n", arch.name, arch.core.array.rows,
                                arch.core.array.cols, to_string(arch.core.array.dataflow),
                                arch.core.clock_mhz, to_string(arch.dram.kind));
  const std::string header =
      fmt::format("{:<{}}  {:<10} {:>14} {:>12} {:>12} {:>12} {:>7} {:>12} {:>12}\n", "layer", name_w, "type",
                  "MACs", "cycles", "compute", "stall", "util%", "DRAM rd KiB", "DRAM wr KiB");
  out += header;
  out += std::string(header.size() - 1, '-') + "\n";
  auto row = [&](const LayerStats& s) {
    out += fmt::format("{:<{}}  {:<10} {:>14} {:>12} {:>12} {:>12} {:>7.2f} {:>12.1f} {:>12.1f}\n", s.name,
                       name_w, s.type, s.macs, s.cycles, s.compute_cycles, s.stall_cycles,
                       100.0 * s.utilization, s.dram_reads_bytes / 1024.0, s.dram_writes_bytes / 1024.0);
  };
  for (const auto& l : result.layers) row(l);
  out += std::string(header.size() - 1, '-') + "\n";
  row(result.total);
  const double time_us = static_cast<double>(result.total_cycles) * arch.core.cycle_ns() / 1000.0;
  const double gops = time_us > 0 ? 2.0 * static_cast<double>(result.total.macs) / (time_us * 1e3) : 0.0;
  out += fmt::format(
      "\ntotal: {} cycles = {:.3f} us at {} MHz; {:.1f} GOP/s (2 ops per MAC); utilization {:.2f}%\n",
      result.total_cycles, time_us, arch.core.clock_mhz, gops, 100.0 * result.total.utilization);
  return out;
}

void write_outputs(const std::string& dir, const nlohmann::json& report, const std::string& csv,
                   const std::string& summary) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(fmt::format("{}: cannot create output directory: {}", dir, ec.message()));
  const std::filesystem::path base(dir);
  const std::pair<const char*, const std::string*> files[] = {
      {"report.json", nullptr}, {"layers.csv", &csv}, {"summary.txt", &summary}};
  const std::string report_text = report.dump(2) + "\n";
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> staged;
  for (const auto& [name, text] : files) {
    staged.emplace_back(write_temporary(base / name, text ? *text : report_text), base / name);
  }
  for (const auto& [tmp, final_path] : staged) {
    std::filesystem::rename(tmp, final_path, ec);
    if (ec)
      throw UserError(fmt::format("{}: cannot rename into place: {}", final_path.string(), ec.message()));
  }
}

}  // namespace systole
