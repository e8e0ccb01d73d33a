// Per-core overrides of a multi-core NPU (docs/multicore.md "Heterogeneous cores"):
// cores.<selector>.<key of core.*>, where the selector is a core ("2") or an inclusive range of
// cores ("2-3"). Each core's spec is `core` with the overrides that cover it applied in the order
// written (the file's, then --set's), and is checked by the same cross-field rules as `core`.
#include "core_overrides.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace systole::config_detail {
namespace {

constexpr const char* kCoresPrefix = "cores.";

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 4 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// True for "2" and "2-3" (digits, at most four each): the shape of a selector, whether or not it
// names cores that exist (resolve_core_overrides checks that against cores.count).
bool is_selector(const std::string& s) {
  const auto dash = s.find('-');
  if (dash == std::string::npos) return all_digits(s);
  return all_digits(s.substr(0, dash)) && all_digits(s.substr(dash + 1));
}

// The keys a core's cross-field checks may name, renamed for core c: a key an override of c wrote
// is reported on that override (its key and origin); another key keeps its name and the rule says
// which core's combination it fails in.
Diagnostic for_core(Diagnostic d, int64_t c, const std::vector<CoreOverride>& overrides,
                    const std::vector<ValueOrigin>& origins) {
  for (size_t i = overrides.size(); i-- > 0;) {
    const CoreOverride& o = overrides[i];
    if (c < o.first || c > o.last || d.key != "core." + o.key) continue;
    d.key = std::string(kCoresPrefix) + o.selector + "." + o.key;
    d.file = origins[i].file;
    d.line = origins[i].line;
    return d;
  }
  d.rule += fmt::format(" (on core {}, with its cores.<core> overrides)", c);
  return d;
}

}  // namespace

bool split_core_override_key(const std::string& path, std::string* selector, std::string* rest) {
  if (path.rfind(kCoresPrefix, 0) != 0) return false;
  const std::string tail = path.substr(std::char_traits<char>::length(kCoresPrefix));
  const auto dot = tail.find('.');
  const std::string sel = tail.substr(0, dot);
  if (!is_selector(sel)) return false;
  *selector = sel;
  *rest = dot == std::string::npos ? std::string() : tail.substr(dot + 1);
  return true;
}

