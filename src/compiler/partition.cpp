// Partition registry and the splitting arithmetic (compiler/partition.h). (An explicit list of
// registrations: a static library drops object files nothing refers to.)
#include "systole/compiler/partition.h"

#include <algorithm>

#include "systole/common/error.h"

namespace systole {

#define SYSTOLE_PARTITION_DECLARE(name, enumerator) \
  void register_partition_##name(PartitionRegistry& registry);
SYSTOLE_PARTITION_STRATEGIES(SYSTOLE_PARTITION_DECLARE)
#undef SYSTOLE_PARTITION_DECLARE

const PartitionRegistry& partitions() {
  static const PartitionRegistry kRegistry = [] {
    PartitionRegistry r("partitioning strategy");
#define SYSTOLE_PARTITION_REGISTER(name, enumerator) register_partition_##name(r);
    SYSTOLE_PARTITION_STRATEGIES(SYSTOLE_PARTITION_REGISTER)
#undef SYSTOLE_PARTITION_REGISTER
    return r;
  }();
  return kRegistry;
}

namespace lowering {

const char* to_string(SplitAxis a) {
  switch (a) {
    case SplitAxis::kM:
      return "m";
    case SplitAxis::kN:
      return "n";
    case SplitAxis::kG:
      return "g";
  }
  return "?";
}

int64_t extent_of(const GemmProblem& p, SplitAxis axis) {
  switch (axis) {
    case SplitAxis::kM:
      return p.m;
    case SplitAxis::kN:
      return p.n;
    case SplitAxis::kG:
      return p.gemms;
  }
  return 0;
}

std::vector<std::pair<int64_t, int64_t>> share_ranges(int64_t extent, int64_t granule,
                                                      const std::vector<int64_t>& weights) {
  if (granule < 1 || extent < 0 || weights.empty()) throw InternalError("share_ranges: bad arguments");
  using Wide = unsigned __int128;
  const auto units = static_cast<Wide>((extent + granule - 1) / granule);
  Wide total = 0;
  for (int64_t w : weights) {
    if (w < 1) throw InternalError("share_ranges: a weight below 1");
    total += static_cast<Wide>(w);
  }
  const size_t cores = weights.size();
  std::vector<int64_t> count(cores);
  std::vector<Wide> remainder(cores);
  Wide given = 0;
  for (size_t c = 0; c < cores; ++c) {
    const Wide q = units * static_cast<Wide>(weights[c]);
    count[c] = static_cast<int64_t>(q / total);
    remainder[c] = q % total;
    given += q / total;
  }
  std::vector<size_t> order(cores);
  for (size_t c = 0; c < cores; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t i = 0; given < units; ++i, ++given) ++count[order[i]];
  std::vector<std::pair<int64_t, int64_t>> out;
  int64_t u0 = 0;
  for (size_t c = 0; c < cores; ++c) {
    const int64_t u1 = u0 + count[c];
    out.emplace_back(std::min(extent, u0 * granule), std::min(extent, u1 * granule));
    u0 = u1;
  }
  return out;
}

std::pair<int64_t, int64_t> CoreShare::range(int64_t extent, int64_t granule, int64_t c, bool vector) const {
  if (c < 0 || c >= cores) throw InternalError("CoreShare::range: no such core");
  const std::vector<int64_t>& w = vector ? vector_weights : gemm_weights;
  return share_ranges(extent, granule, w.empty() ? std::vector<int64_t>(static_cast<size_t>(cores), 1) : w)
      .at(static_cast<size_t>(c));
}

GemmProblem share_problem(const GemmProblem& p, const GemmSplit& split, const CoreShare& share,
                          int64_t core) {
  const int64_t extent = extent_of(p, split.axis);
  const auto [b, e] = share.range(extent, split.granule, core);
  GemmProblem q = slice_problem(p, split.axis, b, e);
  if (p.is_conv && split.axis == SplitAxis::kM) {
    for (int64_t c = 0; c < share.cores; ++c) {
      if (share.class_of(c) != share.class_of(core)) continue;
      const auto [cb, ce] = share.range(extent, split.granule, c);
      if (ce > cb) q.m_bands.emplace_back(cb, ce - cb);
    }
  }
  return q;
}

GemmProblem slice_problem(const GemmProblem& p, SplitAxis axis, int64_t begin, int64_t end) {
  if (p.sliced) throw InternalError("GEMM '" + p.name + "' sliced twice");
  if (begin < 0 || end < begin || end > extent_of(p, axis))
    throw InternalError("GEMM '" + p.name + "': slice outside the problem");
  GemmProblem q = p;
  q.sliced = true;
  switch (axis) {
    case SplitAxis::kM:
      q.m_begin = begin;
      q.m = end - begin;
      break;
    case SplitAxis::kN:
      q.n_begin = begin;
      q.n = end - begin;
      break;
    case SplitAxis::kG:
      q.g_begin = begin;
      q.gemms = end - begin;
      break;
  }
  return q;
}

}  // namespace lowering
}  // namespace systole
