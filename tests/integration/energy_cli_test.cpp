// Energy reporting as a user meets it: the energy fields of report.json, power.csv, static power,
// `systole energy` re-pricing a finished run (same table, edited tables, 45 nm), the DRAM standard
// following a cycle-level preset, exit 2 for unusable inputs, and byte-identical output across runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/assertions.h"
#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using testing::fresh_dir;
using testing::near_rel;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

// energy_by_component's members, in the order report.json lists them.
const std::vector<std::string> kComponents = {
    "array", "scratchpad.ifmap", "scratchpad.weight", "scratchpad.ofmap", "vector", "control",
    "dram",  "clock_tree"};
const std::vector<std::string> kOnChip = {
    "array", "scratchpad.ifmap", "scratchpad.weight", "scratchpad.ofmap", "vector", "control", "clock_tree"};
const std::string kPowerHeader =
    "begin_cycle,end_cycle,begin_us,end_us,array_w,scratchpad.ifmap_w,scratchpad.weight_w,scratchpad.ofmap_w,"
    "vector_w,control_w,dram_w,clock_tree_w,total_w";

// |a - b| <= rel * max(|a|, |b|), with a floor so that two zeros compare equal.
// `systole run -a default -w WORKLOAD -o DIR/NAME -q EXTRA`; the parsed report.json, or null after
// recording a failure.
Json run_report(const fs::path& dir, const std::string& name, const std::string& extra = "",
                const std::string& workload = "resnet18") {
  const auto r = run_systole("run -a default -w " + workload + " -o " + q(dir / name) + " -q " + extra, dir);
  EXPECT_EQ(r.exit_code, 0) << "run " << name << ": " << r.err;
  if (r.exit_code != 0) return Json();
  return Json::parse(read_file(dir / name / "report.json"));
}

// `systole energy --report RUN --out DIR/NAME EXTRA`; the re-priced report.json, or null.
Json reprice(const fs::path& dir, const fs::path& run, const std::string& name,
             const std::string& extra = "") {
  const auto r = run_systole("energy --report " + q(run) + " --out " + q(dir / name) + " " + extra, dir);
  EXPECT_EQ(r.exit_code, 0) << "energy " << name << ": " << r.err;
  if (r.exit_code != 0) return Json();
  return Json::parse(read_file(dir / name / "report.json"));
}

double ns_of(const Json& report, const Json& record) {
  return record["cycles"].get<double>() * 1000.0 / report["config"]["core"]["clock_mhz"].get<double>();
}

double comp(const Json& record, const std::string& name) {
  return record["energy_by_component"][name].get<double>();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at = s.find(sep); at != std::string::npos; at = s.find(sep, start)) {
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

// power.csv: the header and the rows as numbers.
struct PowerCsv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};

PowerCsv read_power_csv(const fs::path& p) {
  PowerCsv csv;
  const std::string text = read_file(p);
  EXPECT_FALSE(text.empty()) << p;
  EXPECT_EQ(text.back(), '\n') << p;
  std::vector<std::string> lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return csv;
  csv.header = split(lines[0], ',');
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<double> row;
    for (const auto& cell : split(lines[i], ',')) row.push_back(std::stod(cell));
    EXPECT_EQ(row.size(), csv.header.size()) << "row " << i << ": " << lines[i];
    csv.rows.push_back(std::move(row));
  }
  return csv;
}

