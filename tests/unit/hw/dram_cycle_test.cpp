// dram.kind cycle inside the simulator: the CycleDram channel (hw/dram/dram_cycle.h) in NpuTop and
// alone. Expected times come from the preset's timing (idle read: tRCD + CL + burst) or from a
// separate dram::MemorySystem driven with the same atoms; a TimingChecker watches every command.
#include <cmath>
#include <memory>

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "systole/common/error.h"
#include "systole/config/dram_spec.h"
#include "systole/dram/timing_checker.h"
#include "systole/hw/core/npu_top.h"
#include "systole/hw/core/simulate.h"
#include "systole/hw/dram/dram_cycle.h"
#include "unit/hw/dma_harness.h"
#include "unit/hw/program_builder.h"

namespace systole {
namespace {

using hwtest::ProgramBuilder;
using hwtest::test_arch;

DramDeviceSpec preset(const std::string& name) {
  return load_dram_preset(dram_preset_path(name, ""));
}

ArchSpec cycle_arch(const std::string& name) {
  ArchSpec a = test_arch();  // 1 GHz core: 1 cycle = 1000 ps
  a.dram.kind = DramKind::kCycle;
  a.dram.preset = name;
  a.dram.device = preset(name);
  return a;
}

// Core cycles (1 GHz) of the edge at or after DRAM cycle c: ceil(c * tck_ps / 1000).
int64_t core_cycles(const DramDeviceSpec& d, int64_t dram_cycle) {
  return static_cast<int64_t>(std::ceil(static_cast<double>(dram_cycle) * d.timing.tck_ps / 1000.0 - 1e-9));
}

// Elaborates an NpuTop with a TimingChecker on its DRAM and runs it.
struct CheckedRun {
  std::unique_ptr<hw::NpuTop> top;
  std::unique_ptr<dram::TimingChecker> checker;
  int64_t cycles = 0;
};
CheckedRun run_checked(const ArchSpec& arch, const Program& program) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  CheckedRun r;
  r.top = std::make_unique<hw::NpuTop>("npu", hw::NpuTopParams{arch, program});
  auto* cycle = dynamic_cast<const hw::CycleDram*>(&r.top->dram());
  if (cycle == nullptr) throw InternalError("not a CycleDram");
  r.checker = std::make_unique<dram::TimingChecker>(arch.dram.device);
  const_cast<hw::CycleDram*>(cycle)->add_observer(r.checker.get());
  sc_core::sc_start();
  if (std::exception_ptr f = r.top->failure()) std::rethrow_exception(f);
  r.cycles = r.top->clock().cycle_of(r.top->controller().end_time());
  return r;
}

TEST(CycleDram, OneBurstOnAnIdleDeviceTakesRcdPlusClPlusBurst) {
  const ArchSpec arch = cycle_arch("ddr4-3200");
  const DramDeviceSpec& d = arch.dram.device;
  ASSERT_EQ(d.atom_bytes(), 64);  // one 64 B DMA burst = one atom
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 64);
  const CheckedRun r = run_checked(arch, b.program());
  // ACT at cycle 0, RD at tRCD, data from tRCD + CL for burst_clocks nCK:
  // DDR4-3200: (22 + 22 + 4) x 625 ps = 30 ns = 30 core cycles.
  const int64_t dram_cycles = d.timing.rcd + d.timing.cl + d.burst_clocks();
  EXPECT_EQ(r.cycles, core_cycles(d, dram_cycles));
  EXPECT_EQ(r.top->controller().records()[0].first_data_cycle, core_cycles(d, dram_cycles));
  EXPECT_EQ(r.checker->violation_count(), 0) << r.checker->violations().front();
  const DramStats& s = r.top->dram().counters();
  EXPECT_EQ(s.kind, "cycle");
  EXPECT_EQ(s.reads, 1);
  EXPECT_EQ(s.atoms, 1);
  EXPECT_EQ(s.act, 1);
  EXPECT_EQ(s.rd, 1);
  EXPECT_EQ(s.row_hits, 0);
  EXPECT_DOUBLE_EQ(s.avg_read_latency_ns(), static_cast<double>(dram_cycles) * d.timing.tck_ps / 1000.0);
}

// A 4 KiB LOAD whose 64 bursts all fit in the DMA window arrives at cycle 0 as 128 HBM2 atoms
// (32 B each, two per burst): it ends when a MemorySystem fed the same atoms at cycle 0 says
// the last one is done.
TEST(CycleDram, LoadTakesTheTimeTheMemorySystemGives) {
  ArchSpec arch = cycle_arch("hbm2");
  // A scratchpad port wide enough to stay hidden: 4096 / 1024 = 4 beats + write latency, with
  // 256 banks x 4 B so that a 1 KiB beat touches each bank once (no conflicts).
  arch.core.scratchpads.declare("ifmap").write_bytes_per_cycle = 1024;
  arch.core.scratchpads.declare("ifmap").banks = 256;
  const DramDeviceSpec& d = arch.dram.device;
  ASSERT_EQ(d.atom_bytes(), 32);
  ProgramBuilder b;
  b.load(Buffer::kIfmap, 1, 4096);  // at DRAM address 0x10000, one row
  const uint64_t base = b.program().instructions[0].dma().dram_addr;

  dram::ControllerOptions o;
  o.page_policy = arch.dram.page_policy;
  o.mapping = arch.dram.address_mapping;
  o.queue_depth = arch.dram.queue_depth;
  o.refresh = arch.dram.refresh;
  dram::MemorySystem reference(d, o);
  for (uint64_t a = 0; a < 4096; a += 32) reference.submit({a, base + a, false, 0});
  dram::Completion c;
  int64_t last = 0;
  while (reference.next_completion(&c)) last = std::max(last, c.done);

  const CheckedRun r = run_checked(arch, b.program());
  ASSERT_GT(core_cycles(d, last), 4 + arch.core.scratchpads.declare("ifmap").write_latency_cycles);
  EXPECT_EQ(r.cycles, core_cycles(d, last));
  EXPECT_EQ(r.checker->violation_count(), 0);
  const DramStats& s = r.top->dram().counters();
  EXPECT_EQ(s.reads, 64);
  EXPECT_EQ(s.atoms, 128);
  EXPECT_EQ(s.rd, 128);
  EXPECT_EQ(s.act, s.atoms - s.row_hits) << "every atom either hits an open row or activates one";
  EXPECT_EQ(r.top->dma().counters().bursts, 64);
}

