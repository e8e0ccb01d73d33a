// `systole map`: the tilings the compiler's search ranked best for each GEMM layer, with the
// estimate each was ranked by, so that a user sees how close the chosen mapping was to the next
// and which layer a different mapping would help. No simulation.
#include <iostream>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "systole/common/error.h"

namespace po = boost::program_options;

namespace systole::cli {

int map_command(const std::vector<std::string>& args) {
  RunRequest request;
  request.arch = "default";
  std::string layer, top_text = "3";
  bool json = false;
  po::options_description desc("map options");
  desc.add_options()("help,h", "show this help")(
      "arch,a", po::value(&request.arch)->default_value("default"),
      "architecture: a YAML config, a SCALE-Sim .cfg, or a preset name from arch/")(
      "workload,w", po::value(&request.workload)->required(),
      "workload: a YAML network, a SCALE-Sim topology .csv, or a name from workloads/")(
      "set,s", po::value(&request.overrides)->composing(), "override a config key (repeatable)")(
      "mapping", po::value(&request.mapping), "a mapping file: its tilings are ranked first")(
      "layer,l", po::value(&layer), "only this layer")(
      "top,n", po::value(&top_text), fmt::format("tilings per layer, 1 to {}", kRankedTilings).c_str())(
      "json", po::bool_switch(&json), "print JSON");
  const auto vm = parse_command_line(
      "map", "systole map --workload W [--arch A] [--layer L] [--top N] [--mapping F] [--json]", args, desc);
  if (!vm) return 0;
  if (vm->count("mapping")) nonempty_path("--mapping", request.mapping, "a mapping file");
  const auto top = static_cast<size_t>(integer_flag(
      "--top", top_text, 1, static_cast<int64_t>(kRankedTilings), "the compiler keeps that many"));
  const PreparedRun p = prepare_run(request);
  const Program& prog = p.program;

  bool found = layer.empty();
  nlohmann::json out = nlohmann::json::array();
  std::string text;
  for (size_t i = 0; i < prog.mappings.size(); ++i) {
    const MappingRecord& r = prog.mappings[i];
    if (!layer.empty() && r.layer != layer) continue;
    found = true;
    if (r.ranked.empty()) continue;  // not a GEMM layer: nothing was searched
    nlohmann::json ranked = ranked_json(r);
    if (ranked.size() > top) ranked.erase(ranked.begin() + static_cast<std::ptrdiff_t>(top), ranked.end());
    out.push_back({{"layer", r.layer},
                   {"type", r.type},
                   {"dataflow", r.dataflow},
                   {"gemm", {{"m", r.gemm_m}, {"n", r.gemm_n}, {"k", r.gemm_k}, {"groups", r.groups}}},
                   {"ranked", ranked}});
    text += fmt::format("{} ({}): gemm m={} n={} k={}{}, {} on {}x{}\n", r.layer, r.type, r.gemm_m, r.gemm_n,
                        r.gemm_k, r.groups > 1 ? fmt::format(" x {} groups", r.groups) : std::string(),
                        r.dataflow, p.arch.core.array.rows, p.arch.core.array.cols);
    text += fmt::format("  {:<4} {:>8} {:>8} {:>8} {:<7} {:>14} {:>14} {:>14}\n", "rank", "tile m", "tile n",
                        "tile k", "order", "est cycles", "est DRAM B", "est cost");
    for (size_t k = 0; k < r.ranked.size() && k < top; ++k) {
      const MappingRecord::RankedTiling& t = r.ranked[k];
      text += fmt::format("  {:<4} {:>8} {:>8} {:>8} {:<7} {:>14} {:>14} {:>14}{}\n", k + 1, t.tile_m,
                          t.tile_n, t.tile_k, t.loop_order, t.estimated_cycles, t.estimated_dram_bytes,
                          t.estimated_cost, k == 0 ? "  <- chosen" : "");
    }
  }
  if (!found) {
    throw UserError(fmt::format("--layer '{}': {} has no layer of that name", layer, p.inputs.workload_path));
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << text
              << "est cost = max(est cycles of the array, est DRAM B / DRAM bytes per cycle): the search "
                 "minimises it, then DRAM bytes (docs/compiler.md \"Tiling\").\n";
  }
  return 0;
}

}  // namespace systole::cli
