// MemorySystem: the channels of one device, merged causally. The channel with the earliest next
// event is always advanced first, and a completion is handed out only once no channel has an
// event before it, so a request submitted at or after that completion cannot change the past.
#include "systole/dram/memory_system.h"

#include <algorithm>
#include <memory>
#include <string>

#include "systole/common/error.h"
#include "systole/dram/address_mapping.h"
#include "systole/dram/channel_controller.h"

namespace systole::dram {

const char* to_string(Command c) {
  switch (c) {
    case Command::kAct:
      return "ACT";
    case Command::kPre:
      return "PRE";
    case Command::kRd:
      return "RD";
    case Command::kWr:
      return "WR";
    case Command::kRef:
      return "REF";
  }
  return "?";
}

namespace {

// The minimum of one value per channel, ties to the lower channel: a complete binary tree whose
// node i holds the minimum of its subtree (leaves at leaves + channel, kNever beyond the last
// channel). An update recomputes the path to the root from the siblings (no dependent loads);
// arg_min() descends from the root, preferring the left (lower) subtree on ties.
class MinTree {
 public:
  explicit MinTree(size_t n) {
    while (m_leaves < n) m_leaves *= 2;
    m_node.assign(2 * m_leaves, kNever);
  }
  void set(size_t c, int64_t v) {
    size_t i = m_leaves + c;
    if (m_node[i] == v) return;
    m_node[i] = v;
    for (; i > 1; i /= 2) {
      v = std::min(v, m_node[i ^ 1]);
      m_node[i / 2] = v;
    }
  }
  int64_t min() const { return m_node[1]; }
  size_t arg_min() const {
    size_t i = 1;
    while (i < m_leaves) {
      i = 2 * i;
      i += static_cast<size_t>(m_node[i] != m_node[i / 2]);  // right only if the left lacks it
    }
    return i - m_leaves;
  }

 private:
  size_t m_leaves = 1;
  std::vector<int64_t> m_node;
};

}  // namespace

struct MemorySystem::Impl {
  Impl(const DramDeviceSpec& d, const ControllerOptions& o)
      : device(d),
        options(o),
        mapping(d, o.mapping),
        events(static_cast<size_t>(d.org.channels)),
        dones(static_cast<size_t>(d.org.channels)) {}

  // Re-reads channel c's next event and front completion into the trees.
  void refresh(size_t c) {
    ChannelController& ch = *channels[c];
    events.set(c, ch.next_event());
    dones.set(c, ch.has_completion() ? ch.front_completion().done : kNever);
  }

