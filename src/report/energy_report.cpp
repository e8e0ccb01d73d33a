// Pricing a run from report.json (energy_report.h); formulas in docs/energy.md.
#include "systole/report/energy_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/config/loader.h"
#include "systole/energy/dram_idd.h"
#include "systole/energy/pricing.h"
#include "systole/report/sha256.h"
#include "systole/stats/attribution.h"

namespace systole {
namespace {

using Json = nlohmann::ordered_json;

// Activity columns after begin_cycle and end_cycle: report.json action keys, nested keys joined
// with '.', in the order ActivityWindow lists them; those of the NoC only in a multi-core run.
std::vector<std::string> activity_columns(bool noc, size_t classes = 0) {
  std::vector<std::string> columns = {
      "macs",
      "register_shift_bytes",
      "dma_bursts",
      "dram_read_bytes",
      "dram_write_bytes",
      "scratchpads.ifmap.read_accesses",
      "scratchpads.ifmap.write_accesses",
      "scratchpads.weight.read_accesses",
      "scratchpads.weight.write_accesses",
      "scratchpads.ofmap.read_accesses",
      "scratchpads.ofmap.write_accesses",
      "scratchpads.ofmap.accumulator_rmw",
      "vector_lane_ops.add_on_accumulator",
      "vector_lane_ops.mul_on_accumulator",
      "vector_lane_ops.add_on_input",
      "vector_lane_ops.mul_on_input",
      "vector_lane_ops.mac",
  };
  if (noc) columns.insert(columns.end(), {"noc.flit_hops", "noc.router_traversals"});
  // A heterogeneous NPU: the scratchpad accesses of each core class after the first
  // (ActivityWindow::class_spm).
  for (size_t k = 0; k < classes; ++k) {
    for (const char* col :
         {"ifmap.read_accesses", "ifmap.write_accesses", "weight.read_accesses", "weight.write_accesses",
          "ofmap.read_accesses", "ofmap.write_accesses", "ofmap.accumulator_rmw"})
      columns.push_back(fmt::format("core_classes.{}.scratchpads.{}", k, col));
  }
  return columns;
}

std::vector<double> activity_values(const ActivityWindow& w, bool noc) {
  std::vector<double> values = {w.macs,
                                w.register_shift_bytes,
                                w.dma_bursts,
                                w.dram_read_bytes,
                                w.dram_write_bytes,
                                w.spm_read_accesses[0],
                                w.spm_write_accesses[0],
                                w.spm_read_accesses[1],
                                w.spm_write_accesses[1],
                                w.spm_read_accesses[2],
                                w.spm_write_accesses[2],
                                w.accumulator_rmw,
                                w.vector_add_on_accumulator,
                                w.vector_mul_on_accumulator,
                                w.vector_add_on_input,
                                w.vector_mul_on_input,
                                w.vector_mac};
  if (noc) values.insert(values.end(), {w.noc_flit_hops, w.noc_router_traversals});
  for (const auto& c : w.class_spm) values.insert(values.end(), c.begin(), c.end());
  return values;
}

[[noreturn]] void bad(const std::string& report_path, const std::string& key, const std::string& expected) {
  throw UserError(fmt::format("{}: {}: {}", report_path, key, expected));
}

// report[k0][k1]...: the value at a dotted key path, or UserError naming it.
const Json& at_path(const Json& root, const std::string& path, const std::string& report_path) {
  const Json* node = &root;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key))
      bad(report_path, path, "missing (not a Systole run report?)");
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *node;
}

double number_at(const Json& root, const std::string& path, const std::string& report_path) {
  const Json& v = at_path(root, path, report_path);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0) {
    bad(report_path, path, fmt::format("'{}' is not a number >= 0", v.dump()));
  }
  return v.get<double>();
}

int64_t positive_int_at(const Json& root, const std::string& path, const std::string& report_path) {
  const Json& v = at_path(root, path, report_path);
  if (!v.is_number_integer() || v.get<int64_t>() < 1) {
    bad(report_path, path, fmt::format("'{}' is not an integer >= 1", v.dump()));
  }
  return v.get<int64_t>();
}

constexpr double kMaxCount = 9.223372036854775807e18;

