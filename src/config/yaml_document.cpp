#include "systole/config/yaml_document.h"

#include <map>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include "systole/common/text.h"

namespace systole {
namespace {

// One open collection in the event stream.
struct Frame {
  bool is_map = false;
  bool next_is_key = true;          // maps: the next node is a key
  size_t index = 0;                 // sequences: index of the next item
  std::string path;                 // key path of this collection
  std::string pending_key;          // maps: the key whose value comes next
  std::map<std::string, int> keys;  // maps: scalar keys seen, with their line
  int duplicate_problem = -1;       // maps: the problem about the pending key, to echo its value
  size_t first_node = 0;            // node counter when the collection started (for anchors)
  YAML::anchor_t anchor = YAML::NullAnchor;
};

// Walks yaml-cpp's events, checking the rules above; records problems instead of throwing so that
// one pass reports all of them (up to a cap: a file of 10^6 duplicate keys gets 20 lines).
class Checker : public YAML::EventHandler {
 public:
  Checker(const std::string& source, const YamlLimits& limits) : m_source(source), m_limits(limits) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, ""); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(mark, anchor, value);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = m_anchors.find(anchor);
    const std::string name = it == m_anchors.end() ? std::string("?") : it->second.name;
    const std::string path = begin_node(mark, "*" + name);
    m_aliases.emplace(path, "*" + name);
    if (it == m_anchors.end()) {
      add(mark, path, "*" + name, "an alias of an unknown anchor");
    } else if (!it->second.finished) {
      add(mark, path, "*" + name,
          fmt::format("the alias refers to the node that contains it (anchor &{} at line {}): a cycle", name,
                      it->second.line));
    } else {
      count(mark, it->second.size);
    }
    end_node();
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    m_next_anchor_name = name;
    m_next_anchor_line = mark.line + 1;
  }

  std::vector<Diagnostic> take_problems() { return std::move(m_problems); }
  std::map<std::string, std::string> take_aliases() { return std::move(m_aliases); }

 private:
  struct Anchor {
    std::string name;
    int line = 0;
    bool finished = false;
    size_t size = 0;  // expanded nodes
  };

  void add(const YAML::Mark& mark, const std::string& key, const std::string& value,
           const std::string& rule) {
    if (m_problems.size() == kMaxProblems) {
      m_problems.push_back({m_source, 0, "", "", "further problems not shown"});
    }
    if (m_problems.size() > kMaxProblems) return;
    m_problems.push_back({m_source, mark.is_null() ? 0 : mark.line + 1, key, value, rule});
  }

  void count(const YAML::Mark& mark, size_t nodes) {
    m_nodes += nodes;
    if (m_nodes > m_limits.max_nodes && !m_over_budget) {
      m_over_budget = true;
      add(mark, "", "",
          fmt::format("the document has more than {} nodes (aliases counted as often as they are used): "
                      "too large to be a Systole input",
                      m_limits.max_nodes));
    }
  }

  void register_anchor(YAML::anchor_t anchor, size_t first_node) {
    if (anchor == YAML::NullAnchor) return;
    Anchor a;
    a.name = m_next_anchor_name.empty() ? fmt::format("#{}", anchor) : m_next_anchor_name;
    a.line = m_next_anchor_line;
    a.size = first_node;  // until finished: the counter at the start
    m_anchors[anchor] = a;
    m_next_anchor_name.clear();
  }

  void finish_anchor(YAML::anchor_t anchor, size_t first_node) {
    if (anchor == YAML::NullAnchor) return;
    Anchor& a = m_anchors[anchor];
    a.finished = true;
    a.size = m_nodes - first_node;
  }

  // Positions a new node in its parent: returns its key path and checks duplicate keys.
  std::string begin_node(const YAML::Mark& mark, const std::string& scalar_text, bool scalar = true) {
    if (m_stack.empty()) return "";
    Frame& top = m_stack.back();
    if (!top.is_map) return fmt::format("{}[{}]", top.path, top.index);
    const std::string base = top.path.empty() ? "" : top.path + ".";
    if (top.next_is_key) {
      top.pending_key = scalar ? scalar_text : "?";
      if (scalar) {
        auto [pos, fresh] = top.keys.emplace(scalar_text, mark.line + 1);
        if (!fresh) {
          add(mark, base + scalar_text, "",
              fmt::format("duplicate key (first written at line {})", pos->second));
          top.duplicate_problem =
              m_problems.size() <= kMaxProblems ? static_cast<int>(m_problems.size()) - 1 : -1;
        }
      }
      return base + top.pending_key;  // the key itself
    }
    if (top.duplicate_problem >= 0) {  // the value of a duplicate key: shown in its diagnostic
      if (scalar) m_problems[static_cast<size_t>(top.duplicate_problem)].value = scalar_text;
      top.duplicate_problem = -1;
    }
    return base + top.pending_key;
  }

