// NumPy broadcasting (numeric/broadcast.h): the shape rules, the merged geometry, and every run a
// chunk of output elements reads against a brute-force walk over the elements.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "systole/common/error.h"
#include "systole/numeric/broadcast.h"

namespace systole {
namespace {

TEST(Broadcast, ShapesAlignOnTheLastAxisAndStretchOnes) {
  Shape out;
  ASSERT_TRUE(broadcast_shape({{2, 4, 8, 8}, {2, 1, 1, 8}}, &out));
  EXPECT_EQ(out, (Shape{2, 4, 8, 8}));
  ASSERT_TRUE(broadcast_shape({{8, 1}, {8}}, &out));
  EXPECT_EQ(out, (Shape{8, 8}));
  ASSERT_TRUE(broadcast_shape({{3}, {}, {1, 1, 3}}, &out));
  EXPECT_EQ(out, (Shape{1, 1, 3}));
  ASSERT_TRUE(broadcast_shape({{5, 1, 7}, {1, 6, 1}}, &out));
  EXPECT_EQ(out, (Shape{5, 6, 7}));
  out = {42};
  EXPECT_FALSE(broadcast_shape({{2, 3}, {3, 2}}, &out));
  EXPECT_FALSE(broadcast_shape({{2, 4, 8, 8}, {2, 1, 3, 8}}, &out));
  EXPECT_EQ(out, (Shape{42}));  // untouched
}

TEST(Broadcast, GeometryMergesAxesEveryOperandWalksAlike) {
  // Equal shapes: one axis of stride 1.
  BroadcastGeometry g = broadcast_geometry({2, 3, 4}, {{2, 3, 4}, {2, 3, 4}});
  EXPECT_EQ(g.extent, (std::vector<int64_t>{24}));
  EXPECT_EQ(g.stride, (std::vector<std::vector<int64_t>>{{1}, {1}}));
  // A mask [B, 1, 1, S] beside scores [B, H, S, S]: batch, the broadcast H x S, the keys.
  g = broadcast_geometry({2, 4, 8, 8}, {{2, 4, 8, 8}, {2, 1, 1, 8}});
  EXPECT_EQ(g.extent, (std::vector<int64_t>{2, 32, 8}));
  EXPECT_EQ(g.stride, (std::vector<std::vector<int64_t>>{{256, 8, 1}, {8, 0, 1}}));
  // Extents of 1 disappear; a scalar operand is stride 0 everywhere.
  g = broadcast_geometry({1, 6, 1}, {{1, 6, 1}, {1}});
  EXPECT_EQ(g.extent, (std::vector<int64_t>{6}));
  EXPECT_EQ(g.stride, (std::vector<std::vector<int64_t>>{{1}, {0}}));
  g = broadcast_geometry({1, 1}, {{1}, {1, 1}});
  EXPECT_EQ(g.extent, (std::vector<int64_t>{1}));
  EXPECT_THROW(broadcast_geometry({2, 3}, {{3, 2}}), InternalError);
  EXPECT_THROW(broadcast_geometry({3}, {{1, 3}}), InternalError);
}

// offset() against the definition, and span() against the minimum and maximum over the range, for
// random shapes, operands and ranges (every range of the small ones).
TEST(Broadcast, SpansAreTheExactRangeOfOffsetsARunReads) {
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 300; ++trial) {
    Shape out(static_cast<size_t>(pick(1, 4)));
    for (int64_t& e : out) e = pick(1, 5);
    std::vector<Shape> operands;
    for (int o = pick(1, 3); o > 0; --o) {
      const size_t rank = static_cast<size_t>(pick(0, static_cast<int>(out.size())));
      Shape s(out.end() - static_cast<std::ptrdiff_t>(rank), out.end());
      for (int64_t& e : s) e = pick(0, 2) == 0 ? 1 : e;
      operands.push_back(s);
    }
    const BroadcastGeometry g = broadcast_geometry(out, operands);
    const int64_t total = num_elements(out);
    for (size_t o = 0; o < operands.size(); ++o) {
      const Shape& s = operands[o];
      std::vector<int64_t> want(static_cast<size_t>(total));
      for (int64_t i = 0; i < total; ++i) {
        // The operand's row-major index of output element i, by the definition.
        int64_t rest = i, at = 0, step = 1;
        for (size_t k = out.size(); k-- > 0;) {
          const int64_t idx = rest % out[k];
          rest /= out[k];
          const size_t lead = out.size() - s.size();
          if (k >= lead) {
            if (s[k - lead] != 1) at += idx * step;
            step *= s[k - lead];
          }
        }
        want[static_cast<size_t>(i)] = at;
        ASSERT_EQ(g.offset(o, i), at) << "trial " << trial << " operand " << o << " element " << i;
      }
      for (int64_t first = 0; first < total; ++first) {
        for (int64_t count = 1; first + count <= total; ++count) {
          const auto lo = *std::min_element(want.begin() + first, want.begin() + first + count);
          const auto hi = *std::max_element(want.begin() + first, want.begin() + first + count);
          ASSERT_EQ(g.span(o, first, count), std::make_pair(lo, hi))
              << "trial " << trial << " operand " << o << " [" << first << ", " << first + count << ")";
        }
      }
    }
  }
}

}  // namespace
}  // namespace systole
