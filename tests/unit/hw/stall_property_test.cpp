// The cause attribution on random programs: records built by a small in-order model of the
// controller (each unit runs its instructions in stream order, an instruction issues only after
// its dependencies retired), checked against a per-cycle evaluation of cycle_causes()'s rule
// written independently here, and against a brute-force critical path and a per-cycle evaluation
// of critical_path_causes(); both breakdowns sum to every layer's cycles.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "systole/stats/attribution.h"
#include "unit/hw/program_builder.h"

namespace systole::hw {
namespace {

struct RandomRun {
  Program program;
  std::vector<InstructionRecord> records;
  int64_t total_cycles = 0;
};

// `n` instructions over `layers` layers; durations scaled by `scale` cycles.
RandomRun random_run(std::mt19937_64& rng, int n, int layers, int64_t scale) {
  auto uniform = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  hwtest::ProgramBuilder b(layers);
  RandomRun run;
  enum Unit { kDma, kArray, kVector, kSync, kUnits };
  int64_t unit_free[kUnits] = {0, 0, 0, 0};
  uint32_t layer = 0;
  for (int i = 0; i < n; ++i) {
    if (layer + 1 < static_cast<uint32_t>(layers) && uniform(0, n / layers) == 0) ++layer;
    std::vector<uint32_t> deps;
    const int64_t dep_count = i == 0 ? 0 : uniform(0, 3);
    for (int64_t d = 0; d < dep_count; ++d) {
      const auto dep = static_cast<uint32_t>(uniform(std::max(0, i - 8), i - 1));
      if (std::find(deps.begin(), deps.end(), dep) == deps.end()) deps.push_back(dep);
    }
    int64_t ready = 0;
    for (uint32_t d : deps) ready = std::max(ready, run.records[d].retire_cycle);
    const int64_t slack = uniform(0, 9) < 7 ? 0 : uniform(1, 3);
    InstructionRecord r;
    const int64_t pick = uniform(0, 99);
    if (pick < 45) {  // LOAD or STORE on the DMA
      const bool load = pick < 30;
      if (load) {
        b.load(Buffer::kIfmap, 1, 64, deps, layer);
      } else {
        b.store(Buffer::kOfmap, 1, 64, deps, layer);
      }
      r.issue_cycle = std::max(ready, unit_free[kDma]) + slack;
      const int64_t duration = uniform(0, 2 * scale);
      r.retire_cycle = r.issue_cycle + duration;
      r.busy_cycles = duration;
      r.first_data_cycle = duration == 0 || uniform(0, 4) == 0 ? -1 : r.issue_cycle + uniform(0, duration);
      // The sides as the DMA records them (an index read delays the bursts), sometimes absent.
      if (r.first_data_cycle >= 0) {
        r.dram_start_cycle = uniform(0, 3) == 0 ? r.issue_cycle + uniform(0, duration / 4) : r.issue_cycle;
        r.dram_end_cycle = uniform(r.first_data_cycle, r.retire_cycle);
        r.window_bound_cycles = uniform(0, 5);
        r.peak_bound_cycles = uniform(0, 5);
        if (uniform(0, 2) == 0) {  // behind the NoC
          r.noc_latency_cycles = uniform(0, r.first_data_cycle - r.dram_start_cycle + 2);
          r.noc_stream_cycles = uniform(0, r.retire_cycle - r.first_data_cycle + 2);
        }
      }
      r.spm_end_cycle = uniform(0, 2) == 0 ? -1 : r.issue_cycle + uniform(0, duration);
      r.spm_conflict_cycles = uniform(0, 3);
      unit_free[kDma] = r.retire_cycle;
    } else if (pick < 70) {
      b.matmul(Dataflow::kWeightStationary, 8, 8, 8, deps, layer);
      r.issue_cycle = std::max(ready, unit_free[kArray]) + slack;
      r.work_start_cycle = r.issue_cycle + uniform(0, 2);
      r.work_cycles = uniform(0, scale);
      r.fill_drain_cycles = uniform(0, r.work_cycles);
      r.preload_cycles = uniform(0, r.fill_drain_cycles);
      r.underuse_cycles = uniform(0, r.work_cycles - r.fill_drain_cycles);
      r.spm_stall_cycles = uniform(0, 3);
      r.bank_conflict_cycles = uniform(0, 3);
      r.busy_cycles = r.work_cycles + r.spm_stall_cycles + r.bank_conflict_cycles;
      r.retire_cycle = r.work_start_cycle + r.busy_cycles;
      unit_free[kArray] = r.retire_cycle;
    } else if (pick < 85) {
      b.vector(8, 1, deps, layer);
      r.issue_cycle = std::max(ready, unit_free[kVector]) + slack;
      r.work_start_cycle = r.issue_cycle + uniform(0, 2);
      r.work_cycles = uniform(0, scale);
      r.busy_cycles = r.work_cycles;
      r.retire_cycle = r.work_start_cycle + r.work_cycles;
      unit_free[kVector] = r.retire_cycle;
    } else {
      const uint32_t id = b.sync(deps, layer);
      r.issue_cycle = std::max(ready, unit_free[kSync]) + slack;
      r.retire_cycle = r.issue_cycle;
      if (uniform(0, 2) == 0) {  // a barrier: waits for the other cores
        b.barrier(id, layer);
        r.retire_cycle += uniform(0, scale);
      }
      unit_free[kSync] = r.retire_cycle;
    }
    run.records.push_back(r);
  }
  run.program = b.program();
  for (const InstructionRecord& r : run.records)
    run.total_cycles = std::max(run.total_cycles, r.retire_cycle);
  run.total_cycles += uniform(0, scale);
  return run;
}

// dma(t, fallback) of the rule: the cause of the LOAD / STORE in flight at t, else `fallback`.
CycleCause dma_at(const Program& p, const std::vector<InstructionRecord>& rec, int64_t t,
                  CycleCause fallback) {
  for (size_t i = 0; i < p.instructions.size(); ++i) {
    const Opcode op = p.instructions[i].op;
    const InstructionRecord& r = rec[i];
    if ((op != Opcode::kLoad && op != Opcode::kStore) || t < r.issue_cycle || t >= r.retire_cycle) continue;
    if (r.spm_end_cycle > std::max<int64_t>(-1, r.dram_end_cycle)) {  // scratchpad-bound
      const int64_t conflicts = std::min(r.spm_conflict_cycles, r.retire_cycle - r.issue_cycle);
      return t >= r.retire_cycle - conflicts ? CycleCause::kBankConflict : CycleCause::kSpmDmaPort;
    }
    int64_t s = r.issue_cycle;
    if (r.dram_start_cycle >= 0) s = std::min(std::max(r.dram_start_cycle, r.issue_cycle), r.retire_cycle);
    int64_t f = s;
    if (r.first_data_cycle >= 0) f = std::min(std::max(r.first_data_cycle, s), r.retire_cycle);
    if (t < s) return CycleCause::kSpmDmaPort;
    if (t < std::min(f, s + r.noc_latency_cycles)) return CycleCause::kNoc;
    if (t < f) return CycleCause::kDramLatency;
    if (t < f + r.noc_stream_cycles) return CycleCause::kNoc;
    return r.window_bound_cycles > r.peak_bound_cycles ? CycleCause::kDmaIssue : CycleCause::kDramBandwidth;
  }
  return fallback;
}

// The rule, one cycle at a time, by scanning every instruction.
CycleCause cause_at(const Program& p, const std::vector<InstructionRecord>& rec, int64_t t) {
  const auto& insts = p.instructions;
  for (size_t i = 0; i < insts.size(); ++i) {
    const InstructionRecord& r = rec[i];
    if (insts[i].op == Opcode::kMatmul && r.work_start_cycle <= t && t < r.work_start_cycle + r.busy_cycles) {
      const int64_t offset = t - r.work_start_cycle;
      if (offset < r.preload_cycles) return CycleCause::kPreload;
      if (offset < r.fill_drain_cycles) return CycleCause::kFillDrain;
      if (offset < r.work_cycles - r.underuse_cycles) return CycleCause::kCompute;
      if (offset < r.work_cycles) return CycleCause::kSpatialUnderuse;
      return offset < r.work_cycles + r.spm_stall_cycles ? CycleCause::kSpmArrayPort
                                                         : CycleCause::kBankConflict;
    }
  }
  for (size_t i = 0; i < insts.size(); ++i) {
    const InstructionRecord& r = rec[i];
    if (insts[i].op == Opcode::kVector && r.work_start_cycle <= t && t < r.work_start_cycle + r.work_cycles) {
      return CycleCause::kCompute;
    }
  }
  int x = -1;
  for (size_t i = 0; i < insts.size(); ++i) {
    const bool compute = insts[i].op == Opcode::kMatmul || insts[i].op == Opcode::kVector;
    if (compute && rec[i].work_start_cycle > t &&
        (x < 0 || rec[i].work_start_cycle < rec[static_cast<size_t>(x)].work_start_cycle)) {
      x = static_cast<int>(i);
    }
  }
  if (x < 0) return dma_at(p, rec, t, CycleCause::kIdle);
  if (rec[static_cast<size_t>(x)].issue_cycle <= t) return CycleCause::kDependency;
  auto critical = [&](uint32_t of) {
    int best = -1;
    for (uint32_t d : insts[of].deps) {
      if (best < 0 || rec[d].retire_cycle > rec[static_cast<size_t>(best)].retire_cycle ||
          (rec[d].retire_cycle == rec[static_cast<size_t>(best)].retire_cycle &&
           static_cast<int>(d) < best)) {
        best = static_cast<int>(d);
      }
    }
    return best;
  };
  auto barrier = [&](int i) {
    const auto* s = std::get_if<SyncOp>(&insts[static_cast<size_t>(i)].payload);
    return s != nullptr && s->barrier >= 0;
  };
  int d = critical(static_cast<uint32_t>(x));
  while (d >= 0 && insts[static_cast<size_t>(d)].op == Opcode::kSync) {
    // A barrier: the other cores while its core has arrived; before, its own dependencies.
    if (barrier(d)) {
      const InstructionRecord& rb = rec[static_cast<size_t>(d)];
      if (t >= rb.issue_cycle) return t < rb.retire_cycle ? CycleCause::kBarrier : CycleCause::kDependency;
    } else if (insts[static_cast<size_t>(d)].deps.empty()) {
      break;
    }
    d = critical(static_cast<uint32_t>(d));
  }
  if (d < 0) return CycleCause::kDependency;
  const InstructionRecord& rd = rec[static_cast<size_t>(d)];
  if (rd.retire_cycle <= t) return CycleCause::kDependency;
  switch (insts[static_cast<size_t>(d)].op) {
    case Opcode::kLoad:
    case Opcode::kStore: {
      // Held back by a barrier: the DMA runs descriptors one at a time in stream order, so a
      // transfer whose predecessor in the stream ended no earlier than its critical dependency
      // waited behind that predecessor; else it waited on its critical dependency (seen through
      // non-barrier SYNCs). Follow that until a barrier or something else.
      auto is_transfer = [&](int i) {
        return insts[static_cast<size_t>(i)].op == Opcode::kLoad ||
               insts[static_cast<size_t>(i)].op == Opcode::kStore;
      };
      auto held_by = [&](int i) {  // what transfer i waited on last
        int c = critical(static_cast<uint32_t>(i));
        while (c >= 0 && insts[static_cast<size_t>(c)].op == Opcode::kSync && !barrier(c) &&
               !insts[static_cast<size_t>(c)].deps.empty()) {
          c = critical(static_cast<uint32_t>(c));
        }
        int prev = i - 1;
        while (prev >= 0 && !is_transfer(prev)) --prev;
        if (prev >= 0 && (c < 0 || rec[static_cast<size_t>(prev)].retire_cycle >=
                                       rec[static_cast<size_t>(c)].retire_cycle))
          return prev;
        return c;
      };
      int b = held_by(d);
      while (b >= 0 && is_transfer(b)) b = held_by(b);
      const bool held = b >= 0 && barrier(b) && t >= rec[static_cast<size_t>(b)].issue_cycle &&
                        t < rec[static_cast<size_t>(b)].retire_cycle;
      return dma_at(p, rec, t, held ? CycleCause::kBarrier : CycleCause::kDependency);
    }
    default:
      return CycleCause::kDependency;
  }
}

// The cause of the LOAD / STORE `r` at t in [issue, retire): the side that ends last.
CycleCause transfer_at(const InstructionRecord& r, int64_t t) {
  if (r.spm_end_cycle > std::max<int64_t>(-1, r.dram_end_cycle)) {  // scratchpad-bound
    const int64_t conflicts = std::min(r.spm_conflict_cycles, r.retire_cycle - r.issue_cycle);
    return t >= r.retire_cycle - conflicts ? CycleCause::kBankConflict : CycleCause::kSpmDmaPort;
  }
  int64_t s = r.issue_cycle;
  if (r.dram_start_cycle >= 0) s = std::min(std::max(r.dram_start_cycle, r.issue_cycle), r.retire_cycle);
  int64_t f = s;
  if (r.first_data_cycle >= 0) f = std::min(std::max(r.first_data_cycle, s), r.retire_cycle);
  if (t < s) return CycleCause::kSpmDmaPort;
  if (t < std::min(f, s + r.noc_latency_cycles)) return CycleCause::kNoc;
  if (t < f) return CycleCause::kDramLatency;
  if (t < f + r.noc_stream_cycles) return CycleCause::kNoc;
  return r.window_bound_cycles > r.peak_bound_cycles ? CycleCause::kDmaIssue : CycleCause::kDramBandwidth;
}

// The cause of cycle t inside the segment of instruction i on the path (t < its retire, t at or
// after its predecessor's retire): its own time, else dependency.
CycleCause own_at(Opcode op, const InstructionRecord& r, int64_t t) {
  switch (op) {
    case Opcode::kMatmul: {
      const int64_t offset = t - r.work_start_cycle;
      if (offset < 0 || offset >= r.busy_cycles) return CycleCause::kDependency;
      if (offset < r.preload_cycles) return CycleCause::kPreload;
      if (offset < r.fill_drain_cycles) return CycleCause::kFillDrain;
      if (offset < r.work_cycles - r.underuse_cycles) return CycleCause::kCompute;
      if (offset < r.work_cycles) return CycleCause::kSpatialUnderuse;
      return offset < r.work_cycles + r.spm_stall_cycles ? CycleCause::kSpmArrayPort
                                                         : CycleCause::kBankConflict;
    }
    case Opcode::kVector:
      return t >= r.work_start_cycle && t < r.work_start_cycle + r.work_cycles ? CycleCause::kCompute
                                                                               : CycleCause::kDependency;
    case Opcode::kLoad:
    case Opcode::kStore:
      return t >= r.issue_cycle && t < r.retire_cycle ? transfer_at(r, t) : CycleCause::kDependency;
    case Opcode::kSync:
      break;
  }
  return CycleCause::kDependency;
}

// own_at for instruction i: a barrier SYNC's [issue, retire) is barrier wait.
CycleCause own_at(const Instruction& in, const InstructionRecord& r, int64_t t) {
  const auto* s = std::get_if<SyncOp>(&in.payload);
  if (s != nullptr && s->barrier >= 0 && t >= r.issue_cycle && t < r.retire_cycle)
    return CycleCause::kBarrier;
  return own_at(in.op, r, t);
}

bool same_unit(Opcode a, Opcode b) {
  auto unit = [](Opcode op) { return op == Opcode::kStore ? Opcode::kLoad : op; };
  return unit(a) == unit(b);
}

// The critical path by brute force: for each instruction every earlier one is a candidate when it
// is a dependency or the closest earlier one on the same unit; the latest retire wins, ties the
// earliest in the stream. The path starts at the latest retire (ties: the latest in the stream).
std::vector<int> brute_force_path(const Program& p, const std::vector<InstructionRecord>& rec) {
  const auto& insts = p.instructions;
  const int n = static_cast<int>(insts.size());
  if (n == 0) return {};
  std::vector<int> pred(static_cast<size_t>(n), -1);
  for (int x = 0; x < n; ++x) {
    const auto xs = static_cast<size_t>(x);
    for (int j = 0; j < x; ++j) {
      const auto js = static_cast<size_t>(j);
      const bool dep = std::find(insts[xs].deps.begin(), insts[xs].deps.end(), static_cast<uint32_t>(j)) !=
                       insts[xs].deps.end();
      bool unit_prev = same_unit(insts[js].op, insts[xs].op);
      for (int k = j + 1; k < x && unit_prev; ++k) {
        if (same_unit(insts[static_cast<size_t>(k)].op, insts[xs].op)) unit_prev = false;
      }
      if (!dep && !unit_prev) continue;
      const int b = pred[xs];
      if (b < 0 || rec[js].retire_cycle > rec[static_cast<size_t>(b)].retire_cycle) pred[xs] = j;
    }
  }
  int last = 0;
  for (int i = 1; i < n; ++i) {
    if (rec[static_cast<size_t>(i)].retire_cycle >= rec[static_cast<size_t>(last)].retire_cycle) last = i;
  }
  std::vector<int> path;
  for (int x = last; x >= 0; x = pred[static_cast<size_t>(x)]) path.insert(path.begin(), x);
  return path;
}

// The rule, one cycle at a time: the instruction on the path whose segment [predecessor's retire,
// its retire) holds t names it; before the first instruction's issue and after the last retire, idle.
CycleCause path_cause_at(const Program& p, const std::vector<InstructionRecord>& rec,
                         const std::vector<int>& path, int64_t t) {
  int64_t lo = 0;
  for (size_t k = 0; k < path.size(); ++k) {
    const auto x = static_cast<size_t>(path[k]);
    const InstructionRecord& r = rec[x];
    if (t < r.retire_cycle) {
      if (k == 0 && t < r.issue_cycle) return CycleCause::kIdle;
      EXPECT_GE(t, lo);
      return own_at(p.instructions[x], r, t);
    }
    lo = r.retire_cycle;
  }
  return CycleCause::kIdle;
}

// The spans cover [0, total) one after another, none empty, no two neighbours of one cause.
::testing::AssertionResult tiles_the_run(const std::vector<CauseSpan>& spans, int64_t total) {
  int64_t at = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].begin != at || spans[i].begin >= spans[i].end) {
      return ::testing::AssertionFailure() << "span " << i << " is [" << spans[i].begin << ", "
                                           << spans[i].end << "), the previous ended at " << at;
    }
    if (i > 0 && spans[i].cause == spans[i - 1].cause) {
      return ::testing::AssertionFailure() << "spans " << i - 1 << " and " << i << " have one cause";
    }
    at = spans[i].end;
  }
  if (at != total) return ::testing::AssertionFailure() << "the spans end at " << at << ", not " << total;
  return ::testing::AssertionSuccess();
}

