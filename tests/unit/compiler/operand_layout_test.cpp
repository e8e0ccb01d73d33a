// Scratchpad layouts of MATMUL operands (isa.h operand_indices) on hand-worked cases, and the
// per-layer requantisation shift rule.
#include <gtest/gtest.h>

#include <vector>

#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/isa/isa.h"

namespace systole {
namespace {

TEST(OperandLayout, DefaultMatrixIsDenseRowMajor) {
  EXPECT_EQ(operand_indices(OperandLayout{}, 2, 3), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  OperandLayout t;
  t.row_stride = 1;
  t.col_stride = 2;  // [cols][rows]
  EXPECT_EQ(operand_indices(t, 2, 3), (std::vector<int64_t>{0, 2, 4, 1, 3, 5}));
}

TEST(OperandLayout, ConvOfmapIsChannelMajorPerImage) {
  // 2x2 output planes (4 pixels per image); a tile of m = 6 starting at global m 2: image 0
  // pixels 2..3, then image 1 pixels 0..3; n = 2 channels.
  OperandLayout l;
  l.kind = LayoutKind::kConvOfmap;
  l.conv.ho = 2, l.conv.wo = 2, l.conv.m0 = 2;
  // Image 0 segment: [n][2 pixels] at 0..3; image 1 segment: [n][4 pixels] at 4..11.
  EXPECT_EQ(operand_indices(l, 6, 2), (std::vector<int64_t>{0, 2, 1, 3, 4, 8, 5, 9, 6, 10, 7, 11}));
}

TEST(OperandLayout, ConvIfmapIsImplicitIm2colWithPadding) {
  // 3x3 input, 3x3 kernel, pad 1, stride 1 -> 3x3 output; one image, one channel (k = 9).
  // The tile covers output row 0 (m 0..2): input rows 0..1 are loaded ([row][W], 6 elements).
  OperandLayout l;
  l.kind = LayoutKind::kConvIfmap;
  l.conv.h = 3, l.conv.w = 3, l.conv.ho = 3, l.conv.wo = 3, l.conv.kh = 3, l.conv.kw = 3;
  l.conv.pad_top = 1, l.conv.pad_left = 1;
  const std::vector<int64_t> idx = operand_indices(l, 3, 9);
  // Output pixel (0, 0): window rows -1..1, cols -1..1: the first kernel row is padding.
  EXPECT_EQ(std::vector<int64_t>(idx.begin(), idx.begin() + 9),
            (std::vector<int64_t>{-1, -1, -1, -1, 0, 1, -1, 3, 4}));
  // Output pixel (0, 2): cols 1..3, col 3 is padding.
  EXPECT_EQ(std::vector<int64_t>(idx.begin() + 18, idx.begin() + 27),
            (std::vector<int64_t>{-1, -1, -1, 1, 2, -1, 4, 5, -1}));
  int64_t row0 = 0, rows = 0;
  conv_input_rows(l.conv, 0, 0, &row0, &rows);
  EXPECT_EQ(row0, 0);
  EXPECT_EQ(rows, 2);
}

TEST(OperandLayout, ChannelLastConvIfmapHoldsChannelsOfAPixelTogether) {
  // 1x1 kernel on a 2x3 input, 3 channels, one image; the tile covers output row 1 (m 3..5) and
  // channels 1..2 (k 1..2): its LOAD holds input row 1 as [W = 3][2 channels].
  OperandLayout l;
  l.kind = LayoutKind::kConvIfmap;
  l.conv.h = 2, l.conv.w = 3, l.conv.ho = 2, l.conv.wo = 3, l.conv.m0 = 3, l.conv.k0 = 1;
  l.conv.channel_last = true;
  l.conv.block = 3;  // all three channels: k = channel for a 1 x 1 kernel
  // (m, k) -> (x * 2 + c): pixel x = m - 3, channel c = k - 1.
  EXPECT_EQ(operand_indices(l, 3, 2), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  l.conv.channel_last = false;  // the same tile in planes: [2 channels][W = 3]
  EXPECT_EQ(operand_indices(l, 3, 2), (std::vector<int64_t>{0, 3, 1, 4, 2, 5}));
}

TEST(OperandLayout, ChannelBlocksOrderKAsBlockThenKernelTapThenChannel) {
  // 1 x 2 kernel, 4 channels in blocks of 2: k = (block, kernel column, channel in block), so
  // k 0..7 are (c, s) = (0,0) (1,0) (0,1) (1,1) (2,0) (3,0) (2,1) (3,1).
  ConvTileGeometry g;
  g.kh = 1, g.kw = 2, g.channel_last = true, g.block = 2;
  const int64_t want[8][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {2, 0}, {3, 0}, {2, 1}, {3, 1}};
  for (int64_t k = 0; k < 8; ++k) {
    int64_t c = 0, r = 0, s = 0;
    conv_k_coords(g, k, &c, &r, &s);
    EXPECT_EQ(c, want[k][0]) << k;
    EXPECT_EQ(s, want[k][1]) << k;
    EXPECT_EQ(r, 0) << k;
  }
  // A tile of k 4..7 holds block 1 (channels 2..3); k 2..5 spans two blocks: channels 0..3; k 5..5
  // lies in one tap of block 1: channel 3 alone.
  int64_t c0 = 0, count = 0;
  g.k0 = 4;
  conv_tile_channels(g, 4, &c0, &count);
  EXPECT_EQ(c0, 2);
  EXPECT_EQ(count, 2);
  g.k0 = 2;
  conv_tile_channels(g, 4, &c0, &count);
  EXPECT_EQ(c0, 0);
  EXPECT_EQ(count, 4);
  g.k0 = 5;
  conv_tile_channels(g, 1, &c0, &count);
  EXPECT_EQ(c0, 3);
  EXPECT_EQ(count, 1);
}

TEST(OperandLayout, StridePhasesHoldEachSubPlaneRowMajor) {
  // A 3 x 5 plane in (2, 2) phases: sub-planes (row mod 2, column mod 2) of 2 x 3, 2 x 2, 1 x 3
  // and 1 x 2 elements, one after another.
  const int64_t want[3][5] = {{0, 6, 1, 7, 2}, {10, 13, 11, 14, 12}, {3, 8, 4, 9, 5}};
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t x = 0; x < 5; ++x) EXPECT_EQ(stride_phase_position(i, x, 3, 5, 2, 2), want[i][x]) << i << x;
  }
  // One column phase of three: row x of 7 -> columns 0 3 6 | 1 4 | 2 5.
  const int64_t cols[7] = {0, 3, 5, 1, 4, 6, 2};
  for (int64_t x = 0; x < 7; ++x) EXPECT_EQ(stride_phase_position(0, x, 1, 7, 1, 3), cols[x]) << x;
  EXPECT_EQ(stride_phase_position(2, 4, 3, 5, 1, 1), 14);  // no phases: row-major
  EXPECT_THROW(stride_phase_position(3, 0, 3, 5, 2, 2), InternalError);
  EXPECT_THROW(stride_phase_position(0, -1, 3, 5, 2, 2), InternalError);
}

TEST(OperandLayout, StridePhasedConvIfmapReadsAnOutputRowFromConsecutiveElements) {
  // 3 x 3 kernel, stride 2, pad 1 on a 4 x 4 input -> 2 x 2 output; one channel. The tile holds
  // all four input rows in (2, 2) phases: sub-planes (even rows, even columns) at 0..3, (even,
  // odd) at 4..7, (odd, even) at 8..11, (odd, odd) at 12..15.
  OperandLayout l;
  l.kind = LayoutKind::kConvIfmap;
  l.conv.h = 4, l.conv.w = 4, l.conv.ho = 2, l.conv.wo = 2, l.conv.kh = 3, l.conv.kw = 3;
  l.conv.sh = 2, l.conv.sw = 2, l.conv.pad_top = 1, l.conv.pad_left = 1;
  l.conv.row_phases = 2, l.conv.col_phases = 2;
  const std::vector<int64_t> idx = operand_indices(l, 4, 9);
  auto at = [&](int64_t m, int64_t k) { return idx[static_cast<size_t>(m * 9 + k)]; };
  // Kernel tap (1, 1) reads input (2 oy, 2 ox): the (even, even) sub-plane, in order.
  EXPECT_EQ((std::vector<int64_t>{at(0, 4), at(1, 4), at(2, 4), at(3, 4)}),
            (std::vector<int64_t>{0, 1, 2, 3}));
  // Tap (2, 2) reads (2 oy + 1, 2 ox + 1): the (odd, odd) sub-plane.
  EXPECT_EQ((std::vector<int64_t>{at(0, 8), at(1, 8), at(2, 8), at(3, 8)}),
            (std::vector<int64_t>{12, 13, 14, 15}));
  // Tap (0, 0) of output (0, 0) is padding; of output (1, 1) it is input (1, 1).
  EXPECT_EQ(at(0, 0), -1);
  EXPECT_EQ(at(3, 0), 12);
  // The same tile unphased is row-major: input (1, 1) at 5.
  l.conv.row_phases = l.conv.col_phases = 1;
  EXPECT_EQ(operand_indices(l, 4, 9)[3 * 9], 5);
}

TEST(RequantShift, FollowsTheDocumentedRule) {
  ArchSpec a;  // int8 x int8 -> int32
  // ceil(ceil(log2 K) / 2) + 8 + 8 - 8 - 1
  EXPECT_EQ(requant_shift(a, 1), 0 + 7);
  EXPECT_EQ(requant_shift(a, 576), 5 + 7);  // ceil(log2 576) = 10
  EXPECT_EQ(requant_shift(a, 577), 5 + 7);
  EXPECT_EQ(requant_shift(a, 2048), 6 + 7);  // log2 = 11 -> 6
  a.core.array.input_type = a.core.array.weight_type = DataType::kInt16;
  EXPECT_EQ(requant_shift(a, 576), 5 + 16 + 16 - 16 - 1);
  a.core.array.input_type = a.core.array.weight_type = DataType::kFp16;
  EXPECT_EQ(requant_shift(a, 576), 0);
}

}  // namespace
}  // namespace systole
