// Bank conflicts (array/bank_conflicts.h, array/tile_bank_cost.h): hand-computed access groups, the
// closed forms against enumeration, and the tile model's memoised sums against a per-element
// reference over the layouts the compiler emits (matrix, strided matrix, implicit-im2col conv).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "systole/array/array_timing.h"
#include "systole/array/bank_conflicts.h"
#include "systole/array/tile_bank_cost.h"

namespace systole::hw {
namespace {

constexpr int64_t kPad = VectorBankCounter::kPadding;

BankGeometry banks16(BankMapping m = BankMapping::kInterleaved, int64_t ports = 1) {
  return BankGeometry{16, 4, ports, m};
}

// n elements of elem bytes at base + i * stride.
AccessCost strided(const BankGeometry& g, int64_t base, int64_t n, int64_t stride, int64_t elem) {
  VectorBankCounter c(g);
  std::vector<int64_t> offs;
  for (int64_t i = 0; i < n; ++i) offs.push_back(i * stride);
  return c.group_cost(base, offs.data(), offs.size(), elem);
}

// Per-group reference: distinct words per bank by brute force.
AccessCost brute_group(const BankGeometry& g, const std::vector<int64_t>& addrs, int64_t elem) {
  std::set<int64_t> words;
  for (int64_t a : addrs) {
    for (int64_t x = a / g.width_bytes; x <= (a + elem - 1) / g.width_bytes; ++x) words.insert(x);
  }
  std::map<int64_t, int64_t> per_bank;
  int64_t most = 0;
  for (int64_t x : words) {
    int64_t b = x % g.banks;
    if (g.mapping == BankMapping::kXor) b = (x % g.banks) ^ ((x / g.banks) % g.banks);
    most = std::max(most, ++per_bank[b]);
  }
  return {static_cast<int64_t>(words.size()), most == 0 ? 0 : (most + g.ports - 1) / g.ports - 1};
}

TEST(BankConflicts, StrideOfAllBanksPutsEveryElementInOneBank) {
  // 16 int8 elements 16 banks x 4 B = 64 B apart: words 0, 16, 32, ... all in bank 0, so the
  // vector takes 16 cycles instead of 1: 15 conflict cycles.
  const AccessCost c = strided(banks16(), 0, 16, 16 * 4, 1);
  EXPECT_EQ(c.accesses, 16);
  EXPECT_EQ(c.conflict_cycles, 16 - 1);
}

TEST(BankConflicts, ContiguousVectorHasNoConflict) {
  // 64 int8 = 16 words in 16 consecutive banks, whatever the (word-aligned) start.
  for (int64_t base : {0, 4, 60, 4096}) {
    const AccessCost c = strided(banks16(), base, 64, 1, 1);
    EXPECT_EQ(c.accesses, 64 / 4);
    EXPECT_EQ(c.conflict_cycles, 0) << base;
  }
  // Unaligned by one byte: 17 words, banks b..b+16 -> bank b twice: one conflict.
  EXPECT_EQ(strided(banks16(), 1, 64, 1, 1).conflict_cycles, 1);
}

TEST(BankConflicts, XorMappingSpreadsAPowerOfTwoStride) {
  // Word 16 i: (16 i xor i) mod 16 = i mod 16. 16 elements -> 16 banks; 32 elements -> 2 per bank.
  EXPECT_EQ(strided(banks16(BankMapping::kXor), 0, 16, 64, 1).conflict_cycles, 0);
  EXPECT_EQ(strided(banks16(BankMapping::kXor), 0, 32, 64, 1).conflict_cycles, 2 - 1);
  // Interleaved, the same 32 elements: 32 words in bank 0.
  EXPECT_EQ(strided(banks16(), 0, 32, 64, 1).conflict_cycles, 32 - 1);
}

TEST(BankConflicts, TwoPortsHalveTheConflict) {
  // 16 words in one bank, 2 accesses per cycle: ceil(16 / 2) = 8 cycles, 7 of them extra.
  EXPECT_EQ(strided(banks16(BankMapping::kInterleaved, 2), 0, 16, 64, 1).conflict_cycles, 16 / 2 - 1);
  // 15 words: ceil(15 / 2) = 8.
  EXPECT_EQ(strided(banks16(BankMapping::kInterleaved, 2), 0, 15, 64, 1).conflict_cycles, 8 - 1);
}

TEST(BankConflicts, APortBoundVectorCountsOnlyTheBankCyclesBeyondThePort) {
  const BankGeometry g = banks16(BankMapping::kInterleaved, 1);  // 16 banks x 4 B = 64 B a row
  auto cost = [&](int64_t port, int64_t n, int64_t stride) {
    VectorBankCounter c(g, port);
    std::vector<int64_t> offs;
    for (int64_t i = 0; i < n; ++i) offs.push_back(i * stride);
    return c.group_cost(0, offs.data(), offs.size(), 4);
  };
  // 32 contiguous int32 (128 B): 2 words per bank. Through a 64 B port that is the port's own 2
  // cycles: no conflict; through a 128 B port (or none) one cycle beyond.
  EXPECT_EQ(cost(64, 32, 4).conflict_cycles, 0);
  EXPECT_EQ(cost(128, 32, 4).conflict_cycles, 1);
  EXPECT_EQ(cost(0, 32, 4).conflict_cycles, 1);
  // 8 int32 two rows apart (stride 128 B): all in bank 0, 8 cycles against the port's 1.
  EXPECT_EQ(cost(64, 8, 128).conflict_cycles, 7);
  // 32 int32 at stride 8 B: 32 words on the 8 even banks, 4 each; the 64 B port needs 2 cycles.
  EXPECT_EQ(cost(64, 32, 8).conflict_cycles, 4 - 2);
  EXPECT_EQ(cost(64, 32, 8).accesses, 32);
}

TEST(BankConflicts, ElementsSharingAWordAreOneAccess) {
  // Bytes 0..3 share word 0, bytes 64..67 word 16: two words, both in bank 0.
  VectorBankCounter c(banks16());
  const std::vector<int64_t> offs{0, 1, 2, 3, 64, 65, 66, 67};
  const AccessCost a = c.group_cost(0, offs.data(), offs.size(), 1);
  EXPECT_EQ(a.accesses, 2);
  EXPECT_EQ(a.conflict_cycles, 1);
  // Padding elements are not accessed.
  const std::vector<int64_t> padded{0, kPad, 64, kPad};
  EXPECT_EQ(c.group_cost(0, padded.data(), padded.size(), 1), (AccessCost{2, 1}));
  const std::vector<int64_t> all_pad{kPad, kPad};
  EXPECT_EQ(c.group_cost(0, all_pad.data(), all_pad.size(), 1), (AccessCost{0, 0}));
}

TEST(BankConflicts, ElementWiderThanAWordTakesOneAccessPerWord) {
  // 8 fp64-sized elements of 8 B, contiguous: 16 words in 16 banks.
  EXPECT_EQ(strided(banks16(), 0, 8, 8, 8), (AccessCost{16, 0}));
  // 4-B words 32 B apart: words 0,1, 8,9, 16,17 ... for 16 elements -> banks 0,1,8,9 four times each.
  EXPECT_EQ(strided(banks16(), 0, 8, 32, 8), (AccessCost{16, 4 - 1}));
}

TEST(BankConflicts, MaxWordsPerBankMatchesEnumeration) {
  for (BankMapping m : {BankMapping::kInterleaved, BankMapping::kXor}) {
    for (int64_t banks : {1, 2, 8, 16}) {
      const BankGeometry g{banks, 4, 1, m};
      for (int64_t w0 = 0; w0 < 3 * banks * banks; ++w0) {
        for (int64_t n = 1; n <= 3 * banks + 2; ++n) {
          std::map<int64_t, int64_t> per_bank;
          int64_t most = 0;
          for (int64_t x = w0; x < w0 + n; ++x) most = std::max(most, ++per_bank[g.bank_of_word(x)]);
          ASSERT_EQ(max_words_per_bank(g, w0, n), most) << banks << " banks, words " << w0 << "+" << n;
        }
      }
    }
  }
}

TEST(BankConflicts, TransferCostMatchesBeatEnumeration) {
  for (BankMapping m : {BankMapping::kInterleaved, BankMapping::kXor}) {
    for (int64_t ports : {1, 2}) {
      const BankGeometry g{8, 4, ports, m};
      for (int64_t port : {4, 12, 32, 64, 100}) {
        for (int64_t addr : {0, 1, 3, 4, 30, 257}) {
          for (int64_t bytes : {1, 5, 32, 64, 65, 200, 1000}) {
            AccessCost want;
            for (int64_t s = addr; s < addr + bytes; s += port) {
              std::vector<int64_t> beat;
              for (int64_t a = s; a < std::min(addr + bytes, s + port); ++a) beat.push_back(a);
              want += brute_group(g, beat, 1);
            }
            ASSERT_EQ(transfer_cost(g, addr, bytes, port), want)
                << to_string(m) << " port " << port << " addr " << addr << " bytes " << bytes;
          }
        }
      }
    }
  }
}

TEST(BankConflicts, TransferClosedFormByHand) {
  // 1000 B from address 2 through a 64-B port, 16 x 4-B interleaved banks: 15 full beats of
  // 64 B, each touching (2 + 63) / 4 + 1 = 17 words (bank of the first word twice: 1 conflict),
  // and a last beat of 1000 - 15 * 64 = 40 B on (2 + 39) / 4 + 1 = 11 words (none).
  const AccessCost c = transfer_cost(banks16(), 2, 1000, 64);
  EXPECT_EQ(c.accesses, 15 * 17 + 11);
  EXPECT_EQ(c.conflict_cycles, 15 * 1);
}

TEST(BankConflicts, ProgressionEqualsTheDirectSum) {
  for (BankMapping m : {BankMapping::kInterleaved, BankMapping::kXor}) {
    VectorBankCounter c(BankGeometry{8, 4, 1, m});
    const std::vector<int64_t> offs{0, 12, 24, 36, 48, 60, 72};
    for (int64_t delta : {0, 1, 4, 12, 32, 96, 256, 7}) {
      for (int64_t count : {1, 5, 31, 200}) {
        AccessCost want;
        for (int64_t v = 0; v < count; ++v) want += c.group_cost(3 + v * delta, offs.data(), offs.size(), 2);
        ASSERT_EQ(c.progression_cost(3, delta, count, offs, 2), want) << delta << " " << count;
      }
    }
  }
}

// The tile model's sums equal the per-element reference for every axis and fold range.
// `o` may carry memo entries from earlier calls (as across the tiles of a simulation).
// along_rows_only: a stride-phased conv ifmap, which only dataflows reading along m use.
void expect_matches_reference(TileBankModel::Operand& o, const OperandLayout& layout, int64_t rows,
                              int64_t cols, int64_t fold, int64_t spm, bool along_rows_only = false) {
  const BankGeometry& g = o.counter.geometry();
  const int64_t elem = o.elem_bytes;
  VectorBankCounter ref(g);
  for (auto axis : {TileBankModel::Axis::kAlongCols, TileBankModel::Axis::kAlongRows}) {
    if (along_rows_only && axis == TileBankModel::Axis::kAlongCols) continue;
    const int64_t extent = axis == TileBankModel::Axis::kAlongCols ? cols : rows;
    for (int64_t x0 = 0; x0 < extent; x0 += fold) {
      const int64_t len = std::min(fold, extent - x0);
      const AccessCost want = vectors_cost_reference(ref, elem, layout, spm, rows, cols, axis, x0, len);
      ASSERT_EQ(TileBankModel::vectors_cost(o, layout, spm, rows, cols, axis, x0, len), want)
          << "rows " << rows << " cols " << cols << " axis " << static_cast<int>(axis) << " x0 " << x0;
      // Second call: served by the memo, same answer.
      ASSERT_EQ(TileBankModel::vectors_cost(o, layout, spm, rows, cols, axis, x0, len), want);
    }
  }
}

TEST(TileBankModel, MatrixLayoutsMatchReference) {
  for (BankMapping m : {BankMapping::kInterleaved, BankMapping::kXor}) {
    const BankGeometry g{16, 4, 1, m};
    TileBankModel::Operand int8{VectorBankCounter(g), 1, {}, {}}, int32{VectorBankCounter(g), 4, {}, {}};
    OperandLayout dense;
    expect_matches_reference(int8, dense, 70, 45, 32, 0);
    expect_matches_reference(int32, dense, 33, 64, 16, 131072);
    OperandLayout transposed;  // [cols][rows], as the compiler stores conv weights (k x n)
    transposed.row_stride = 1;
    transposed.col_stride = 576;
    expect_matches_reference(int8, transposed, 576, 40, 32, 64);
    expect_matches_reference(int8, transposed, 576, 40, 32, 128);
  }
}

ConvTileGeometry random_conv(std::mt19937& rng, int64_t* rows, int64_t* cols) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  ConvTileGeometry g;
  g.kh = pick(1, 3), g.kw = pick(1, 3);
  g.sh = pick(1, 2), g.sw = pick(1, 2);
  g.dh = pick(1, 2), g.dw = pick(1, 2);
  g.pad_top = pick(0, g.kh - 1), g.pad_left = pick(0, g.kw - 1);
  g.h = pick(5, 12), g.w = pick(5, 12);
  g.ho = (g.h + 2 * g.pad_top - g.dh * (g.kh - 1) - 1) / g.sh + 1;
  g.wo = (g.w + 2 * g.pad_left - g.dw * (g.kw - 1) - 1) / g.sw + 1;
  const int64_t images = pick(1, 3), channels = pick(1, 6);
  // Channel-last tiles use blocks of a divisor of the channels (callers set channel_last).
  for (g.block = pick(1, channels); channels % g.block != 0;) --g.block;
  const int64_t m_total = images * g.ho * g.wo, k_total = channels * g.kh * g.kw;
  g.m0 = pick(0, m_total - 1);
  g.k0 = pick(0, k_total - 1);
  *rows = pick(1, m_total - g.m0);
  *cols = pick(1, k_total - g.k0);
  return g;
}

TEST(TileBankModel, ConvLayoutsMatchReference) {
  std::mt19937 rng(7);
  // One memo per (banking, element size), shared by all trials like the tiles of a simulation.
  std::map<std::array<int64_t, 5>, TileBankModel::Operand> operands;
  auto operand = [&](const BankGeometry& g, int64_t elem) -> TileBankModel::Operand& {
    const std::array<int64_t, 5> key{g.banks, g.width_bytes, g.ports, static_cast<int64_t>(g.mapping), elem};
    auto it = operands.find(key);
    if (it == operands.end())
      it = operands.emplace(key, TileBankModel::Operand{VectorBankCounter(g), elem, {}, {}}).first;
    return it->second;
  };
  for (int trial = 0; trial < 600; ++trial) {
    int64_t rows = 0, cols = 0;
    OperandLayout in;
    in.kind = LayoutKind::kConvIfmap;
    in.conv = random_conv(rng, &rows, &cols);
    if (in.conv.ho <= 0 || in.conv.wo <= 0) continue;
    OperandLayout out = in;
    out.kind = LayoutKind::kConvOfmap;
    in.conv.channel_last = trial % 5 >= 3;  // [input row][W][channel] tiles in 2 trials of 5
    // Stride-phased planes (space-to-depth) in 1 trial of 5, read along m only.
    const bool phased = trial % 5 == 2 && in.conv.sh * in.conv.sw > 1;
    if (phased) in.conv.row_phases = in.conv.sh, in.conv.col_phases = in.conv.sw;
    const BankMapping m = trial % 2 == 0 ? BankMapping::kInterleaved : BankMapping::kXor;
    const int64_t banks = trial % 3 == 0 ? 4 : 8, fold = 1 + trial % 9;
    const BankGeometry g{banks, trial % 4 == 0 ? 1 : 4, 1 + trial % 2, m};
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    expect_matches_reference(operand(g, 1 + trial % 2), in, rows, cols, fold, 16 * trial, phased);
    expect_matches_reference(operand(g, 4), out, rows, 1 + trial % 11, fold, 8 * trial);
  }
}

// The staged feeder's packed count against the element enumeration, over random conv tiles
// (padding classes of every kind), both axes, every fold start, several element / word sizes.
TEST(TileBankModel, PackedCountsMatchReference) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 600; ++trial) {
    int64_t rows = 0, cols = 0;
    OperandLayout in;
    in.kind = LayoutKind::kConvIfmap;
    in.conv = random_conv(rng, &rows, &cols);
    if (in.conv.ho <= 0 || in.conv.wo <= 0) continue;
    in.conv.channel_last = trial % 2 == 1;  // the packed count does not depend on where elements lie
    const int64_t elem = 1 + trial % 2, width = trial % 3 == 0 ? 1 : 4, fold = 1 + trial % 9;
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    for (TileBankModel::Axis axis : {TileBankModel::Axis::kAlongCols, TileBankModel::Axis::kAlongRows}) {
      const int64_t extent = axis == TileBankModel::Axis::kAlongCols ? cols : rows;
      for (int64_t x0 = 0; x0 < extent; x0 += fold) {
        const int64_t len = std::min(fold, extent - x0);
        ASSERT_EQ(TileBankModel::packed_vectors_cost(in, rows, cols, axis, x0, len, elem, width),
                  packed_vectors_cost_reference(elem, width, in, rows, cols, axis, x0, len));
      }
    }
  }
}

