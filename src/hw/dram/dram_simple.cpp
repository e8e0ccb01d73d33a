#include "systole/hw/dram/dram_simple.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::hw {

SimpleDram::SimpleDram(sc_core::sc_module_name name, const DramParams& params)
    : KnownTimingDram(name, "simple"),
      m_ps_per_byte(1000.0 / params.bandwidth_gbps),  // 1 GB/s = 1 byte/ns
      m_latency(sc_core::sc_time(params.latency_ns, sc_core::SC_NS)),
      m_busy_until(sc_core::SC_ZERO_TIME) {
  if (!(params.bandwidth_gbps > 0.0) || params.latency_ns < 0.0) {
    throw InternalError(fmt::format("simple DRAM with bandwidth {} GB/s, latency {} ns",
                                    params.bandwidth_gbps, params.latency_ns));
  }
}

sc_core::sc_time SimpleDram::occupancy(uint64_t bytes) const {
  return sc_core::sc_time(static_cast<double>(std::llround(static_cast<double>(bytes) * m_ps_per_byte)),
                          sc_core::SC_PS);
}

sc_core::sc_time SimpleDram::completion_time(const tlm::tlm_generic_payload& trans,
                                             const sc_core::sc_time& arrival) {
  const sc_core::sc_time start = std::max(arrival, m_busy_until);
  m_busy_until = start + occupancy(trans.get_data_length());
  return m_busy_until + m_latency;
}

void SimpleDram::stream(const DramStream& s, DramStreamResult* out) {
  if (!idle() || s.bursts == 0 || s.window == 0 || s.window > s.bursts || s.per_row == 0 ||
      s.row_bytes == 0 || (s.per_row - 1) * s.burst_bytes >= s.row_bytes ||
      s.per_row * s.burst_bytes < s.row_bytes) {
    throw InternalError(
        fmt::format("simple DRAM: a stream of {} bursts through a window of {} ({} per row of {} B) "
                    "{}",
                    s.bursts, s.window, s.per_row, s.row_bytes,
                    idle() ? "is malformed" : "while requests are outstanding"));
  }
  // accept() per burst: start = max(arrival, busy); busy = start + occupancy; done = busy + latency;
  // the read-latency sum in submission order. Times are sc_time values (integer picoseconds at the
  // default resolution), added exactly as sc_time adds them.
  const uint64_t last_bytes = s.row_bytes - (s.per_row - 1) * s.burst_bytes;
  const uint64_t occupy_full = occupancy(s.burst_bytes).value(), occupy_last = occupancy(last_bytes).value();
  const uint64_t latency = m_latency.value(), start = s.start.value();
  uint64_t busy = m_busy_until.value(), round_trips = 0, first = 0, last = 0;
  std::vector<uint64_t> done_of_slot(s.window);  // burst i's completion in slot i % window
  DramStats& st = stats();
  double latency_sum_ns = st.read_latency_sum_ns;
  uint64_t slot = 0, column = 0;
  // A stream's round trips take few distinct values (one, once the window or the bandwidth binds):
  // the conversion to ns (sc_time::to_seconds, as accept() does it) is made once per value.
  uint64_t converted_value = 0;
  double converted_ns = 0.0;
  // The saturated regime. Every burst adds at least its occupancy to busy, so with equal bursts of
  // occupancy c, busy(j - 1) - busy(j - W) >= (W - 1) c, and burst j >= W issues at
  // done(j - W) = busy(j - W) + latency (>= start + c). When latency <= (W - 1) c that is never
  // after busy(j - 1): from burst W on the channel never idles, busy grows by exactly c per burst,
  // and from burst 2W on every round trip is busy(j) - busy(j - W) = W c. The loop below runs the
  // first 2W bursts (and every burst of any other stream); the rest are added in closed form, the
  // read-latency sum still one addition per burst, in order (floating-point sums are not
  // associative).
  const bool equal_bursts = s.per_row == 1 || last_bytes == s.burst_bytes;
  const uint64_t occupy = s.per_row == 1 ? occupy_last : occupy_full;
  const bool saturates = equal_bursts && latency <= (s.window - 1) * occupy && s.bursts > 2 * s.window;
  const uint64_t explicit_bursts = saturates ? 2 * s.window : s.bursts;
  for (uint64_t i = 0; i < explicit_bursts; ++i) {
    const uint64_t issue = i < s.window ? start : std::max(start, done_of_slot[slot]);
    const bool row_end = column + 1 == s.per_row;
    busy = std::max(issue, busy) + (row_end ? occupy_last : occupy_full);
    const uint64_t done = busy + latency;
    done_of_slot[slot] = done;
    round_trips += done - issue;
    if (!s.write) {
      if (done - issue != converted_value || i == 0) {
        converted_value = done - issue;
        converted_ns = sc_core::sc_time::from_value(converted_value).to_seconds() * 1e9;
      }
      latency_sum_ns += converted_ns;
    }
    if (i == 0) first = done;
    last = done;
    column = row_end ? 0 : column + 1;
    slot = slot + 1 == s.window ? 0 : slot + 1;
  }
  if (saturates) {
    const uint64_t rest = s.bursts - explicit_bursts, trip = s.window * occupy;
    busy += rest * occupy;
    last = busy + latency;
    round_trips += rest * trip;
    if (!s.write) {
      const double trip_ns = sc_core::sc_time::from_value(trip).to_seconds() * 1e9;
      for (uint64_t k = 0; k < rest; ++k) latency_sum_ns += trip_ns;
    }
  }
  const auto rows = static_cast<int64_t>(s.bursts / s.per_row);
  const int64_t bytes = rows * static_cast<int64_t>(s.row_bytes);
  if (s.write) {
    st.writes += static_cast<int64_t>(s.bursts);
    st.write_bytes += bytes;
  } else {
    st.reads += static_cast<int64_t>(s.bursts);
    st.read_bytes += bytes;
    st.read_latency_sum_ns = latency_sum_ns;
  }
  m_busy_until = sc_core::sc_time::from_value(busy);
  *out = {sc_core::sc_time::from_value(first), sc_core::sc_time::from_value(last),
          sc_core::sc_time::from_value(round_trips)};
}

std::unique_ptr<IDramChannel> make_simple_dram(const char* name, const DramParams& params) {
  return std::make_unique<SimpleDram>(name, params);
}

}  // namespace systole::hw