TEST(CycleDram, SimulateHandsOutTheDramStats) {
  ArchSpec arch = cycle_arch("lpddr4-4266");
  ProgramBuilder b;
  const uint32_t l = b.load(Buffer::kIfmap, 4, 1000);
  b.store(Buffer::kOfmap, 2, 512, {l});
  DramStats stats;
  SimOptions options;
  options.dram_stats = &stats;
  const SimResult r = simulate(arch, b.program(), options);
  EXPECT_EQ(stats.kind, "cycle");
  EXPECT_EQ(stats.read_bytes, 4000);
  EXPECT_EQ(stats.write_bytes, 1024);
  // 1000 B rows: 15 bursts of 64 B + one of 40 B = 16 per row; 512 B rows: 8.
  EXPECT_EQ(stats.reads, 4 * 16);
  EXPECT_EQ(stats.writes, 2 * 8);
  EXPECT_EQ(stats.wr, stats.atoms - stats.rd);
  EXPECT_GT(stats.avg_read_latency_ns(), 0.0);
  EXPECT_EQ(r.total.dram_reads_bytes, 4000);
}

// Two DMAs, each with its own DDR4 device, run the same descriptor with 4 slots: rows 64 KiB
// apart (other DRAM rows of the same banks) make some bursts row misses behind row hits, so
// out-of-order completion frees slots earlier; it never finishes later.
TEST(CycleDram, OutOfOrderCompletionIsNeverSlowerThanInOrder) {
  const ArchSpec arch = cycle_arch("ddr4-3200");
  hw::CycleDram dram_in("dram_in", arch.dram), dram_out("dram_out", arch.dram);
  dram::TimingChecker check_in(arch.dram.device), check_out(arch.dram.device);
  dram_in.add_observer(&check_in);
  dram_out.add_observer(&check_out);
  DmaDescriptor d;
  d.planes = 4;
  d.rows = 4;
  d.row_bytes = 256;
  d.row_stride_bytes = 1 << 16;
  d.plane_stride_bytes = 1024;
  const std::vector<Instruction> program{hwtest::dma_instruction(0, Opcode::kLoad, d)};
  hwtest::DmaHarness in_order("in_order", hwtest::dma_params(4, 64, DmaCompletion::kInOrder), dram_in.request,
                              program);
  hwtest::DmaHarness out_of_order("out_of_order", hwtest::dma_params(4, 64, DmaCompletion::kOutOfOrder),
                                  dram_out.request, program);
  sc_core::sc_start();
  ASSERT_EQ(in_order.retired.size(), 1u);
  ASSERT_EQ(out_of_order.retired.size(), 1u);
  EXPECT_LE(out_of_order.retired[0].at, in_order.retired[0].at);
  EXPECT_EQ(check_in.violation_count(), 0);
  EXPECT_EQ(check_out.violation_count(), 0);
  EXPECT_EQ(dram_in.counters().reads, 64);
  EXPECT_EQ(dram_out.counters().reads, 64);
}

// Loosely-timed initiators use the TLM socket: b_transport of one atom at t = 10 ns on an idle
// HBM2 device returns tRCD + CL + burst later (tck = 1 ns).
struct LtInitiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<LtInitiator> socket{"socket"};
  sc_core::sc_time done;
  SC_HAS_PROCESS(LtInitiator);
  explicit LtInitiator(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  void run() {
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(0x4000);
    t.set_data_ptr(nullptr);
    t.set_data_length(32);
    sc_core::sc_time delay(10, sc_core::SC_NS);
    socket->b_transport(t, delay);
    EXPECT_TRUE(t.is_response_ok());
    done = sc_core::sc_time_stamp() + delay;
  }
};

TEST(CycleDram, BTransportRunsToTheRequestsCompletion) {
  const ArchSpec arch = cycle_arch("hbm2");
  const DramTiming& t = arch.dram.device.timing;
  hw::CycleDram dram("dram", arch.dram);
  LtInitiator init("init");
  init.socket.bind(dram.target_socket());
  sc_core::sc_start();
  EXPECT_EQ(init.done,
            sc_core::sc_time(static_cast<double>(10 + t.rcd + t.cl + arch.dram.device.burst_clocks()),
                             sc_core::SC_NS));
}

TEST(CycleDram, RefusesAnUnresolvedDevice) {
  DramParams p;
  p.kind = DramKind::kCycle;  // device left default-constructed: the loader did not run
  EXPECT_THROW(hw::make_dram_channel("cycle", "dram", p), InternalError);
}

}  // namespace
}  // namespace systole
