// Hand-built Programs and architectures for the hw unit tests (the compiler is not involved).
#pragma once

#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/stats/attribution.h"

// Under AddressSanitizer, skips a test whose simulation throws inside a SystemC process: ASan
// cannot follow the QuickThreads stack switches of Debian's SystemC while an exception unwinds
// on a process stack and reports false stack-buffer-overflows (google/sanitizers#189). The test
// still runs in the normal build.
// The test files of a sanitized build compile uninstrumented (tests/CMakeLists.txt), so they see
// SYSTOLE_SANITIZED_BUILD rather than __SANITIZE_ADDRESS__.
#if defined(__SANITIZE_ADDRESS__) || defined(SYSTOLE_SANITIZED_BUILD)
#define SYSTOLE_SKIP_UNDER_ASAN_IF_SC_THROWS() \
  GTEST_SKIP() << "exception inside a SystemC process: ASan false positive (google/sanitizers#189)"
#else
#define SYSTOLE_SKIP_UNDER_ASAN_IF_SC_THROWS() static_cast<void>(0)
#endif

namespace systole::hwtest {

// A hand-made record: issued and retired at the given cycles, occupying its unit for `busy`
// cycles from `work_start` (closed-form work = busy, no stalls).
inline hw::InstructionRecord record(int64_t issue, int64_t retire, int64_t work_start = 0, int64_t busy = 0) {
  hw::InstructionRecord r;
  r.issue_cycle = issue;
  r.retire_cycle = retire;
  r.work_start_cycle = work_start;
  r.work_cycles = busy;
  r.busy_cycles = busy;
  return r;
}

// 1 GHz (1 ns cycles), 32x32 WS int8/int32, simple DRAM 100 ns + 25.6 GB/s (64 B = 2.5 ns),
// 64 B bursts, 64 outstanding, scratchpads 256 KiB with 64 B/cycle ports.
inline ArchSpec test_arch() {
  ArchSpec a;
  a.name = "test";
  a.core.clock_mhz = 1000.0;
  a.core.array.rows = 32;
  a.core.array.cols = 32;
  a.core.scratchpads.declare("ifmap") = {256, 64, 64};
  a.core.scratchpads.declare("weight") = {256, 64, 64};
  a.core.scratchpads.declare("ofmap") = {256, 64, 64};
  a.core.dma.max_outstanding = 64;
  a.core.dma.burst_bytes = 64;
  a.dram.kind = DramKind::kSimple;
  a.dram.latency_ns = 100.0;
  a.dram.bandwidth_gbps = 25.6;
  return a;
}

class ProgramBuilder {
 public:
  explicit ProgramBuilder(int layers = 1) {
    for (int l = 0; l < layers; ++l) m_p.layers.push_back({"L" + std::to_string(l), "matmul", 0, 0});
  }

  uint32_t load(Buffer b, uint64_t rows, uint64_t row_bytes, std::vector<uint32_t> deps = {},
                uint32_t layer = 0, uint64_t spm_addr = 0) {
    return dma(Opcode::kLoad, b, rows, row_bytes, std::move(deps), layer, spm_addr);
  }
  uint32_t store(Buffer b, uint64_t rows, uint64_t row_bytes, std::vector<uint32_t> deps = {},
                 uint32_t layer = 0, uint64_t spm_addr = 0) {
    return dma(Opcode::kStore, b, rows, row_bytes, std::move(deps), layer, spm_addr);
  }
  uint32_t matmul(Dataflow d, uint64_t m, uint64_t n, uint64_t k, std::vector<uint32_t> deps = {},
                  uint32_t layer = 0) {
    MatmulOp op;
    op.dataflow = d;
    op.m = m;
    op.n = n;
    op.k = k;
    return add(Opcode::kMatmul, op, std::move(deps), layer);
  }
  uint32_t vector(uint64_t elements, uint64_t ops_per_element, std::vector<uint32_t> deps = {},
                  uint32_t layer = 0) {
    VectorOp op;
    op.elements = elements;
    op.ops_per_element = ops_per_element;
    op.spm_read_bytes = elements * 4;
    op.spm_write_bytes = elements;
    return add(Opcode::kVector, op, std::move(deps), layer);
  }
  uint32_t sync(std::vector<uint32_t> deps = {}, uint32_t layer = 0) {
    return add(Opcode::kSync, SyncOp{}, std::move(deps), layer);
  }
  // Makes SYNC `id` a cross-core barrier (multi-core programs; its id: the layer's).
  void barrier(uint32_t id, uint32_t layer) {
    std::get<SyncOp>(m_p.instructions.at(id).payload).barrier = layer;
  }
  const Program& program() const { return m_p; }

 private:
  uint32_t dma(Opcode op, Buffer b, uint64_t rows, uint64_t row_bytes, std::vector<uint32_t> deps,
               uint32_t layer, uint64_t spm_addr) {
    DmaDescriptor d;
    d.buffer = b;
    d.dram_addr = 0x10000 * (m_p.instructions.size() + 1);
    d.spm_addr = spm_addr;
    d.rows = rows;
    d.row_bytes = row_bytes;
    d.row_stride_bytes = row_bytes * 2;  // strided rows: bursts must not span them
    return add(op, d, std::move(deps), layer);
  }
  template <typename P>
  uint32_t add(Opcode op, P payload, std::vector<uint32_t> deps, uint32_t layer) {
    Instruction inst;
    inst.id = static_cast<uint32_t>(m_p.instructions.size());
    inst.op = op;
    inst.layer = layer;
    inst.deps = std::move(deps);
    inst.payload = payload;
    m_p.instructions.push_back(inst);
    return inst.id;
  }
  Program m_p;
};

}  // namespace systole::hwtest