TEST(TileBankModel, PackedCountOfAPaddedVectorByHand) {
  // 3x3 conv, pad 1, 4 x 4 input, one channel: output pixel (0, 0) reads kernel rows 1-2 and
  // columns 1-2 only, 4 of the 9 taps; int8 in 4-B words: ceil(4 / 4) = 1 word (direct: the
  // words those 4 bytes lie in). Pixel (1, 1) reads all 9: ceil(9 / 4) = 3 words.
  OperandLayout in;
  in.kind = LayoutKind::kConvIfmap;
  in.conv.h = in.conv.w = in.conv.ho = in.conv.wo = 4;
  in.conv.kh = in.conv.kw = 3;
  in.conv.pad_top = in.conv.pad_left = 1;
  EXPECT_EQ(
      TileBankModel::packed_vectors_cost(in, 1, 9, TileBankModel::Axis::kAlongCols, 0, 9, 1, 4).accesses, 1);
  in.conv.m0 = 5;  // (oy, ox) = (1, 1)
  EXPECT_EQ(
      TileBankModel::packed_vectors_cost(in, 1, 9, TileBankModel::Axis::kAlongCols, 0, 9, 1, 4).accesses, 3);
}

TEST(TileBankModel, AccessesEqualTileTrafficForWordSizedElements) {
  // 4-B elements in 4-B words, no padding: one access per element read or written, so the tile's
  // accesses are tile_traffic's element counts (and the RMW count its ofmap reads).
  ArrayGeometry geo{8, 4, ArrayMicroarch{}};
  const BankGeometry g{16, 4, 1, BankMapping::kInterleaved};
  TileBankModel model(TileBankParams{geo, g, g, g, 4, 4, 4});
  for (Dataflow d : {Dataflow::kWeightStationary, Dataflow::kOutputStationary, Dataflow::kInputStationary}) {
    for (bool acc : {false, true}) {
      MatmulOp op;
      op.dataflow = d;
      op.m = 13, op.n = 9, op.k = 21;
      op.accumulate = acc;
      const TileTraffic t = tile_traffic(geo, op);
      const TileBankCost c = model.cost(op);
      EXPECT_EQ(c.ifmap_read.accesses, t.ifmap_reads);
      EXPECT_EQ(c.weight_read.accesses, t.weight_reads);
      EXPECT_EQ(c.ofmap_read.accesses, t.ofmap_reads);
      EXPECT_EQ(c.ofmap_write.accesses, t.ofmap_writes);
      EXPECT_EQ(c.accumulator_rmw, d == Dataflow::kOutputStationary ? 0 : t.ofmap_reads);
    }
  }
}

