// `systole memtest`: the cycle-level DRAM model alone under synthetic traffic (dram/memtest.h),
// reported as a table or as JSON.
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "systole/common/error.h"
#include "systole/config/dram_spec.h"
#include "systole/dram/memtest.h"

namespace po = boost::program_options;

namespace systole::cli {
namespace {

// Upper bounds of the numeric options, each with its reason (docs/dram.md, memtest):
// requests: one simulated request costs about 0.3 us of CPU (10^6 random requests on DDR4: 0.3 s)
//   and 8 bytes of latency record, so 10^7 ends in seconds and stays under 100 MB;
// queue depth and channels: the config schema's bounds for dram.queue_depth and dram.channels;
// outstanding: the schema's bound for requests in flight (core.dma.max_outstanding);
// stride: 2^40 B (1 TiB), above every preset's capacity (addresses wrap around the capacity).
constexpr int64_t kMaxRequests = 10'000'000;
constexpr int64_t kMaxQueueDepth = 4096;
constexpr int64_t kMaxChannels = 64;
constexpr int64_t kMaxOutstanding = 65536;
constexpr int64_t kMaxStride = int64_t{1} << 40;

struct MemtestArgs {
  std::string preset;
  std::string pattern = "sequential";
  std::string requests = "100000";
  std::string read_ratio = "1";
  std::string channels = "0";
  std::string page_policy = "open";
  std::string mapping = "RoCoBaRaCh";
  std::string queue_depth = "32";
  std::string scheduler = "frfcfs";
  std::string row_hit_cap = "4";
  std::string outstanding = "0";
  std::string stride = "0";
  std::string seed = "1";
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
  o.requests = integer_flag("--requests", a.requests, 1, kMaxRequests,
                            "requests beyond 10^7 would run for minutes and need GBs of latency records");
  o.read_ratio = real_flag("--read-ratio", a.read_ratio, 0.0, 1.0, "the fraction of reads");
  if (!parse_dram_page_policy(a.page_policy, &o.controller.page_policy)) {
    throw UserError(fmt::format("--page-policy = '{}': must be one of {}", a.page_policy,
                                choices(dram_page_policy_names())));
  }
  if (!parse_dram_address_mapping(a.mapping, &o.controller.mapping)) {
    throw UserError(
        fmt::format("--mapping = '{}': must be one of {}", a.mapping, choices(dram_address_mapping_names())));
  }
  o.controller.queue_depth = integer_flag("--queue-depth", a.queue_depth, 1, kMaxQueueDepth,
                                          "request queue entries per channel, as dram.queue_depth allows");
  if (!parse_dram_scheduler(a.scheduler, &o.controller.scheduler)) {
    throw UserError(
        fmt::format("--scheduler = '{}': must be one of {}", a.scheduler, choices(dram_scheduler_names())));
  }
  o.controller.row_hit_cap =
      integer_flag("--row-hit-cap", a.row_hit_cap, 1, 1024, "hits per open row, as dram.row_hit_cap allows");
  o.controller.refresh = !a.no_refresh;
  o.outstanding = integer_flag("--outstanding", a.outstanding, 0, kMaxOutstanding,
                               "0 means queue depth x channels; requests in flight");
  o.stride_bytes = integer_flag("--stride", a.stride, 0, kMaxStride,
                                "bytes; 0 means one row; 1 TiB exceeds every preset's capacity");
  if (o.stride_bytes != 0 && a.pattern != "strided") {
    throw UserError(fmt::format("--stride = '{}': only --pattern strided reads it (the pattern is '{}')",
                                a.stride, a.pattern));
  }
  o.seed = unsigned_flag("--seed", a.seed);
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
  j["scheduler"] = to_string(o.controller.scheduler);
  if (o.controller.scheduler == DramScheduler::kFrfcfsCap) j["row_hit_cap"] = o.controller.row_hit_cap;
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
      "memtest {} ({}, {} channel{}, {:.2f} GB/s peak; {} page, {}, queue {}, {}{})\n"
      "  traffic     {} requests, {}, read ratio {:.2f}, {} B in {:.1f} ns\n"
      "  bandwidth   {:.2f} GB/s = {:.1f} % of peak\n"
      "  latency     avg {:.1f} ns, p50 {:.1f} ns, p99 {:.1f} ns, max {:.1f} ns\n"
      "  row hits    {:.1f} %\n"
      "  commands    {}\n",
      d.name, d.standard, d.org.channels, d.org.channels == 1 ? "" : "s", r.peak_gbps,
      to_string(o.controller.page_policy), to_string(o.controller.mapping), o.controller.queue_depth,
      o.controller.scheduler == DramScheduler::kFrfcfsCap
          ? fmt::format("frfcfs_cap {}", o.controller.row_hit_cap)
          : std::string(to_string(o.controller.scheduler)),
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
      "requests,n", po::value(&a.requests)->default_value("100000"),
      "requests to simulate (one burst each): 1 to 10^7")(
      "read-ratio,r", po::value(&a.read_ratio)->default_value("1"), "fraction of reads, 0..1")(
      "channels", po::value(&a.channels)->default_value("0"),
      "channels (0: the preset's), a power of two up to 64")(
      "page-policy", po::value(&a.page_policy)->default_value("open"), "open or closed")(
      "mapping", po::value(&a.mapping)->default_value("RoCoBaRaCh"),
      "address mapping: RoCoBaRaCh, RoBaRaCoCh or ChRaBaRoCo")(
      "queue-depth", po::value(&a.queue_depth)->default_value("32"),
      "request queue entries per channel: 1 to 4096")(
      "scheduler", po::value(&a.scheduler)->default_value("frfcfs"), "frfcfs, fcfs or frfcfs_cap")(
      "row-hit-cap", po::value(&a.row_hit_cap)->default_value("4"),
      "frfcfs_cap: hits per open row while an older miss waits, 1 to 1024")(
      "outstanding", po::value(&a.outstanding)->default_value("0"),
      "requests in flight (0: queue depth x channels), up to 65536")(
      "stride", po::value(&a.stride)->default_value("0"),
      "bytes between requests of the strided pattern (0: one row), up to 2^40")(
      "seed", po::value(&a.seed)->default_value("1"),
      "seed of the random pattern and the read/write choice: 0 to 2^64-1")(
      "no-refresh", po::bool_switch(&a.no_refresh), "turn refresh off (experiments only)")(
      "json", po::bool_switch(&a.json), "print the results as JSON");
  const auto vm = parse_command_line("memtest", "systole memtest --dram PRESET [options]", args, desc);
  if (!vm) return 0;
  nonempty_path("--dram", a.preset, "a DRAM preset name or file");

  const dram::MemtestOptions options = to_options(a);
  const int64_t channels = integer_flag("--channels", a.channels, 0, kMaxChannels,
                                        "0 means the preset's; dram.channels allows up to 64");
  if ((channels & (channels - 1)) != 0) {
    throw UserError(fmt::format("--channels = '{}': must be 0 (the preset's) or a power of two up to {}",
                                a.channels, kMaxChannels));
  }
  DramDeviceSpec device;
  try {
    device = load_dram_preset(dram_preset_path(a.preset, ""));
  } catch (const ConfigError& e) {
    // A preset that cannot be found was named by --dram.
    std::vector<Diagnostic> out;
    for (Diagnostic d : e.diagnostics()) {
      if (d.file.empty()) d.file = "--dram";
      out.push_back(std::move(d));
    }
    throw ConfigError(std::move(out));
  }
  if (channels > 0) device.org.channels = channels;
  const dram::MemtestResult result = dram::run_memtest(device, options);
  std::cout << (a.json ? to_json(device, options, result).dump(2) + "\n" : to_table(device, options, result));
  return 0;
}

}  // namespace systole::cli
