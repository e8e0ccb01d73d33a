// run_memtest: a closed-loop synthetic request stream through one MemorySystem.
#include "systole/dram/memtest.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "splitmix.h"
#include "systole/common/error.h"
#include "systole/dram/address_mapping.h"

namespace systole::dram {
namespace {

constexpr std::array<std::pair<Pattern, const char*>, 3> kPatterns{{
    {Pattern::kSequential, "sequential"},
    {Pattern::kRandom, "random"},
    {Pattern::kStrided, "strided"},
}};

// Nearest-rank percentile: the ceil(p / 100 * n)-th smallest value (selection, no full sort;
// reorders the values).
int64_t nearest_rank(std::vector<int64_t>* values, double p) {
  const auto n = static_cast<int64_t>(values->size());
  int64_t rank = static_cast<int64_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  rank = std::clamp<int64_t>(rank, 1, n);
  const auto kth = values->begin() + (rank - 1);
  std::nth_element(values->begin(), kth, values->end());
  return *kth;
}

}  // namespace

const char* to_string(Pattern p) {
  for (const auto& [v, name] : kPatterns) {
    if (v == p) return name;
  }
  return "?";
}

bool parse_pattern(const std::string& s, Pattern* out) {
  for (const auto& [v, name] : kPatterns) {
    if (s == name) {
      *out = v;
      return true;
    }
  }
  return false;
}

std::vector<std::string> pattern_names() {
  std::vector<std::string> out;
  for (const auto& entry : kPatterns) out.emplace_back(entry.second);
  return out;
}

MemtestResult run_memtest(const DramDeviceSpec& device, const MemtestOptions& options,
                          ICommandObserver* observer) {
  DiagnosticList errors;
  auto bad = [&](const std::string& key, const std::string& value, const std::string& rule) {
    errors.add({"memtest", 0, key, value, rule});
  };
  if (options.requests < 1) bad("requests", std::to_string(options.requests), "must be an integer >= 1");
  if (!(options.read_ratio >= 0.0 && options.read_ratio <= 1.0)) {
    bad("read_ratio", std::to_string(options.read_ratio), "must be a number in [0, 1]");
  }
  if (options.outstanding < 0) bad("outstanding", std::to_string(options.outstanding), "must be >= 0");
  if (options.stride_bytes < 0) bad("stride_bytes", std::to_string(options.stride_bytes), "must be >= 0");
  if (options.controller.queue_depth < 1) {
    bad("queue_depth", std::to_string(options.controller.queue_depth), "must be an integer >= 1");
  }
  if (!errors.empty()) throw ConfigError(errors.take());

  MemorySystem mem(device, options.controller);
  if (observer != nullptr) mem.add_observer(observer);
  const AddressMapping mapping(device, options.controller.mapping);
  const uint64_t atom = mapping.atom_bytes();
  const uint64_t atoms = mapping.capacity_bytes() / atom;  // a power of two
  const uint64_t row_bytes = static_cast<uint64_t>(device.org.columns * device.org.bus_width_bits / 8);
  const uint64_t stride = options.stride_bytes > 0 ? static_cast<uint64_t>(options.stride_bytes) : row_bytes;
  SplitMix64 rng(options.seed);

  auto address_of = [&](int64_t i) -> uint64_t {
    switch (options.pattern) {
      case Pattern::kSequential:
        return (static_cast<uint64_t>(i) & (atoms - 1)) * atom;
      case Pattern::kRandom:
        return (rng.next() & (atoms - 1)) * atom;
      case Pattern::kStrided:
        return (static_cast<uint64_t>(i) * stride) % mapping.capacity_bytes();
    }
    return 0;
  };
  auto submit = [&](int64_t i, int64_t arrival) {
    Request r;
    r.id = static_cast<uint64_t>(i);
    r.address = address_of(i);
    r.is_write = options.read_ratio < 1.0 && !(rng.uniform() < options.read_ratio);
    r.arrival = arrival;
    mem.submit(r);
  };

  const int64_t window =
      options.outstanding > 0 ? options.outstanding : options.controller.queue_depth * device.org.channels;
  int64_t issued = 0;
  for (; issued < std::min(window, options.requests); ++issued) submit(issued, 0);
  std::vector<int64_t> latencies;
  latencies.reserve(static_cast<size_t>(options.requests));
  Completion c;
  int64_t row_hits = 0;
  while (mem.next_completion(&c)) {
    latencies.push_back(c.done - c.arrival);
    if (c.row_hit) ++row_hits;
    if (issued < options.requests) submit(issued++, c.done);
  }

  MemtestResult res;
  const double tck_ns = device.timing.tck_ps / 1000.0;
  res.requests = options.requests;
  res.bytes = options.requests * device.atom_bytes();
  res.elapsed_ns = static_cast<double>(mem.stats().last_done) * tck_ns;
  res.bandwidth_gbps = res.elapsed_ns > 0 ? static_cast<double>(res.bytes) / res.elapsed_ns : 0.0;
  res.peak_gbps = device.peak_gbps();
  res.pct_of_peak = 100.0 * res.bandwidth_gbps / res.peak_gbps;
  double sum = 0;  // exact in any order: integer cycles, far below 2^53
  for (int64_t l : latencies) sum += static_cast<double>(l);
  res.latency_avg_ns = sum / static_cast<double>(latencies.size()) * tck_ns;
  res.latency_p50_ns = static_cast<double>(nearest_rank(&latencies, 50)) * tck_ns;
  res.latency_p99_ns = static_cast<double>(nearest_rank(&latencies, 99)) * tck_ns;
  res.latency_max_ns = static_cast<double>(*std::max_element(latencies.begin(), latencies.end())) * tck_ns;
  res.row_hit_rate = static_cast<double>(row_hits) / static_cast<double>(options.requests);
  for (int i = 0; i < kCommandCount; ++i) res.commands[i] = mem.stats().commands[i];
  return res;
}

}  // namespace systole::dram
