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

std::pair<int64_t, int64_t> share_range(int64_t extent, int64_t granule, int64_t core, int64_t cores) {
  if (granule < 1 || cores < 1 || core < 0 || core >= cores)
    throw InternalError("share_range: bad arguments");
  const int64_t units = (extent + granule - 1) / granule;
  const int64_t base = units / cores, extra = units % cores;
  const int64_t u0 = core * base + std::min(core, extra);
  const int64_t u1 = u0 + base + (core < extra ? 1 : 0);
  return {std::min(extent, u0 * granule), std::min(extent, u1 * granule)};
}

GemmProblem share_problem(const GemmProblem& p, const GemmSplit& split, int64_t core, int64_t cores) {
  const int64_t extent = extent_of(p, split.axis);
  const auto [b, e] = share_range(extent, split.granule, core, cores);
  GemmProblem q = slice_problem(p, split.axis, b, e);
  if (p.is_conv && split.axis == SplitAxis::kM) {
    for (int64_t c = 0; c < cores; ++c) {
      const auto [cb, ce] = share_range(extent, split.granule, c, cores);
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