// Checks power.csv against report.json: contiguous windows of energy.power_window_cycles over
// [0, total.cycles], columns that sum to total_w, an integral equal to total.energy_pj.
void check_power_trace(const Json& report, const PowerCsv& csv) {
  ASSERT_EQ(csv.header, split(kPowerHeader, ','));
  const auto& total = report["total"];
  const int64_t cycles = total["cycles"].get<int64_t>();
  const int64_t window = report["energy"]["power_window_cycles"].get<int64_t>();
  const double mhz = report["config"]["core"]["clock_mhz"].get<double>();
  ASSERT_GT(window, 0);
  ASSERT_EQ(static_cast<int64_t>(csv.rows.size()), (cycles + window - 1) / window);
  double integral_pj = 0.0, integral_us_pj = 0.0, peak_w = 0.0;
  int64_t expected_begin = 0;
  for (size_t i = 0; i < csv.rows.size(); ++i) {
    const auto& row = csv.rows[i];
    const auto begin = static_cast<int64_t>(row[0]), end = static_cast<int64_t>(row[1]);
    EXPECT_EQ(begin, expected_begin) << "row " << i;
    EXPECT_EQ(end, std::min(begin + window, cycles)) << "row " << i;
    expected_begin = end;
    EXPECT_TRUE(near_rel(row[2], static_cast<double>(begin) / mhz, 1e-8)) << "begin_us, row " << i;
    EXPECT_TRUE(near_rel(row[3], static_cast<double>(end) / mhz, 1e-8)) << "end_us, row " << i;
    double sum_w = 0.0;
    for (size_t c = 4; c + 1 < row.size(); ++c) {
      EXPECT_GE(row[c], 0.0) << csv.header[c] << ", row " << i;
      sum_w += row[c];
    }
    const double total_w = row.back();
    EXPECT_TRUE(near_rel(sum_w, total_w, 1e-6)) << "components vs total_w, row " << i;
    integral_pj += total_w * static_cast<double>(end - begin) * 1000.0 / mhz * 1000.0;  // W x ns = 1000 pJ
    integral_us_pj += total_w * (row[3] - row[2]) * 1e6;
    peak_w = std::max(peak_w, total_w);
  }
  EXPECT_EQ(expected_begin, cycles);
  const double energy_pj = total["energy_pj"].get<double>();
  EXPECT_TRUE(near_rel(integral_pj, energy_pj, 1e-6)) << "power.csv integral over cycles";
  EXPECT_TRUE(near_rel(integral_us_pj, energy_pj, 1e-6)) << "power.csv integral over begin_us/end_us";
  EXPECT_TRUE(near_rel(peak_w, total["peak_power_w"].get<double>(), 1e-6)) << "peak_power_w vs power.csv";
}

TEST(EnergyCli, EveryLayerAndTheTotalCarryEnergyFields) {
  const auto dir = fresh_dir("energy_cli_fields");
  const Json report = run_report(dir, "run");
  ASSERT_FALSE(report.is_null());
  ASSERT_TRUE(report["layers"].is_array());
  ASSERT_GT(report["layers"].size(), 10u);  // resnet18

  const auto check_record = [&](const Json& r, const std::string& where) {
    for (const char* key : {"energy_pj", "energy_dynamic_pj", "energy_static_pj", "energy_by_component",
                            "avg_power_w", "gops", "tops_per_w", "macs", "cycles", "actions"}) {
      ASSERT_TRUE(r.contains(key)) << where << " lacks " << key;
    }
    std::vector<std::string> names;
    for (const auto& [name, v] : r["energy_by_component"].items()) {
      names.push_back(name);
      EXPECT_TRUE(v.is_number()) << where << " " << name;
      EXPECT_GE(v.get<double>(), 0.0) << where << " " << name;
    }
    EXPECT_EQ(names, kComponents) << where;
    const double pj = r["energy_pj"].get<double>();
    double sum = 0.0;
    for (const auto& name : kComponents) sum += comp(r, name);
    EXPECT_TRUE(near_rel(sum, pj, 1e-9)) << where << ": energy_by_component vs energy_pj";
    EXPECT_TRUE(
        near_rel(r["energy_dynamic_pj"].get<double>() + r["energy_static_pj"].get<double>(), pj, 1e-9))
        << where << ": dynamic + static vs energy_pj";
    // No static power in the default architecture.
    EXPECT_EQ(r["energy_static_pj"].get<double>(), 0.0) << where;
    const double macs = r["macs"].get<double>();
    const double ns = ns_of(report, r);
    if (ns == 0.0) {
      // A layer fused into its producer (e.g. a ReLU after a convolution) takes no cycles of its
      // own; its work and energy are its producer's, and the ratios are 0 rather than NaN.
      EXPECT_EQ(macs, 0.0) << where;
      EXPECT_EQ(pj, 0.0) << where;
      for (const char* key : {"avg_power_w", "gops", "tops_per_w"})
        EXPECT_EQ(r[key].get<double>(), 0.0) << where;
      return;
    }
    EXPECT_GT(pj, 0.0) << where;
    EXPECT_TRUE(near_rel(r["avg_power_w"].get<double>(), pj / ns / 1000.0, 1e-9)) << where << ": avg_power_w";
    EXPECT_TRUE(near_rel(r["gops"].get<double>(), 2.0 * macs / ns, 1e-9)) << where << ": gops";
    EXPECT_TRUE(near_rel(r["tops_per_w"].get<double>(), 2.0 * macs / pj, 1e-9)) << where << ": tops_per_w";
    // Work on the array costs array energy and its share of the clock tree.
    if (macs > 0) {
      EXPECT_GT(comp(r, "array"), 0.0) << where;
      EXPECT_GT(comp(r, "clock_tree"), 0.0) << where;
    }
  };

  double layer_sum = 0.0;
  for (size_t i = 0; i < report["layers"].size(); ++i) {
    const auto& l = report["layers"][i];
    check_record(l, "layers[" + std::to_string(i) + "] " + l.value("name", std::string()));
    layer_sum += l["energy_pj"].get<double>();
  }
  const auto& total = report["total"];
  check_record(total, "total");
  for (const char* key : {"peak_power_w", "energy_per_inference_pj", "inferences", "time_us"}) {
    ASSERT_TRUE(total.contains(key)) << "total lacks " << key;
  }
  EXPECT_TRUE(near_rel(layer_sum, total["energy_pj"].get<double>(), 1e-9)) << "layers vs total energy_pj";
  EXPECT_GT(comp(total, "dram"), 0.0);
  EXPECT_TRUE(near_rel(total["time_us"].get<double>() * 1000.0, ns_of(report, total), 1e-9));
  EXPECT_GE(total["peak_power_w"].get<double>(), total["avg_power_w"].get<double>());
  EXPECT_TRUE(near_rel(total["energy_per_inference_pj"].get<double>(),
                       total["energy_pj"].get<double>() / total["inferences"].get<double>(), 1e-12));

  // The energy section names what priced the run.
  const auto& energy = report["energy"];
  EXPECT_EQ(energy["table"], "7nm");
  EXPECT_EQ(energy["node"], "7nm");
  EXPECT_EQ(energy["dram_standard"], "LPDDR4");
  EXPECT_EQ(report["memory"]["dram"]["standard"], "LPDDR4");
  EXPECT_EQ(energy["power_window_cycles"], 10000);
  const std::string sha = energy["table_sha256"].get<std::string>();
  EXPECT_EQ(sha.size(), 64u);
  EXPECT_EQ(sha.find_first_not_of("0123456789abcdef"), std::string::npos) << sha;
  EXPECT_EQ(energy["units"]["energy"], "pJ");
  EXPECT_EQ(energy["units"]["power"], "W");
  const auto& cfg = report["config"]["energy"];
  EXPECT_EQ(cfg["table"], "7nm");
  EXPECT_TRUE(cfg["dram_standard"].is_string());
  EXPECT_EQ(cfg["power_window_cycles"], 10000);
  for (const char* key : {"array", "vector", "scratchpads", "control"}) {
    EXPECT_TRUE(cfg["static_power_mw"].contains(key)) << key;
  }
}

