// Base of the DRAM models whose completion time is known when a request arrives (ideal, simple):
// the model computes it once per request, in arrival order, and both entry points of
// IDramChannel answer from it. b_transport returns it in the delay; submit() queues it and
// next_completion() hands completions out earliest first (ties: submission order).
#pragma once

#include <cstdint>
#include <vector>

#include <tlm_utils/simple_target_socket.h>

#include "systole/hw/dram/dram_channel.h"

namespace systole::hw {

class KnownTimingDram : public sc_core::sc_module, public IDramChannel, public IDramRequestPort {
 public:
  tlm_utils::simple_target_socket_optional<KnownTimingDram> socket;
  sc_core::sc_export<IDramRequestPort> request;

  tlm::tlm_base_target_socket_b<>& target_socket() override { return socket; }
  sc_core::sc_export<IDramRequestPort>& request_export() override { return request; }
  const DramStats& counters() const override { return m_stats; }

  void submit(tlm::tlm_generic_payload& trans, const sc_core::sc_time& arrival) override;
  bool next_completion(DramCompletion* out) override;
  bool next_completion_before(const sc_core::sc_time& limit, DramCompletion* out) override;
  bool completion_bound(sc_core::sc_time* at) const override;

 protected:
  KnownTimingDram(sc_core::sc_module_name name, const char* kind);
  // When a request of trans.get_data_length() bytes arriving at `arrival` completes (>= arrival).
  // Called exactly once per accepted request, in the order they arrive.
  virtual sc_core::sc_time completion_time(const tlm::tlm_generic_payload& trans,
                                           const sc_core::sc_time& arrival) = 0;
  // For a model that serves a stream of requests itself (dram_stream.h): whether nothing is
  // outstanding, and the counters it must keep as accept() would.
  bool idle() const { return m_heap.empty(); }
  DramStats& stats() { return m_stats; }

 private:
  struct Pending {
    sc_core::sc_time done;
    uint64_t seq;
    tlm::tlm_generic_payload* payload;
  };
  // Accepts a request (data moved, response set) and returns its completion time; false when
  // its data could not be moved.
  bool accept(tlm::tlm_generic_payload& trans, const sc_core::sc_time& arrival, sc_core::sc_time* done);
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  std::vector<Pending> m_heap;  // min-heap on (done, seq)
  uint64_t m_seq = 0;
  DramStats m_stats;
};

}  // namespace systole::hw
