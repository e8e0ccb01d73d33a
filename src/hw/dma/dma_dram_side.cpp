// The DMA's DRAM side (hw/dma/dma.h Dma::dram_side): a descriptor's bursts through the window of
// max_outstanding requests, burst by burst through the request port, or as one stream when the
// DRAM model serves streams (hw/dram/dram_stream.h).
#include "systole/hw/dma/dma.h"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace systole::hw {

bool Dma::dram_side(const DmaDescriptor& d, uint32_t layer, bool load, const sc_core::sc_time& start,
                    std::vector<uint8_t>& data, sc_core::sc_time* last_done, sc_core::sc_time* first_done,
                    std::string& error) {
  m_first_network = sc_core::SC_ZERO_TIME;
  m_network_share = 0.0;
  m_noc_flit_hops = m_noc_router_traversals = 0;
  sc_core::sc_time in_network = sc_core::SC_ZERO_TIME, round_trips = sc_core::SC_ZERO_TIME;
  const auto burst = static_cast<uint64_t>(m_params.burst_bytes);
  const uint64_t per_row = (d.row_bytes + burst - 1) / burst;
  const uint64_t bursts = d.planes * d.rows * per_row;
  const uint64_t window = std::min<uint64_t>(static_cast<uint64_t>(m_params.max_outstanding), bursts);
  const bool in_order = m_params.completion == DmaCompletion::kInOrder;
  IDramRequestPort* const dram = dram_port[0];  // one binding, looked up once per descriptor
  // A remote store (isa.h DmaDescriptor::store_core): its bursts carry the target core and the
  // addresses of that core's tensor store; no DRAM observer hears of them.
  const bool remote = d.on_chip && d.store_core >= 0;
  const uint64_t base = remote ? d.store_addr : d.dram_addr;
  m_remote.core = d.store_core;
  m_remote_accesses = 0;
  struct ClearExtensions {  // a payload must not die holding m_remote (its destructor frees it)
    tlm::tlm_generic_payload* payloads;
    uint64_t count;
    ~ClearExtensions() {
      for (uint64_t i = 0; i < count; ++i) payloads[i].clear_extension<RemoteStoreExtension>();
    }
  } clear{m_payloads.get(), remote ? window : 0};

  // The streaming shortcut (hw/dram/dram_stream.h): the whole descriptor in one call when the
  // model serves streams, the bursts carry no data and nobody observes them one by one.
  if (!m_stream_looked_up) {
    m_stream_looked_up = true;
    m_stream = m_params.dram_streaming ? dynamic_cast<IDramStreamPort*>(dram) : nullptr;
  }
  if (m_stream != nullptr && !remote && data.empty() && m_observer == nullptr &&
      m_request_observer == nullptr) {
    DramStreamResult r;
    m_stream->stream({start, bursts, window, per_row, burst, d.row_bytes, !load}, &r);
    *first_done = r.first_done;
    *last_done = std::max(*last_done, r.last_done);
    m_counters.max_in_flight = std::max(m_counters.max_in_flight, static_cast<int64_t>(window));
    m_counters.bursts += static_cast<int64_t>(bursts);
    return true;  // in_network is zero: m_network_share stays 0, m_first_network zero
  }

  // Burst b (walk order) is row b / per_row, offset (b % per_row) * burst of that row. With
  // in-order completion burst b uses slot b % window (slots free in issue order); out of order
  // a free list. done_flag marks completed bursts not yet retired (in order).
  std::vector<uint64_t> free_slots;
  std::vector<char> done_flag(in_order ? window : 0, 0);
  std::vector<sc_core::sc_time> issued_at(window);  // of the burst in each slot
  if (!in_order) {
    for (uint64_t s = window; s > 0; --s) free_slots.push_back(s - 1);
  }
  sc_core::sc_time issue = start;  // earliest issue time of the next burst (non-decreasing)
  uint64_t issued = 0, retired = 0, completed = 0;
  while (completed < bursts) {
    // Issue every burst a free slot allows, all at `issue`.
    while (issued < bursts && (in_order ? issued - retired < window : !free_slots.empty())) {
      uint64_t slot;
      if (in_order) {
        slot = issued % window;
      } else {
        slot = free_slots.back();
        free_slots.pop_back();
      }
      const uint64_t row = issued / per_row, off = (issued % per_row) * burst;
      const uint64_t plane = row / d.rows, r = row % d.rows;
      const uint64_t addr = base + plane * d.plane_stride_bytes + r * d.row_stride_bytes + off;
      const uint64_t len = std::min(burst, d.row_bytes - off);
      tlm::tlm_generic_payload& trans = m_payloads[slot];
      trans.set_command(load ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
      trans.set_address(addr);
      trans.set_data_ptr(data.empty() ? nullptr : data.data() + row * d.row_bytes + off);
      trans.set_data_length(static_cast<unsigned int>(len));
      trans.set_streaming_width(static_cast<unsigned int>(len));
      trans.set_byte_enable_ptr(nullptr);
      trans.set_dmi_allowed(false);
      trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      if (remote) trans.set_extension(&m_remote);
      issued_at[slot] = issue;
      dram->submit(trans, issue);
      if (trans.is_response_error()) {
        error =
            fmt::format("DMA: {} of {} B at {:#x} in {} failed: {}", load ? "read" : "write", len, addr,
                        remote ? fmt::format("core {}'s tensor store", d.store_core) : std::string("DRAM"),
                        trans.get_response_string());
        return false;
      }
      if (m_request_observer != nullptr && !remote) {
        m_request_observer->on_dram_request({m_params.clock.cycle_of(issue), issue.to_seconds() * 1e9, addr,
                                             static_cast<int64_t>(len), !load, layer});
      }
      ++issued;
      m_counters.max_in_flight = std::max(m_counters.max_in_flight, static_cast<int64_t>(issued - completed));
    }
    DramCompletion c;
    if (!dram->next_completion(&c)) {
      error =
          fmt::format("DMA: {} bursts outstanding but the DRAM reports no completion", issued - completed);
      return false;
    }
    const auto slot = static_cast<uint64_t>(c.payload - m_payloads.get());
    if (slot >= window) {
      error = "DMA: the DRAM completed a request the DMA did not make";
      return false;
    }
    m_remote_accesses += c.remote_store_accesses;
    if (m_observer != nullptr && !remote) {
      m_observer->on_dram_burst(c.channel, m_params.clock.cycle_of(c.done),
                                static_cast<int64_t>(c.payload->get_data_length()), !load);
    }
    if (completed++ == 0) {
      *first_done = c.done;
      m_first_network = c.network;
    }
    in_network += c.network;
    m_noc_flit_hops += c.noc_flit_hops;
    m_noc_router_traversals += c.noc_router_traversals;
    round_trips += c.done - std::min(c.done, issued_at[slot]);
    *last_done = std::max(*last_done, c.done);
    if (in_order) {
      done_flag[slot] = 1;
      const uint64_t before = retired;
      while (retired < issued && done_flag[retired % window]) done_flag[retired++ % window] = 0;
      if (retired != before) issue = std::max(issue, c.done);
    } else {
      free_slots.push_back(slot);
      issue = std::max(issue, c.done);
    }
  }
  m_counters.bursts += static_cast<int64_t>(bursts);
  if (round_trips > sc_core::SC_ZERO_TIME) m_network_share = in_network / round_trips;
  return true;
}

}  // namespace systole::hw