TEST(EnergyCli, PowerTraceIntegratesToTotalEnergy) {
  const auto dir = fresh_dir("energy_cli_power");
  const Json report = run_report(dir, "run");
  ASSERT_FALSE(report.is_null());
  const PowerCsv csv = read_power_csv(dir / "run" / "power.csv");
  {
    SCOPED_TRACE("default power_window_cycles");
    check_power_trace(report, csv);
  }
  ASSERT_GT(csv.rows.size(), 1u);

  const Json fine = run_report(dir, "fine", "--set energy.power_window_cycles=2500");
  ASSERT_FALSE(fine.is_null());
  EXPECT_EQ(fine["energy"]["power_window_cycles"], 2500);
  EXPECT_EQ(fine["config"]["energy"]["power_window_cycles"], 2500);
  // The window is a view of the run, not part of it.
  EXPECT_EQ(fine["total"]["cycles"], report["total"]["cycles"]);
  EXPECT_EQ(fine["total"]["energy_pj"], report["total"]["energy_pj"]);
  EXPECT_EQ(fine["total"]["energy_by_component"], report["total"]["energy_by_component"]);
  // Shorter windows cannot average a peak away.
  EXPECT_GE(fine["total"]["peak_power_w"].get<double>(), report["total"]["peak_power_w"].get<double>());
  const PowerCsv fine_csv = read_power_csv(dir / "fine" / "power.csv");
  const int64_t cycles = report["total"]["cycles"].get<int64_t>();
  EXPECT_EQ(static_cast<int64_t>(fine_csv.rows.size()), (cycles + 2499) / 2500);
  EXPECT_NE(fine_csv.rows.size(), csv.rows.size());
  {
    SCOPED_TRACE("power_window_cycles 2500");
    check_power_trace(fine, fine_csv);
  }
}

