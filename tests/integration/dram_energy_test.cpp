// DRAM energy from IDD currents as a user meets it (docs/energy.md): a preset with datasheet
// currents (ddr4-3200) prices a row-miss-heavy run (closed page with a one-entry queue: an ACT and
// a precharge for every access) above a streaming one (open page) for the same bytes, while a preset without
// currents (lpddr5-6400) prices both the same per bit; report.json carries everything the DRAM energy is
// computed from, power.csv still integrates to the total, and `systole energy` re-prices an IDD run
// byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>

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

// `rows`: "streaming" (open page, default queue) or "miss" (closed page, queue of one, so that no
// queued request can keep a row open: every access activates its row).
Json run(const fs::path& dir, const std::string& name, const std::string& preset, const std::string& rows) {
  const std::string policy = rows == "miss" ? " --set dram.page_policy=closed --set dram.queue_depth=1"
                                            : " --set dram.page_policy=open";
  const auto r = run_systole("run -a default -w resnet18 -q -o " + q(dir / name) +
                                 " --set dram.kind=cycle --set dram.preset=" + preset + policy,
                             dir);
  EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
  if (r.exit_code != 0) return Json();
  return Json::parse(read_file(dir / name / "report.json"));
}

double dram_pj(const Json& record) {
  return record["energy_by_component"]["dram"].get<double>();
}

// The DRAM energy recomputed by hand from report.json: commands x per-command energies plus
// standby time x standby power (pJ = mW x ns).
double recomputed_idd_pj(const Json& report) {
  const Json& d = report["memory"]["dram"];
  const Json& e = d["idd"]["command_pj"];
  const Json& n = d["commands"];
  return n["ACT"].get<double>() * e["ACT_PRE"].get<double>() + n["RD"].get<double>() * e["RD"].get<double>() +
         n["WR"].get<double>() * e["WR"].get<double>() + n["REF"].get<double>() * e["REF"].get<double>() +
         d["active_standby_ns"].get<double>() * d["idd"]["active_standby_mw"].get<double>() +
         d["precharged_standby_ns"].get<double>() * d["idd"]["precharged_standby_mw"].get<double>();
}

TEST(DramEnergy, RowMissHeavyCostsMoreFromCurrentsButTheSamePerBit) {
  const auto dir = fresh_dir("dram_energy_pages");
  const Json open = run(dir, "ddr4_open", "ddr4-3200", "streaming");
  const Json closed = run(dir, "ddr4_closed", "ddr4-3200", "miss");
  ASSERT_FALSE(open.is_null());
  ASSERT_FALSE(closed.is_null());
  for (const Json* r : {&open, &closed}) {
    const Json& d = (*r)["memory"]["dram"];
    EXPECT_EQ(d["energy_model"], "idd");
    EXPECT_EQ(d["idd"]["devices_per_rank"], 8);
    EXPECT_NE(d["idd"]["source"].get<std::string>().find("MT40A1G8"), std::string::npos);
    // The run's DRAM energy is exactly what its counts and the per-command energies give.
    EXPECT_TRUE(near_rel(dram_pj((*r)["total"]), recomputed_idd_pj(*r), 1e-12));
    EXPECT_TRUE(near_rel(d["energy_pj"]["total"].get<double>(), dram_pj((*r)["total"]), 1e-12));
    // Standby time covers the run once per rank (one rank), to within one DRAM clock.
    const double ns =
        (*r)["total"]["cycles"].get<double>() * 1000.0 / (*r)["config"]["core"]["clock_mhz"].get<double>();
    EXPECT_NEAR(d["active_standby_ns"].get<double>() + d["precharged_standby_ns"].get<double>(), ns, 0.625);
    EXPECT_GT(d["active_standby_ns"].get<double>(), 0.0);
  }
  const Json& od = open["memory"]["dram"];
  const Json& cd = closed["memory"]["dram"];
  // Same traffic, different row behaviour.
  ASSERT_EQ(open["total"]["actions"]["dram_read_bytes"], closed["total"]["actions"]["dram_read_bytes"]);
  ASSERT_EQ(open["total"]["actions"]["dram_write_bytes"], closed["total"]["actions"]["dram_write_bytes"]);
  const double accesses = od["commands"]["RD"].get<double>() + od["commands"]["WR"].get<double>();
  EXPECT_LT(od["commands"]["ACT"].get<double>(), 0.1 * accesses);  // streaming: mostly row hits
  EXPECT_GE(cd["commands"]["ACT"].get<double>(), accesses);        // every access activates
  EXPECT_GT(cd["energy_pj"]["ACT_PRE"].get<double>(), 10 * od["energy_pj"]["ACT_PRE"].get<double>());
  EXPECT_EQ(cd["energy_pj"]["RD"], od["energy_pj"]["RD"]);  // one RD per atom either way
  // Command energy (ACT+PRE, RD, WR) is higher for the row-miss-heavy run, and so is the whole.
  const auto traffic = [](const Json& d) {
    return d["energy_pj"]["ACT_PRE"].get<double>() + d["energy_pj"]["RD"].get<double>() +
           d["energy_pj"]["WR"].get<double>();
  };
  EXPECT_GT(traffic(cd), 1.5 * traffic(od));
  EXPECT_GT(dram_pj(closed["total"]), dram_pj(open["total"]));

  // lpddr5-6400 has no public currents: per bit, so the two page policies cost the same.
  const Json lp_open = run(dir, "lp5_open", "lpddr5-6400", "streaming");
  const Json lp_closed = run(dir, "lp5_closed", "lpddr5-6400", "miss");
  ASSERT_FALSE(lp_open.is_null());
  ASSERT_FALSE(lp_closed.is_null());
  EXPECT_EQ(lp_open["memory"]["dram"]["energy_model"], "per_bit");
  EXPECT_FALSE(lp_open["memory"]["dram"].contains("idd"));
  EXPECT_FALSE(lp_open["memory"]["dram"].contains("energy_pj"));
  EXPECT_GT(lp_closed["memory"]["dram"]["commands"]["ACT"].get<double>(),
            4 * lp_open["memory"]["dram"]["commands"]["ACT"].get<double>());
  EXPECT_EQ(dram_pj(lp_open["total"]), dram_pj(lp_closed["total"]));
  const double bytes = lp_open["total"]["actions"]["dram_read_bytes"].get<double>() +
                       lp_open["total"]["actions"]["dram_write_bytes"].get<double>();
  EXPECT_TRUE(near_rel(dram_pj(lp_open["total"]), 8.0 * bytes * 5.3, 1e-12));
}

