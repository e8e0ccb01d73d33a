// `systole map`: the tilings the compiler's mapper ranked best for each GEMM layer, with the
// estimates each was ranked by (cycles, energy, DRAM bytes, the objective's score), so that a user
// sees how close the chosen mapping was to the next and which layer a different mapping would
// help. With --simulate, each listed tiling is also simulated and its simulated cycles and energy
// are shown beside the estimate.
//
// SystemC cannot elaborate twice in one process, so --simulate runs this binary again, as
// `systole run`, once per rank r = 1..top: run r pins every listed layer to its r-th tiling with a
// generated mapping file (the user's --mapping entries for other layers are kept) and the layer's
// cycles and energy are read from that run's report.json. So --simulate costs `top` runs of the
// whole workload; the other layers are mapped as without it. A layer's simulated numbers can
// differ slightly from a run pinning it alone: its first LOADs overlap the previous layer's tail.
// Everything goes into one temporary directory, removed when the command ends.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "cli/python_runner.h"
#include "systole/common/error.h"
#include "systole/compiler/user_mapping.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace systole::cli {
namespace {

// A directory under the system's temporary directory, removed with everything in it when this
// goes out of scope (however the command ends).
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    std::string templ = (fs::temp_directory_path() / (tag + "-XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) {
      throw UserError(fmt::format("cannot create a temporary directory {}: {}", templ, std::strerror(errno)));
    }
    m_path = templ;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

// A flag whose value must be one of `allowed` (a config key's spellings): UserError naming the
// flag, the key it sets, the value and the allowed ones.
void check_choice(const std::string& flag, const std::string& key, const std::string& value,
                  const std::vector<std::string>& allowed) {
  for (const std::string& a : allowed) {
    if (a == value) return;
  }
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw UserError(fmt::format("{} '{}': {} is one of {}", flag, value, key, list));
}

struct Simulated {
  int64_t cycles = 0;
  double energy_pj = 0.0;
};

std::string order_of(const std::string& loop_order) {
  // The record's order may carry the group loop ("g,m,n,k"); a mapping file names m and n only.
  return loop_order.rfind("g,", 0) == 0 ? loop_order.substr(2) : loop_order;
}

// One `systole run` per rank: sim[layer][rank].
std::map<std::string, std::vector<Simulated>> simulate_ranks(const PreparedRun& p, const RunRequest& request,
                                                             const std::vector<const MappingRecord*>& listed,
                                                             size_t top) {
  const TempDir tmp(temp_tag("map"));
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw InternalError("map --simulate: cannot find this program's path: " + ec.message());
  // The user's own tilings of layers this run does not pin stay as they were.
  std::map<std::string, std::string> base;
  if (!request.mapping.empty()) {
    for (const auto& [name, u] : load_user_mapping(request.mapping, p.network).layers) {
      std::string entry = fmt::format("{{tile: [{}, {}, {}]", u.tm, u.tn, u.tk);
      if (u.m_outer) entry += fmt::format(", loop_order: \"{}\"", *u.m_outer ? "m,n,k" : "n,m,k");
      base[name] = entry + "}";
    }
  }
  std::map<std::string, std::vector<Simulated>> out;
  for (size_t rank = 0; rank < top; ++rank) {
    std::map<std::string, std::string> entries = base;
    for (const MappingRecord* r : listed) {
      if (rank >= r->ranked.size()) continue;
      const MappingRecord::RankedTiling& t = r->ranked[rank];
      entries[r->layer] = fmt::format("{{tile: [{}, {}, {}], loop_order: \"{}\"}}", t.tile_m, t.tile_n,
                                      t.tile_k, order_of(t.loop_order));
    }
    bool any = false;
    for (const MappingRecord* r : listed) any = any || rank < r->ranked.size();
    if (!any) break;
    std::string yaml = "layers:\n";
    // Names quoted as JSON strings (a YAML flow scalar), whatever characters they hold.
    for (const auto& [name, entry] : entries)
      yaml += "  " + nlohmann::json(name).dump() + ": " + entry + "\n";
    const fs::path mapping = tmp.path() / fmt::format("rank{}.yaml", rank + 1);
    const fs::path dir = tmp.path() / fmt::format("rank{}", rank + 1);
    const fs::path log = tmp.path() / fmt::format("rank{}.log", rank + 1);
    write_text_file(mapping, yaml, "the mapping file of --simulate", mapping.string());
    std::vector<std::string> argv{self.string(), "run",
                                  "--arch",      p.inputs.arch_path,
                                  "--workload",  p.inputs.workload_path,
                                  "--mapping",   mapping.string(),
                                  "--quiet",     "--out",
                                  dir.string()};
    for (const std::string& o : request.overrides) {
      argv.push_back("--set");
      argv.push_back(o);
    }
    if (request.batch > 0) {
      argv.push_back("--batch");
      argv.push_back(std::to_string(request.batch));
    }
    for (const std::string& d : request.set_dims) {
      argv.push_back("--set-dim");
      argv.push_back(d);
    }
    if (request.skip_unsupported) argv.push_back("--skip-unsupported");
    if (!request.phase.empty()) {
      argv.push_back("--phase");
      argv.push_back(request.phase);
    }
    if (request.context > 0) {
      argv.push_back("--context");
      argv.push_back(std::to_string(request.context));
    }
    const int status = run_captured(argv, log, "`systole map --simulate` runs this program again");
    throw_if_interrupted();
    if (status != 0) {
      throw InternalError(fmt::format("map --simulate: the run of rank {} failed (exit status {}):\n{}",
                                      rank + 1, status, read_text(log)));
    }
    const auto report = nlohmann::json::parse(read_text(dir / "report.json"));
    for (const auto& l : report.at("layers")) {
      const std::string name = l.at("name").get<std::string>();
      for (const MappingRecord* r : listed) {
        if (r->layer != name || rank >= r->ranked.size()) continue;
        out[name].push_back({l.at("cycles").get<int64_t>(), l.at("energy_pj").get<double>()});
      }
    }
  }
  return out;
}

std::string ratio(double simulated, double estimated) {
  return estimated > 0 ? fmt::format("{:.3f}", simulated / estimated) : std::string("-");
}

}  // namespace

int map_command(const std::vector<std::string>& args) {
  RunRequest request;
  request.arch = "default";
  std::string layer, top_text = "3", objective, mapper, batch, context;
  bool json = false, simulate = false;
  po::options_description desc("map options");
  desc.add_options()("help,h", "show this help")(
      "arch,a", po::value(&request.arch)->default_value("default"),
      "architecture: a YAML config, a SCALE-Sim .cfg, or a preset name from arch/")(
      "workload,w", po::value(&request.workload)->required(),
      "workload: a YAML network, a SCALE-Sim topology .csv, an ONNX model, or a name from workloads/")(
      "set,s", po::value(&request.overrides)->composing(), "override a config key (repeatable)")(
      "mapping", po::value(&request.mapping), "a mapping file: its tilings are ranked first")(
      "batch", po::value(&batch), "map the workload on a batch of N (as `systole run --batch`)")(
      "set-dim", po::value(&request.set_dims)->composing(),
      "ONNX workloads: the value of a symbolic input dimension (as `systole run --set-dim`)")(
      "skip-unsupported", po::bool_switch(&request.skip_unsupported),
      "ONNX workloads: unsupported nodes as zero-cost placeholders (as `systole run`)")(
      "phase", po::value(&request.phase), "decoder workloads: prefill or decode (as `systole run --phase`)")(
      "context", po::value(&context),
      "decoder workloads: prompt or cached tokens (as `systole run --context`)")("layer,l", po::value(&layer),
                                                                                 "only this layer")(
      "top,n", po::value(&top_text),
      fmt::format("tilings per layer, 1 to {} (default 3)", kRankedTilings).c_str())(
      "objective", po::value(&objective),
      "rank by cycles, energy or edp (sets compiler.objective; default: the arch's)")(
      "mapper", po::value(&mapper), "heuristic or exhaustive (sets compiler.mapper; default: the arch's)")(
      "simulate", po::bool_switch(&simulate),
      "also simulate every listed tiling: one `systole run` of the workload per rank (--top runs)")(
      "json", po::bool_switch(&json), "print JSON");
  const auto vm = parse_command_line("map",
                                     "systole map --workload W [--arch A] [--layer L] [--top N] [--objective "
                                     "cycles|energy|edp] [--mapper heuristic|exhaustive] [--simulate] "
                                     "[--mapping F] [--json]",
                                     args, desc);
  if (!vm) return 0;
  if (vm->count("mapping")) nonempty_path("--mapping", request.mapping, "a mapping file");
  if (vm->count("batch")) request.batch = integer_flag("--batch", batch, 1, 65536, "");
  if (vm->count("context")) request.context = integer_flag("--context", context, 1, int64_t{1} << 24, "");
  const auto top = static_cast<size_t>(integer_flag(
      "--top", top_text, 1, static_cast<int64_t>(kRankedTilings), "the compiler keeps that many"));
  // The flags are the config keys, applied after the user's --set (the later override wins).
  if (vm->count("objective")) {
    check_choice("--objective", "compiler.objective", objective, mapping_objective_names());
    request.overrides.push_back("compiler.objective=" + objective);
  }
  if (vm->count("mapper")) {
    check_choice("--mapper", "compiler.mapper", mapper, mapper_kind_names());
    request.overrides.push_back("compiler.mapper=" + mapper);
  }
  const PreparedRun p = prepare_run(request);
  const Program& prog = p.program;

  bool found = layer.empty();
  std::vector<const MappingRecord*> listed;
  for (const MappingRecord& r : prog.mappings) {
    if (!layer.empty() && r.layer != layer) continue;
    found = true;
    if (!r.ranked.empty()) listed.push_back(&r);  // other layers: nothing was searched
  }
  if (!found) {
    throw UserError(fmt::format("--layer '{}': {} has no layer of that name", layer, p.inputs.workload_path));
  }
  const auto sim =
      simulate ? simulate_ranks(p, request, listed, top) : std::map<std::string, std::vector<Simulated>>{};

  nlohmann::json out = nlohmann::json::array();
  std::string text;
  for (const MappingRecord* rp : listed) {
    const MappingRecord& r = *rp;
    nlohmann::json ranked = ranked_json(r);
    if (ranked.size() > top) ranked.erase(ranked.begin() + static_cast<std::ptrdiff_t>(top), ranked.end());
    const auto s = sim.find(r.layer);
    if (s != sim.end()) {
      for (size_t k = 0; k < ranked.size() && k < s->second.size(); ++k) {
        const Simulated& v = s->second[k];
        ranked[k]["simulated"] = {
            {"cycles", v.cycles},
            {"energy_pj", v.energy_pj},
            {"cycles_ratio", static_cast<double>(v.cycles) / static_cast<double>(r.ranked[k].estimated_cost)},
            {"energy_ratio",
             r.ranked[k].estimated_energy_pj > 0 ? v.energy_pj / r.ranked[k].estimated_energy_pj : 0.0}};
      }
    }
    out.push_back({{"layer", r.layer},
                   {"type", r.type},
                   {"dataflow", r.dataflow},
                   {"mapper", r.mapper},
                   {"objective", r.objective},
                   {"gemm", {{"m", r.gemm_m}, {"n", r.gemm_n}, {"k", r.gemm_k}, {"groups", r.groups}}},
                   {"ranked", ranked}});
    text += fmt::format("{} ({}): gemm m={} n={} k={}{}, {} on {}x{}; mapper {}, objective {}\n", r.layer,
                        r.type, r.gemm_m, r.gemm_n, r.gemm_k,
                        r.groups > 1 ? fmt::format(" x {} groups", r.groups) : std::string(), r.dataflow,
                        p.arch.core_of(0).array.rows, p.arch.core_of(0).array.cols, r.mapper, r.objective);
    text += fmt::format("  {:<4} {:>8} {:>8} {:>8} {:<7} {:>12} {:>12} {:>12} {:>12}", "rank", "tile m",
                        "tile n", "tile k", "order", "est cost", "est uJ", "est DRAM B", "score");
    if (simulate) text += fmt::format(" {:>12} {:>6} {:>12} {:>6}", "sim cycles", "ratio", "sim uJ", "ratio");
    text += "\n";
    for (size_t k = 0; k < r.ranked.size() && k < top; ++k) {
      const MappingRecord::RankedTiling& t = r.ranked[k];
      text += fmt::format("  {:<4} {:>8} {:>8} {:>8} {:<7} {:>12} {:>12.4f} {:>12} {:>12.6g}", k + 1,
                          t.tile_m, t.tile_n, t.tile_k, t.loop_order, t.estimated_cost,
                          t.estimated_energy_pj / 1e6, t.estimated_dram_bytes, t.score);
      if (s != sim.end() && k < s->second.size()) {
        const Simulated& v = s->second[k];
        text += fmt::format(" {:>12} {:>6} {:>12.4f} {:>6}", v.cycles,
                            ratio(static_cast<double>(v.cycles), static_cast<double>(t.estimated_cost)),
                            v.energy_pj / 1e6, ratio(v.energy_pj, t.estimated_energy_pj));
      }
      text += k == 0 ? "  <- chosen\n" : "\n";
    }
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << text
              << "est cost = max(est array cycles, est DRAM B / DRAM bytes per cycle); est uJ = MACs + "
                 "scratchpad bytes + DRAM bytes priced by the energy table; score = what the objective "
                 "ranks by: cost (cycles), energy in pJ (energy) or pJ x cost (edp) (docs/compiler.md "
                 "\"Tiling\")"
              << (simulate ? "; ratio = simulated / estimated.\n" : ".\n");
  }
  return 0;
}

}  // namespace systole::cli