TEST(EnergyCli, StaticPowerIsPowerTimesTime) {
  const auto dir = fresh_dir("energy_cli_static");
  const std::string stat =
      "--set energy.static_power_mw.array=100 --set energy.static_power_mw.scratchpads=300 "
      "--set energy.static_power_mw.control=50";
  const Json none = run_report(dir, "none");
  const Json with = run_report(dir, "with", stat);
  ASSERT_FALSE(none.is_null());
  ASSERT_FALSE(with.is_null());
  EXPECT_EQ(with["config"]["energy"]["static_power_mw"]["array"].get<double>(), 100.0);

  // Static power changes the energy, never the timing or the dynamic energy.
  const auto check_pair = [](const Json& rep, const Json& r, const Json& b, double ifmap_share,
                             double weight_share, double ofmap_share, const std::string& where) {
    ASSERT_EQ(r["cycles"], b["cycles"]) << where;
    const double ns = ns_of(rep, r);
    EXPECT_TRUE(near_rel(r["energy_static_pj"].get<double>(), (100.0 + 300.0 + 50.0) * ns, 1e-9)) << where;
    EXPECT_TRUE(near_rel(r["energy_dynamic_pj"].get<double>(), b["energy_dynamic_pj"].get<double>(), 1e-12))
        << where;
    EXPECT_TRUE(near_rel(r["energy_pj"].get<double>() - b["energy_pj"].get<double>(), 450.0 * ns, 1e-9))
        << where;
    EXPECT_TRUE(near_rel(comp(r, "array") - comp(b, "array"), 100.0 * ns, 1e-9)) << where << ": array";
    EXPECT_TRUE(
        near_rel(comp(r, "scratchpad.ifmap") - comp(b, "scratchpad.ifmap"), ifmap_share * 300.0 * ns, 1e-9))
        << where << ": scratchpad.ifmap";
    EXPECT_TRUE(near_rel(comp(r, "scratchpad.weight") - comp(b, "scratchpad.weight"),
                         weight_share * 300.0 * ns, 1e-9))
        << where << ": scratchpad.weight";
    EXPECT_TRUE(
        near_rel(comp(r, "scratchpad.ofmap") - comp(b, "scratchpad.ofmap"), ofmap_share * 300.0 * ns, 1e-9))
        << where << ": scratchpad.ofmap";
    EXPECT_EQ(comp(b, "control"), 0.0) << where;
    EXPECT_TRUE(near_rel(comp(r, "control"), 50.0 * ns, 1e-9)) << where << ": control";
    // Vector static power was left at 0; DRAM and the clock tree carry no static power.
    EXPECT_EQ(comp(r, "vector"), comp(b, "vector")) << where;
    EXPECT_EQ(comp(r, "dram"), comp(b, "dram")) << where;
    EXPECT_EQ(comp(r, "clock_tree"), comp(b, "clock_tree")) << where;
  };

  // Default: three 256 KiB scratchpads share 300 mW in equal thirds.
  check_pair(with, with["total"], none["total"], 1.0 / 3, 1.0 / 3, 1.0 / 3, "total");
  ASSERT_EQ(with["layers"].size(), none["layers"].size());
  for (size_t i = 0; i < with["layers"].size(); ++i) {
    check_pair(with, with["layers"][i], none["layers"][i], 1.0 / 3, 1.0 / 3, 1.0 / 3,
               "layers[" + std::to_string(i) + "]");
  }
  // power.csv: the control column is exactly its static power, 50 mW, in every window.
  const PowerCsv csv = read_power_csv(dir / "with" / "power.csv");
  check_power_trace(with, csv);
  for (size_t i = 0; i < csv.rows.size(); ++i) {
    EXPECT_TRUE(near_rel(csv.rows[i][9], 0.05, 1e-8)) << "control_w, row " << i;
  }

  // A 512 KiB ifmap scratchpad takes half of the scratchpads' static power: 2:1:1.
  const std::string big = "--set core.scratchpads.ifmap.capacity_kib=512";
  const Json big_none = run_report(dir, "big_none", big);
  const Json big_with = run_report(dir, "big_with", big + " " + stat);
  ASSERT_FALSE(big_none.is_null());
  ASSERT_FALSE(big_with.is_null());
  check_pair(big_with, big_with["total"], big_none["total"], 0.5, 0.25, 0.25, "512 KiB ifmap, total");
  for (size_t i = 0; i < big_with["layers"].size(); ++i) {
    check_pair(big_with, big_with["layers"][i], big_none["layers"][i], 0.5, 0.25, 0.25,
               "512 KiB ifmap, layers[" + std::to_string(i) + "]");
  }
}

TEST(EnergyCli, RepricingWithTheSameTableIsByteIdentical) {
  const auto dir = fresh_dir("energy_cli_same_table");
  ASSERT_FALSE(run_report(dir, "run").is_null());
  // The default table is the run's own (7nm); naming it changes nothing either.
  ASSERT_FALSE(reprice(dir, dir / "run", "again").is_null());
  ASSERT_FALSE(reprice(dir, dir / "run" / "report.json", "named", "--table 7nm").is_null());
  const std::string report = read_file(dir / "run" / "report.json");
  const std::string power = read_file(dir / "run" / "power.csv");
  ASSERT_FALSE(report.empty());
  ASSERT_FALSE(power.empty());
  EXPECT_TRUE(read_file(dir / "again" / "report.json") == report)
      << "re-priced report.json differs from the run's";
  EXPECT_TRUE(read_file(dir / "again" / "power.csv") == power)
      << "re-priced power.csv differs from the run's";
  EXPECT_TRUE(read_file(dir / "named" / "report.json") == report) << "--table 7nm report.json differs";
  EXPECT_TRUE(read_file(dir / "named" / "power.csv") == power) << "--table 7nm power.csv differs";
}