TEST(StallAttributionProperty, MatchesThePerCycleRuleAndSumsToEveryLayer) {
  std::mt19937_64 rng(20240611);
  CycleBreakdown seen;  // over all trials: the random runs must exercise every cause
  for (int trial = 0; trial < 200; ++trial) {
    const int layers = 1 + trial % 4;
    const RandomRun run = random_run(rng, 5 + trial % 30, layers, 4 + trial % 13);
    const SimResult res = attribute(run.program, run.records, run.total_cycles, 1.0, 1);
    const std::vector<int64_t> bounds = layer_boundaries(run.program, run.records, run.total_cycles);

    // Per-cycle reference, counted per layer window.
    std::vector<CycleBreakdown> expected(static_cast<size_t>(layers));
    size_t layer = 0;
    for (int64_t t = 0; t < run.total_cycles; ++t) {
      while (t >= bounds[layer]) ++layer;
      expected[layer][cause_at(run.program, run.records, t)] += 1;
    }
    int64_t layer_sum = 0;
    for (size_t l = 0; l < expected.size(); ++l) {
      for (const CycleCauseInfo& c : kCycleCauses) {
        ASSERT_EQ(res.layers[l].breakdown[c.cause], expected[l][c.cause])
            << "trial " << trial << " layer " << l << " cause " << c.key;
      }
      ASSERT_EQ(res.layers[l].breakdown.sum(), res.layers[l].cycles) << "trial " << trial;
      layer_sum += res.layers[l].breakdown.sum();
      for (const CycleCauseInfo& c : kCycleCauses) seen[c.cause] += expected[l][c.cause];
    }
    ASSERT_EQ(layer_sum, run.total_cycles);
    ASSERT_EQ(res.total.breakdown.sum(), run.total_cycles);

    // The timeline covers [0, total) with adjacent spans and merges equal neighbours.
    ASSERT_TRUE(tiles_the_run(cycle_causes(run.program, run.records, run.total_cycles), run.total_cycles))
        << "trial " << trial;
  }
  for (const CycleCauseInfo& c : kCycleCauses) EXPECT_GT(seen[c.cause], 0) << c.key;
}

