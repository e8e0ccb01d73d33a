// Synthetic traffic on the NoC alone (traffic.h).
#include "systole/noc/traffic.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/numeric/random.h"

namespace systole::noc {

const char* to_string(Pattern p) {
  switch (p) {
    case Pattern::kUniform:
      return "uniform";
    case Pattern::kTranspose:
      return "transpose";
    case Pattern::kHotspot:
      return "hotspot";
    case Pattern::kNeighbour:
      return "neighbour";
  }
  return "?";
}

bool parse_pattern(const std::string& s, Pattern* out) {
  for (Pattern p : {Pattern::kUniform, Pattern::kTranspose, Pattern::kHotspot, Pattern::kNeighbour}) {
    if (s == to_string(p)) {
      *out = p;
      return true;
    }
  }
  return false;
}

namespace {

// A seeded, platform-independent stream (numeric/random.h splitmix64), so that a run is
// reproducible bit for bit.
class Random {
 public:
  explicit Random(uint64_t seed) : m_state(seed) {}
  double uniform() { return static_cast<double>(splitmix64_next(&m_state) >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  uint64_t m_state;
};

}  // namespace

int destination(int n, int cols, Pattern pattern, int src, double random, double random2, int hotspot_node,
                double hotspot_fraction) {
  auto uniform = [&](double u) { return std::min(n - 1, static_cast<int>(u * n)); };
  const bool grid = cols > 0;
  switch (pattern) {
    case Pattern::kUniform:
      return uniform(random);
    case Pattern::kHotspot:
      return random < hotspot_fraction ? hotspot_node : uniform(random2);
    case Pattern::kTranspose:
      if (grid && cols * cols == n) return (src % cols) * cols + src / cols;
      return n - 1 - src;
    case Pattern::kNeighbour:
      if (grid) return src / cols * cols + (src % cols + 1) % cols;
      return (src + 1) % n;
  }
  return src;
}

TrafficResult run_traffic(const NocParams& noc, const TrafficParams& tp) {
  if (!(tp.rate > 0.0 && tp.rate <= 1.0) || tp.packet_flits < 1 || tp.warmup < 0 || tp.cycles < 1 ||
      tp.drain_limit < 0 || !(tp.hotspot_fraction >= 0.0 && tp.hotspot_fraction <= 1.0)) {
    throw InternalError(
        fmt::format("NoC traffic: rate {}, packet_flits {}, warmup {}, cycles {}, drain_limit {}", tp.rate,
                    tp.packet_flits, tp.warmup, tp.cycles, tp.drain_limit));
  }
  Network net(noc, make_topology(noc));
  const ITopology& topo = net.topology();
  const int n = topo.nodes();
  if (tp.hotspot_node < 0 || tp.hotspot_node >= n) {
    throw InternalError(fmt::format("NoC traffic: hotspot node {} of {}", tp.hotspot_node, n));
  }
  const int cols = noc.topology == NocTopology::kMesh ? static_cast<int>(noc.x) : 0;
  Random rng(tp.seed);
  const double p_packet = tp.rate / static_cast<double>(tp.packet_flits);
  const int64_t bytes = tp.packet_flits * noc.flit_bytes;
  const int64_t w0 = tp.warmup, w1 = tp.warmup + tp.cycles;
  TrafficResult r;
  std::vector<int64_t> latencies;
  int64_t created_flits = 0, accepted_flits = 0;
  double zero_load = 0.0;
  auto collect = [&](const std::vector<Delivery>& ds) {
    for (const Delivery& d : ds) {
      if (d.delivered >= w0 && d.delivered < w1) accepted_flits += d.flits;
      if (d.created >= w0 && d.created < w1) {
        latencies.push_back(d.delivered - d.created);
        ++r.delivered_measured;
      }
    }
  };
  // Packets are created a batch of cycles ahead (each at its own cycle, in the same order as one
  // cycle at a time, so the results do not depend on the batch) and the network then runs over it.
  constexpr int64_t kBatch = 64;
  for (int64_t t0 = 0; t0 < w1; t0 += kBatch) {
    const int64_t t1 = std::min(w1, t0 + kBatch);
    for (int64_t t = t0; t < t1; ++t) {
      for (int s = 0; s < n; ++s) {
        if (rng.uniform() >= p_packet) continue;
        const double u1 = rng.uniform(), u2 = rng.uniform();
        const int dst = destination(n, cols, tp.pattern, s, u1, u2, tp.hotspot_node, tp.hotspot_fraction);
        net.inject(s, dst, bytes, t);
        if (t >= w0) {
          ++r.measured_packets;
          created_flits += tp.packet_flits;
          zero_load += static_cast<double>(net.zero_load_latency(s, dst, tp.packet_flits));
        }
      }
    }
    collect(net.run_until(t1));
  }
  // Drain: the measured packets still in the network (later ones are not created any more).
  const int64_t stop = w1 + tp.drain_limit;
  while (r.delivered_measured < r.measured_packets && net.now() < stop) {
    if (net.idle()) throw InternalError("NoC traffic: measured packets lost in an idle network");
    collect(net.run_until(std::min(stop, net.now() + 1000)));
  }
  r.drained = r.delivered_measured == r.measured_packets;
  const double node_cycles = static_cast<double>(n) * static_cast<double>(tp.cycles);
  r.offered_rate = static_cast<double>(created_flits) / node_cycles;
  r.accepted_rate = static_cast<double>(accepted_flits) / node_cycles;
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    double sum = 0.0;
    for (int64_t l : latencies) sum += static_cast<double>(l);
    r.latency_avg_cycles = sum / static_cast<double>(latencies.size());
    const size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(latencies.size())));
    r.latency_p99_cycles = latencies[std::max<size_t>(rank, 1) - 1];
    r.latency_max_cycles = latencies.back();
  }
  if (r.measured_packets > 0) r.zero_load_avg_cycles = zero_load / static_cast<double>(r.measured_packets);
  r.counters = net.counters();
  r.end_cycle = net.now();
  return r;
}

}  // namespace systole::noc
