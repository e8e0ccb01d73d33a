#include "systole/hw/dram/dram_cycle.h"

#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::hw {
namespace {

const DramDeviceSpec& checked_device(const DramParams& params) {
  const DramDeviceSpec& d = params.device;
  if (d.name.empty() || !(d.timing.tck_ps > 0.0) || d.atom_bytes() <= 0) {
    throw InternalError(
        "dram.kind cycle without a resolved device: the config loader fills DramParams::device from "
        "dram.preset (or use load_dram_preset)");
  }
  return d;
}

dram::ControllerOptions controller_options(const DramParams& p) {
  dram::ControllerOptions o;
  o.page_policy = p.page_policy;
  o.mapping = p.address_mapping;
  o.queue_depth = p.queue_depth;
  o.refresh = p.refresh;
  o.scheduler = p.scheduler;
  o.row_hit_cap = p.row_hit_cap;
  return o;
}

}  // namespace

CycleDram::CycleDram(sc_core::sc_module_name name, const DramParams& params)
    : sc_core::sc_module(name),
      socket("socket"),
      request("request"),
      m_device(checked_device(params)),
      m_memory(m_device, controller_options(params)),
      m_dram_clock(1e6 / m_device.timing.tck_ps),  // MHz = 1e6 / period in ps
      m_atom_bytes(static_cast<uint64_t>(m_device.atom_bytes())) {
  m_stats.kind = "cycle";
  socket.register_b_transport(this, &CycleDram::b_transport);
  request.bind(*this);
}

const DramStats& CycleDram::counters() const {
  const dram::MemoryStats& s = m_memory.stats();
  m_stats.atoms = s.reads + s.writes;
  m_stats.row_hits = s.row_hits;
  m_stats.act = s.commands[static_cast<int>(dram::Command::kAct)];
  m_stats.pre = s.commands[static_cast<int>(dram::Command::kPre)];
  m_stats.rd = s.commands[static_cast<int>(dram::Command::kRd)];
  m_stats.wr = s.commands[static_cast<int>(dram::Command::kWr)];
  m_stats.ref = s.commands[static_cast<int>(dram::Command::kRef)];
  // Standby time up to the end of the run (or of the model, if it ran further), in DRAM clocks.
  const int64_t until = std::max(m_dram_clock.cycle_of(m_run_end), m_memory.now());
  const int64_t active = m_memory.rank_active_cycles(until);
  const int64_t all = m_device.org.channels * m_device.org.ranks * until;
  const double tck_ns = m_device.timing.tck_ps / 1000.0;
  m_stats.active_standby_ns = static_cast<double>(active) * tck_ns;
  m_stats.precharged_standby_ns = static_cast<double>(all - active) * tck_ns;
  m_stats.channels.assign(static_cast<size_t>(m_device.org.channels), DramChannelStats{});
  for (int c = 0; c < static_cast<int>(m_device.org.channels); ++c) {
    const dram::MemoryStats& cs = m_memory.channel_stats(c);
    DramChannelStats& out = m_stats.channels[static_cast<size_t>(c)];
    out.atoms = cs.reads + cs.writes;
    out.row_hits = cs.row_hits;
    out.read_bytes = cs.read_bytes;
    out.write_bytes = cs.write_bytes;
    out.act = cs.commands[static_cast<int>(dram::Command::kAct)];
    out.pre = cs.commands[static_cast<int>(dram::Command::kPre)];
    out.rd = cs.commands[static_cast<int>(dram::Command::kRd)];
    out.wr = cs.commands[static_cast<int>(dram::Command::kWr)];
    out.ref = cs.commands[static_cast<int>(dram::Command::kRef)];
    const int64_t ch_active = m_memory.rank_active_cycles(until, c);
    out.active_standby_ns = static_cast<double>(ch_active) * tck_ns;
    out.precharged_standby_ns = static_cast<double>(m_device.org.ranks * until - ch_active) * tck_ns;
  }
  return m_stats;
}

