// Shape inference never overflows (docs/compiler.md "Limits"): window extents, padded sizes, a
// tensor's bytes (elements x dtype size), a layer's MAC / vector-op / weight counts and the
// network's totals are overflow-checked, and each overflow is a WorkloadError naming the layer,
// the key and what overflowed -- never a wrapped value that later crashes the compiler.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "workload_test_util.h"

namespace systole::test {
namespace {

constexpr int64_t k2To62 = int64_t{1} << 62;

// infer_shapes(net) must fail with one diagnostic on `key` of layer `layer` containing `text`.
Diagnostic one_error(Network& net, const std::string& key, const std::string& layer,
                     const std::string& text) {
  const auto diags = workload_errors([&] { infer_shapes(net); });
  EXPECT_EQ(diags.size(), 1u);
  if (diags.empty()) return {};
  const Diagnostic& d = diags[0];
  EXPECT_EQ(d.file, "test.yaml");
  EXPECT_EQ(d.key, key);
  if (!layer.empty()) {
    EXPECT_NE(d.rule.find("'" + layer + "'"), std::string::npos) << d.rule;
  }
  EXPECT_NE(d.rule.find(text), std::string::npos) << d.rule;
  return d;
}

TEST(SizeBounds, DilationTimesKernelOverflowIsNamed) {
  Network net = net_with_input({1, 3, 32, 32});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(8, 3, 1, 0, 1, k2To62));
  const Diagnostic d = one_error(net, "layers[0].dilation", "c", "overflows 64 bits");
  EXPECT_EQ(d.value, std::to_string(k2To62));
  EXPECT_EQ(d.line, 10);
}

TEST(SizeBounds, PaddingOverflowIsNamed) {
  Network net = net_with_input({1, 3, 32, 32});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(8, 3, 1, k2To62));
  one_error(net, "layers[0].padding", "c", "padded input 32 + 4611686018427387904 + 4611686018427387904");
}

TEST(SizeBounds, SamePaddingWithAHugeWindowDoesNotOverflow) {
  // "same" with kernel 2^40 and dilation 2^30: the extent overflows; it is reported, not used.
  Network net = net_with_input({1, 3, 32, 32});
  Conv2dAttrs a = conv(8, int64_t{1} << 40, 1, 0, 1, int64_t{1} << 30);
  a.same_padding = true;
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, a);
  one_error(net, "layers[0].dilation", "c", "kernel extent");
}

TEST(SizeBounds, SamePaddingWithALargeKernelGivesTheTensorFlowPadding) {
  // kernel 2^40 (extent fits): total padding = 2^40 - 1 (out = in = 32 at stride 1), so the
  // padded input is 32 + 2^40 - 1 and the output stays 32 x 32.
  Network net = net_with_input({1, 3, 32, 32});
  Conv2dAttrs a = conv(8, int64_t{1} << 40);
  a.same_padding = true;
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, a);
  const auto diags = workload_errors([&] { infer_shapes(net); });  // MACs: 8*32*32*3*2^80 overflow
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].rule.find("MAC"), std::string::npos) << diags[0].rule;
  EXPECT_EQ(net.layers[0].as<Conv2dAttrs>().pad_top + net.layers[0].as<Conv2dAttrs>().pad_bottom,
            (int64_t{1} << 40) - 1);
}

TEST(SizeBounds, OutputBytesOverflowIsNamed) {
  // Padding 2^40 on a 32 x 32 input: output 2^41 x 2^41 x 8 channels overflows 64 bits.
  Network net = net_with_input({1, 3, 32, 32});
  add_layer(net, "c", LayerKind::kConv2d, {"x"}, conv(8, 3, 1, int64_t{1} << 40));
  one_error(net, "layers[0]", "c", "output tensor");
}

TEST(SizeBounds, Fp32ElementsTimesFourOverflowIsNamed) {
  // 2^62 elements fit int64; 2^62 x 4 B of fp32 do not.
  Network net = net_with_input({k2To62});
  net.inputs[0].dtype = DataType::kFp32;
  add_layer(net, "r", LayerKind::kActivation, {"x"}, ActivationAttrs{});
  const auto diags = workload_errors([&] { infer_shapes(net); });
  ASSERT_GE(diags.size(), 1u);
  EXPECT_EQ(diags[0].key, "inputs.x.shape");
  EXPECT_NE(diags[0].rule.find("4 B of fp32 overflow 64 bits"), std::string::npos) << diags[0].rule;
}