// memory.dram's IDD pricing (energy_model "idd"): per-rank energies x the run's command counts and
// standby times, as totals (PricingContext::DramIdd). Every number is checked >= 0 and finite;
// counts and times are bounded by 2^63 so that the products stay finite.
PricingContext::DramIdd read_dram_idd(const Json& report, double cycle_ns, const std::string& report_path) {
  PricingContext::DramIdd d;
  const Json& model = at_path(report, "memory.dram.energy_model", report_path);
  if (model == "per_bit") return d;
  if (model != "idd")
    bad(report_path, "memory.dram.energy_model", model.dump() + " is not \"idd\" or \"per_bit\"");
  d.enabled = true;
  auto bounded = [&](const std::string& path) {
    const double v = number_at(report, path, report_path);
    if (v > kMaxCount) bad(report_path, path, fmt::format("{} is more than 2^63", v));
    return v;
  };
  const std::string idd = "memory.dram.idd.";
  d.act_pre_pj = bounded("memory.dram.commands.ACT") * bounded(idd + "command_pj.ACT_PRE");
  d.rd_pj = bounded("memory.dram.commands.RD") * bounded(idd + "command_pj.RD");
  d.wr_pj = bounded("memory.dram.commands.WR") * bounded(idd + "command_pj.WR");
  d.ref_pj = bounded("memory.dram.commands.REF") * bounded(idd + "command_pj.REF");
  // mW x ns = pJ
  d.background_pj = bounded("memory.dram.active_standby_ns") * bounded(idd + "active_standby_mw") +
                    bounded("memory.dram.precharged_standby_ns") * bounded(idd + "precharged_standby_mw");
  d.total_bytes = bounded("total.actions.dram_read_bytes") + bounded("total.actions.dram_write_bytes");
  d.total_ns = bounded("total.cycles") * cycle_ns;
  return d;
}

// A record's share of the run's IDD-priced DRAM energy: traffic energy by its share of the DRAM
// bytes, refresh and background by its share of the time. A run without DRAM bytes (or of zero
// time) puts the whole of that part into time (bytes).
double dram_idd_pj(const PricingContext::DramIdd& d, double bytes, double ns) {
  const double traffic = d.act_pre_pj + d.rd_pj + d.wr_pj, timed = d.ref_pj + d.background_pj;
  const double by_bytes = d.total_bytes > 0 ? bytes / d.total_bytes : 0.0;
  const double by_time = d.total_ns > 0 ? ns / d.total_ns : 0.0;
  if (d.total_bytes <= 0) return (traffic + timed) * by_time;
  if (d.total_ns <= 0) return (traffic + timed) * by_bytes;
  return traffic * by_bytes + timed * by_time;
}

// Throws InternalError naming the first inf or NaN in `j`.
void require_finite(const Json& j, const std::string& path) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    throw InternalError(fmt::format("{} is {}: a report never carries a non-finite number", path, j.dump()));
  }
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) require_finite(it.value(), path + "." + it.key());
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) require_finite(j[i], fmt::format("{}[{}]", path, i));
  }
}

double ns_of(const PricingContext& ctx, double cycles) {
  return cycles * ctx.cycle_ns;
}

// Static power of each priced component, mW, in by_component order (array, scratchpads..., vector,
// control); scratchpads share theirs by capacity.
std::vector<std::pair<std::string, double>> static_mw(const PricingContext& ctx) {
  std::vector<std::pair<std::string, double>> out;
  out.emplace_back("array", ctx.static_power.array_mw);
  // Each class's cores draw their share of the scratchpads' static power, split by capacity among
  // the class's scratchpads.
  auto scratchpads = [&](const std::vector<PricingContext::Scratchpad>& spms, int64_t cores,
                         const std::string& suffix) {
    const double mw = ctx.static_power.scratchpads_mw * static_cast<double>(cores) /
                      static_cast<double>(std::max<int64_t>(1, ctx.cores));
    double capacity = 0.0;
    for (const auto& s : spms) capacity += static_cast<double>(s.capacity_bytes);
    for (const auto& s : spms) {
      out.emplace_back("scratchpad." + s.name + suffix,
                       capacity > 0 ? mw * static_cast<double>(s.capacity_bytes) / capacity : 0.0);
    }
  };
  scratchpads(ctx.scratchpads, ctx.classes.empty() ? ctx.cores : ctx.first_class_cores, "");
  for (const auto& k : ctx.classes) scratchpads(k.scratchpads, k.cores, "@" + k.slug);
  out.emplace_back("vector", ctx.static_power.vector_mw);
  out.emplace_back("control", ctx.static_power.control_mw);
  return out;
}

