// Synthetic traffic on a NoC alone (the engine of `systole noctest`), measured the way
// interconnection-network studies do (Dally & Towles, ch. 23): every node creates packets by a
// Bernoulli process of `rate` flits per node per cycle (a packet of packet_flits flits with
// probability rate / packet_flits each cycle); packets created during `warmup` cycles are not
// measured; those created in the next `cycles` are, and the run continues until they are all
// delivered (or `drain_limit` more cycles pass: then the network is past saturation and the
// latency is reported as a lower bound). Latency counts from creation (source queueing included)
// to the tail's delivery.
//   uniform:    destination uniformly random over all nodes (itself included, as BookSim does)
//   transpose:  node (x, y) sends to (y, x) (a mesh that is square; elsewhere node n to N-1-n)
//   hotspot:    a fraction `hotspot_fraction` of packets to node `hotspot_node`, the rest uniform
//   neighbour:  node (x, y) sends to (x + 1 mod X, y) (ring / crossbar: n to n + 1 mod N)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/noc/network.h"

namespace systole::noc {

enum class Pattern { kUniform, kTranspose, kHotspot, kNeighbour };
const char* to_string(Pattern p);
bool parse_pattern(const std::string& s, Pattern* out);  // false: not a pattern name

struct TrafficParams {
  Pattern pattern = Pattern::kUniform;
  double rate = 0.1;  // offered flits per node per cycle, in (0, 1]
  int64_t packet_flits = 1;
  int64_t warmup = 1000, cycles = 10000, drain_limit = 100000;
  int hotspot_node = 0;
  double hotspot_fraction = 0.2;
  uint64_t seed = 1;
};

struct TrafficResult {
  double offered_rate = 0.0;   // flits created per node per cycle in the measured window
  double accepted_rate = 0.0;  // flits delivered per node per cycle in the measured window
  double latency_avg_cycles = 0.0;
  int64_t latency_p99_cycles = 0, latency_max_cycles = 0;
  int64_t measured_packets = 0, delivered_measured = 0;
  bool drained = true;                // every measured packet was delivered within drain_limit
  double zero_load_avg_cycles = 0.0;  // the formula of network.h, averaged over the measured packets
  NetworkCounters counters;
  int64_t end_cycle = 0;
};

// The destination of a packet from `src` under `pattern` on `nodes` nodes, `columns` of them a
// row of a mesh (0: not a mesh); uniform and hotspot draw from `random` and `random2`, numbers
// uniform in [0, 1).
int destination(int nodes, int columns, Pattern pattern, int src, double random, double random2,
                int hotspot_node, double hotspot_fraction);

TrafficResult run_traffic(const NocParams& noc, const TrafficParams& traffic);

}  // namespace systole::noc