TEST(SizeBounds, PoolVectorOpCountOverflowIsNamed) {
  // Kernel 2^31 with padding 2^31: a 2 x 2 output, but 12 outputs x 2^62 window elements.
  Network net = net_with_input({1, 3, 32, 32});
  PoolAttrs a;
  a.kernel_h = a.kernel_w = int64_t{1} << 31;
  a.stride_h = a.stride_w = int64_t{1} << 31;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = int64_t{1} << 31;
  add_layer(net, "p", LayerKind::kPool, {"x"}, a);
  one_error(net, "layers[0]", "p", "vector-unit operation count overflows 64 bits");
}

TEST(SizeBounds, LayerNormCountsAreOverflowChecked) {
  // Layernorm owns 2 x last-dim parameters: 2 x 2^62 overflows.
  Network net = net_with_input({1, k2To62});
  add_layer(net, "ln", LayerKind::kLayerNorm, {"x"});
  const auto diags = workload_errors([&] { infer_shapes(net); });
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].rule.find("'ln'"), std::string::npos) << diags[0].rule;
  EXPECT_NE(diags[0].rule.find("overflows 64 bits"), std::string::npos) << diags[0].rule;
}

TEST(SizeBounds, NetworkTotalMacOverflowNamesTheLayerWhereItHappens) {
  // Each matmul [2^20, 2^20] x [2^20, 2^21] has 2^61 MACs: the fourth makes the total 2^63.
  Network net = net_with_input({int64_t{1} << 20, int64_t{1} << 20});
  for (int i = 0; i < 4; ++i) {
    MatmulAttrs a;
    a.out_features = int64_t{1} << 21;
    add_layer(net, "mm" + std::to_string(i), LayerKind::kMatmul, {"x"}, a);
  }
  one_error(net, "layers[3]", "mm3", "the network's total multiply-accumulate (MAC) count overflows");
}

TEST(SizeBounds, TotalMacsOfAnUncheckedNetworkThrowsInsteadOfWrapping) {
  Network net = net_with_input({1});
  for (int i = 0; i < 3; ++i) {
    Layer& l = add_layer(net, "l" + std::to_string(i), LayerKind::kMatmul, {"x"});
    l.macs = k2To62;
  }
  const auto diags = workload_errors([&] { net.total_macs(); });
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].key, "l1");
}

TEST(SizeBounds, TransposePermOutOfRangeIsRefused) {
  Network net = net_with_input({1, 3, 32, 32});
  add_layer(net, "t", LayerKind::kTranspose, {"x"},
            TransposeAttrs{{0, 1, 2, std::numeric_limits<int64_t>::min()}});
  one_error(net, "layers[0].perm", "t", "must be a permutation");
}

TEST(SizeBounds, ReshapeWithHugeDimsIsRefused) {
  Network net = net_with_input({1, 3, 32, 32});
  add_layer(net, "r", LayerKind::kReshape, {"x"}, ReshapeAttrs{{k2To62, 4, -1}});
  one_error(net, "layers[0].shape", "r", "element count overflows 64 bits");
}

TEST(SizeBounds, ManyUnknownInputsGetAFewSuggestionsNotQuadraticWork) {
  // Each suggestion compares against every known name; only the first 16 unknown inputs get one,
  // so 2000 misspelt inputs against 2000 names cost 16 scans, not 2000.
  Network net = net_with_input({4});
  for (int i = 0; i < 2000; ++i) {
    add_layer(net, "layer" + std::to_string(i), LayerKind::kActivation,
              {i == 0 ? "x" : "layr" + std::to_string(i)}, ActivationAttrs{});
  }
  const auto diags = workload_errors([&] { infer_shapes(net); });
  ASSERT_EQ(diags.size(), 1999u);
  int with_hint = 0;
  for (const Diagnostic& d : diags) with_hint += d.rule.find("did you mean") != std::string::npos ? 1 : 0;
  EXPECT_EQ(with_hint, 16);
}

}  // namespace
}  // namespace systole::test