// Unflattens one activity row into the shape of report.json's actions object.
Json window_actions(const Json& row, bool noc, size_t classes, const std::string& where,
                    const std::string& report_path) {
  const std::vector<std::string> columns = activity_columns(noc, classes);
  if (!row.is_array() || row.size() != columns.size() + 2) {
    bad(report_path, where, fmt::format("expected an array of {} numbers", columns.size() + 2));
  }
  Json actions = Json::object();
  for (size_t c = 0; c < columns.size(); ++c) {
    Json* node = &actions;
    const std::string& path = columns[c];
    size_t start = 0;
    for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
      node = &(*node)[path.substr(start, dot - start)];
      start = dot + 1;
    }
    (*node)[path.substr(start)] = row[c + 2];
  }
  // core_classes.<k>: a list, as in a layer's actions.
  if (classes > 0) {
    Json list = Json::array();
    for (size_t k = 0; k < classes; ++k) list.push_back(actions["core_classes"][std::to_string(k)]);
    actions["core_classes"] = std::move(list);
  }
  return actions;
}

Json record_fields(const PricedEnergy& e, double macs, double ns) {
  Json by = Json::object();
  for (const auto& [name, pj] : e.by_component) by[name] = pj;
  const double ops = 2.0 * macs;
  return {{"energy_pj", e.total_pj},
          {"energy_dynamic_pj", e.dynamic_pj},
          {"energy_static_pj", e.static_pj},
          {"energy_by_component", std::move(by)},
          {"avg_power_w", ns > 0 ? e.total_pj / ns / 1000.0 : 0.0},  // pJ/ns = mW
          {"gops", ns > 0 ? ops / ns : 0.0},                         // ops/ns = GOP/s
          {"tops_per_w", e.total_pj > 0 ? ops / e.total_pj : 0.0}};  // ops/pJ = TOPS/W
}

void set_fields(Json& record, const Json& fields) {
  for (const auto& [key, value] : fields.items()) record[key] = value;
}

std::string csv_number(double v) {
  if (!std::isfinite(v)) throw InternalError("power.csv would hold a non-finite number");
  return fmt::format("{:.9g}", v);
}

}  // namespace

Json dram_energy_model_json(const ArchSpec& arch) {
  const DramDeviceSpec* model = arch.dram.device_model();
  if (model == nullptr || !model->power.present()) return {{"energy_model", "per_bit"}};
  const DramDeviceSpec& device = *model;
  const energy::DramIddEnergy e = energy::derive_dram_idd(device);
  return {{"energy_model", "idd"},
          {"idd",
           {{"source", device.power.source},
            {"devices_per_rank", e.devices_per_rank},
            {"command_pj", {{"ACT_PRE", e.act_pre_pj}, {"RD", e.rd_pj}, {"WR", e.wr_pj}, {"REF", e.ref_pj}}},
            {"active_standby_mw", e.active_standby_mw},
            {"precharged_standby_mw", e.precharged_standby_mw},
            {"units", "per rank: pJ per command (ACT_PRE: one ACT with its precharge), mW"}}}};
}

// activity.columns as this Systole writes them.
static Json activity_column_names(bool noc, size_t classes) {
  Json columns = Json::array({"begin_cycle", "end_cycle"});
  for (const auto& c : activity_columns(noc, classes)) columns.push_back(c);
  return columns;
}

Json activity_json(const SimResult& result) {
  const bool noc = !result.noc.topology.empty();
  Json columns = activity_column_names(noc, result.total.class_actions.size());
  Json windows = Json::array();
  for (const ActivityWindow& w : result.activity) {
    Json row = Json::array({w.begin_cycle, w.end_cycle});
    for (double v : activity_values(w, noc)) row.push_back(v);
    windows.push_back(std::move(row));
  }
  return {{"window_cycles", result.activity_window_cycles},
          {"columns", std::move(columns)},
          {"windows", std::move(windows)}};
}