// Re-prices DIR/run with a copy of arch/energy/7nm.yaml in which `from` is replaced by `to`.
Json reprice_edited(const fs::path& dir, const std::string& name, const std::string& from,
                    const std::string& to) {
  std::string table = read_file(fs::path(SYSTOLE_SOURCE_DIR) / "arch" / "energy" / "7nm.yaml");
  const size_t at = table.find(from);
  EXPECT_NE(at, std::string::npos) << "7nm.yaml has no '" << from << "'";
  if (at == std::string::npos) return Json();
  EXPECT_EQ(table.find(from, at + 1), std::string::npos) << "'" << from << "' is not unique";
  table.replace(at, from.size(), to);
  const fs::path path = dir / (name + ".yaml");
  write_file(path, table);
  Json r = reprice(dir, dir / "run", name, "--table " + q(path));
  if (!r.is_null()) {
    EXPECT_EQ(r["energy"]["table"], path.string());
    EXPECT_EQ(r["energy"]["node"], "7nm");
  }
  return r;
}

TEST(EnergyCli, ChangingTheTableChangesExactlyTheExpectedEntries) {
  const auto dir = fresh_dir("energy_cli_edited");
  const Json run = run_report(dir, "run");
  ASSERT_FALSE(run.is_null());
  ASSERT_EQ(run["energy"]["dram_standard"], "LPDDR4");

  // An unedited copy prices exactly as the named table; only the table's name differs.
  const Json copy = reprice_edited(dir, "copy", "schema_version: 1", "schema_version: 1");
  ASSERT_FALSE(copy.is_null());
  EXPECT_EQ(copy["energy"]["table_sha256"], run["energy"]["table_sha256"]);
  EXPECT_EQ(copy["total"], run["total"]);
  EXPECT_EQ(copy["layers"], run["layers"]);

  // LPDDR4 at 15 pJ/bit instead of 7.5: only dram (and the totals) change, by exactly 2x.
  const Json dram =
      reprice_edited(dir, "dram", "{standard: LPDDR4, value: 7.5,", "{standard: LPDDR4, value: 15,");
  ASSERT_FALSE(dram.is_null());
  EXPECT_NE(dram["energy"]["table_sha256"], run["energy"]["table_sha256"]);
  const auto check_dram = [](const Json& r, const Json& b, const std::string& where) {
    for (const auto& name : kOnChip) EXPECT_EQ(comp(r, name), comp(b, name)) << where << ": " << name;
    if (comp(b, "dram") > 0) {
      EXPECT_TRUE(near_rel(comp(r, "dram") / comp(b, "dram"), 2.0, 1e-12)) << where << ": dram ratio";
      EXPECT_GT(r["energy_pj"].get<double>(), b["energy_pj"].get<double>()) << where;
      if (r["macs"].get<double>() > 0) {
        EXPECT_LT(r["tops_per_w"].get<double>(), b["tops_per_w"].get<double>()) << where;
      }
    } else {
      EXPECT_EQ(comp(r, "dram"), 0.0) << where;
    }
    // 8 bits per byte moved, at the edited price.
    const double bytes =
        r["actions"]["dram_read_bytes"].get<double>() + r["actions"]["dram_write_bytes"].get<double>();
    EXPECT_TRUE(near_rel(comp(r, "dram"), 8.0 * bytes * 15.0, 1e-12)) << where << ": dram = 8 x bytes x 15";
    EXPECT_TRUE(near_rel(r["energy_pj"].get<double>() - b["energy_pj"].get<double>(),
                         comp(r, "dram") - comp(b, "dram"), 1e-9))
        << where << ": the total changes by the dram difference";
    EXPECT_EQ(r["cycles"], b["cycles"]) << where;
    EXPECT_EQ(r["gops"], b["gops"]) << where;
  };
  check_dram(dram["total"], run["total"], "total");
  ASSERT_EQ(dram["layers"].size(), run["layers"].size());
  for (size_t i = 0; i < run["layers"].size(); ++i) {
    check_dram(dram["layers"][i], run["layers"][i], "layers[" + std::to_string(i) + "]");
  }
  EXPECT_GT(comp(dram["total"], "dram"), 0.0);

  // The int8 MAC at 0.20 pJ instead of 0.10: array and clock_tree change, nothing else does.
  const Json mac = reprice_edited(dir, "mac", "{input: int8, weight: int8, accumulate: int32, value: 0.10,",
                                  "{input: int8, weight: int8, accumulate: int32, value: 0.20,");
  ASSERT_FALSE(mac.is_null());
  const double share = 0.33;  // 7nm clock_tree_share
  const auto check_mac = [&](const Json& r, const Json& b, const std::string& where) {
    for (const char* name :
         {"scratchpad.ifmap", "scratchpad.weight", "scratchpad.ofmap", "vector", "control", "dram"}) {
      EXPECT_EQ(comp(r, name), comp(b, name)) << where << ": " << name;
    }
    const double macs = r["macs"].get<double>();
    // array = MACs x mac + shifted bytes x register_shift: the difference is MACs x 0.10 pJ.
    EXPECT_TRUE(near_rel(comp(r, "array") - comp(b, "array"), macs * 0.10, 1e-9)) << where << ": array";
    EXPECT_TRUE(
        near_rel(comp(r, "clock_tree") - comp(b, "clock_tree"), share / (1 - share) * macs * 0.10, 1e-9))
        << where << ": clock_tree";
    if (macs > 0) {
      EXPECT_GT(comp(r, "array"), comp(b, "array")) << where;
      EXPECT_GT(comp(r, "clock_tree"), comp(b, "clock_tree")) << where;
    } else {
      EXPECT_EQ(r["energy_by_component"], b["energy_by_component"]) << where;
    }
  };
  check_mac(mac["total"], run["total"], "total");
  ASSERT_EQ(mac["layers"].size(), run["layers"].size());
  for (size_t i = 0; i < run["layers"].size(); ++i) {
    check_mac(mac["layers"][i], run["layers"][i], "layers[" + std::to_string(i) + "]");
  }
  EXPECT_GT(mac["total"]["macs"].get<double>(), 0.0);
}