  DramDeviceSpec device;
  ControllerOptions options;
  AddressMapping mapping;
  std::vector<std::unique_ptr<ChannelController>> channels;
  std::vector<ICommandObserver*> observers;
  MinTree events, dones;  // per channel: next_event(), front completion's done (kNever: none)
  std::vector<MemoryStats> channel_stats;  // one per channel; the controllers count into theirs
  MemoryStats stats;                       // their sum, made by stats()
  size_t outstanding = 0;
  int64_t now = 0;
  int64_t last_arrival = 0;
};

MemorySystem::MemorySystem(const DramDeviceSpec& device, const ControllerOptions& options)
    : m_impl(std::make_unique<Impl>(device, options)) {
  if (options.queue_depth < 1) throw InternalError("MemorySystem: queue_depth must be >= 1");
  // Sized once, before the controllers keep pointers into it.
  m_impl->channel_stats.resize(static_cast<size_t>(device.org.channels));
  for (int64_t c = 0; c < device.org.channels; ++c) {
    m_impl->channels.push_back(std::make_unique<ChannelController>(
        m_impl->device, options, static_cast<int>(c), &m_impl->channel_stats[static_cast<size_t>(c)],
        &m_impl->observers));
  }
  // Every channel has events of its own (refresh) from the start, requests or not.
  for (size_t c = 0; c < m_impl->channels.size(); ++c) m_impl->refresh(c);
}

MemorySystem::~MemorySystem() = default;

const DramDeviceSpec& MemorySystem::device() const {
  return m_impl->device;
}
const ControllerOptions& MemorySystem::options() const {
  return m_impl->options;
}
Coordinates MemorySystem::decode(uint64_t address) const {
  return m_impl->mapping.decode(address);
}
size_t MemorySystem::outstanding() const {
  return m_impl->outstanding;
}
int64_t MemorySystem::now() const {
  return m_impl->now;
}
void MemorySystem::add_observer(ICommandObserver* observer) {
  m_impl->observers.push_back(observer);
}
MemoryStats& MemoryStats::operator+=(const MemoryStats& o) {
  for (int i = 0; i < kCommandCount; ++i) commands[i] += o.commands[i];
  reads += o.reads, writes += o.writes;
  row_hits += o.row_hits;
  read_bytes += o.read_bytes, write_bytes += o.write_bytes;
  busy_data_cycles += o.busy_data_cycles;
  last_done = std::max(last_done, o.last_done);
  return *this;
}

const MemoryStats& MemorySystem::stats() const {
  MemoryStats& sum = m_impl->stats;
  sum = MemoryStats{};
  for (const MemoryStats& c : m_impl->channel_stats) sum += c;
  return sum;
}

const MemoryStats& MemorySystem::channel_stats(int c) const {
  return m_impl->channel_stats.at(static_cast<size_t>(c));
}

int64_t MemorySystem::rank_active_cycles(int64_t until) const {
  int64_t sum = 0;
  for (size_t c = 0; c < m_impl->channels.size(); ++c) sum += rank_active_cycles(until, static_cast<int>(c));
  return sum;
}

int64_t MemorySystem::rank_active_cycles(int64_t until, int c) const {
  const auto& ch = m_impl->channels.at(static_cast<size_t>(c));
  int64_t sum = 0;
  for (int64_t r = 0; r < m_impl->device.org.ranks; ++r)
    sum += ch->timing().active_cycles(static_cast<int>(r), until);
  return sum;
}

void MemorySystem::submit(const Request& r) {
  Impl& m = *m_impl;
  if (r.arrival < m.now || r.arrival < m.last_arrival) {
    throw InternalError("MemorySystem::submit: request " + std::to_string(r.id) + " arrives at cycle " +
                        std::to_string(r.arrival) + ", before now() = " + std::to_string(m.now) +
                        " or the previous arrival " + std::to_string(m.last_arrival));
  }
  Request aligned = r;
  aligned.address = r.address / m.mapping.atom_bytes() * m.mapping.atom_bytes();
  const Coordinates at = m.mapping.decode(aligned.address);
  m.channels[static_cast<size_t>(at.channel)]->enqueue(aligned, at);
  m.refresh(static_cast<size_t>(at.channel));
  m.last_arrival = r.arrival;
  ++m.outstanding;
}

bool MemorySystem::next_completion(Completion* out) {
  return next_completion_before(kNever, out);
}

bool MemorySystem::next_completion_before(int64_t limit, Completion* out) {
  Impl& m = *m_impl;
  if (m.outstanding == 0) {
    if (limit != kNever && limit > m.now) m.now = limit;
    return false;
  }
  for (;;) {
    const int64_t done = m.dones.min();
    const int64_t event = m.events.min();
    if (event < done && event < limit) {
      const size_t c = m.events.arg_min();
      m.channels[c]->step();
      m.refresh(c);
      continue;
    }
    if (done < kNever && done <= limit) {
      const size_t done_ch = m.dones.arg_min();
      ChannelController& ch = *m.channels[done_ch];
      *out = ch.front_completion();
      const bool is_write = ch.front_is_write();
      ch.pop_completion();
      m.refresh(done_ch);
      --m.outstanding;
      MemoryStats& s = m.channel_stats[done_ch];
      const int64_t bytes = m.device.atom_bytes();
      if (is_write) {
        ++s.writes;
        s.write_bytes += bytes;
      } else {
        ++s.reads;
        s.read_bytes += bytes;
      }
      if (out->row_hit) ++s.row_hits;
      s.last_done = std::max(s.last_done, out->done);
      m.now = std::max(m.now, out->done);
      return true;
    }
    if (limit == kNever)
      throw InternalError("MemorySystem: requests outstanding but no channel has an event");
    m.now = std::max(m.now, limit);
    return false;
  }
}

}  // namespace systole::dram