PricingContext pricing_context(const Json& report, const std::string& report_path) {
  // The run's config goes through the config loader, with every rule a config file gets: a
  // hand-edited report cannot make pricing overflow or divide by a denormal. Its dram section is
  // left out: what pricing needs of the DRAM (the standard, and the IDD figures and command
  // counts) is the run's result in memory.dram, so re-pricing needs no preset file the run read.
  const Json& config = at_path(report, "config", report_path);
  if (!config.is_object()) bad(report_path, "config", "expected the run's resolved config (an object)");
  Json without_dram = config;
  without_dram.erase("dram");
  PricingContext ctx = pricing_context(load_arch_from_json(without_dram, report_path, "config."));
  const Json& standard = at_path(report, "memory.dram.standard", report_path);
  if (!standard.is_string()) bad(report_path, "memory.dram.standard", "expected a DRAM standard name");
  ctx.dram_standard = standard.get<std::string>();
  const Json& dram = at_path(report, "memory.dram", report_path);
  if (dram.is_object() && dram.contains("energy_model"))
    ctx.dram_idd = read_dram_idd(report, ctx.cycle_ns, report_path);
  return ctx;
}

void check_table_covers(const PricingContext& ctx, const energy::EnergyTable& table) {
  // Each lookup throws ConfigError naming the table and the entry it lacks.
  table.mac_pj(ctx.input_type, ctx.weight_type);
  for (const DataType t : {ctx.input_type, ctx.accumulator_type}) {
    table.vector_op_pj(energy::VectorOp::kAdd, t);
    table.vector_op_pj(energy::VectorOp::kMul, t);
  }
  table.dram_pj_per_bit(ctx.dram_standard);
  if (ctx.noc.enabled) table.noc_prices();
}

PricedEnergy price_counts(const PricingContext& ctx, const energy::EnergyTable& table,
                          const ActivityWindow& n, double cycles) {
  energy::ActionCounts c;
  c.macs = {{ctx.input_type, ctx.weight_type, n.macs}};
  c.vector_macs = {{ctx.input_type, ctx.weight_type, n.vector_mac}};
  c.register_shift_bytes = n.register_shift_bytes;
  // Per class: its scratchpads with the accesses of the roles living in each (class 0: the record's
  // accesses less the other classes').
  auto add_class = [&](const std::vector<PricingContext::Scratchpad>& spms, const int* role_scratchpad,
                       const double* reads_by_role, const double* writes_by_role, double rmw,
                       const std::string& suffix) {
    for (size_t b = 0; b < spms.size(); ++b) {
      const auto& s = spms[b];
      double reads = 0.0, writes = 0.0;
      for (int r = 0; r < kOperandRoleCount; ++r) {
        if (role_scratchpad[r] != static_cast<int>(b)) continue;
        reads += reads_by_role[r];
        writes += writes_by_role[r];
      }
      // One access reads or writes one word of one bank, a macro of capacity / banks bytes.
      c.scratchpads.push_back(
          {s.name + suffix, std::max<int64_t>(1, s.capacity_bytes / s.banks), s.word_bytes, reads, writes});
    }
    const auto ofmap_spm = static_cast<size_t>(role_scratchpad[index_of(OperandRole::kOfmap)]);
    c.accumulators.push_back({spms.at(ofmap_spm).name + suffix, ctx.accumulator_type, rmw});
  };
  if (n.class_spm.size() != ctx.classes.size())
    throw InternalError("pricing: a record with the accesses of " + std::to_string(n.class_spm.size()) +
                        " core classes for " + std::to_string(ctx.classes.size()));
  double first_reads[kOperandRoleCount], first_writes[kOperandRoleCount];
  double first_rmw = n.accumulator_rmw;
  for (int r = 0; r < kOperandRoleCount; ++r) {
    first_reads[r] = n.spm_read_accesses[r];
    first_writes[r] = n.spm_write_accesses[r];
    for (const auto& k : n.class_spm) {
      first_reads[r] -= k[static_cast<size_t>(2 * r)];
      first_writes[r] -= k[static_cast<size_t>(2 * r + 1)];
    }
  }
  for (const auto& k : n.class_spm) first_rmw -= k[6];
  // A window's counts are fractions of its instructions': the difference may round below zero.
  for (int r = 0; r < kOperandRoleCount; ++r) {
    first_reads[r] = std::max(0.0, first_reads[r]);
    first_writes[r] = std::max(0.0, first_writes[r]);
  }
  first_rmw = std::max(0.0, first_rmw);
  add_class(ctx.scratchpads, ctx.role_scratchpad, first_reads, first_writes, first_rmw, "");
  for (size_t k = 0; k < ctx.classes.size(); ++k) {
    const auto& spm = n.class_spm[k];
    const double reads[kOperandRoleCount] = {spm[0], spm[2], spm[4]};
    const double writes[kOperandRoleCount] = {spm[1], spm[3], spm[5]};
    add_class(ctx.classes[k].scratchpads, ctx.classes[k].role_scratchpad, reads, writes, spm[6],
              "@" + ctx.classes[k].slug);
  }
  c.vector_ops = {{energy::VectorOp::kAdd, ctx.accumulator_type, n.vector_add_on_accumulator},
                  {energy::VectorOp::kMul, ctx.accumulator_type, n.vector_mul_on_accumulator},
                  {energy::VectorOp::kAdd, ctx.input_type, n.vector_add_on_input},
                  {energy::VectorOp::kMul, ctx.input_type, n.vector_mul_on_input}};
  if (!ctx.dram_idd.enabled) c.dram = {ctx.dram_standard, n.dram_read_bytes, n.dram_write_bytes};
  if (ctx.noc.enabled) c.noc = {ctx.noc.flit_bits, ctx.noc.link_mm, n.noc_flit_hops, n.noc_router_traversals};
  energy::EnergyBreakdown b = energy::price(c, table);
  if (ctx.dram_idd.enabled) {
    b.dram_pj = dram_idd_pj(ctx.dram_idd, n.dram_read_bytes + n.dram_write_bytes, ns_of(ctx, cycles));
    b.total_pj += b.dram_pj;
  }

  PricedEnergy e;
  const double ns = ns_of(ctx, cycles);
  for (const auto& [name, mw] : static_mw(ctx)) {
    double dynamic = 0.0;
    if (name == "array") dynamic = b.array_pj;
    if (name == "vector") dynamic = b.vector_pj;
    if (name.rfind("scratchpad.", 0) == 0) {
      auto it = b.scratchpad_pj.find(name.substr(11));
      dynamic = it == b.scratchpad_pj.end() ? 0.0 : it->second;
    }
    const double stat = mw * ns;  // mW x ns = pJ
    e.by_component.emplace_back(name, dynamic + stat);
    e.static_pj += stat;
  }
  if (ctx.noc.enabled) e.by_component.emplace_back("noc", b.noc_pj);
  e.by_component.emplace_back("dram", b.dram_pj);
  e.by_component.emplace_back("clock_tree", b.clock_tree_pj);
  e.dynamic_pj = b.total_pj;
  e.total_pj = e.dynamic_pj + e.static_pj;
  return e;
}

