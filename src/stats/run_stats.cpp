#include "systole/stats/run_stats.h"

#include <string>
#include <vector>

namespace systole::stats {
namespace {

// One core's stats under `p` ("core0.", "core3.", ...): its counts over the run and its
// scratchpads'.
void core_stats(StatTree& t, const CoreParams& core, const std::string& p, const LayerStats& total,
                const std::vector<ScratchpadStats>& scratchpads) {
  const ArrayParams& a = core.array;
  t.counter(p + "array.pes", "PE", "processing elements (rows x cols)", a.rows * a.cols);
  t.counter(p + "array.macs", "MAC", "multiply-accumulates performed", total.macs);
  t.counter(p + "array.busy_cycles", "cycle", "cycles the array spent on tiles, scratchpad stalls included",
            total.array_busy_cycles);
  t.counter(p + "array.register_shift_bytes", "B", "bytes moved between neighbouring PEs",
            total.actions.register_shift_bytes);
  t.derived(p + "array.utilization", "1", "MACs over the peak of every PE busy every cycle of the run",
            p + "array.macs / (run.cycles * " + p + "array.pes)");
  t.counter(p + "vector.lane_ops", "op", "vector-unit lane operations", total.vector_ops);
  t.counter(p + "vector.busy_cycles", "cycle", "cycles the vector unit was busy", total.vector_busy_cycles);
  t.counter(p + "vector.add_on_accumulator", "op", "add-class lane operations on accumulator-type values",
            total.actions.vector.add_on_accumulator);
  t.counter(p + "vector.mul_on_accumulator", "op",
            "multiply-class lane operations on accumulator-type values",
            total.actions.vector.mul_on_accumulator);
  t.counter(p + "vector.add_on_input", "op", "add-class lane operations on input-type values",
            total.actions.vector.add_on_input);
  t.counter(p + "vector.mul_on_input", "op", "multiply-class lane operations on input-type values",
            total.actions.vector.mul_on_input);
  t.counter(p + "vector.mac", "MAC",
            "multiply-accumulates of depthwise convolutions (input x weight type, accumulator width)",
            total.actions.vector.mac);
  t.counter(p + "dma.bursts", "burst", "DRAM bursts the DMA issued", total.actions.dma_bursts);
  t.counter(p + "dma.busy_cycles", "cycle", "cycles with at least one DMA transfer in flight",
            total.dma_busy_cycles);
  t.counter(p + "dma.dram_read_bytes", "B", "bytes loaded from DRAM", total.dram_reads_bytes);
  t.counter(p + "dma.dram_write_bytes", "B", "bytes stored to DRAM", total.dram_writes_bytes);
  t.counter(p + "dma.on_chip_bytes", "B",
            "bytes moved to or from resident tensors in the on-chip tensor store instead of DRAM",
            total.on_chip_bytes);
  t.counter(p + "controller.instructions", "instruction", "instructions retired", total.instructions);
  for (const CycleCauseInfo& c : kCycleCauses) {
    t.counter(p + "stalls." + c.key, "cycle",
              std::string("cycles of the run attributed to ") + c.label + " (docs/stall-attribution.md)",
              total.breakdown[c.cause]);
  }
  for (const CycleCauseInfo& c : kCycleCauses) {
    t.counter(p + "critical_path." + c.key, "cycle",
              std::string("cycles of the run attributed to ") + c.label +
                  " along its critical path (docs/stall-attribution.md)",
              total.critical_path[c.cause]);
  }
  for (const ScratchpadStats& s : scratchpads) {
    const std::string q = p + "scratchpad." + s.name + ".";
    t.counter(q + "read_bytes", "B", "bytes read (DMA drains, array and vector reads)", s.read_bytes);
    t.counter(q + "write_bytes", "B", "bytes written (DMA fills, array and vector writes)", s.write_bytes);
    t.counter(q + "read_accesses", "access", "bank words read", s.read_accesses);
    t.counter(q + "write_accesses", "access", "bank words written", s.write_accesses);
    t.counter(q + "bank_conflict_cycles", "cycle", "cycles lost to bank conflicts (DMA and array)",
              s.bank_conflict_cycles);
    t.counter(q + "accumulator_rmw", "element", "partial sums read, added and written back",
              s.accumulator_rmw);
  }
}

void dram_stats(StatTree& t, const SimResult& r) {
  const DramStats& d = r.dram;
  t.counter("dram.reads", "request", "read requests (a DMA burst is one request)", d.reads);
  t.counter("dram.writes", "request", "write requests", d.writes);
  t.counter("dram.read_bytes", "B", "bytes read", d.read_bytes);
  t.counter("dram.write_bytes", "B", "bytes written", d.write_bytes);
  t.counter("dram.read_latency_sum_ns", "ns", "sum over reads of completion minus arrival",
            d.read_latency_sum_ns);
  t.derived("dram.avg_read_latency_ns", "ns", "mean read latency", "dram.read_latency_sum_ns / dram.reads");
  t.derived("dram.bandwidth_gbps", "GB/s", "bytes moved over the run's time",
            "(dram.read_bytes + dram.write_bytes) / run.simulated_ns");
  // The command-level counters exist for dram.kind cycle only (0 otherwise).
  t.counter("dram.atoms", "atom", "device accesses the requests were split into (dram.kind cycle)", d.atoms);
  t.counter("dram.row_hits", "atom", "atoms served from an open row, without an ACT of their own",
            d.row_hits);
  t.derived("dram.row_hit_rate", "1", "fraction of atoms served from an open row",
            "dram.row_hits / dram.atoms");
  t.counter("dram.commands.act", "command", "ACT commands", d.act);
  t.counter("dram.commands.pre", "command", "PRE commands (all-bank ones count once)", d.pre);
  t.counter("dram.commands.rd", "command", "RD commands", d.rd);
  t.counter("dram.commands.wr", "command", "WR commands", d.wr);
  t.counter("dram.commands.ref", "command", "REF commands", d.ref);
  t.counter("dram.active_standby_ns", "ns",
            "rank time with a bank open or a refresh running, summed over ranks", d.active_standby_ns);
  t.counter("dram.precharged_standby_ns", "ns", "rank time with every bank closed, summed over ranks",
            d.precharged_standby_ns);
  // Per channel (dram.kind cycle): where the traffic and the row misses went.
  for (size_t c = 0; c < d.channels.size(); ++c) {
    const DramChannelStats& ch = d.channels[c];
    const std::string p = "dram.ch" + std::to_string(c) + ".";
    t.counter(p + "atoms", "atom", "device accesses served by this channel", ch.atoms);
    t.counter(p + "read_bytes", "B", "bytes this channel read (whole atoms)", ch.read_bytes);
    t.counter(p + "write_bytes", "B", "bytes this channel wrote (whole atoms)", ch.write_bytes);
    t.counter(p + "row_hits", "atom", "atoms this channel served from an open row", ch.row_hits);
    t.derived(p + "row_hit_rate", "1", "fraction of this channel's atoms served from an open row",
              p + "row_hits / " + p + "atoms");
    t.counter(p + "commands.act", "command", "ACT commands of this channel", ch.act);
    t.counter(p + "commands.pre", "command", "PRE commands of this channel", ch.pre);
    t.counter(p + "commands.rd", "command", "RD commands of this channel", ch.rd);
    t.counter(p + "commands.wr", "command", "WR commands of this channel", ch.wr);
    t.counter(p + "commands.ref", "command", "REF commands of this channel", ch.ref);
    t.counter(p + "active_standby_ns", "ns", "this channel's rank time with a bank open or a refresh running",
              ch.active_standby_ns);
    t.counter(p + "precharged_standby_ns", "ns", "this channel's rank time with every bank closed",
              ch.precharged_standby_ns);
  }
}

// A multi-core run's network-on-chip: totals, every link direction and every router.
void noc_stats(StatTree& t, const NocStats& n) {
  t.counter("noc.cycles", "cycle", "NoC clock cycles the run spanned", n.cycles);
  t.counter("noc.packets", "packet", "packets delivered (requests, responses, barrier messages)", n.packets);
  t.counter("noc.flits", "flit", "flits delivered", n.flits);
  t.counter("noc.flit_hops", "flit", "router-to-router link crossings of flits", n.flit_hops);
  t.counter("noc.router_traversals", "flit",
            "router switch crossings of flits (a packet over H links: H + 1)", n.router_traversals);
  for (const NocLinkStats& l : n.links) {
    const std::string p =
        "noc.link.r" + std::to_string(l.from_router) + "_r" + std::to_string(l.to_router) + ".";
    t.counter(p + "flits", "flit", "flits this link direction moved", l.flits);
    t.counter(p + "busy_cycles", "cycle", "NoC cycles it moved a flit (one flit per cycle)", l.flits);
    t.derived(p + "utilization", "1", "share of the run's NoC cycles it was busy",
              p + "busy_cycles / noc.cycles");
  }
  for (size_t r = 0; r < n.router_flits.size(); ++r) {
    t.counter("noc.router.r" + std::to_string(r) + ".traversals", "flit",
              "flits that crossed this router's switch, onto a link or out to a node", n.router_flits[r]);
  }
}

}  // namespace

StatTree run_stats(const ArchSpec& arch, const SimResult& result) {
  StatTree t;
  t.counter("run.cycles", "cycle", "core clock cycles from the first instruction to the last retire",
            result.total_cycles);
  t.counter("run.simulated_ns", "ns", "simulated time", result.simulated_ns);
  t.counter("run.layers", "layer", "layers of the network", static_cast<int64_t>(result.layers.size()));
  if (result.cores.empty()) {
    core_stats(t, arch.core, "core0.", result.total, result.scratchpads);
  } else {
    for (const CoreStats& c : result.cores)
      core_stats(t, arch.core_of(c.core), "core" + std::to_string(c.core) + ".", c.total, c.scratchpads);
    noc_stats(t, result.noc);
  }
  dram_stats(t, result);
  return t;
}

}  // namespace systole::stats
