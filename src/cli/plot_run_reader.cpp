// Reading and checking a run for `systole plot` (plot_run_reader.h).
#include "cli/plot_run_reader.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli/input_file.h"
#include "cli/python_runner.h"
#include "systole/config/schema.h"
#include "systole/stats/sim_result.h"

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace systole::cli {
namespace {

// The largest number a report field may hold for the pictures: far above any simulated count
// (2^63 ~ 9.2e18) or energy in pJ, far below where sums of a few thousand values overflow.
constexpr double kMaxReportNumber = 1e30;

// The causes of report.json's cycle_breakdown (stats/sim_result.h), in the order they are stacked.
std::vector<std::string> cause_keys() {
  std::vector<std::string> out;
  for (const CycleCauseInfo& c : kCycleCauses) out.emplace_back(c.key);
  return out;
}
const std::vector<std::string> kCauses = cause_keys();
// power.csv's first columns; the component columns (`<component>_w`) and total_w follow.
const std::vector<std::string> kPowerTimeColumns = {"begin_cycle", "end_cycle", "begin_us", "end_us"};
constexpr const char* kEnergyHint =
    "missing: the report predates the energy model; re-run or re-price with `systole energy`";

// Checks one report.json and its power.csv, adding every problem to `problems`.
class RunReader {
 public:
  RunReader(fs::path file, DiagnosticList& problems) : m_file(std::move(file)), m_problems(problems) {}

  // Fills run->spec; false (with the problems added) when something is missing or unusable.
  bool read(PlotRun* run) {
    std::string content;
    try {
      content = read_input_file(m_file, "report");
    } catch (const UserError& e) {
      return fail("", "", e.what());
    }
    try {
      m_report = Json::parse(content);
    } catch (const Json::exception& e) {  // parse_error, or out_of_range for 1e400
      return fail("", "", fmt::format("not valid JSON ({})", e.what()));
    }
    if (!m_report.is_object()) return fail("", "", "not a `systole run` report (not a JSON object)");
    const size_t before = m_problems.items().size();

    Json& s = run->spec;
    s["source"] = m_file.string();
    s["name"] = text({"config", "name"});
    s["network"] = text({"network"});
    s["dataflow"] = text({"config", "core", "array", "dataflow"});
    const Json* node = find_path(m_report, {"energy", "node"});
    s["node"] = node && node->is_string() ? node->get<std::string>() : std::string();
    s["rows"] = number({"config", "core", "array", "rows"}, true);
    s["cols"] = number({"config", "core", "array", "cols"}, true);
    s["clock_mhz"] = number({"config", "core", "clock_mhz"}, true);
    const std::string kind = text({"config", "dram", "kind"});
    s["dram_kind"] = kind;
    // The bandwidth roof: the cycle model's peak, else the simple model's bandwidth; ideal has none.
    if (kind == "cycle" || find_path(m_report, {"memory", "dram", "peak_gbps"})) {
      s["dram_peak_gbps"] = number({"memory", "dram", "peak_gbps"}, true);
    } else if (kind != "ideal") {
      s["dram_peak_gbps"] = number({"config", "dram", "bandwidth_gbps"}, true);
    } else {
      s["dram_peak_gbps"] = nullptr;
    }
    read_layers(s);
    read_noc(s);
    read_cores(s);
    read_llm(s);
    const Json* total = find_path(m_report, {"total", "energy_by_component"});
    if (!total || !total->is_object() || total->empty()) {
      add("total.energy_by_component", total ? total->dump() : "",
          total ? "must be an object of numbers" : kEnergyHint);
    } else {
      s["total_energy_pj"] = Json::object();
      for (const auto& [component, value] : total->items()) {
        s["total_energy_pj"][component] = number({"total", "energy_by_component", component}, false);
      }
    }
    s["energy_static_pj"] = number({"total", "energy_static_pj"}, false);
    read_power(m_file.parent_path() / "power.csv", s);

    if (m_problems.items().size() != before) return false;
    run->report = m_file;
    run->name = s["name"].get<std::string>();
    run->dataflow = s["dataflow"].get<std::string>();
    return true;
  }

 private:
  bool fail(const std::string& key, const std::string& value, const std::string& rule) {
    add(key, value, rule);
    return false;
  }
  void add(const std::string& key, const std::string& value, const std::string& rule) {
    m_problems.add({m_file.string(), 0, key, value, rule});
  }

  static std::string dotted(const std::vector<std::string>& path) {
    std::string out;
    for (const auto& p : path) out += (out.empty() ? "" : ".") + p;
    return out;
  }

  std::string text(const std::vector<std::string>& path) {
    const Json* v = find_path(m_report, path);
    if (!v) {
      add(dotted(path), "", "missing: not a complete `systole run` report");
    } else if (!v->is_string()) {
      add(dotted(path), v->dump(), "must be a string");
    } else if (v->get<std::string>().size() > 4096) {  // a label: a 50 MB one exhausted plot.py
      add(dotted(path), v->get<std::string>(), "must be a string of at most 4096 bytes");
    } else {
      return v->get<std::string>();
    }
    return "";
  }

  // A number in range (> 0 when `positive`, else >= 0: every count, time and energy of a report
  // is). A config value gets its parameter's range from the schema, anything else at most
  // kMaxReportNumber, so that no sum or ratio the pictures draw overflows. Energy keys name
  // `systole energy` when missing.
  double number(const std::vector<std::string>& path, bool positive) {
    const Json* v = find_path(m_report, path);
    const std::string key = dotted(path);
    const ParamDef* param = path.size() > 1 && path[0] == "config" ? find_param(key.substr(7)) : nullptr;
    if (!v) {
      add(key, "",
          key.find("energy") != std::string::npos ? kEnergyHint
                                                  : "missing: not a complete `systole run` report");
    } else if (!v->is_number()) {
      add(key, v->dump(), "must be a number");
    } else if (param != nullptr && !param->range.contains(v->get<double>())) {
      add(key, v->dump(), param_rule(*param));
    } else if (const double x = v->get<double>();
               param == nullptr &&
               (!std::isfinite(x) || x > kMaxReportNumber || (positive ? x <= 0.0 : x < 0.0))) {
      add(key, v->dump(),
          fmt::format("must be a number {} and <= {:g}", positive ? "> 0" : ">= 0", kMaxReportNumber));
    } else {
      return v->get<double>();
    }
    return 0.0;
  }

  // layers[] into columns: one array per field. A field missing from many layers is reported once,
  // at the first such layer, with the count of the others.
  void read_layers(Json& s) {
    const Json* layers = find_path(m_report, {"layers"});
    if (!layers || !layers->is_array() || layers->empty()) {
      add("layers", layers ? layers->dump().substr(0, 40) : "", "must be a non-empty array of layers");
      return;
    }
    std::vector<std::pair<std::string, std::pair<size_t, size_t>>> missing;  // key -> (first layer, count)
    auto miss = [&](const std::string& key, size_t layer) {
      for (auto& m : missing) {
        if (m.first == key) {
          ++m.second.second;
          return;
        }
      }
      missing.push_back({key, {layer, 1}});
    };
    Json& out = s["layers"];
    for (const char* f : {"name", "type", "macs", "cycles", "utilization", "dram_bytes"})
      out[f] = Json::array();
    out["cycle_breakdown"] = Json::object();
    for (const auto& c : kCauses) out["cycle_breakdown"][c] = Json::array();
    out["energy_pj"] = Json::object();
    std::vector<std::string> components;
    if (const Json* t = find_path(m_report, {"total", "energy_by_component"}); t && t->is_object()) {
      for (const auto& [component, value] : t->items()) {
        components.push_back(component);
        out["energy_pj"][component] = Json::array();
      }
    }
    // obj[key] as a number in [0, kMaxReportNumber]; `prefix` + key names it when missing or wrong.
    auto num = [&](const Json& obj, const std::string& prefix, const std::string& key, size_t i) -> double {
      if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number() ||
          !(obj[key].get<double>() >= 0.0 && obj[key].get<double>() <= kMaxReportNumber)) {
        miss(prefix + key, i);
        return 0.0;
      }
      return obj[key].get<double>();
    };
    for (size_t i = 0; i < layers->size(); ++i) {
      const Json& layer = (*layers)[i];
      if (layer.is_object() && layer.contains("name") && layer["name"].is_string()) {
        out["name"].push_back(layer["name"].get<std::string>());
      } else {
        miss("name", i);
        out["name"].push_back("");
      }
      const bool typed = layer.is_object() && layer.contains("type") && layer["type"].is_string();
      out["type"].push_back(typed ? layer["type"].get<std::string>() : std::string());
      for (const char* f : {"macs", "cycles", "utilization"}) out[f].push_back(num(layer, "", f, i));
      out["dram_bytes"].push_back(num(layer, "", "dram_reads_bytes", i) +
                                  num(layer, "", "dram_writes_bytes", i));
      const bool has_breakdown = layer.is_object() && layer.contains("cycle_breakdown");
      if (!has_breakdown) miss("cycle_breakdown", i);
      for (const auto& c : kCauses) {
        // The multi-core causes are absent from reports written before they existed: 0.
        const bool older = has_breakdown && layer["cycle_breakdown"].is_object() &&
                           !layer["cycle_breakdown"].contains(c) && (c == "noc" || c == "barrier");
        out["cycle_breakdown"][c].push_back(
            has_breakdown && !older ? num(layer["cycle_breakdown"], "cycle_breakdown.", c, i) : 0.0);
      }
      const bool has_energy = layer.is_object() && layer.contains("energy_by_component");
      if (!has_energy) miss("energy_by_component", i);
      for (const auto& c : components) {
        out["energy_pj"][c].push_back(
            has_energy ? num(layer["energy_by_component"], "energy_by_component.", c, i) : 0.0);
      }
    }
    for (const auto& [key, where] : missing) {
      std::string rule = key.find("energy") != std::string::npos
                             ? kEnergyHint
                             : fmt::format(
                                   "missing, or not a number >= 0 and <= {:g}: not a complete `systole run` "
                                   "report",
                                   kMaxReportNumber);
      if (where.second > 1) rule += fmt::format(" (also in {} more layers)", where.second - 1);
      add(fmt::format("layers[{}].{}", where.first, key), "", rule);
    }
  }

  // A decoder step (report.json llm, docs/llm.md), for the tokens/s and J/token against batch
  // picture. Nothing for other runs.
  void read_llm(Json& s) {
    if (!find_path(m_report, {"llm"})) return;
    Json out;
    out["phase"] = text({"llm", "phase"});
    if (out["phase"] != "prefill" && out["phase"] != "decode" && out["phase"] != "") {
      add("llm.phase", out["phase"].dump(), "must be prefill or decode");
    }
    out["batch"] = number({"llm", "batch"}, true);
    out["cached_tokens"] = number({"llm", "cached_tokens"}, false);
    out["new_tokens"] = number({"llm", "new_tokens"}, true);
    out["tokens_per_s"] = number({"llm", "tokens_per_s"}, false);
    out["j_per_token"] = number({"llm", "j_per_token"}, false);
    out["bound"] = text({"llm", "bound", "cause"});
    s["llm"] = std::move(out);
  }

  // A multi-core run's cores, for the per-core picture: each core's cycles by cause over the whole
  // run (report.json cores[].cycle_breakdown). Nothing for a single-core run.
  void read_cores(Json& s) {
    const Json* cores = find_path(m_report, {"cores"});
    if (!cores) return;
    if (!cores->is_array()) return (void)add("cores", cores->dump(), "must be an array of cores");
    Json out = Json::array();
    for (size_t i = 0; i < cores->size(); ++i) {
      const Json& core = (*cores)[i];
      const std::string key = fmt::format("cores[{}].cycle_breakdown", i);
      const Json* breakdown = find_path(core, {"cycle_breakdown"});
      if (!breakdown || !breakdown->is_object()) {
        add(key, "", "missing: not a complete `systole run` report");
        continue;
      }
      Json b = Json::object();
      for (const auto& c : kCauses) {
        const Json* v = find_path(*breakdown, {c});
        if (!v || !v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < 0.0 ||
            v->get<double>() > kMaxReportNumber) {
          add(key + "." + c, v ? v->dump() : "",
              fmt::format("must be a number >= 0 and <= {:g}", kMaxReportNumber));
          continue;
        }
        b[c] = v->get<double>();
      }
      out.push_back(std::move(b));
    }
    if (out.size() > 1) s["cores"] = std::move(out);
  }

  // A multi-core run's mesh NoC, for the link heat-map: its shape, each link's utilization, the
  // cores' and memory controllers' nodes. Nothing when the run had no NoC or another topology.
  void read_noc(Json& s) {
    const Json* noc = find_path(m_report, {"noc"});
    if (!noc || text({"noc", "topology"}) != "mesh") return;
    Json out;
    out["x"] = number({"noc", "x"}, true);
    out["y"] = number({"noc", "y"}, true);
    const double nodes = out["x"].get<double>() * out["y"].get<double>();
    auto node_number = [&](const Json& v, const std::string& key) {
      if (!v.is_number_integer() || v.get<double>() < 0 || v.get<double>() >= nodes) {
        add(key, v.dump(),
            fmt::format("must be a node of the {} x {} mesh", out["x"].get<double>(),
                        out["y"].get<double>()));
        return 0.0;
      }
      return v.get<double>();
    };
    out["links"] = Json::array();
    const Json* links = find_path(m_report, {"noc", "links"});
    if (!links || !links->is_array()) return (void)add("noc.links", "", "must be an array of links");
    for (size_t i = 0; i < links->size(); ++i) {
      const Json& l = (*links)[i];
      const std::string key = fmt::format("noc.links[{}]", i);
      if (!l.is_object() || !l.contains("from") || !l.contains("to") || !l.contains("utilization") ||
          !l["utilization"].is_number() || !(l["utilization"].get<double>() >= 0.0) ||
          !(l["utilization"].get<double>() <= 1.0)) {
        add(key, l.dump().substr(0, 80), "must be {from, to, flits, utilization in [0, 1]}");
        continue;
      }
      out["links"].push_back({{"from", node_number(l["from"], key + ".from")},
                              {"to", node_number(l["to"], key + ".to")},
                              {"utilization", l["utilization"]}});
    }
    out["cores"] = Json::array();
    if (const Json* cores = find_path(m_report, {"noc", "cores"}); cores && cores->is_array()) {
      for (size_t i = 0; i < cores->size(); ++i) {
        const Json& c = (*cores)[i];
        out["cores"].push_back(c.is_object() && c.contains("node")
                                   ? node_number(c["node"], fmt::format("noc.cores[{}].node", i))
                                   : 0.0);
      }
    }
    out["memory"] = Json::array();
    if (const Json* mem = find_path(m_report, {"noc", "memory_nodes"}); mem && mem->is_array()) {
      for (size_t i = 0; i < mem->size(); ++i)
        out["memory"].push_back(node_number((*mem)[i], fmt::format("noc.memory_nodes[{}]", i)));
    }
    s["noc"] = std::move(out);
  }

  // power.csv: begin_cycle,end_cycle,begin_us,end_us, then <component>_w columns, then total_w.
  void read_power(const fs::path& csv, Json& s) {
    auto problem = [&](int line, const std::string& column, const std::string& value,
                       const std::string& rule) {
      m_problems.add({csv.string(), line, column, value, rule});
    };
    std::string text;
    try {
      text = read_input_file(csv, "power.csv");
    } catch (const UserError& e) {
      problem(0, "", "",
              fmt::format("missing or unreadable ({}): `systole run` writes power.csv beside report.json "
                          "(re-run, or re-price with `systole energy`)",
                          e.what()));
      return;
    }
    std::istringstream in(text);
    auto split = [](const std::string& line) {
      std::vector<std::string> cells;
      std::stringstream ss(line);
      std::string cell;
      while (std::getline(ss, cell, ',')) cells.push_back(cell);
      if (!line.empty() && line.back() == ',') cells.push_back("");
      return cells;
    };
    std::string line;
    if (!std::getline(in, line)) return problem(1, "", "", "empty file: expected a header line");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::vector<std::string> header = split(line);
    const std::string expected = "begin_cycle,end_cycle,begin_us,end_us,<component>_w...,total_w";
    for (size_t i = 0; i < kPowerTimeColumns.size(); ++i) {
      if (i >= header.size() || header[i] != kPowerTimeColumns[i]) {
        return problem(
            1, fmt::format("column {}", i + 1), i < header.size() ? header[i] : "",
            fmt::format("wrong header: must be '{}' (header: {})", kPowerTimeColumns[i], expected));
      }
    }
    if (header.size() < 6 || header.back() != "total_w") {
      return problem(1, fmt::format("column {}", header.size()), header.back(),
                     fmt::format("wrong header: the last column must be 'total_w' after at least one "
                                 "component (header: {})",
                                 expected));
    }
    for (size_t i = kPowerTimeColumns.size(); i + 1 < header.size(); ++i) {
      const std::string& h = header[i];
      if (h.size() < 3 || h.compare(h.size() - 2, 2, "_w") != 0 || h == "total_w") {
        return problem(
            1, fmt::format("column {}", i + 1), h,
            fmt::format("wrong header: a component column must end in '_w' (header: {})", expected));
      }
    }
    std::vector<Json> columns(header.size(), Json::array());
    int line_no = 1;
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      const auto cells = split(line);
      if (cells.size() != header.size()) {
        return problem(line_no, "", line,
                       fmt::format("has {} cells, the header has {} columns", cells.size(), header.size()));
      }
      for (size_t i = 0; i < cells.size(); ++i) {
        double v = 0.0;
        size_t used = 0;
        try {
          v = std::stod(cells[i], &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != cells[i].size() || !(v >= 0.0 && v <= kMaxReportNumber)) {
          return problem(line_no, header[i], cells[i],
                         fmt::format("must be a number >= 0 and <= {:g}", kMaxReportNumber));
        }
        columns[i].push_back(v);
      }
    }
    if (line_no == 1) return problem(0, "", "", "no data rows after the header");
    Json& p = s["power"];
    p["begin_us"] = std::move(columns[2]);
    p["end_us"] = std::move(columns[3]);
    p["components_w"] = Json::object();
    for (size_t i = kPowerTimeColumns.size(); i + 1 < header.size(); ++i) {
      p["components_w"][header[i].substr(0, header[i].size() - 2)] = std::move(columns[i]);
    }
    p["total_w"] = std::move(columns.back());
  }

  fs::path m_file;
  DiagnosticList& m_problems;
  Json m_report;
};

}  // namespace

bool read_plot_run(const fs::path& report, PlotRun* run, DiagnosticList& problems) {
  return RunReader(report, problems).read(run);
}

}  // namespace systole::cli