PricedEnergy price_actions(const PricingContext& ctx, const energy::EnergyTable& table, const Json& actions,
                           double cycles, const std::string& where, const std::string& report_path) {
  // A count of a real run is below 2^63; bounded so that count x energy stays finite.
  auto count = [&](const std::string& key) {
    const double n = number_at(actions, key, report_path + ": " + where);
    if (n > kMaxCount) bad(report_path + ": " + where, key, fmt::format("{} is more than 2^63", n));
    return n;
  };
  ActivityWindow n;
  n.macs = count("macs");
  n.register_shift_bytes = count("register_shift_bytes");
  n.dma_bursts = count("dma_bursts");
  // Counted per operand role (report.h actions_json).
  for (const OperandRole r : kOperandRoles) {
    const std::string key = std::string("scratchpads.") + to_string(r) + ".";
    n.spm_read_accesses[index_of(r)] = count(key + "read_accesses");
    n.spm_write_accesses[index_of(r)] = count(key + "write_accesses");
  }
  n.accumulator_rmw = count("scratchpads.ofmap.accumulator_rmw");
  n.vector_add_on_accumulator = count("vector_lane_ops.add_on_accumulator");
  n.vector_mul_on_accumulator = count("vector_lane_ops.mul_on_accumulator");
  n.vector_add_on_input = count("vector_lane_ops.add_on_input");
  n.vector_mul_on_input = count("vector_lane_ops.mul_on_input");
  // Reports written before the vector unit did depthwise convolutions have no "mac" key.
  const Json* lanes =
      actions.is_object() && actions.contains("vector_lane_ops") ? &actions["vector_lane_ops"] : nullptr;
  n.vector_mac =
      lanes != nullptr && lanes->is_object() && lanes->contains("mac") ? count("vector_lane_ops.mac") : 0.0;
  n.dram_read_bytes = count("dram_read_bytes");
  n.dram_write_bytes = count("dram_write_bytes");
  if (ctx.noc.enabled) {
    n.noc_flit_hops = count("noc.flit_hops");
    n.noc_router_traversals = count("noc.router_traversals");
  }
  // A heterogeneous NPU: the accesses of each core class after the first, as a list.
  if (!ctx.classes.empty()) {
    const Json* list =
        actions.is_object() && actions.contains("core_classes") ? &actions["core_classes"] : nullptr;
    if (list == nullptr || !list->is_array() || list->size() != ctx.classes.size()) {
      bad(report_path + ": " + where, "core_classes",
          fmt::format("expected a list of {} core classes (the run's cores.* overrides)",
                      ctx.classes.size()));
    }
    for (size_t k = 0; k < ctx.classes.size(); ++k) {
      const Json& cls = (*list)[k];
      const std::string at = fmt::format("{}: core_classes[{}]", where, k);
      auto class_count = [&](const std::string& key) {
        const double v = number_at(cls, key, report_path + ": " + at);
        if (v > kMaxCount) bad(report_path + ": " + at, key, fmt::format("{} is more than 2^63", v));
        return v;
      };
      std::array<double, ActivityWindow::kClassSpm> spm{};
      size_t i = 0;
      for (const OperandRole r : kOperandRoles) {
        const std::string key = std::string("scratchpads.") + to_string(r) + ".";
        spm[i++] = class_count(key + "read_accesses");
        spm[i++] = class_count(key + "write_accesses");
      }
      spm[6] = class_count("scratchpads.ofmap.accumulator_rmw");
      n.class_spm.push_back(spm);
    }
  }
  return price_counts(ctx, table, n, cycles);
}

