#include "systole/hw/dram/dram_known_timing.h"

#include <algorithm>

namespace systole::hw {
namespace {

// std::push_heap keeps the largest on top: "later" puts the earliest (done, seq) there.
struct Later {
  template <typename P>
  bool operator()(const P& a, const P& b) const {
    return a.done != b.done ? a.done > b.done : a.seq > b.seq;
  }
};

}  // namespace

KnownTimingDram::KnownTimingDram(sc_core::sc_module_name name, const char* kind)
    : sc_core::sc_module(name), socket("socket"), request("request") {
  m_stats.kind = kind;
  socket.register_b_transport(this, &KnownTimingDram::b_transport);
  request.bind(*this);
}

bool KnownTimingDram::accept(tlm::tlm_generic_payload& trans, const sc_core::sc_time& arrival,
                             sc_core::sc_time* done) {
  if (!move_data(trans)) return false;
  *done = completion_time(trans, arrival);
  const auto bytes = static_cast<int64_t>(trans.get_data_length());
  if (trans.is_write()) {
    m_stats.writes += 1;
    m_stats.write_bytes += bytes;
  } else {
    m_stats.reads += 1;
    m_stats.read_bytes += bytes;
    m_stats.read_latency_sum_ns += (*done - arrival).to_seconds() * 1e9;
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void KnownTimingDram::submit(tlm::tlm_generic_payload& trans, const sc_core::sc_time& arrival) {
  sc_core::sc_time done;
  if (!accept(trans, arrival, &done)) return;
  m_heap.push_back({done, m_seq++, &trans});
  std::push_heap(m_heap.begin(), m_heap.end(), Later{});
}

bool KnownTimingDram::next_completion(DramCompletion* out) {
  if (m_heap.empty()) return false;
  std::pop_heap(m_heap.begin(), m_heap.end(), Later{});
  *out = {m_heap.back().payload, m_heap.back().done, 0};
  m_heap.pop_back();
  return true;
}

bool KnownTimingDram::next_completion_before(const sc_core::sc_time& limit, DramCompletion* out) {
  // Completions are fixed at submit: the earliest is final once nothing can arrive before it.
  if (m_heap.empty() || m_heap.front().done > limit) return false;
  return next_completion(out);
}

bool KnownTimingDram::completion_bound(sc_core::sc_time* at) const {
  if (m_heap.empty()) return false;
  *at = m_heap.front().done;
  return true;
}

void KnownTimingDram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  sc_core::sc_time done;
  if (!accept(trans, now + delay, &done)) return;
  delay = done - now;
}

}  // namespace systole::hw
