// Looking parameters up in the schema: keys (including those of scratchpads the spec names
// itself, core.scratchpads.<name>.*), sections, the parameters that describe one spec, and what
// an unknown key is told. The table itself is declared in schema.cpp.
#include <algorithm>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "schema_detail.h"
#include "systole/common/error.h"
#include "systole/config/schema.h"

namespace systole {
namespace {

constexpr const char* kScratchpadsPrefix = "core.scratchpads.";

// The parameters of the scratchpad called `name` when it is not a standard one: built once per
// name and kept for the life of the process, so that the pointers find_param returns stay valid.
// The names come from the inputs the process reads; at most kMaxScratchpadNames of them, so that
// a process reading many inputs (the config fuzzer) keeps its memory bounded (~3 KB a name).
constexpr size_t kMaxScratchpadNames = 4096;

const std::vector<ParamDef>& other_scratchpad_params(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<ParamDef>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(name);
  if (it == cache.end()) {
    if (cache.size() >= kMaxScratchpadNames) {
      throw ConfigError(Diagnostic{"", 0, kScratchpadsPrefix + name, "",
                                   fmt::format("one process reads at most {} different scratchpad names; run "
                                               "this config in a process of its own",
                                               kMaxScratchpadNames)});
    }
    it = cache.emplace(name, config_detail::scratchpad_params(name)).first;
  }
  return it->second;
}

// "unified" for "core.scratchpads.unified" or "core.scratchpads.unified.banks" when that is a
// valid scratchpad name that is not a standard one; "" otherwise.
std::string other_scratchpad_in(const std::string& path) {
  if (path.rfind(kScratchpadsPrefix, 0) != 0) return "";
  const std::string rest = path.substr(std::char_traits<char>::length(kScratchpadsPrefix));
  const std::string name = rest.substr(0, rest.find('.'));
  if (!is_scratchpad_name(name) || name == "ifmap" || name == "weight" || name == "ofmap") return "";
  return name;
}

}  // namespace

bool is_scratchpad_name(const std::string& name) {
  if (name.empty() || name.size() > 32 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

const ParamDef* find_param(const std::string& key) {
  for (const auto& p : arch_schema()) {
    if (p.key == key) return &p;
  }
  const std::string name = other_scratchpad_in(key);
  if (name.empty()) return nullptr;
  for (const auto& p : other_scratchpad_params(name)) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

const std::vector<ParamDef>& named_scratchpad_schema() {
  static const std::vector<ParamDef> kDefs = config_detail::scratchpad_params("<name>");
  return kDefs;
}

std::vector<const ParamDef*> spec_params(const ArchSpec& spec) {
  std::vector<const ParamDef*> out;
  const ScratchpadsParams& sp = spec.core.scratchpads;
  for (const auto& p : arch_schema()) {
    if (p.key.rfind(kScratchpadsPrefix, 0) == 0) {
      // A standard scratchpad no role lives in is not part of the accelerator.
      const std::string rest = p.key.substr(std::char_traits<char>::length(kScratchpadsPrefix));
      if (!sp.holds_a_role(rest.substr(0, rest.find('.')))) continue;
    }
    if (p.key == "core.operands.ifmap") {
      // The scratchpads named by the spec follow the standard ones.
      for (const NamedScratchpad& s : sp.declared) {
        if (other_scratchpad_in(kScratchpadsPrefix + s.name).empty() || !sp.holds_a_role(s.name)) continue;
        for (const auto& q : other_scratchpad_params(s.name)) out.push_back(&q);
      }
    }
    out.push_back(&p);
  }
  return out;
}

std::string ParamDef::section() const {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? std::string() : key.substr(0, dot);
}

std::vector<std::string> schema_sections() {
  std::vector<std::string> out{""};
  for (const auto& p : arch_schema()) {
    // Every prefix of the key is a section: "core", "core.array" for "core.array.rows".
    for (size_t dot = p.key.find('.'); dot != std::string::npos; dot = p.key.find('.', dot + 1)) {
      const std::string prefix = p.key.substr(0, dot);
      bool seen = false;
      for (const auto& s : out) seen = seen || s == prefix;
      if (!seen) out.push_back(prefix);
    }
  }
  return out;
}

bool is_schema_section(const std::string& path) {
  if (path.empty()) return false;
  // core.scratchpads.<name> for a name of the user's choosing
  if (!other_scratchpad_in(path).empty() &&
      path.find('.', std::char_traits<char>::length(kScratchpadsPrefix)) == std::string::npos)
    return true;
  for (const auto& s : schema_sections()) {
    if (s == path) return true;
  }
  return false;
}

std::string unknown_key_rule(const std::string& key) {
  std::string rule = "unknown key";
  if (key.rfind(kScratchpadsPrefix, 0) == 0) {
    const std::string rest = key.substr(std::char_traits<char>::length(kScratchpadsPrefix));
    const std::string name = rest.substr(0, rest.find('.'));
    if (!is_scratchpad_name(name)) {
      return rule + "; '" + name +
             "' is not a scratchpad name (a lower-case letter, then lower-case letters, digits or '_', at "
             "most 32)";
    }
  }
  const std::string hint = suggest_schema_key(key);
  if (!hint.empty()) rule += "; did you mean '" + hint + "'?";
  return rule;
}

std::string suggest_schema_key(const std::string& key) {
  std::vector<std::string> known;
  for (const auto& p : arch_schema()) known.push_back(p.key);
  for (const auto& s : schema_sections()) {
    if (!s.empty()) known.push_back(s);
  }
  return suggest_key(key, known);
}

}  // namespace systole