TEST(EnergyCli, TheTwoFortyFiveNanometreTablesPriceTheSameCountsDifferently) {
  // 45nm (Horowitz) and 45nm-accelergy (Aladdin, CACTI 7) share a node; the summary names the
  // table, and the array, priced per MAC 0.3 against 1.00375 pJ (and per byte-hop 0.03 against
  // 0.072), costs more with the second on the same counts. DRAM: LPDDR4 at 7.5 and 8 pJ/bit.
  const auto dir = fresh_dir("energy_cli_accelergy");
  const Json run = run_report(dir, "run");
  ASSERT_FALSE(run.is_null());
  const Json h = reprice(dir, dir / "run", "horowitz", "--table 45nm");
  const auto r = run_systole(
      "energy --report " + q(dir / "run") + " --out " + q(dir / "accelergy") + " --table 45nm-accelergy",
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("45nm-accelergy table at 45nm"), std::string::npos) << r.out;
  const Json a = Json::parse(read_file(dir / "accelergy" / "report.json"));
  EXPECT_EQ(a["energy"]["table"], "45nm-accelergy");
  EXPECT_EQ(a["energy"]["node"], "45nm");
  const Json& act = run["total"]["actions"];
  const double macs = act["macs"].get<double>(), shifts = act["register_shift_bytes"].get<double>();
  EXPECT_NEAR(comp(h["total"], "array"), macs * 0.3 + shifts * 0.03, 1e-6 * comp(h["total"], "array"));
  EXPECT_NEAR(comp(a["total"], "array"), macs * 1.00375 + shifts * 0.072, 1e-6 * comp(a["total"], "array"));
  EXPECT_NEAR(comp(a["total"], "dram") / comp(h["total"], "dram"), 8.0 / 7.5, 1e-9);
  EXPECT_LT(a["total"]["tops_per_w"].get<double>(), h["total"]["tops_per_w"].get<double>());
  EXPECT_EQ(a["total"]["cycles"], h["total"]["cycles"]);
}