TEST(TileBankModel, WsTileByHand) {
  // WS on 4 x 4, m = 3, n = 4, k = 8, dense int8 ifmap / weights, int32 ofmap, 4 banks x 4 B:
  //  - ifmap vectors a[i][0..4) and a[i][4..8): 4 contiguous bytes = 1 word each, no conflict;
  //    2 row folds x 3 rows x Fc = 1: 6 accesses.
  //  - weight preload rows w[k][0..4): one word each, 8 accesses, no conflict.
  //  - partial sums out[i][0..4): 4 words in 4 banks, no conflict; 3 vectors x 4 words, written
  //    Fr = 2 times, read Fr - 1 = 1 time (RMW of 3 * 4 elements).
  ArrayGeometry geo{4, 4, ArrayMicroarch{}};
  const BankGeometry g{4, 4, 1, BankMapping::kInterleaved};
  TileBankModel model(TileBankParams{geo, g, g, g, 1, 1, 4, OperandFeeder::kDirect});
  MatmulOp op;
  op.m = 3, op.n = 4, op.k = 8;
  TileBankCost c = model.cost(op);
  EXPECT_EQ(c.ifmap_read, (AccessCost{6, 0}));
  EXPECT_EQ(c.weight_read, (AccessCost{8, 0}));
  EXPECT_EQ(c.ofmap_write, (AccessCost{2 * 12, 0}));
  EXPECT_EQ(c.ofmap_read, (AccessCost{12, 0}));
  EXPECT_EQ(c.accumulator_rmw, 12);
  // Weights stored transposed ([n][k], column stride 8 B = 2 words): the preload row w[k][0..4)
  // lies in words 0, 2, 4, 6 (+ k/4) -> banks b, b+2, b, b+2: 2 per bank, 1 conflict per row.
  op.weight_layout.row_stride = 1;
  op.weight_layout.col_stride = 8;
  c = model.cost(op);
  EXPECT_EQ(c.weight_read, (AccessCost{8 * 4, 8 * 1}));
  EXPECT_EQ(c.conflict_cycles(), 8);
  // A staged feeder reads the same 4-byte preload rows as packed words: one access each, no
  // conflict, whatever the layout.
  TileBankModel staged(TileBankParams{geo, g, g, g, 1, 1, 4, OperandFeeder::kStaged});
  c = staged.cost(op);
  EXPECT_EQ(c.weight_read, (AccessCost{8, 0}));
  EXPECT_EQ(c.ifmap_read, (AccessCost{6, 0}));
  EXPECT_EQ(c.ofmap_write, (AccessCost{2 * 12, 0}));
  EXPECT_EQ(c.conflict_cycles(), 0);
}

}  // namespace
}  // namespace systole::hw