std::string price_report(Json& report, const energy::EnergyTable& table, const std::string& table_name,
                         const std::string& report_path) {
  const PricingContext ctx = pricing_context(report, report_path);
  Json& layers = report["layers"];
  if (!layers.is_array()) bad(report_path, "layers", "expected an array of layer records");
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string where = fmt::format("layers[{}]", i);
    Json& l = layers[i];
    const double cycles = number_at(l, "cycles", report_path + ": " + where);
    const PricedEnergy e = price_actions(ctx, table, at_path(l, "actions", report_path + ": " + where),
                                         cycles, where + ".actions", report_path);
    set_fields(l, record_fields(e, number_at(l, "macs", report_path + ": " + where), ns_of(ctx, cycles)));
  }

  // Power windows: the total's peak and power.csv.
  const Json& activity = at_path(report, "activity", report_path);
  const Json& windows = at_path(activity, "windows", report_path + ": activity");
  if (!windows.is_array()) bad(report_path, "activity.windows", "expected an array");
  if (windows.size() > static_cast<size_t>(hw::kMaxActivityWindows)) {
    bad(report_path, "activity.windows",
        fmt::format("{} windows: a run keeps at most {}", windows.size(), hw::kMaxActivityWindows));
  }
  const Json& columns = at_path(activity, "columns", report_path + ": activity");
  if (columns != activity_column_names(ctx.noc.enabled, ctx.classes.size())) {
    bad(report_path, "activity.columns",
        "must be the columns this Systole writes, in its order: " +
            activity_column_names(ctx.noc.enabled, ctx.classes.size()).dump());
  }
  std::string csv = "begin_cycle,end_cycle,begin_us,end_us";
  for (const auto& [name, mw] : static_mw(ctx)) csv += "," + name + "_w";
  csv += ctx.noc.enabled ? ",noc_w" : "";
  csv += ",dram_w,clock_tree_w,total_w\n";
  double peak_w = 0.0;
  for (size_t i = 0; i < windows.size(); ++i) {
    const std::string where = fmt::format("activity.windows[{}]", i);
    const Json& row = windows[i];
    const Json actions = window_actions(row, ctx.noc.enabled, ctx.classes.size(), where, report_path);
    if (!row[0].is_number_integer() || !row[1].is_number_integer() ||
        row[1].get<int64_t>() <= row[0].get<int64_t>()) {
      bad(report_path, where, "begin_cycle and end_cycle must be integers with end_cycle > begin_cycle");
    }
    const auto begin = static_cast<double>(row[0].get<int64_t>()),
               end = static_cast<double>(row[1].get<int64_t>());
    const double ns = ns_of(ctx, end - begin);
    const PricedEnergy e = price_actions(ctx, table, actions, end - begin, where, report_path);
    csv += fmt::format("{},{},{},{}", row[0].get<int64_t>(), row[1].get<int64_t>(),
                       csv_number(ns_of(ctx, begin) / 1000.0), csv_number(ns_of(ctx, end) / 1000.0));
    for (const auto& [name, pj] : e.by_component) csv += "," + csv_number(pj / ns / 1000.0);
    const double total_w = e.total_pj / ns / 1000.0;
    csv += "," + csv_number(total_w) + "\n";
    peak_w = std::max(peak_w, total_w);
  }

  Json& total = report["total"];
  const double cycles = number_at(total, "cycles", report_path + ": total");
  const PricedEnergy e = price_actions(ctx, table, at_path(total, "actions", report_path + ": total"), cycles,
                                       "total.actions", report_path);
  set_fields(total, record_fields(e, number_at(total, "macs", report_path + ": total"), ns_of(ctx, cycles)));
  total["peak_power_w"] = peak_w;
  const double inferences = number_at(total, "inferences", report_path + ": total");
  total["energy_per_inference_pj"] = inferences > 0 ? e.total_pj / inferences : 0.0;

  if (ctx.dram_idd.enabled) {
    const PricingContext::DramIdd& d = ctx.dram_idd;
    report["memory"]["dram"]["energy_pj"] = {
        {"ACT_PRE", d.act_pre_pj},
        {"RD", d.rd_pj},
        {"WR", d.wr_pj},
        {"REF", d.ref_pj},
        {"background", d.background_pj},
        {"total", d.act_pre_pj + d.rd_pj + d.wr_pj + d.ref_pj + d.background_pj}};
  }
  report["energy"] = {
      {"table", table_name},
      {"table_sha256", sha256_file(table.path)},
      {"node", table.node},
      {"dram_standard", ctx.dram_standard},
      {"power_window_cycles", positive_int_at(activity, "window_cycles", report_path + ": activity")},
      {"units",
       {{"energy", "pJ"},
        {"power", "W"},
        {"gops", "1e9 operations per second, 2 per MAC"},
        {"tops_per_w", "1e12 operations per joule, 2 per MAC"}}}};
  // A decoder step (report/llm_report.h): its energy per step and per token.
  if (report.contains("llm")) {
    const int64_t tokens = positive_int_at(report, "llm.tokens", report_path);
    Json& llm = report["llm"];
    llm["energy_per_step_j"] = e.total_pj * 1e-12;
    llm["j_per_token"] = e.total_pj * 1e-12 / static_cast<double>(tokens);
  }
  // The tables bound every energy, so a non-finite number here is our bug; never write one (JSON
  // has no inf or NaN: nlohmann would write null).
  require_finite(report, "report");
  return csv;
}

