#include "systole/trace/trace_options.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "systole/common/error.h"
#include "systole/trace/trace_sink.h"

namespace systole::trace {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool is_cycle_count(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

int64_t layer_index(const std::string& name, const Program& program, const std::string& origin,
                    const std::string& window) {
  for (size_t i = 0; i < program.layers.size(); ++i) {
    if (program.layers[i].name == name) return static_cast<int64_t>(i);
  }
  std::string some;
  for (size_t i = 0; i < program.layers.size() && i < 8; ++i)
    some += (i ? ", " : "") + program.layers[i].name;
  if (program.layers.size() > 8) some += ", ...";
  throw UserError(fmt::format("{} = '{}': no layer named '{}' in the network (layers: {})", origin, window,
                              name, some.empty() ? "none" : some));
}

}  // namespace

bool TraceOptions::has(const std::string& format) const {
  return std::find(formats.begin(), formats.end(), format) != formats.end();
}

bool TraceOptions::covers(uint32_t layer, int64_t begin, int64_t end) const {
  if (layer < first_layer || layer > last_layer) return false;
  if (end <= begin) return begin >= begin_cycle && begin < end_cycle;
  return begin < end_cycle && end > begin_cycle;
}

TraceOptions parse_trace_options(const std::string& formats, const std::string& window,
                                 const Program& program, const std::string& formats_origin,
                                 const std::string& window_origin) {
  TraceOptions o;
  const std::string f = trim(formats);
  if (f != "none" && !f.empty()) {
    size_t start = 0;
    while (start <= f.size()) {
      const size_t comma = f.find(',', start);
      const std::string item =
          trim(f.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      const bool known = trace_sinks().contains(item);
      const bool twice = known && o.has(item);
      if (!known || twice) {
        throw UserError(fmt::format(
            "{} = '{}': {} (expected 'none' or a comma-separated list of {}, each at "
            "most once)",
            formats_origin, formats, !known ? "unknown trace format '" + item + "'" : "'" + item + "' twice",
            fmt::join(trace_sinks().names(), ", ")));
      }
      o.formats.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }

  const std::string w = trim(window);
  if (w == "all" || w.empty()) return o;
  const size_t colon = w.find(':');
  const std::string lo = trim(w.substr(0, colon));
  const std::string hi = colon == std::string::npos ? lo : trim(w.substr(colon + 1));
  const bool cycles = (lo.empty() || is_cycle_count(lo)) && (hi.empty() || is_cycle_count(hi));
  if (cycles && colon != std::string::npos) {
    try {
      if (!lo.empty()) o.begin_cycle = std::stoll(lo);
      if (!hi.empty()) o.end_cycle = std::stoll(hi);
    } catch (const std::exception&) {
      throw UserError(fmt::format("{} = '{}': cycle counts out of range", window_origin, window));
    }
    if (o.end_cycle <= o.begin_cycle) {
      throw UserError(fmt::format("{} = '{}': END must be greater than START (cycles, END exclusive)",
                                  window_origin, window));
    }
    return o;
  }
  if (lo.empty() || hi.empty() || is_cycle_count(lo) || is_cycle_count(hi)) {
    throw UserError(
        fmt::format("{} = '{}': expected 'all', START:END in cycles, or FIRST_LAYER:LAST_LAYER by "
                    "layer name",
                    window_origin, window));
  }
  const int64_t first = layer_index(lo, program, window_origin, window);
  const int64_t last = layer_index(hi, program, window_origin, window);
  if (last < first) {
    throw UserError(
        fmt::format("{} = '{}': layer '{}' comes before '{}' in the network", window_origin, window, hi, lo));
  }
  o.first_layer = static_cast<uint32_t>(first);
  o.last_layer = static_cast<uint32_t>(last);
  return o;
}

}  // namespace systole::trace
