// output_channels: each core computes a band of the layer's output channels (GEMM n) for every
// pixel, reading the whole input and its own weights. Bands are whole multiples of the array's
// columns where the layer has enough of them, so no core gets a ragged fold it did not need. A
// grouped convolution with one output channel per group (depthwise on the array) deals out its
// groups instead.
#include "systole/compiler/partition.h"

namespace systole {
namespace {

class OutputChannels final : public IPartitionStrategy {
 public:
  std::optional<lowering::GemmSplit> split(const lowering::GemmProblem& p, const ArchSpec& arch,
                                           int64_t cores, std::string* why_not) const override {
    if (p.n >= 2) {
      const int64_t cols = arch.core.array.cols;
      const int64_t granule = p.n >= cores * cols ? cols : 1;
      return lowering::GemmSplit{lowering::SplitAxis::kN, granule,
                                 granule > 1 ? "blocks of array columns" : "output channels"};
    }
    if (p.is_conv && p.gemms >= 2) return lowering::GemmSplit{lowering::SplitAxis::kG, 1, "groups"};
    *why_not = "one output channel (per group) to deal out";
    return std::nullopt;
  }
};

}  // namespace

void register_partition_output_channels(PartitionRegistry& r) {
  r.add("output_channels", [] { return std::make_unique<OutputChannels>(); });
}

}  // namespace systole
