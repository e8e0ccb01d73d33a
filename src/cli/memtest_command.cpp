// `systole memtest`: the cycle-level DRAM model alone under synthetic traffic (dram/memtest.h),
// reported as a table or as JSON.
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "systole/common/error.h"
#include "systole/config/dram_spec.h"
#include "systole/dram/memtest.h"

namespace po = boost::program_options;

namespace systole::cli {
namespace {

struct MemtestArgs {
  std::string preset;
  std::string pattern = "sequential";
  int64_t requests = 100000;
  double read_ratio = 1.0;
  int64_t channels = 0;
  std::string page_policy = "open";
  std::string mapping = "RoCoBaRaCh";
  int64_t queue_depth = 32;
  int64_t outstanding = 0;
  int64_t stride = 0;
  uint64_t seed = 1;
  bool no_refresh = false;
  bool json = false;
};

std::string choices(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// Options -> model inputs; every bad value is a UserError naming the option, the value and what
// was expected (exit 2).
dram::MemtestOptions to_options(const MemtestArgs& a) {
  dram::MemtestOptions o;
  if (!dram::parse_pattern(a.pattern, &o.pattern)) {
    throw UserError(
        fmt::format("--pattern = '{}': must be one of {}", a.pattern, choices(dram::pattern_names())));
  }
  if (a.requests < 1) throw UserError(fmt::format("--requests = '{}': must be an integer >= 1", a.requests));
  if (!(a.read_ratio >= 0.0 && a.read_ratio <= 1.0)) {
    throw UserError(fmt::format("--read-ratio = '{}': must be a fraction in [0, 1]", a.read_ratio));
  }
  if (!parse_dram_page_policy(a.page_policy, &o.controller.page_policy)) {
    throw UserError(fmt::format("--page-policy = '{}': must be one of {}", a.page_policy,
                                choices(dram_page_policy_names())));
  }
  if (!parse_dram_address_mapping(a.mapping, &o.controller.mapping)) {
    throw UserError(
        fmt::format("--mapping = '{}': must be one of {}", a.mapping, choices(dram_address_mapping_names())));
  }
  if (a.queue_depth < 1) {
    throw UserError(fmt::format("--queue-depth = '{}': must be an integer >= 1", a.queue_depth));
  }
  if (a.outstanding < 0) {
    throw UserError(
        fmt::format("--outstanding = '{}': must be 0 (queue depth x channels) or more", a.outstanding));
  }
  if (a.stride < 0)
    throw UserError(fmt::format("--stride = '{}': must be 0 (one row) or more bytes", a.stride));
  o.requests = a.requests;
  o.read_ratio = a.read_ratio;
  o.controller.queue_depth = a.queue_depth;
  o.controller.refresh = !a.no_refresh;
  o.outstanding = a.outstanding;
  o.stride_bytes = a.stride;
  o.seed = a.seed;
  return o;
}

nlohmann::ordered_json to_json(const DramDeviceSpec& d, const dram::MemtestOptions& o,
                               const dram::MemtestResult& r) {
  nlohmann::ordered_json j;
  j["preset"] = d.name;
  j["standard"] = d.standard;
  j["channels"] = d.org.channels;
  j["page_policy"] = to_string(o.controller.page_policy);
  j["address_mapping"] = to_string(o.controller.mapping);
  j["queue_depth"] = o.controller.queue_depth;
  j["refresh"] = o.controller.refresh;
  j["pattern"] = dram::to_string(o.pattern);
  j["read_ratio"] = o.read_ratio;
  j["seed"] = o.seed;
  j["requests"] = r.requests;
  j["bytes"] = r.bytes;
  j["elapsed_ns"] = r.elapsed_ns;
  j["bandwidth_gbps"] = r.bandwidth_gbps;
  j["peak_gbps"] = r.peak_gbps;
  j["pct_of_peak"] = r.pct_of_peak;
  j["latency_avg_ns"] = r.latency_avg_ns;
  j["latency_p50_ns"] = r.latency_p50_ns;
  j["latency_p99_ns"] = r.latency_p99_ns;
  j["latency_max_ns"] = r.latency_max_ns;
  j["row_hit_rate"] = r.row_hit_rate;
  nlohmann::ordered_json commands;
  for (int c = 0; c < dram::kCommandCount; ++c) {
    commands[dram::to_string(static_cast<dram::Command>(c))] = r.commands[c];
  }
  j["commands"] = commands;
  return j;
}

std::string to_table(const DramDeviceSpec& d, const dram::MemtestOptions& o, const dram::MemtestResult& r) {
  std::string commands;
  for (int c = 0; c < dram::kCommandCount; ++c) {
    commands += fmt::format("{}{} {}", c == 0 ? "" : "  ", dram::to_string(static_cast<dram::Command>(c)),
                            r.commands[c]);
  }
  return fmt::format(
      "memtest {} ({}, {} channel{}, {:.2f} GB/s peak; {} page, {}, queue {}{})\n"
      "  traffic     {} requests, {}, read ratio {:.2f}, {} B in {:.1f} ns\n"
      "  bandwidth   {:.2f} GB/s = {:.1f} % of peak\n"
      "  latency     avg {:.1f} ns, p50 {:.1f} ns, p99 {:.1f} ns, max {:.1f} ns\n"
      "  row hits    {:.1f} %\n"
      "  commands    {}\n",
      d.name, d.standard, d.org.channels, d.org.channels == 1 ? "" : "s", r.peak_gbps,
      to_string(o.controller.page_policy), to_string(o.controller.mapping), o.controller.queue_depth,
      o.controller.refresh ? "" : ", refresh off", r.requests, dram::to_string(o.pattern), o.read_ratio,
      r.bytes, r.elapsed_ns, r.bandwidth_gbps, r.pct_of_peak, r.latency_avg_ns, r.latency_p50_ns,
      r.latency_p99_ns, r.latency_max_ns, 100.0 * r.row_hit_rate, commands);
}

}  // namespace

int memtest_command(const std::vector<std::string>& args) {
  MemtestArgs a;
  po::options_description desc("memtest options");
  desc.add_options()("help,h", "show this help")(
      "dram,d", po::value(&a.preset)->required(),
      "DRAM preset: ddr4-3200, lpddr4-4266, lpddr5-6400, hbm2 (arch/dram/), or a preset file")(
      "pattern,p", po::value(&a.pattern)->default_value("sequential"), "sequential, random or strided")(
      "requests,n", po::value(&a.requests)->default_value(100000), "requests to simulate (one burst each)")(
      "read-ratio,r", po::value(&a.read_ratio)->default_value(1.0), "fraction of reads, 0..1")(
      "channels", po::value(&a.channels)->default_value(0), "channels (0: the preset's)")(
      "page-policy", po::value(&a.page_policy)->default_value("open"), "open or closed")(
      "mapping", po::value(&a.mapping)->default_value("RoCoBaRaCh"),
      "address mapping: RoCoBaRaCh, RoBaRaCoCh or ChRaBaRoCo")(
      "queue-depth", po::value(&a.queue_depth)->default_value(32), "request queue entries per channel")(
      "outstanding", po::value(&a.outstanding)->default_value(0),
      "requests in flight (0: queue depth x channels)")(
      "stride", po::value(&a.stride)->default_value(0),
      "bytes between requests of the strided pattern (0: one row)")(
      "seed", po::value(&a.seed)->default_value(1), "seed of the random pattern and the read/write choice")(
      "no-refresh", po::bool_switch(&a.no_refresh), "turn refresh off (experiments only)")(
      "json", po::bool_switch(&a.json), "print the results as JSON");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: systole memtest --dram PRESET [options]\n\n" << desc;
    return 0;
  }
  po::notify(vm);

  const dram::MemtestOptions options = to_options(a);
  DramDeviceSpec device = load_dram_preset(dram_preset_path(a.preset, ""));
  if (a.channels < 0 || (a.channels & (a.channels - 1)) != 0) {
    throw UserError(fmt::format("--channels = '{}': must be 0 (the preset's) or a power of two", a.channels));
  }
  if (a.channels > 0) device.org.channels = a.channels;
  const dram::MemtestResult result = dram::run_memtest(device, options);
  std::cout << (a.json ? to_json(device, options, result).dump(2) + "\n" : to_table(device, options, result));
  return 0;
}

}  // namespace systole::cli