std::string energy_summary(const Json& report) {
  const Json& total = report.at("total");
  const double pj = total.at("energy_pj").get<double>();
  std::vector<std::pair<std::string, double>> parts;
  for (const auto& [name, v] : total.at("energy_by_component").items())
    parts.emplace_back(name, v.get<double>());
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string largest;
  for (const auto& [name, v] : parts) {
    if (v <= 0 || largest.size() > 60) continue;
    largest += fmt::format("{}{} {:.1f}%", largest.empty() ? "" : ", ", name, pj > 0 ? 100.0 * v / pj : 0.0);
  }
  const Json& energy = report.at("energy");
  bool idd = false;
  if (report.contains("memory") && report.at("memory").contains("dram")) {
    const Json& dram = report.at("memory").at("dram");
    idd = dram.contains("energy_model") && dram.at("energy_model") == "idd";
  }
  const std::string dram_priced = idd ? " from IDD currents" : "";
  // The table's name (two tables can share a node: 45nm, 45nm-accelergy), with the node if it differs.
  const std::string table = energy.at("table").get<std::string>(),
                    node = energy.at("node").get<std::string>();
  const std::string priced_at = table == node ? table + " table" : fmt::format("{} table at {}", table, node);
  return fmt::format(
      "energy: {:.4g} uJ ({}, DRAM {}{}; {:.4g} uJ static): {}\n"
      "power: {:.4g} W average, {:.4g} W peak over {}-cycle windows; {:.4g} TOPS/W\n",
      pj / 1e6, priced_at, energy.at("dram_standard").get<std::string>(), dram_priced,
      total.at("energy_static_pj").get<double>() / 1e6, largest, total.at("avg_power_w").get<double>(),
      total.at("peak_power_w").get<double>(), energy.at("power_window_cycles").get<int64_t>(),
      total.at("tops_per_w").get<double>());
}

}  // namespace systole
