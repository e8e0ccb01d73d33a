// DRAM channels on their own, driven by a small TLM testbench: two requests that overlap in time
// contend for the simple channel's bandwidth; the ideal channel completes everything on arrival;
// the registry knows both names.
#include <cstdlib>
#include <memory>

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "systole/common/error.h"
#include "systole/common/registry.h"
#include "systole/hw/dram/dram_channel.h"

namespace systole::hw {
namespace {

// Two processes that each send one request of `bytes` at t = `at` ns through one socket (a
// simple_target_socket takes a single initiator) and record its completion.
struct TwoInitiators : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<TwoInitiators> socket{"socket"};
  uint64_t bytes;
  double at_ns;
  sc_core::sc_time done_a, done_b;

  SC_HAS_PROCESS(TwoInitiators);
  TwoInitiators(sc_core::sc_module_name n, uint64_t bytes_, double at)
      : sc_module(n), bytes(bytes_), at_ns(at) {
    SC_THREAD(run_a);
    SC_THREAD(run_b);
  }
  sc_core::sc_time send(tlm_utils::simple_initiator_socket<TwoInitiators>& s, tlm::tlm_command cmd) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(0);
    t.set_data_ptr(nullptr);
    t.set_data_length(static_cast<unsigned>(bytes));
    sc_core::sc_time delay(at_ns, sc_core::SC_NS);
    s->b_transport(t, delay);
    EXPECT_TRUE(t.is_response_ok());
    return sc_core::sc_time_stamp() + delay;
  }
  void run_a() { done_a = send(socket, tlm::TLM_READ_COMMAND); }
  void run_b() { done_b = send(socket, tlm::TLM_WRITE_COMMAND); }
};

void quiet() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
}

TEST(DramChannel, OverlappingRequestsContendOnSimpleDram) {
  quiet();
  DramParams p;
  p.kind = DramKind::kSimple;
  p.latency_ns = 100.0;
  p.bandwidth_gbps = 25.6;
  auto dram = make_dram_channel("simple", "dram", p);
  TwoInitiators tb("tb", 6400, 10.0);
  tb.socket.bind(dram->target_socket());
  sc_core::sc_start();
  // Both arrive at 10 ns. 6400 B / 25.6 GB/s = 250 ns each. The first served occupies [10, 260)
  // and completes at 360; the second waits for the channel: [260, 510), completes at 610.
  const sc_core::sc_time first = std::min(tb.done_a, tb.done_b);
  const sc_core::sc_time second = std::max(tb.done_a, tb.done_b);
  EXPECT_EQ(first, sc_core::sc_time(360, sc_core::SC_NS));
  EXPECT_EQ(second, sc_core::sc_time(610, sc_core::SC_NS));
  EXPECT_EQ(dram->counters().read_bytes, 6400);
  EXPECT_EQ(dram->counters().write_bytes, 6400);
  EXPECT_EQ(dram->counters().requests(), 2);
}

TEST(DramChannel, IdealDramCompletesOnArrival) {
  quiet();
  DramParams p;
  p.kind = DramKind::kIdeal;
  auto dram = make_dram_channel("ideal", "dram", p);
  TwoInitiators tb("tb", 1 << 20, 10.0);
  tb.socket.bind(dram->target_socket());
  sc_core::sc_start();
  EXPECT_EQ(tb.done_a, sc_core::sc_time(10, sc_core::SC_NS));
  EXPECT_EQ(tb.done_b, sc_core::sc_time(10, sc_core::SC_NS));
}

TEST(DramChannel, RegistryKnowsEveryDramKindAndRejectsOthers) {
  for (const std::string& kind : dram_kind_names()) {
    const auto names = dram_channel_names();
    EXPECT_NE(std::find(names.begin(), names.end(), kind), names.end()) << kind;
  }
  try {
    DramParams p;
    make_dram_channel("hbm9", "dram", p);
    FAIL() << "expected UnknownVariant";
  } catch (const UnknownVariant& e) {
    EXPECT_STREQ(e.what(), "unknown DRAM model 'hbm9'; registered: ideal, simple, cycle");
  }
}

}  // namespace
}  // namespace systole::hw
