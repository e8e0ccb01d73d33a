#include "systole/config/noc_attachment.h"

#include <set>
#include <string>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {
namespace {

[[noreturn]] void fail(const ArchSpec& spec, const std::string& key, const std::string& value,
                       const std::string& rule) {
  const KeyOrigin at = spec.origin_of(key);
  throw ConfigError(Diagnostic{at.file, at.line, key, value, rule});
}

// "3, 5,7" -> {3, 5, 7}; every item a node of [0, nodes).
std::vector<int> parse_nodes(const ArchSpec& spec, const std::string& key, const std::string& text,
                             int64_t nodes) {
  std::vector<int> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = text.find(',', pos);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    const size_t b = text.find_first_not_of(" \t", pos);
    const size_t e = text.find_last_not_of(" \t", end == 0 ? 0 : end - 1);
    const std::string item = b == std::string::npos || b >= end ? "" : text.substr(b, e + 1 - b);
    size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || v < 0 || v >= nodes) {
      fail(spec, key, text,
           fmt::format("must be auto or a list of NoC nodes, each an integer from 0 to {} (the {} has {} "
                       "nodes); '{}' is not",
                       nodes - 1, to_string(spec.noc.topology), nodes, item));
    }
    out.push_back(static_cast<int>(v));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::vector<int> auto_memory(const NocParams& n, int64_t channels, int64_t cores) {
  std::vector<int> out;
  const int64_t nodes = n.nodes();
  for (int64_t j = 0; j < channels; ++j) {
    switch (n.topology) {
      case NocTopology::kMesh: {
        // Even channels on the west edge, odd on the east; slot i of an edge's s controllers at
        // row floor((2i + 1) * y / (2s)).
        const bool west = j % 2 == 0 || n.x == 1;
        const int64_t slots = west ? (channels + 1) / 2 : channels / 2;
        const int64_t row = (2 * (j / 2) + 1) * n.y / (2 * slots);
        out.push_back(static_cast<int>(row * n.x + (west ? 0 : n.x - 1)));
        break;
      }
      case NocTopology::kRing:
        out.push_back(static_cast<int>(j * n.x / channels));
        break;
      case NocTopology::kCrossbar:
        out.push_back(static_cast<int>((cores + j) % nodes));
        break;
    }
  }
  return out;
}

}  // namespace

int64_t dram_channel_count(const DramParams& d) {
  return d.kind == DramKind::kCycle ? std::max<int64_t>(1, d.device.org.channels) : 1;
}

NocAttachment resolve_noc_attachment(const ArchSpec& spec) {
  const NocParams& n = spec.noc;
  const int64_t nodes = n.nodes();
  const int64_t cores = spec.cores.count;
  const int64_t channels = dram_channel_count(spec.dram);
  NocAttachment a;
  if (n.attach_cores == "auto") {
    if (cores > nodes) {
      fail(spec, "cores.count", std::to_string(cores),
           fmt::format(
               "needs a NoC node per core, and the {} has {} (noc.x = {}, noc.y = {}): enlarge the NoC",
               to_string(n.topology), nodes, n.x, n.y));
    }
    for (int64_t i = 0; i < cores; ++i) a.cores.push_back(static_cast<int>(i));
  } else {
    a.cores = parse_nodes(spec, "noc.attach.cores", n.attach_cores, nodes);
    if (static_cast<int64_t>(a.cores.size()) != cores) {
      fail(spec, "noc.attach.cores", n.attach_cores,
           fmt::format("must list one node per core: cores.count is {}, the list has {}", cores,
                       a.cores.size()));
    }
    std::set<int> seen;
    for (const int node : a.cores) {
      if (!seen.insert(node).second) {
        fail(spec, "noc.attach.cores", n.attach_cores,
             fmt::format("lists node {} twice: each core needs its own node", node));
      }
    }
  }
  if (n.attach_memory == "auto") {
    a.memory = auto_memory(n, channels, cores);
  } else {
    a.memory = parse_nodes(spec, "noc.attach.memory", n.attach_memory, nodes);
    if (a.memory.size() == 1) a.memory.assign(static_cast<size_t>(channels), a.memory.front());
    if (static_cast<int64_t>(a.memory.size()) != channels) {
      fail(spec, "noc.attach.memory", n.attach_memory,
           fmt::format("must be one node for every channel or a list of one node per DRAM channel: the "
                       "memory system has {} channel{}, the list has {}",
                       channels, channels == 1 ? "" : "s", a.memory.size()));
    }
  }
  return a;
}

}  // namespace systole