void record_core_override(LoadState* st, const std::string& selector, const std::string& rest,
                          const ParamValue& value, const ValueOrigin& origin) {
  CoreOverride o;
  o.selector = selector;
  o.key = rest;
  o.value = value;
  // --set replaces what the file wrote for the same key and selector (as for any other key).
  for (size_t i = 0; i < st->core_overrides.size(); ++i) {
    if (st->core_overrides[i].selector == selector && st->core_overrides[i].key == rest) {
      st->core_overrides.erase(st->core_overrides.begin() + static_cast<std::ptrdiff_t>(i));
      st->core_override_origins.erase(st->core_override_origins.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  st->core_overrides.push_back(std::move(o));
  st->core_override_origins.push_back(origin);
}

void resolve_core_overrides(LoadState* st) {
  if (st->core_overrides.empty()) return;
  ArchSpec& spec = st->spec;
  const int64_t count = spec.cores.count;
  std::vector<CoreOverride>& overrides = st->core_overrides;
  const std::vector<ValueOrigin>& origins = st->core_override_origins;
  auto fail = [&](size_t i, const std::string& value, const std::string& rule) {
    const CoreOverride& o = overrides[i];
    st->diagnostics.add({origins[i].file, origins[i].line,
                         std::string(kCoresPrefix) + o.selector + "." + o.key, value, rule});
  };
  // The selectors against cores.count.
  for (size_t i = 0; i < overrides.size(); ++i) {
    CoreOverride& o = overrides[i];
    const auto dash = o.selector.find('-');
    o.first = std::stoll(o.selector.substr(0, dash));
    o.last = dash == std::string::npos ? o.first : std::stoll(o.selector.substr(dash + 1));
    if (count <= 1) {
      fail(i, format_param_value(o.value),
           "overrides a core of a multi-core NPU, and cores.count is 1: set core." + o.key + " instead");
    } else if (o.first > o.last) {
      fail(i, format_param_value(o.value),
           fmt::format("the range '{}' runs backwards: write the lower core first ({}-{})", o.selector,
                       o.last, o.first));
    } else if (o.last >= count) {
      fail(i, format_param_value(o.value),
           fmt::format("names core {}, and cores.count is {} (cores 0 to {})", o.last, count, count - 1));
    }
  }
  if (!st->diagnostics.empty()) return;

  // Each core: `core` with its overrides, checked like `core`.
  std::vector<CoreParams> per_core;
  for (int64_t c = 0; c < count; ++c) {
    LoadState core_state;
    core_state.source = st->source;
    core_state.spec = spec;
    // The base's scratchpad keys are not this core's to answer for: a core whose overrides move
    // a role out of a scratchpad simply does not build it (the rule on unused scratchpads applies
    // to the keys its own overrides wrote).
    for (const auto& [key, origin] : st->explicit_keys) {
      if (key.rfind("core.scratchpads.", 0) != 0) core_state.explicit_keys.emplace(key, origin);
    }
    for (size_t i = 0; i < overrides.size(); ++i) {
      const CoreOverride& o = overrides[i];
      if (c < o.first || c > o.last) continue;
      const ParamDef* p = find_param("core." + o.key);
      if (p == nullptr) throw InternalError("core override of unknown key core." + o.key);
      p->set(core_state.spec, o.value);
      core_state.explicit_keys["core." + o.key] = origins[i];
    }
    cross_check(&core_state);
    for (Diagnostic& d : core_state.diagnostics.take())
      st->diagnostics.add(for_core(d, c, overrides, origins));
    derive_core_fields(&core_state.spec.core);
    per_core.push_back(core_state.spec.core);
  }
  if (!st->diagnostics.empty()) return;

  // What the rest of Systole does not yet model per core: one clock (reports count cycles of one
  // core clock) and one set of data types (the energy of a MAC and the functional reference are
  // per network).
  for (size_t i = 0; i < overrides.size(); ++i) {
    const CoreOverride& o = overrides[i];
    const CoreParams& core = per_core[static_cast<size_t>(o.first)];
    const std::string value = format_param_value(o.value);
    if (core.clock_mhz != spec.core.clock_mhz) {
      fail(i, value,
           fmt::format("cores run on one clock (core.clock_mhz = {} MHz; the reports count cycles of it): a "
                       "per-core clock is not modelled",
                       spec.core.clock_mhz));
    }
    const ArrayParams& a = core.array;
    const ArrayParams& b = spec.core.array;
    if (a.input_type != b.input_type || a.weight_type != b.weight_type ||
        a.accumulator_type != b.accumulator_type || a.accumulator_width_bits != b.accumulator_width_bits ||
        a.accumulator_overflow != b.accumulator_overflow) {
      fail(
          i, value,
          "cores share the network's number formats (core.array.input_type, weight_type, accumulator_*): the "
          "energy of a MAC and the functional reference are per network, so a per-core format is not "
          "modelled");
    }
    if (a.fidelity != b.fidelity) {
      fail(i, value,
           "cores share one array fidelity (core.array.fidelity, --fidelity): set it for all cores");
    }
  }
  if (!st->diagnostics.empty()) return;
  spec.cores.overrides = overrides;
  spec.cores.per_core = std::move(per_core);
}

}  // namespace systole::config_detail

namespace systole {

std::vector<int> core_classes(const ArchSpec& arch) {
  std::vector<int> out(static_cast<size_t>(arch.cores.count), 0);
  if (!arch.heterogeneous()) return out;
  std::vector<std::vector<size_t>> signature;
  for (int64_t c = 0; c < arch.cores.count; ++c) {
    std::vector<size_t> covered;
    for (size_t i = 0; i < arch.cores.overrides.size(); ++i) {
      if (c >= arch.cores.overrides[i].first && c <= arch.cores.overrides[i].last) covered.push_back(i);
    }
    const auto it = std::find(signature.begin(), signature.end(), covered);
    out[static_cast<size_t>(c)] = static_cast<int>(it - signature.begin());
    if (it == signature.end()) signature.push_back(std::move(covered));
  }
  return out;
}

std::string core_class_label(const ArchSpec& arch, int k) {
  const std::vector<int> classes = core_classes(arch);
  std::vector<std::string> runs;
  int64_t members = 0;
  for (int64_t c = 0; c < arch.cores.count; ++c) {
    if (classes[static_cast<size_t>(c)] != k) continue;
    ++members;
    int64_t e = c;
    while (e + 1 < arch.cores.count && classes[static_cast<size_t>(e + 1)] == k) ++e;
    members += e - c;
    runs.push_back(e == c ? std::to_string(c) : fmt::format("{}-{}", c, e));
    c = e;
  }
  std::string out = members == 1 ? "core " : "cores ";
  for (size_t i = 0; i < runs.size(); ++i) out += (i == 0 ? "" : ", ") + runs[i];
  return out;
}

}  // namespace systole
