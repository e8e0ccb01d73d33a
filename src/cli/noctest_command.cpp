// `systole noctest`: the network-on-chip alone under synthetic traffic (noc/traffic.h): one
// offered rate, or a sweep of rates that prints the latency-throughput curve and can draw it
// (scripts/noc_curve.py). The NoC is the `noc:` section of an architecture (preset or file),
// changed with --set noc.KEY=VALUE.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/output_target.h"
#include "cli/python_runner.h"
#include "systole/common/error.h"
#include "systole/config/loader.h"
#include "systole/noc/traffic.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace systole::cli {
namespace {

// Node-cycles (nodes x (warmup + cycles)) a run may offer: past saturation every one of them can
// leave a packet queued at its source (about 64 B each), so 10^7 keeps the backlog under 1 GB
// and a run under a minute; 16 x 16 nodes still get 39,000 cycles.
constexpr int64_t kMaxNodeCycles = 10'000'000;
constexpr int64_t kMaxSweepPoints = 50;

struct NoctestArgs {
  std::string arch = "default";
  std::vector<std::string> overrides;
  std::string pattern = "uniform", rate = "0.1", packet_flits = "1", warmup = "1000", cycles = "10000";
  std::string drain = "20000", hotspot_node = "0", hotspot_fraction = "0.2", seed = "1", points = "10";
  std::string plot;
  bool json = false, sweep = false, force = false;
};

noc::TrafficParams to_traffic(const NoctestArgs& a, int64_t nodes) {
  noc::TrafficParams t;
  if (!noc::parse_pattern(a.pattern, &t.pattern)) {
    throw UserError(
        fmt::format("--pattern = '{}': must be one of uniform, transpose, hotspot, neighbour", a.pattern));
  }
  t.rate = real_flag("--rate", a.rate, 0.0, 1.0, "offered flits per node per cycle, above 0 and at most 1");
  if (!(t.rate > 0.0)) throw UserError(fmt::format("--rate = '{}': must be above 0", a.rate));
  t.packet_flits = integer_flag("--packet-flits", a.packet_flits, 1, 1024, "flits per packet");
  t.warmup = integer_flag("--warmup", a.warmup, 0, kMaxNodeCycles, "cycles before the measurement");
  t.cycles = integer_flag("--cycles", a.cycles, 1, kMaxNodeCycles, "measured cycles");
  if (nodes * (t.warmup + t.cycles) > kMaxNodeCycles) {
    throw UserError(
        fmt::format("--cycles = '{}' with --warmup {} on {} nodes: {} node-cycles; at most {} (past "
                    "saturation each may queue a packet: memory)",
                    a.cycles, t.warmup, nodes, nodes * (t.warmup + t.cycles), kMaxNodeCycles));
  }
  t.drain_limit = integer_flag("--drain", a.drain, 0, kMaxNodeCycles,
                               "cycles allowed after the measurement for its packets to arrive");
  t.hotspot_node =
      static_cast<int>(integer_flag("--hotspot-node", a.hotspot_node, 0, nodes - 1, "a node of the NoC"));
  t.hotspot_fraction = real_flag("--hotspot-fraction", a.hotspot_fraction, 0.0, 1.0,
                                 "the share of packets sent to the hotspot");
  t.seed = unsigned_flag("--seed", a.seed);
  return t;
}

std::string describe(const NocParams& n) {
  return fmt::format(
      "{} {} x {} ({} nodes), router {} + link {} cycles, {} B flits, {} VCs x {} flits, {:g} MHz",
      to_string(n.topology), n.x, n.y, n.nodes(), n.router_cycles, n.link_cycles, n.flit_bytes, n.vcs,
      n.buffer_flits, n.clock_mhz);
}

double busiest_link(const noc::TrafficResult& r) {
  int64_t most = 0;
  for (const noc::LinkCounters& l : r.counters.links) most = std::max(most, l.flits);
  return r.end_cycle > 0 ? static_cast<double>(most) / static_cast<double>(r.end_cycle) : 0.0;
}

nlohmann::ordered_json result_json(const noc::TrafficResult& r) {
  nlohmann::ordered_json j;
  j["offered_rate"] = r.offered_rate;
  j["accepted_rate"] = r.accepted_rate;
  j["latency_avg_cycles"] = r.latency_avg_cycles;
  j["latency_p99_cycles"] = r.latency_p99_cycles;
  j["latency_max_cycles"] = r.latency_max_cycles;
  j["zero_load_latency_cycles"] = r.zero_load_avg_cycles;
  j["measured_packets"] = r.measured_packets;
  j["drained"] = r.drained;
  j["flit_hops"] = r.counters.flit_hops;
  j["router_traversals"] = r.counters.router_traversals;
  j["busiest_link_utilization"] = busiest_link(r);
  return j;
}

std::string result_text(const NocParams& n, const noc::TrafficResult& r) {
  const double gbps = r.accepted_rate * static_cast<double>(n.flit_bytes) * n.clock_mhz / 1000.0;
  return fmt::format(
      "  accepted  {:.3f} flits/node/cycle of {:.3f} offered = {:.2f} GB/s per node\n"
      "  latency   avg {:.1f} cycles (zero-load {:.1f}), p99 {}, max {}{}\n"
      "  network   {} flit-hops, {} router traversals, busiest link {:.1f} % busy\n",
      r.accepted_rate, r.offered_rate, gbps, r.latency_avg_cycles, r.zero_load_avg_cycles,
      r.latency_p99_cycles, r.latency_max_cycles,
      r.drained ? "" : " (not drained: past saturation, the latency is a lower bound)", r.counters.flit_hops,
      r.counters.router_traversals, 100.0 * busiest_link(r));
}

}  // namespace