TEST(DramEnergy, PowerTraceIntegratesAndRepricingIsByteIdentical) {
  const auto dir = fresh_dir("dram_energy_reprice");
  const Json report = run(dir, "run", "lpddr4-4266", "streaming");
  ASSERT_FALSE(report.is_null());
  ASSERT_EQ(report["memory"]["dram"]["energy_model"], "idd");

  // power.csv: sum of total_w x window time == total.energy_pj; the DRAM column likewise.
  std::istringstream csv(read_file(dir / "run" / "power.csv"));
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  const double mhz = report["config"]["core"]["clock_mhz"].get<double>();
  double total_pj = 0.0, dram_integral_pj = 0.0;
  size_t rows = 0;
  while (std::getline(csv, line)) {
    std::vector<double> v;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) v.push_back(std::stod(cell));
    ASSERT_EQ(v.size(), 13u) << line;
    const double ns = (v[1] - v[0]) * 1000.0 / mhz;
    total_pj += v[12] * ns * 1000.0;  // W x ns = 1000 pJ
    dram_integral_pj += v[10] * ns * 1000.0;
    EXPECT_GT(v[10], 0.0) << "every window carries DRAM background power: " << line;
    ++rows;
  }
  ASSERT_GT(rows, 1u);
  EXPECT_TRUE(near_rel(total_pj, report["total"]["energy_pj"].get<double>(), 1e-6));
  EXPECT_TRUE(near_rel(dram_integral_pj, dram_pj(report["total"]), 1e-6));

  // Re-pricing with the run's own table reproduces both files byte for byte.
  auto r = run_systole("energy --report " + q(dir / "run") + " --out " + q(dir / "again"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(read_file(dir / "again" / "report.json") == read_file(dir / "run" / "report.json"));
  EXPECT_TRUE(read_file(dir / "again" / "power.csv") == read_file(dir / "run" / "power.csv"));
  EXPECT_NE(r.out.find("from IDD currents"), std::string::npos) << r.out;

  // Another table changes on-chip energy but not the IDD-priced DRAM energy.
  r = run_systole("energy --report " + q(dir / "run") + " --table 45nm --out " + q(dir / "n45"), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json n45 = Json::parse(read_file(dir / "n45" / "report.json"));
  EXPECT_EQ(dram_pj(n45["total"]), dram_pj(report["total"]));
  EXPECT_GT(n45["total"]["energy_pj"].get<double>(), report["total"]["energy_pj"].get<double>());
}

}  // namespace
}  // namespace systole