TEST(StallAttributionProperty, TheCriticalPathMatchesBruteForceAndSumsToEveryLayer) {
  std::mt19937_64 rng(20240612);
  CycleBreakdown seen;
  for (int trial = 0; trial < 200; ++trial) {
    const int layers = 1 + trial % 4;
    const RandomRun run = random_run(rng, 5 + trial % 30, layers, 4 + trial % 13);
    const SimResult res = attribute(run.program, run.records, run.total_cycles, 1.0, 1);
    const std::vector<int64_t> bounds = layer_boundaries(run.program, run.records, run.total_cycles);

    const std::vector<int> path = brute_force_path(run.program, run.records);
    const std::vector<uint32_t> fast = critical_path(run.program, run.records);
    ASSERT_EQ(std::vector<int>(fast.begin(), fast.end()), path) << "trial " << trial;

    std::vector<CycleBreakdown> expected(static_cast<size_t>(layers));
    size_t layer = 0;
    for (int64_t t = 0; t < run.total_cycles; ++t) {
      while (t >= bounds[layer]) ++layer;
      expected[layer][path_cause_at(run.program, run.records, path, t)] += 1;
    }
    int64_t layer_sum = 0;
    for (size_t l = 0; l < expected.size(); ++l) {
      for (const CycleCauseInfo& c : kCycleCauses) {
        ASSERT_EQ(res.layers[l].critical_path[c.cause], expected[l][c.cause])
            << "trial " << trial << " layer " << l << " cause " << c.key;
      }
      ASSERT_EQ(res.layers[l].critical_path.sum(), res.layers[l].cycles) << "trial " << trial;
      layer_sum += res.layers[l].critical_path.sum();
      for (const CycleCauseInfo& c : kCycleCauses) seen[c.cause] += expected[l][c.cause];
    }
    ASSERT_EQ(layer_sum, run.total_cycles);
    ASSERT_EQ(res.total.critical_path.sum(), run.total_cycles);

    ASSERT_TRUE(
        tiles_the_run(critical_path_causes(run.program, run.records, run.total_cycles), run.total_cycles))
        << "trial " << trial;
  }
  for (const CycleCauseInfo& c : kCycleCauses) EXPECT_GT(seen[c.cause], 0) << c.key;
}

TEST(StallAttributionProperty, FortyThousandInstructionsSumExactly) {
  // mobilenet_v2 compiles to ~36 600 instructions: a program of that size still attributes every
  // cycle once. (Its speed is covered by scripts/bench: whole-process runs of real networks.)
  std::mt19937_64 rng(7);
  const RandomRun run = random_run(rng, 40000, 60, 400);
  const SimResult res = attribute(run.program, run.records, run.total_cycles, 1.0, 1);
  EXPECT_EQ(res.total.breakdown.sum(), run.total_cycles);
  EXPECT_EQ(res.total.critical_path.sum(), run.total_cycles);
  int64_t layer_sum = 0;
  for (const LayerStats& l : res.layers) {
    EXPECT_EQ(l.breakdown.sum(), l.cycles) << l.name;
    EXPECT_EQ(l.critical_path.sum(), l.cycles) << l.name;
    layer_sum += l.cycles;
  }
  EXPECT_EQ(layer_sum, run.total_cycles);
}

}  // namespace
}  // namespace systole::hw