int noctest_command(const std::vector<std::string>& args) {
  NoctestArgs a;
  po::options_description desc("noctest options");
  desc.add_options()("help,h", "show this help")(
      "noc,n", po::value(&a.arch)->default_value("default"),
      "the architecture whose noc: section is tested: a preset name from arch/ or a YAML file")(
      "set,s", po::value(&a.overrides)->composing(),
      "change a NoC key: --set noc.x=8 (repeatable; noc.* only)")(
      "pattern,p", po::value(&a.pattern)->default_value("uniform"),
      "uniform, transpose, hotspot or neighbour")(
      "rate,r", po::value(&a.rate)->default_value("0.1"),
      "offered flits per node per cycle, above 0 and at most 1 (with --sweep-rate: the highest)")(
      "packet-flits", po::value(&a.packet_flits)->default_value("1"), "flits per packet: 1 to 1024")(
      "warmup", po::value(&a.warmup)->default_value("1000"), "cycles before the measurement")(
      "cycles", po::value(&a.cycles)->default_value("10000"),
      "measured cycles (nodes x (warmup + cycles) at most 10^7)")(
      "drain", po::value(&a.drain)->default_value("20000"),
      "cycles after the measurement for its packets to arrive")(
      "hotspot-node", po::value(&a.hotspot_node)->default_value("0"), "--pattern hotspot: the hot node")(
      "hotspot-fraction", po::value(&a.hotspot_fraction)->default_value("0.2"),
      "--pattern hotspot: the share of packets sent to it")("seed", po::value(&a.seed)->default_value("1"),
                                                            "seed of the traffic: 0 to 2^64-1")(
      "sweep-rate", po::bool_switch(&a.sweep), "run --points rates from --rate / points up to --rate")(
      "points", po::value(&a.points)->default_value("10"), "--sweep-rate: rates to run, 2 to 50")(
      "plot", po::value(&a.plot), "--sweep-rate: draw the curve into this .png or .svg")(
      "force", po::bool_switch(&a.force), "replace --plot even when it is not a picture")(
      "json", po::bool_switch(&a.json), "print the results as JSON");
  const auto vm = parse_command_line(
      "noctest", "systole noctest [--noc ARCH] [--set noc.KEY=V ...] [--pattern P] [--rate R] [--sweep-rate]",
      args, desc);
  if (!vm) return 0;
  nonempty_path("--noc", a.arch, "an arch preset name or file");
  for (const std::string& s : a.overrides) {
    if (s.rfind("noc.", 0) != 0) {
      throw UserError(fmt::format("--set {}: noctest reads only the noc.* keys", s));
    }
  }
  const int64_t points = integer_flag("--points", a.points, 2, kMaxSweepPoints, "rates of the sweep");
  if (!a.sweep && (vm->count("points") > 0 && !(*vm)["points"].defaulted())) {
    throw UserError("--points: only --sweep-rate reads it");
  }
  for (const char* flag : {"hotspot-node", "hotspot-fraction"}) {
    if (a.pattern != "hotspot" && !(*vm)[flag].defaulted()) {
      throw UserError(
          fmt::format("--{}: only --pattern hotspot reads it (the pattern is '{}')", flag, a.pattern));
    }
  }
  if (!a.plot.empty() && !a.sweep)
    throw UserError(fmt::format("--plot = '{}': only --sweep-rate draws", a.plot));
  std::string ext;
  if (!a.plot.empty()) {
    ext = fs::path(a.plot).extension().string();
    if (ext != ".png" && ext != ".svg")
      throw UserError(fmt::format("--plot = '{}': must end in .png or .svg", a.plot));
  }
  const ArchSpec arch = load_arch(resolve_input(a.arch, "arch"), a.overrides);
  const NocParams& noc = arch.noc;
  noc::TrafficParams traffic = to_traffic(a, noc.nodes());
  InterruptScope interrupts;

  std::vector<double> rates;
  if (a.sweep) {
    for (int64_t i = 1; i <= points; ++i) rates.push_back(traffic.rate * static_cast<double>(i) / points);
  } else {
    rates.push_back(traffic.rate);
  }
  std::vector<noc::TrafficResult> results;
  for (double rate : rates) {
    traffic.rate = rate;
    results.push_back(noc::run_traffic(noc, traffic));
    throw_if_interrupted();
  }

  if (a.json) {
    nlohmann::ordered_json j;
    j["noc"] = {{"topology", to_string(noc.topology)},
                {"x", noc.x},
                {"y", noc.y},
                {"nodes", noc.nodes()},
                {"router_cycles", noc.router_cycles},
                {"link_cycles", noc.link_cycles},
                {"flit_bytes", noc.flit_bytes},
                {"vcs", noc.vcs},
                {"buffer_flits", noc.buffer_flits},
                {"clock_mhz", noc.clock_mhz}};
    j["pattern"] = a.pattern;
    j["packet_flits"] = traffic.packet_flits;
    j["warmup_cycles"] = traffic.warmup;
    j["measured_cycles"] = traffic.cycles;
    j["seed"] = traffic.seed;
    if (a.sweep) {
      j["sweep"] = nlohmann::ordered_json::array();
      for (const auto& r : results) j["sweep"].push_back(result_json(r));
    } else {
      const nlohmann::ordered_json one = result_json(results[0]);
      for (const auto& [k, v] : one.items()) j[k] = v;
    }
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format(
        "noctest {}\n  traffic   {}, packets of {} flit{}, {} warmup + {} measured cycles, seed {}\n",
        describe(noc), a.pattern, traffic.packet_flits, traffic.packet_flits == 1 ? "" : "s", traffic.warmup,
        traffic.cycles, traffic.seed);
    if (!a.sweep) {
      std::cout << result_text(noc, results[0]);
    } else {
      std::cout << "  offered  accepted  latency avg  p99  drained\n";
      for (const auto& r : results) {
        std::cout << fmt::format("  {:7.3f}  {:8.3f}  {:11.1f}  {:>4}  {}\n", r.offered_rate, r.accepted_rate,
                                 r.latency_avg_cycles, r.latency_p99_cycles, r.drained ? "yes" : "no");
      }
      std::cout << fmt::format(
          "  zero-load latency {:.1f} cycles; highest accepted {:.3f} flits/node/cycle\n",
          results[0].zero_load_avg_cycles,
          std::max_element(results.begin(), results.end(), [](const auto& x, const auto& y) {
            return x.accepted_rate < y.accepted_rate;
          })->accepted_rate);
    }
  }

  if (!a.plot.empty()) {
    OutputTarget target("--plot", a.plot, image_file_kind(), a.force);
    const fs::path script = data_file(fs::path("scripts") / "noc_curve.py");
    const std::string python = python_interpreter("noctest");
    const fs::path tmp_image = target.stage();
    nlohmann::ordered_json spec;
    spec["out"] = tmp_image.string();
    spec["format"] = ext.substr(1);
    spec["title"] = fmt::format("{} traffic on a {}", a.pattern, describe(noc));
    spec["points"] = nlohmann::ordered_json::array();
    for (const auto& r : results) {
      spec["points"].push_back({{"offered", r.offered_rate},
                                {"accepted", r.accepted_rate},
                                {"latency_avg", r.latency_avg_cycles},
                                {"latency_p99", r.latency_p99_cycles},
                                {"drained", r.drained}});
    }
    spec["zero_load"] = results[0].zero_load_avg_cycles;
    run_python_script("noctest", python, script, spec);
    std::error_code ec;
    if (!fs::is_regular_file(tmp_image, ec)) {
      throw InternalError(fmt::format("{} exited 0 but wrote no {}", script.string(), tmp_image.string()));
    }
    throw_if_interrupted();
    target.commit();
    if (!a.json) std::cout << fmt::format("wrote {}\n", a.plot);
  }
  return 0;
}

}  // namespace systole::cli
