// coalesced(): merging contiguous DMA dimensions must move exactly the same bytes.
#include <gtest/gtest.h>

#include <set>

#include "systole/isa/isa.h"

namespace systole {
namespace {

// Every DRAM byte address a descriptor touches, in order.
std::vector<uint64_t> addresses(const DmaDescriptor& d) {
  std::vector<uint64_t> out;
  for (uint64_t p = 0; p < d.planes; ++p)
    for (uint64_t r = 0; r < d.rows; ++r)
      for (uint64_t b = 0; b < d.row_bytes; ++b)
        out.push_back(d.dram_addr + p * d.plane_stride_bytes + r * d.row_stride_bytes + b);
  return out;
}

DmaDescriptor desc(uint64_t planes, uint64_t rows, uint64_t row_bytes, uint64_t plane_stride,
                   uint64_t row_stride) {
  DmaDescriptor d;
  d.dram_addr = 4096;
  d.planes = planes;
  d.rows = rows;
  d.row_bytes = row_bytes;
  d.plane_stride_bytes = plane_stride;
  d.row_stride_bytes = row_stride;
  return d;
}

TEST(DmaCoalesce, FullyContiguousBecomesOneRow) {
  const DmaDescriptor c = coalesced(desc(2048, 7, 7, 49, 7));  // a global pool's 2048x7x7 input
  EXPECT_EQ(c.planes, 1u);
  EXPECT_EQ(c.rows, 1u);
  EXPECT_EQ(c.row_bytes, 2048u * 49u);
}

TEST(DmaCoalesce, ContiguousRowsInStridedPlanes) {
  const DmaDescriptor c = coalesced(desc(1024, 7, 14, 196, 14));  // half of each 14x14 plane
  EXPECT_EQ(c.planes, 1024u);
  EXPECT_EQ(c.rows, 1u);
  EXPECT_EQ(c.row_bytes, 98u);
  EXPECT_EQ(c.plane_stride_bytes, 196u);
}

TEST(DmaCoalesce, StridedRowsInContiguousPlanesMergePlanesOnly) {
  const DmaDescriptor c = coalesced(desc(3, 4, 5, 32, 8));
  EXPECT_EQ(c.planes, 1u);
  EXPECT_EQ(c.rows, 12u);
  EXPECT_EQ(c.row_bytes, 5u);
}

TEST(DmaCoalesce, SameBytesForManyShapes) {
  for (uint64_t planes : {1, 2, 5})
    for (uint64_t rows : {1, 3})
      for (uint64_t row_bytes : {1, 4})
        for (uint64_t row_gap : {0, 2})
          for (uint64_t plane_gap : {0, 3}) {
            const uint64_t rs = row_bytes + row_gap;
            const DmaDescriptor d = desc(planes, rows, row_bytes, rows * rs + plane_gap, rs);
            const DmaDescriptor c = coalesced(d);
            EXPECT_EQ(addresses(c), addresses(d))
                << planes << "x" << rows << "x" << row_bytes << " gaps " << row_gap << "/" << plane_gap;
            EXPECT_LE(c.planes * c.rows, d.planes * d.rows);
          }
}

}  // namespace
}  // namespace systole
