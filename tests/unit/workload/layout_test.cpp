// Which layers are views (workload/layout.h): a transpose stays a strided view while only layers
// that read by strides (matmuls, transposes) read it, and is materialised once any other does.
#include <gtest/gtest.h>

#include <string>

#include "systole/workload/layout.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

Network net_of(const std::string& layers) {
  return load_network_from_string(
      "name: t\ndtype: int8\ninputs:\n  - {name: x, shape: [1, 4, 8, 16]}\nlayers:\n" + layers, "t.yaml");
}

LayoutView layout(const Network& net, const std::string& name) {
  return layout_of(net, *net.find_layer(name));
}

TEST(Layout, ATransposeReadOnlyByStridedReadersStaysAView) {
  const Network net = net_of(
      "  - {name: t, type: transpose, perm: [0, 2, 1, 3]}\n"
      "  - {name: tt, type: transpose, input: t, perm: [0, 1, 3, 2]}\n"
      "  - {name: m, type: matmul, inputs: [tt, tt], transpose_b: true}\n");
  EXPECT_EQ(layout(net, "t"), LayoutView::kStrided) << "read by a transpose";
  EXPECT_EQ(layout(net, "tt"), LayoutView::kStrided) << "read by a matmul";
  EXPECT_EQ(layout(net, "m"), LayoutView::kNone);
}

TEST(Layout, ATransposeThatAReshapeOrAVectorLayerReadsIsMaterialised) {
  const Network reshaped = net_of(
      "  - {name: t, type: transpose, perm: [0, 2, 1, 3]}\n"
      "  - {name: r, type: reshape, shape: [1, 8, 64]}\n");
  EXPECT_EQ(layout(reshaped, "t"), LayoutView::kNone);
  EXPECT_EQ(layout(reshaped, "r"), LayoutView::kContiguous) << "a view of the materialised copy";
  const Network added = net_of(
      "  - {name: t, type: transpose, perm: [0, 1, 3, 2]}\n"
      "  - {name: m, type: matmul, inputs: [t, t], transpose_b: true}\n"
      "  - {name: s, type: softmax, input: t}\n");
  EXPECT_EQ(layout(added, "t"), LayoutView::kNone) << "one reader that does not read by strides is enough";
  // Only the last transpose of a chain is copied: the copy walks the composed strides.
  const Network chain = net_of(
      "  - {name: t1, type: transpose, perm: [0, 2, 1, 3]}\n"
      "  - {name: t2, type: transpose, perm: [0, 1, 3, 2]}\n"
      "  - {name: r, type: reshape, shape: [1, -1]}\n");
  EXPECT_EQ(layout(chain, "t1"), LayoutView::kStrided);
  EXPECT_EQ(layout(chain, "t2"), LayoutView::kNone);
}

}  // namespace
}  // namespace systole