  // A node is complete: advance the parent.
  void end_node() {
    if (m_stack.empty()) return;
    Frame& top = m_stack.back();
    if (top.is_map) {
      top.next_is_key = !top.next_is_key;
    } else {
      ++top.index;
    }
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string& value) {
    const std::string path = begin_node(mark, value);
    // The file's text was checked; a double-quoted escape ("\e", "\u202e", "\0") can still put
    // a control character into a value, and from there into report.json and the terminal.
    if (first_control_char(value) != std::string::npos || !is_valid_utf8(value)) {
      add(mark, path, value, "holds a control or bidirectional-override character (written as an escape)");
    }
    const size_t first = m_nodes;
    register_anchor(anchor, first);
    count(mark, 1);
    finish_anchor(anchor, first);
    end_node();
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    const std::string path = begin_node(mark, "", false);
    Frame f;
    f.is_map = is_map;
    f.path = path;
    f.first_node = m_nodes;
    f.anchor = anchor;
    register_anchor(anchor, m_nodes);
    count(mark, 1);
    if (static_cast<int>(m_stack.size()) + 1 > m_limits.max_depth && !m_too_deep) {
      m_too_deep = true;
      add(mark, path, "",
          fmt::format("nested deeper than {} levels: too deep to be a Systole input", m_limits.max_depth));
    }
    m_stack.push_back(std::move(f));
  }

  void close() {
    if (m_stack.empty()) return;
    const Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    finish_anchor(f.anchor, f.first_node);
    end_node();
  }

  static constexpr size_t kMaxProblems = 20;
  const std::string& m_source;
  const YamlLimits& m_limits;
  std::vector<Frame> m_stack;
  std::map<YAML::anchor_t, Anchor> m_anchors;
  std::string m_next_anchor_name;
  int m_next_anchor_line = 0;
  size_t m_nodes = 0;
  bool m_over_budget = false;
  bool m_too_deep = false;
  std::vector<Diagnostic> m_problems;
  std::map<std::string, std::string> m_aliases;
};

// The line of the first TAB used for indentation, or 0: YAML forbids TABs there and yaml-cpp's
// own message for them ("end of map not found") does not say so.
int first_tab_indent_line(const std::string& text) {
  int line = 1;
  bool at_line_start = true;
  for (char c : text) {
    if (c == '\n') {
      ++line;
      at_line_start = true;
    } else if (at_line_start && c == '\t') {
      return line;
    } else if (c != ' ') {
      at_line_start = false;
    }
  }
  return 0;
}

std::string parser_message(const YAML::Exception& e) {
  // yaml-cpp's DeepRecursion message is "bad file"; say what it means.
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
    return "malformed YAML: nested too deeply to be a Systole input";
  }
  return "malformed YAML: " + e.msg;
}

}  // namespace

YamlDocument parse_yaml_document(const std::string& text, const std::string& source,
                                 const YamlLimits& limits) {
  YamlDocument doc;
  if (Diagnostic bad; !check_input_text(text, source, &bad)) {
    doc.problems.push_back(std::move(bad));
    return doc;
  }
  std::stringstream in(text);
  Checker checker(source, limits);
  try {
    YAML::Parser parser(in);
    if (parser.HandleNextDocument(checker)) {
      doc.problems = checker.take_problems();
      if (parser.HandleNextDocument(checker)) {
        // A second document is never read: refuse it rather than ignore it silently.
        doc.problems.push_back(
            {source, 0, "", "",
             "holds more than one YAML document ('---'): a Systole input is one document"});
      }
    }
  } catch (const YAML::Exception& e) {
    const int tab_line = first_tab_indent_line(text);
    if (tab_line > 0) {
      doc.problems.push_back(
          {source, tab_line, "", "", "a TAB in the indentation: YAML indents with spaces"});
    } else {
      doc.problems.push_back({source, e.mark.is_null() ? 0 : e.mark.line + 1, "", "", parser_message(e)});
    }
    return doc;
  }
  if (!doc.problems.empty()) return doc;
  try {
    doc.root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    doc.problems.push_back({source, e.mark.is_null() ? 0 : e.mark.line + 1, "", "", parser_message(e)});
  }
  doc.aliases = checker.take_aliases();
  return doc;
}

namespace {

// Appends `n` in flow style to `out` until `out` holds `max_bytes`; `budget` bounds the nodes
// visited (aliases make a small document a large tree).
void append_flow(const YAML::Node& n, size_t max_bytes, size_t* budget, std::string* out) {
  if (out->size() >= max_bytes || *budget == 0) return;
  --*budget;
  if (n.IsScalar()) {
    *out += n.Scalar().substr(0, max_bytes - out->size() + 1);
    return;
  }
  const bool map = n.IsMap();
  if (!map && !n.IsSequence()) {
    *out += n.IsNull() ? "~" : "";
    return;
  }
  *out += map ? "{" : "[";
  bool first = true;
  for (auto it = n.begin(); it != n.end() && out->size() < max_bytes && *budget > 0; ++it) {
    if (!first) *out += ", ";
    first = false;
    if (map) {
      append_flow(it->first, max_bytes, budget, out);
      *out += ": ";
      append_flow(it->second, max_bytes, budget, out);
    } else {
      append_flow(*it, max_bytes, budget, out);
    }
  }
  *out += map ? "}" : "]";
}

}  // namespace

std::string YamlDocument::echo(const std::string& path, const YAML::Node& n) const {
  const auto it = aliases.find(path);
  return it != aliases.end() ? it->second : yaml_value_text(n);
}

std::string yaml_value_text(const YAML::Node& n, size_t max_bytes) {
  if (n.IsScalar()) return n.Scalar();
  std::string out;
  size_t budget = 64;
  append_flow(n, max_bytes, &budget, &out);
  if (out.size() > max_bytes) out = out.substr(0, max_bytes) + "...";
  return out;
}

}  // namespace systole
