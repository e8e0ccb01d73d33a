// batch: each core computes whole batch entries: a convolution's images, a matmul's batch indices
// (rows of M per index when the batch merged into m, else whole GEMMs). Cores read only their
// entries' inputs and share the weights.
#include "systole/compiler/partition.h"

namespace systole {
namespace {

class Batch final : public IPartitionStrategy {
 public:
  std::optional<lowering::GemmSplit> split(const lowering::GemmProblem& p, const ArchSpec& arch,
                                           int64_t cores, std::string* why_not) const override {
    (void)arch;
    (void)cores;
    if (p.m_batch_unit > 0 && p.m / p.m_batch_unit >= 2)
      return lowering::GemmSplit{lowering::SplitAxis::kM, p.m_batch_unit,
                                 p.is_conv ? "images" : "batch entries"};
    if (!p.is_conv && p.gemms >= 2) return lowering::GemmSplit{lowering::SplitAxis::kG, 1, "batch entries"};
    *why_not = "a batch of 1";
    return std::nullopt;
  }
};

}  // namespace

void register_partition_batch(PartitionRegistry& r) {
  r.add("batch", [] { return std::make_unique<Batch>(); });
}

}  // namespace systole
