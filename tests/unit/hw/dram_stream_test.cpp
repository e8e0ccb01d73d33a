// The streaming shortcut (hw/dram/dram_stream.h) against the per-request path it replaces: on
// random streams through random simple DRAMs, SimpleDram::stream gives the first and last
// completions and the round-trip sum the DMA's in-order window would have seen through submit()
// and next_completion(), and leaves the same counters (the read-latency sum bit for bit) and the
// same state (a later request completes at the same time).
#include <cstring>
#include <memory>
#include <random>

#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/hw/dram/dram_simple.h"

namespace systole::hw {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

// Dma::dram_side's issue loop (in-order completion), burst by burst through the request port.
DramStreamResult per_request(IDramRequestPort& dram, const DramStream& s) {
  std::vector<tlm::tlm_generic_payload> slots(s.window);
  std::vector<sc_time> issued_at(s.window);
  std::vector<char> done_flag(s.window, 0);
  DramStreamResult r;
  sc_time issue = s.start;
  uint64_t issued = 0, retired = 0, completed = 0;
  while (completed < s.bursts) {
    while (issued < s.bursts && issued - retired < s.window) {
      const uint64_t slot = issued % s.window, off = (issued % s.per_row) * s.burst_bytes;
      tlm::tlm_generic_payload& t = slots[slot];
      t.set_command(s.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      t.set_address(issued * 64);
      t.set_data_ptr(nullptr);
      t.set_data_length(static_cast<unsigned int>(std::min(s.burst_bytes, s.row_bytes - off)));
      issued_at[slot] = issue;
      dram.submit(t, issue);
      ++issued;
    }
    DramCompletion c;
    EXPECT_TRUE(dram.next_completion(&c));
    const auto slot = static_cast<uint64_t>(c.payload - slots.data());
    if (completed++ == 0) r.first_done = c.done;
    r.last_done = std::max(r.last_done, c.done);
    r.round_trips += c.done - issued_at[slot];
    done_flag[slot] = 1;
    const uint64_t before = retired;
    while (retired < issued && done_flag[retired % s.window]) done_flag[retired++ % s.window] = 0;
    if (retired != before) issue = std::max(issue, c.done);
  }
  return r;
}

// The completion of one probe request of `bytes` at `at`: it depends on the channel's state.
sc_time probe(IDramRequestPort& dram, const sc_time& at, unsigned bytes) {
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_data_ptr(nullptr);
  t.set_data_length(bytes);
  dram.submit(t, at);
  DramCompletion c;
  EXPECT_TRUE(dram.next_completion(&c));
  return c.done;
}

TEST(DramStream, EqualsThePerRequestPathOnRandomStreams) {
  std::mt19937_64 rng(20261207);
  auto pick = [&](uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng); };
  for (int model = 0; model < 16; ++model) {
    DramParams p;
    // 0.1 .. 400 GB/s (fractional ps per byte); every other model slow enough for long streams to
    // saturate the channel (SimpleDram::stream's closed form).
    p.bandwidth_gbps = static_cast<double>(model % 2 ? pick(1, 100) : pick(1, 4000)) / 10.0;
    p.latency_ns = static_cast<double>(pick(0, 4000)) / 10.0;
    const std::string tag = std::to_string(model);
    SimpleDram streamed(("streamed" + tag).c_str(), p), reference(("reference" + tag).c_str(), p);
    sc_time at = sc_time(static_cast<double>(pick(0, 1000)), SC_NS);
    for (int k = 0; k < 25; ++k) {
      DramStream s;
      s.burst_bytes = 16u << pick(0, 3);                                     // 16 .. 128
      s.row_bytes = pick(0, 1) ? s.burst_bytes * pick(1, 8) : pick(1, 700);  // whole bursts, or a tail
      s.per_row = (s.row_bytes + s.burst_bytes - 1) / s.burst_bytes;
      s.bursts = s.per_row * pick(1, 600);
      s.window = std::min<uint64_t>(s.bursts, pick(1, 130));
      s.write = pick(0, 3) == 0;
      // Descriptors start before, at or after the channel frees up.
      at += sc_time(static_cast<double>(pick(0, 3000)), SC_NS);
      s.start = at;
      SCOPED_TRACE(::testing::Message() << "model " << model << " stream " << k << ": " << s.bursts
                                        << " bursts of " << s.burst_bytes << " B, rows of " << s.row_bytes
                                        << " B, window " << s.window << (s.write ? ", writes" : ", reads"));
      DramStreamResult fast;
      streamed.stream(s, &fast);
      const DramStreamResult slow = per_request(reference, s);
      EXPECT_EQ(fast.first_done, slow.first_done);
      EXPECT_EQ(fast.last_done, slow.last_done);
      EXPECT_EQ(fast.round_trips, slow.round_trips);
      const DramStats& a = streamed.counters();
      const DramStats& b = reference.counters();
      EXPECT_EQ(a.reads, b.reads);
      EXPECT_EQ(a.writes, b.writes);
      EXPECT_EQ(a.read_bytes, b.read_bytes);
      EXPECT_EQ(a.write_bytes, b.write_bytes);
      EXPECT_EQ(std::memcmp(&a.read_latency_sum_ns, &b.read_latency_sum_ns, sizeof(double)), 0)
          << a.read_latency_sum_ns << " vs " << b.read_latency_sum_ns;
      if (k % 5 == 4) {  // the channel's state after the stream
        const sc_time when = at + sc_time(static_cast<double>(pick(0, 500)), SC_NS);
        EXPECT_EQ(probe(streamed, when, 64), probe(reference, when, 64));
        at = when;
      }
    }
  }
}

// 64 B take 64 ns at 1 GB/s; 100 ns of latency hides behind a window of 8 (7 x 64 >= 100), so
// from burst 8 on the channel never idles and the closed form carries bursts 16 to 999.
TEST(DramStream, ASaturatingStreamEqualsThePerRequestPath) {
  DramParams p;
  p.bandwidth_gbps = 1.0;
  p.latency_ns = 100.0;
  SimpleDram streamed("saturated_streamed", p), reference("saturated_reference", p);
  DramStream s;
  s.start = sc_time(5, SC_NS);
  s.bursts = 1000;
  s.window = 8;
  s.row_bytes = 256;
  s.per_row = 4;
  DramStreamResult fast;
  streamed.stream(s, &fast);
  const DramStreamResult slow = per_request(reference, s);
  EXPECT_EQ(fast.last_done, slow.last_done);
  EXPECT_EQ(fast.last_done, sc_time(5 + 1000 * 64 + 100, SC_NS));
  EXPECT_EQ(fast.round_trips, slow.round_trips);
  EXPECT_EQ(std::memcmp(&streamed.counters().read_latency_sum_ns, &reference.counters().read_latency_sum_ns,
                        sizeof(double)),
            0);
  EXPECT_EQ(probe(streamed, sc_time(70, SC_US), 64), probe(reference, sc_time(70, SC_US), 64));
}

TEST(DramStream, RefusesAMalformedStreamOrOutstandingRequests) {
  DramParams p;
  SimpleDram dram("refusing", p);
  DramStreamResult r;
  DramStream s;
  s.bursts = 4;
  s.window = 8;  // more than the bursts
  s.row_bytes = 64;
  EXPECT_THROW(dram.stream(s, &r), InternalError);
  s.window = 2;
  s.per_row = 1;
  s.row_bytes = 65;  // does not fit one burst
  EXPECT_THROW(dram.stream(s, &r), InternalError);
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_data_ptr(nullptr);
  t.set_data_length(64);
  dram.submit(t, sc_core::SC_ZERO_TIME);
  s.row_bytes = 64;
  EXPECT_THROW(dram.stream(s, &r), InternalError);  // a request is outstanding
}

}  // namespace
}  // namespace systole::hw