void CycleDram::submit(tlm::tlm_generic_payload& trans, const sc_core::sc_time& arrival) {
  if (!move_data(trans)) return;
  uint64_t slot;
  if (m_free_slots.empty()) {
    slot = m_slots.size();
    m_slots.emplace_back();
  } else {
    slot = m_free_slots.back();
    m_free_slots.pop_back();
  }
  const uint64_t addr = trans.get_address();
  const uint64_t len = std::max<uint64_t>(trans.get_data_length(), 1);
  const uint64_t first = addr / m_atom_bytes, last = (addr + len - 1) / m_atom_bytes;
  const int64_t cycle = m_dram_clock.cycle_of(arrival);
  const bool write = trans.is_write();
  Slot& s = m_slots[slot];
  s = Slot{&trans, arrival, static_cast<int64_t>(last - first + 1), 0,
           static_cast<int>(m_memory.decode(first * m_atom_bytes).channel)};
  for (uint64_t atom = first; atom <= last; ++atom) {
    dram::Request r;
    r.id = slot;
    r.address = atom * m_atom_bytes;
    r.is_write = write;
    r.arrival = cycle;
    m_memory.submit(r);
  }
  ++m_outstanding;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool CycleDram::next_completion(DramCompletion* out) {
  return take_completion(out, -1);
}

bool CycleDram::next_completion_before(const sc_core::sc_time& limit, DramCompletion* out) {
  // The last DRAM edge at or before `limit`: a later arrival enters at a cycle >= it.
  int64_t cycle = m_dram_clock.cycle_of(limit);
  if (m_dram_clock.time_of(cycle) > limit) --cycle;
  return take_completion(out, std::max<int64_t>(cycle, 0));
}

bool CycleDram::completion_bound(sc_core::sc_time* at) const {
  if (m_outstanding == 0) return false;
  // No request completes before the model's present plus one DRAM clock.
  *at = m_dram_clock.time_of(m_memory.now() + 1);
  return true;
}

int CycleDram::channel_of(uint64_t address) const {
  return static_cast<int>(m_memory.decode(address).channel);
}

bool CycleDram::take_completion(DramCompletion* out, int64_t limit) {
  dram::Completion c;
  while (m_outstanding > 0 &&
         (limit < 0 ? m_memory.next_completion(&c) : m_memory.next_completion_before(limit, &c))) {
    if (c.id >= m_slots.size() || m_slots[c.id].payload == nullptr)
      throw InternalError(fmt::format("{}: completion for unknown request slot {}", name(), c.id));
    Slot& s = m_slots[c.id];
    s.last_done = std::max(s.last_done, c.done);
    if (--s.atoms_left > 0) continue;
    tlm::tlm_generic_payload* trans = s.payload;
    const sc_core::sc_time done = m_dram_clock.time_of(s.last_done);
    const auto bytes = static_cast<int64_t>(trans->get_data_length());
    if (trans->is_write()) {
      m_stats.writes += 1;
      m_stats.write_bytes += bytes;
    } else {
      m_stats.reads += 1;
      m_stats.read_bytes += bytes;
      m_stats.read_latency_sum_ns += (done - s.arrival).to_seconds() * 1e9;
    }
    s.payload = nullptr;
    m_free_slots.push_back(c.id);
    --m_outstanding;
    *out = {trans, done, s.channel};
    return true;
  }
  if (m_outstanding > 0 && limit < 0)
    throw InternalError(
        fmt::format("{}: {} requests outstanding but the memory system has none", name(), m_outstanding));
  return false;
}

void CycleDram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (m_outstanding > 0) {
    throw InternalError(
        fmt::format("{}: b_transport while {} request-port requests are outstanding", name(), m_outstanding));
  }
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const sc_core::sc_time arrival = std::max(now + delay, m_dram_clock.time_of(m_memory.now()));
  submit(trans, arrival);
  if (trans.is_response_error()) return;
  DramCompletion c;
  if (!next_completion(&c) || c.payload != &trans)
    throw InternalError(fmt::format("{}: b_transport request did not complete", name()));
  delay = c.done - now;
}

std::unique_ptr<IDramChannel> make_cycle_dram(const char* name, const DramParams& params) {
  return std::make_unique<CycleDram>(name, params);
}

}  // namespace systole::hw