TEST(EnergyCli, FortyFiveNanometreCostsMoreThanSeven) {
  const auto dir = fresh_dir("energy_cli_45nm");
  const Json run = run_report(dir, "run");
  ASSERT_FALSE(run.is_null());
  const Json old = reprice(dir, dir / "run", "45nm", "--table 45nm");
  ASSERT_FALSE(old.is_null());
  EXPECT_EQ(old["energy"]["table"], "45nm");
  EXPECT_EQ(old["energy"]["node"], "45nm");
  EXPECT_NE(old["energy"]["table_sha256"], run["energy"]["table_sha256"]);
  // The run's configuration is kept as it was; only the pricing changes.
  EXPECT_EQ(old["config"], run["config"]);
  const auto check = [](const Json& r45, const Json& r7, const std::string& where) {
    for (const auto& name : kOnChip) EXPECT_GE(comp(r45, name), comp(r7, name)) << where << ": " << name;
    EXPECT_EQ(comp(r45, "dram"), comp(r7, "dram")) << where << ": DRAM is not node-scaled";
    EXPECT_EQ(r45["cycles"], r7["cycles"]) << where;
    if (r7["energy_pj"].get<double>() > comp(r7, "dram")) {
      EXPECT_GT(r45["energy_pj"].get<double>(), r7["energy_pj"].get<double>()) << where;
    }
  };
  check(old["total"], run["total"], "total");
  EXPECT_GT(old["total"]["energy_pj"].get<double>(), run["total"]["energy_pj"].get<double>());
  EXPECT_GT(comp(old["total"], "array"), comp(run["total"], "array"));
  EXPECT_GT(comp(old["total"], "scratchpad.ifmap"), comp(run["total"], "scratchpad.ifmap"));
  EXPECT_LT(old["total"]["tops_per_w"].get<double>(), run["total"]["tops_per_w"].get<double>());
  ASSERT_EQ(old["layers"].size(), run["layers"].size());
  for (size_t i = 0; i < run["layers"].size(); ++i) {
    check(old["layers"][i], run["layers"][i], "layers[" + std::to_string(i) + "]");
  }
  check_power_trace(old, read_power_csv(dir / "45nm" / "power.csv"));
}

TEST(EnergyCli, DramStandardFollowsThePreset) {
  const auto dir = fresh_dir("energy_cli_hbm2");
  const Json report = run_report(dir, "run", "--set dram.kind=cycle --set dram.preset=hbm2");
  ASSERT_FALSE(report.is_null());
  EXPECT_EQ(report["memory"]["dram"]["standard"], "HBM2");
  EXPECT_EQ(report["energy"]["dram_standard"], "HBM2");
  const auto check = [](const Json& r, const std::string& where) {
    const double bytes =
        r["actions"]["dram_read_bytes"].get<double>() + r["actions"]["dram_write_bytes"].get<double>();
    EXPECT_TRUE(near_rel(comp(r, "dram"), 8.0 * bytes * 5.46875, 1e-12))
        << where << ": dram = 8 x bytes x 5.46875";
  };
  check(report["total"], "total");
  EXPECT_GT(comp(report["total"], "dram"), 0.0);
  for (size_t i = 0; i < report["layers"].size(); ++i)
    check(report["layers"][i], "layers[" + std::to_string(i) + "]");
  // The total's DRAM bytes are the device's.
  EXPECT_EQ(report["total"]["actions"]["dram_read_bytes"].get<double>(),
            report["memory"]["dram"]["read_bytes"].get<double>());
  EXPECT_EQ(report["total"]["actions"]["dram_write_bytes"].get<double>(),
            report["memory"]["dram"]["write_bytes"].get<double>());
}

