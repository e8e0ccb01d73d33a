// spatial: each core computes a band of output rows (GEMM m) for every output channel, reading
// the input rows its band needs (halo included) and all the weights. A convolution's bands are
// whole output rows of Wo pixels (rows of the flattened batch); a matmul's are rows of M.
#include "systole/compiler/partition.h"

namespace systole {
namespace {

class Spatial final : public IPartitionStrategy {
 public:
  std::optional<lowering::GemmSplit> split(const lowering::GemmProblem& p, const ArchSpec& arch,
                                           int64_t cores, std::string* why_not) const override {
    (void)arch;
    (void)cores;
    const int64_t granule = p.is_conv ? p.conv.wo : 1;
    if (p.m / granule < 2) {
      *why_not = p.is_conv ? "one output row to deal out" : "one row to deal out";
      return std::nullopt;
    }
    return lowering::GemmSplit{lowering::SplitAxis::kM, granule, p.is_conv ? "output rows" : "rows"};
  }
};

}  // namespace

void register_partition_spatial(PartitionRegistry& r) {
  r.add("spatial", [] { return std::make_unique<Spatial>(); });
}

}  // namespace systole
