// Data movement through the scratchpad (compiler/operator_lowering.h, emit_copies): the DMA has
// no DRAM-to-DRAM path, so a copy is a LOAD into one half of the ifmap scratchpad followed by a
// STORE out of that half. Chunks alternate between the halves: the LOAD of chunk i+1 overlaps the
// STORE of chunk i, and a LOAD into a half waits (WAR) for the STORE that last read it. Every
// byte is read from DRAM once and written once; no compute unit takes part.
#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/operator_lowering.h"

namespace systole {
namespace lowering {
namespace {

// One LOAD + STORE: `rows` rows of `row_bytes`, DRAM strides on both sides.
struct CopyChunk {
  uint64_t src = 0, dst = 0;
  int64_t rows = 0, row_bytes = 0, src_stride = 0, dst_stride = 0;
  bool first_of_block = false;
  int source_layer = -1;
};

// Rows per chunk when a row fits the half, else pieces of one row: the chunks of `b`, in order.
// `half` >= 1.
int64_t chunk_count(const BlockCopy& b, int64_t half) {
  if (b.rows <= 0 || b.row_bytes <= 0) return 0;
  if (b.row_bytes <= half) return ceil_div(b.rows, half / b.row_bytes);
  return sat_mul(b.rows, ceil_div(b.row_bytes, half));
}

}  // namespace

void emit_copies(LoweringContext& ctx, const std::vector<BlockCopy>& blocks) {
  // Only the ifmap role is used: it has its whole scratchpad, shared or not.
  const OperandRegion region = ctx.buffers.for_chunks({Buffer::kIfmap})[index_of(Buffer::kIfmap)];
  const int64_t half = region.half;
  if (half < 1) cannot_fit(ctx.arch, ctx.layer, Buffer::kIfmap, 1, "one byte of a copy");
  int64_t chunks = 0;
  for (const BlockCopy& b : blocks) chunks = sat_add(chunks, chunk_count(b, half));
  const int64_t need = sat_add(sat_mul(chunks, 2), 1);
  if (need > ctx.sb->remaining()) {
    throw BudgetExceeded{
        need,
        fmt::format("{} copy chunks of at most {} B x 2 instructions (LOAD, STORE) + SYNC", chunks, half)};
  }

  std::vector<CopyChunk> plan;
  for (const BlockCopy& b : blocks) {
    const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
    bool first = true;
    if (b.row_bytes <= half) {
      const int64_t per = half / b.row_bytes;
      for (int64_t r0 = 0; r0 < b.rows; r0 += per) {
        const int64_t n = std::min(per, b.rows - r0);
        plan.push_back({b.src + u(r0 * b.src_stride), b.dst + u(r0 * b.dst_stride), n, b.row_bytes,
                        b.src_stride, b.dst_stride, first, b.source_layer});
        first = false;
      }
    } else {
      for (int64_t r = 0; r < b.rows; ++r) {
        for (int64_t o = 0; o < b.row_bytes; o += half) {
          const int64_t n = std::min(half, b.row_bytes - o);
          plan.push_back({b.src + u(r * b.src_stride + o), b.dst + u(r * b.dst_stride + o), 1, n, n, n, first,
                          b.source_layer});
          first = false;
        }
      }
    }
  }

  StreamBuilder* sb = ctx.sb;
  int64_t bytes = 0, largest = 0;
  for (const CopyChunk& c : plan) {
    const int s = 1 - sb->last_used(Buffer::kIfmap);
    std::vector<uint32_t> deps = sb->last_reader(Buffer::kIfmap, s);
    if (c.first_of_block) {
      for (uint32_t d : sb->sync_deps(c.source_layer)) deps.push_back(d);
    }
    DmaDescriptor ld;
    ld.buffer = Buffer::kIfmap;
    ld.dram_addr = c.src;
    ld.spm_addr = region.addr(s);
    ld.rows = static_cast<uint64_t>(c.rows);
    ld.row_bytes = static_cast<uint64_t>(c.row_bytes);
    ld.row_stride_bytes = static_cast<uint64_t>(c.src_stride);
    ld.slot = s;
    const uint32_t load = sb->add(Opcode::kLoad, ctx.index, deps, ld);
    DmaDescriptor st = ld;
    st.dram_addr = c.dst;
    st.row_stride_bytes = static_cast<uint64_t>(c.dst_stride);
    const uint32_t store = sb->add(Opcode::kStore, ctx.index, {load}, st);
    sb->set_reader(Buffer::kIfmap, s, store);
    sb->set_used(Buffer::kIfmap, s);
    bytes += 2 * c.rows * c.row_bytes;
    largest = std::max(largest, c.rows * c.row_bytes);
  }
  MappingRecord& rec = *ctx.rec;
  rec.dataflow = "dma";
  rec.tiles = static_cast<int64_t>(plan.size());
  rec.loop_order = "chunks";
  rec.estimated_dram_bytes = bytes;
  rec.reason = fmt::format(
      "{} cop{} of up to {} B through the ifmap scratchpad halves ({} B): a LOAD then a STORE each, "
      "{} B read and written",
      plan.size(), plan.size() == 1 ? "y" : "ies", largest, half, bytes / 2);
}

}  // namespace lowering
}  // namespace systole