TEST(EnergyCli, ErrorsExitTwoWithUsefulMessages) {
  const auto dir = fresh_dir("energy_cli_errors");
  const auto contains = [](const std::string& text, const std::string& what) {
    return text.find(what) != std::string::npos;
  };

  {  // Unknown table name in the configuration.
    const auto r =
        run_systole("run -a default -w resnet18 -q -o " + q(dir / "t3nm") + " --set energy.table=3nm", dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "energy.table")) << r.err;
    EXPECT_TRUE(contains(r.err, "45nm")) << r.err;
    EXPECT_TRUE(contains(r.err, "7nm")) << r.err;
    EXPECT_FALSE(fs::exists(dir / "t3nm" / "report.json"));
  }
  {  // A cycle-level DDR4 device priced as HBM2.
    const auto r = run_systole("run -a default -w resnet18 -q -o " + q(dir / "contra") +
                                   " --set dram.kind=cycle --set energy.dram_standard=HBM2",
                               dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "energy.dram_standard")) << r.err;
    EXPECT_TRUE(contains(r.err, "DDR4")) << r.err;
    EXPECT_FALSE(fs::exists(dir / "contra" / "report.json"));
  }

  ASSERT_FALSE(run_report(dir, "run").is_null());
  const std::string good = read_file(dir / "run" / "report.json");

  {  // No such report.
    const auto r =
        run_systole("energy --report " + q(dir / "missing.json") + " --out " + q(dir / "o_missing"), dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "missing.json")) << r.err;
    EXPECT_FALSE(fs::exists(dir / "o_missing"));
  }
  {  // Not JSON.
    write_file(dir / "notjson" / "report.json", "layers: [1, 2]\n");
    const auto r =
        run_systole("energy --report " + q(dir / "notjson") + " --out " + q(dir / "o_notjson"), dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "report.json")) << r.err;
    EXPECT_TRUE(contains(r.err, "JSON")) << r.err;
    EXPECT_FALSE(fs::exists(dir / "o_notjson"));
  }
  {  // total.actions deleted.
    Json report = Json::parse(good);
    report["total"].erase("actions");
    write_file(dir / "noactions" / "report.json", report.dump(2));
    const auto r = run_systole(
        "energy --report " + q(dir / "noactions" / "report.json") + " --out " + q(dir / "o_noactions"), dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "total")) << r.err;
    EXPECT_TRUE(contains(r.err, "actions")) << r.err;
    EXPECT_FALSE(fs::exists(dir / "o_noactions"));
  }
  {  // A layer's MAC count deleted: named with the layer.
    Json report = Json::parse(good);
    report["layers"][1]["actions"].erase("macs");
    write_file(dir / "nomacs" / "report.json", report.dump(2));
    const auto r = run_systole("energy --report " + q(dir / "nomacs") + " --out " + q(dir / "o_nomacs"), dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "layers[1]")) << r.err;
    EXPECT_TRUE(contains(r.err, "macs")) << r.err;
    EXPECT_FALSE(fs::exists(dir / "o_nomacs"));
  }
  {  // Unknown table.
    const auto r = run_systole(
        "energy --report " + q(dir / "run") + " --table nonsense --out " + q(dir / "o_table"), dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "nonsense")) << r.err;
    EXPECT_FALSE(fs::exists(dir / "o_table"));
  }
  // None of the failures touched the run.
  EXPECT_TRUE(read_file(dir / "run" / "report.json") == good);
}

TEST(EnergyCli, Deterministic) {
  const auto dir = fresh_dir("energy_cli_determinism");
  const std::string stat = "--set energy.static_power_mw.array=20 --set energy.power_window_cycles=3000";
  ASSERT_FALSE(run_report(dir, "run", stat).is_null());
  const std::string report = read_file(dir / "run" / "report.json");
  const std::string power = read_file(dir / "run" / "power.csv");
  fs::remove_all(dir / "run");
  ASSERT_FALSE(run_report(dir, "run", stat).is_null());
  EXPECT_TRUE(read_file(dir / "run" / "report.json") == report) << "report.json differs between two runs";
  EXPECT_TRUE(read_file(dir / "run" / "power.csv") == power) << "power.csv differs between two runs";

  ASSERT_FALSE(reprice(dir, dir / "run", "r45", "--table 45nm").is_null());
  const std::string r45 = read_file(dir / "r45" / "report.json");
  const std::string p45 = read_file(dir / "r45" / "power.csv");
  fs::remove_all(dir / "r45");
  ASSERT_FALSE(reprice(dir, dir / "run", "r45", "--table 45nm").is_null());
  EXPECT_TRUE(read_file(dir / "r45" / "report.json") == r45)
      << "re-priced report.json differs between two runs";
  EXPECT_TRUE(read_file(dir / "r45" / "power.csv") == p45) << "re-priced power.csv differs between two runs";
}

TEST(EnergyCli, JsonOutputOfEnergyCommand) {
  const auto dir = fresh_dir("energy_cli_json");
  const Json run = run_report(dir, "run");
  ASSERT_FALSE(run.is_null());
  const Json repriced = reprice(dir, dir / "run", "r45", "--table 45nm");
  ASSERT_FALSE(repriced.is_null());
  const std::string before = read_file(dir / "run" / "report.json");
  const auto r = run_systole("energy --report " + q(dir / "run") + " --table 45nm --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out;
  ASSERT_NO_THROW(out = Json::parse(r.out)) << r.out;
  ASSERT_TRUE(out.is_object()) << r.out;
  EXPECT_EQ(out["energy_pj"], repriced["total"]["energy_pj"]);
  EXPECT_NE(out["energy_pj"], run["total"]["energy_pj"]);
  EXPECT_EQ(out["energy_by_component"], repriced["total"]["energy_by_component"]);
  EXPECT_EQ(out["energy"]["node"], "45nm");
  EXPECT_EQ(out["energy"]["table"], "45nm");
  Json expected = repriced["total"];
  expected["energy"] = repriced["energy"];
  EXPECT_EQ(out, expected);
  // Re-pricing never rewrites the run it reads.
  EXPECT_TRUE(read_file(dir / "run" / "report.json") == before);
}

}  // namespace
}  // namespace systole
