// A DRAM model as the NPU sees it. Two ways in, one model behind them:
//
// - target_socket(): a TLM-2.0 target for loosely-timed initiators. b_transport submits the
//   request at sc_time_stamp() + delay and runs the model to that request's completion, which it
//   returns in the delay. Requests from b_transport are served in call order.
// - request_export(): an sc_export of IDramRequestPort, the causal request/response interface the
//   DMA uses (bound to its sc_port in NpuTop) so that its bursts compete inside the model
//   (approximately timed: they overlap, queue and reorder) without one kernel event per request.
//
// IDramRequestPort contract. submit(trans, arrival) hands over a request that reaches the DRAM at
// `arrival`; arrivals are non-decreasing, and no earlier than the `done` of the last completion
// the caller was given (the caller only learns of time through completions). next_completion()
// returns the earliest completion among the outstanding requests, assuming nothing else arrives
// before it, or false when none is outstanding. A caller that follows the contract sees exactly
// what an event-driven simulation of the same requests would have produced. The payload stays
// owned by the caller and must live until its completion is returned. Data moves at submit (the
// payload's data pointer, if any, is copied to or from the attached contents); a request whose
// data cannot be moved is answered at once with an error response and not queued.
//
// Models are SystemC modules registered by name (the DramKind spelling, `dram.kind` in YAML) in
// dram_registry.cpp; docs/hardware.md says how to add one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "systole/config/arch_spec.h"
#include "systole/stats/dram_stats.h"

namespace systole::hw {

struct DramCompletion {
  tlm::tlm_generic_payload* payload = nullptr;
  sc_core::sc_time done;  // when the request's last data crossed the DRAM bus
  int channel = 0;        // the channel that served it (its first atom's; 0 for single-channel models)
  // Behind the NoC (hw/noc/noc_fabric.h): the time its request and response spent in the
  // network; zero from a DRAM model.
  sc_core::sc_time network = sc_core::SC_ZERO_TIME;
  // Behind the NoC: the link and router crossings of the request's and the response's flits.
  int64_t noc_flit_hops = 0, noc_router_traversals = 0;
  // Behind the NoC, the acknowledgement of a write into another core's tensor store
  // (hw/noc/remote_store.h): the bank word accesses that core's scratchpad counted for it.
  int64_t remote_store_accesses = 0;
};

class IDramRequestPort : public virtual sc_core::sc_interface {
 public:
  virtual void submit(tlm::tlm_generic_payload& trans, const sc_core::sc_time& arrival) = 0;
  virtual bool next_completion(DramCompletion* out) = 0;
  // For a caller that learns of arrivals as time passes (the NoC fabric, hw/noc/noc_fabric.h): as
  // next_completion, but returns a completion only if it is done at or before `limit`, else false,
  // after which a request may be submitted with any arrival >= limit. completion_bound() gives a
  // time no later than the next completion, assuming nothing else arrives (the caller may sleep
  // until then), or false when nothing is outstanding.
  virtual bool next_completion_before(const sc_core::sc_time& limit, DramCompletion* out) = 0;
  virtual bool completion_bound(sc_core::sc_time* at) const = 0;
};

class IDramChannel {
 public:
  virtual ~IDramChannel() = default;
  // Optional (zero or more initiators): NpuTop binds the DMA to request_export() instead.
  // Requests carry the DRAM address; a payload data pointer of nullptr means timing-only.
  virtual tlm::tlm_base_target_socket_b<>& target_socket() = 0;
  virtual sc_core::sc_export<IDramRequestPort>& request_export() = 0;
  // Everything counted so far (dram_stats.h).
  virtual const DramStats& counters() const = 0;
  // The run ended at `end`: time-based counters (DramStats::active_standby_ns) are taken up to
  // it from then on. Models without such counters ignore it.
  virtual void set_run_end(const sc_core::sc_time& end) { (void)end; }
  // The channel that serves `address` (its first atom's; 0 for single-channel models): where the
  // NoC delivers a request for it (config/noc_attachment.h).
  virtual int channel_of(uint64_t address) const {
    (void)address;
    return 0;
  }

  // Functional simulation: the DRAM's contents (byte a at address a), owned by the caller and
  // outliving the simulation. Requests whose payload carries a data pointer copy to (write) or
  // from (read) it. Not attached (the default): timing only, and a data pointer is an error.
  void attach_contents(std::vector<uint8_t>* contents) { m_contents = contents; }

 protected:
  // Every model calls this first for each request: copies the payload's data (if any) and
  // returns true, or sets TLM_ADDRESS_ERROR_RESPONSE and returns false when the request carries
  // data that lies outside the contents (or no contents are attached). Timing is the model's
  // business.
  bool move_data(tlm::tlm_generic_payload& trans);

 private:
  std::vector<uint8_t>* m_contents = nullptr;
};

// Creates the channel registered as `kind`; an unknown kind throws UnknownVariant listing the
// registered names (common/registry.h; the config loader has already checked `dram.kind`).
std::unique_ptr<IDramChannel> make_dram_channel(const std::string& kind, const char* name,
                                                const DramParams& params);
std::vector<std::string> dram_channel_names();  // registration order

}  // namespace systole::hw
