// Functional data movement through the DMA: exact bytes LOADed and STOREd (strided on both
// sides), and the requantising STORE of accumulators. Hand-built programs, no compiler.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "systole/common/error.h"
#include "systole/hw/core/npu_top.h"
#include "systole/numeric/gemm_reference.h"
#include "unit/hw/program_builder.h"

namespace systole {
namespace {

using hwtest::test_arch;

Instruction dma(uint32_t id, Opcode op, const DmaDescriptor& d, std::vector<uint32_t> deps) {
  Instruction in;
  in.id = id;
  in.op = op;
  in.deps = std::move(deps);
  in.payload = d;
  return in;
}

std::unique_ptr<hw::NpuTop> run(const ArchSpec& arch, const Program& p, std::vector<uint8_t>* dram) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  auto top = std::make_unique<hw::NpuTop>("npu", hw::NpuTopParams{arch, p, dram});
  sc_core::sc_start();
  if (std::exception_ptr f = top->failure()) std::rethrow_exception(f);
  return top;
}

TEST(FunctionalDma, LoadThenStoreRoundTripsExactBytes) {
  // Source: 3 planes x 4 rows x 100 B at 0x0, rows 128 B apart, planes 1024 B apart.
  // LOAD packs them into the ifmap scratchpad at 0x40; STORE writes them to 0x4000 as 12 rows of
  // 100 B, 256 B apart. Every byte is a function of its source position.
  std::vector<uint8_t> dram(0x8000, 0);
  auto src_byte = [](uint64_t p, uint64_t r, uint64_t b) {
    return static_cast<uint8_t>(p * 71 + r * 13 + b * 7 + 1);
  };
  for (uint64_t p = 0; p < 3; ++p)
    for (uint64_t r = 0; r < 4; ++r)
      for (uint64_t b = 0; b < 100; ++b) dram[p * 1024 + r * 128 + b] = src_byte(p, r, b);
  DmaDescriptor ld;
  ld.buffer = Buffer::kIfmap;
  ld.dram_addr = 0;
  ld.spm_addr = 0x40;
  ld.planes = 3, ld.rows = 4, ld.row_bytes = 100, ld.plane_stride_bytes = 1024, ld.row_stride_bytes = 128;
  DmaDescriptor st;
  st.buffer = Buffer::kIfmap;
  st.dram_addr = 0x4000;
  st.spm_addr = 0x40;
  st.rows = 12, st.row_bytes = 100, st.row_stride_bytes = 256;
  Program p;
  p.layers.push_back({"L0", "matmul", 0, 0});
  p.instructions = {dma(0, Opcode::kLoad, ld, {}), dma(1, Opcode::kStore, st, {0})};
  const std::vector<uint8_t> before = dram;
  auto top = run(test_arch(), p, &dram);
  for (uint64_t p3 = 0; p3 < 3; ++p3) {
    for (uint64_t r = 0; r < 4; ++r) {
      for (uint64_t b = 0; b < 100; ++b) {
        ASSERT_EQ(dram[0x4000 + (p3 * 4 + r) * 256 + b], src_byte(p3, r, b)) << p3 << " " << r << " " << b;
      }
    }
  }
  // Nothing else changed: the gaps between destination rows and the source are intact.
  for (uint64_t a = 0; a < dram.size(); ++a) {
    const bool dst = a >= 0x4000 && (a - 0x4000) % 256 < 100 && (a - 0x4000) / 256 < 12;
    if (!dst) {
      ASSERT_EQ(dram[a], before[a]) << a;
    }
  }
  EXPECT_EQ(top->dram().counters().read_bytes, 1200);
  EXPECT_EQ(top->dram().counters().write_bytes, 1200);
}

TEST(FunctionalDma, StoreFromAccumulatorsRequantises) {
  // int32 accumulators in DRAM -> LOAD into the ofmap scratchpad -> STORE from_accumulator with
  // shift 4 to int8: round half to even of acc / 16, saturated.
  const std::vector<int32_t> acc = {40, 56, -40, -56, 24, 100000, -100000, 0, 15, -8, 2047, 2032};
  std::vector<uint8_t> dram(0x1000, 0);
  std::memcpy(dram.data(), acc.data(), acc.size() * 4);  // little-endian host
  DmaDescriptor ld;
  ld.buffer = Buffer::kOfmap;
  ld.dram_addr = 0;
  ld.spm_addr = 0x100;
  ld.row_bytes = acc.size() * 4;
  ld.row_stride_bytes = ld.row_bytes;
  DmaDescriptor st;
  st.buffer = Buffer::kOfmap;
  st.dram_addr = 0x800;
  st.spm_addr = 0x100;
  st.rows = 3, st.row_bytes = 4, st.row_stride_bytes = 64;  // 12 int8 results in 3 strided rows
  st.from_accumulator = true;
  st.requant_shift = 4;
  Program p;
  p.layers.push_back({"L0", "matmul", 0, 0});
  p.instructions = {dma(0, Opcode::kLoad, ld, {}), dma(1, Opcode::kStore, st, {0})};
  run(test_arch(), p, &dram);
  const std::vector<int8_t> expected = {2, 4, -2, -4, 2, 127, -128, 0, 1, 0, 127, 127};
  for (size_t i = 0; i < acc.size(); ++i) {
    const auto got = static_cast<int8_t>(dram[0x800 + (i / 4) * 64 + i % 4]);
    EXPECT_EQ(got, expected[i]) << "acc " << acc[i];
    EXPECT_EQ(got, requantize(acc[i], 4, DataType::kInt8)) << "acc " << acc[i];
  }
}

// A gather: the int32 indices LOADed into the ifmap scratchpad, an indexed LOAD of the table rows
// they name into the ofmap scratchpad, a STORE of those rows. The bursts of the indexed LOAD go to
// the rows the descriptor assumes (0..3); the bytes are those of rows 5, 0, 3, 3.
Program gather_program(uint64_t table_rows) {
  DmaDescriptor ids;
  ids.buffer = Buffer::kIfmap;
  ids.dram_addr = 0;
  ids.row_bytes = 16;
  ids.row_stride_bytes = 16;
  DmaDescriptor rows;
  rows.buffer = Buffer::kOfmap;
  rows.dram_addr = 0x100;
  rows.rows = 4, rows.row_bytes = 8, rows.row_stride_bytes = 8;
  rows.indexed = true;
  rows.index_buffer = Buffer::kIfmap;
  rows.index_spm_addr = 0;
  rows.table_addr = 0x100;
  rows.table_rows = table_rows;
  DmaDescriptor st;
  st.buffer = Buffer::kOfmap;
  st.dram_addr = 0x400;
  st.row_bytes = 32;
  st.row_stride_bytes = 32;
  Program p;
  p.layers.push_back({"emb", "gather", 0, 0});
  p.instructions = {dma(0, Opcode::kLoad, ids, {}), dma(1, Opcode::kLoad, rows, {0}),
                    dma(2, Opcode::kStore, st, {1})};
  return p;
}

std::vector<uint8_t> gather_dram() {
  std::vector<uint8_t> dram(0x1000, 0);
  const std::vector<int32_t> ids = {5, 0, 3, 3};
  std::memcpy(dram.data(), ids.data(), 16);  // little-endian host
  for (uint64_t r = 0; r < 6; ++r) {
    for (uint64_t b = 0; b < 8; ++b) dram[0x100 + r * 8 + b] = static_cast<uint8_t>(r * 16 + b);
  }
  return dram;
}

TEST(FunctionalDma, IndexedLoadGathersTheRowsItsIndicesName) {
  std::vector<uint8_t> dram = gather_dram();
  auto top = run(test_arch(), gather_program(6), &dram);
  const uint64_t want[] = {5, 0, 3, 3};
  for (uint64_t j = 0; j < 4; ++j) {
    for (uint64_t b = 0; b < 8; ++b) ASSERT_EQ(dram[0x400 + j * 8 + b], want[j] * 16 + b) << j << " " << b;
  }
  EXPECT_EQ(top->dram().counters().read_bytes, 16 + 32);  // the indices, then one row per lookup
  EXPECT_EQ(top->dram().counters().write_bytes, 32);
}

TEST(FunctionalDma, AnIndexOutsideTheTableStopsTheRun) {
  std::vector<uint8_t> dram = gather_dram();
  EXPECT_THROW(run(test_arch(), gather_program(5), &dram), InternalError);  // index 5 of 5 rows
}

TEST(FunctionalDma, ReadingBeyondTheDramContentsIsAnError) {
  // A DRAM address beyond the contents is an error response; simulate() rethrows it.
  std::vector<uint8_t> dram(64, 0);
  DmaDescriptor ld;
  ld.buffer = Buffer::kIfmap;
  ld.dram_addr = 32;
  ld.row_bytes = 64;
  ld.row_stride_bytes = 64;
  Program p;
  p.layers.push_back({"L0", "matmul", 0, 0});
  p.instructions = {dma(0, Opcode::kLoad, ld, {})};
  EXPECT_THROW(run(test_arch(), p, &dram), InternalError);
}

}  // namespace
}  // namespace systole
