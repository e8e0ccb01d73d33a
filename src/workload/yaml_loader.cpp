// The Systole YAML workload format (docs/workload-format.md) -> Network. Every problem found while
// reading is collected with its line and key path; then shapes are inferred (infer_shapes).
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "systole/common/error.h"
#include "systole/common/text.h"
#include "systole/config/yaml_document.h"
#include "systole/config/yaml_text.h"
#include "systole/workload/loader.h"
#include "systole/workload/network.h"

namespace systole {
namespace {

// Accepted spellings of `type` and the kind (and activation function) each maps to.
struct TypeSpelling {
  const char* name;
  LayerKind kind;
  std::vector<std::string> attrs;  // keys accepted besides name/type/input/inputs
};

const std::vector<TypeSpelling>& type_spellings() {
  static const std::vector<TypeSpelling> kTypes = {
      {"conv2d",
       LayerKind::kConv2d,
       {"out_channels", "kernel", "stride", "padding", "dilation", "groups", "weights_npy"}},
      {"matmul", LayerKind::kMatmul, {"out_features", "transpose_b", "weights_npy"}},
      {"gemm", LayerKind::kMatmul, {"out_features", "transpose_b", "weights_npy"}},
      {"fc", LayerKind::kMatmul, {"out_features", "transpose_b", "weights_npy"}},
      {"pool", LayerKind::kPool, {"mode", "kernel", "stride", "padding", "global"}},
      {"add", LayerKind::kAdd, {}},
      {"activation", LayerKind::kActivation, {"function"}},
      {"relu", LayerKind::kActivation, {}},
      {"softmax", LayerKind::kSoftmax, {}},
      {"layernorm", LayerKind::kLayerNorm, {}},
      {"reshape", LayerKind::kReshape, {"shape"}},
      {"transpose", LayerKind::kTranspose, {"perm"}},
  };
  return kTypes;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for the closest of `known` within a third of the length, else "".
std::string suggestion(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = word.size() / 3 + 2;
  for (const std::string& k : known) {
    size_t d = edit_distance(word, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

int line_of(const YAML::Node& n) {
  return n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

// Bounded: aliases make a small document a large tree.
std::string text_of(const YAML::Node& n) {
  return yaml_value_text(n);
}

class Reader {
 public:
  Reader(std::string file, const YamlDocument& doc) : m_file(std::move(file)), m_doc(doc) {}

  // `value` is what was written at `key`; an alias there is shown as its anchor, never expanded.
  void fail(const YAML::Node& at, int fallback_line, const std::string& key, const std::string& value,
            const std::string& rule) {
    int line = at.IsDefined() ? line_of(at) : 0;
    const auto alias = m_doc.aliases.find(key);
    m_diags.add({m_file, line > 0 ? line : fallback_line, key,
                 alias == m_doc.aliases.end() ? value : alias->second, rule});
  }
  DiagnosticList& diags() { return m_diags; }
  const std::string& file() const { return m_file; }

  // Rejects keys of `map` not in `allowed`, with a suggestion.
  void check_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& allowed,
                  const std::string& owner) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string k = it->first.IsScalar() ? it->first.Scalar() : text_of(it->first);
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      fail(it->first, 0, prefix + k, text_of(it->second),
           fmt::format("unknown key for {}{}; accepted: {}", owner, suggestion(k, allowed),
                       join_comma(allowed)));
    }
  }

  bool get_int(const YAML::Node& n, const std::string& key, int64_t* out) {
    if (!n.IsScalar()) {
      fail(n, 0, key, text_of(n), "must be an integer");
      return false;
    }
    const std::string& s = n.Scalar();
    size_t start = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    bool digits = s.size() > start && std::all_of(s.begin() + static_cast<long>(start), s.end(),
                                                  [](char ch) { return ch >= '0' && ch <= '9'; });
    if (n.Tag() != "?") {  // quoted ("32") or explicitly tagged (!!str 32): text, not a number
      fail(n, 0, key, s, "must be an integer (got a quoted or tagged value)");
      return false;
    }
    if (digits && s.size() > start + 1 && s[start] == '0') {
      fail(n, 0, key, s, "must be an integer without a leading zero (YAML 1.1 reads 040 as octal)");
      return false;
    }
    errno = 0;
    long long v = digits ? std::strtoll(s.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE) {
      fail(n, 0, key, s, errno == ERANGE ? "must be an integer that fits in 64 bits" : "must be an integer");
      return false;
    }
    *out = v;
    return true;
  }

  bool get_bool(const YAML::Node& n, const std::string& key, bool* out) {
    if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
      *out = n.Scalar() == "true";
      return true;
    }
    fail(n, 0, key, text_of(n), "must be true or false");
    return false;
  }

  bool get_string(const YAML::Node& n, const std::string& key, std::string* out) {
    if (n.IsScalar() && !n.Scalar().empty()) {
      // Names reach report.json, layers.csv, file names and terminals: one line, no controls.
      const std::string& s = n.Scalar();
      if (s.size() > 4096) {
        fail(n, 0, key, s, "must be a string of at most 4096 bytes");
        return false;
      }
      if (s.find_first_of("\n\r\t") != std::string::npos || first_control_char(s) != std::string::npos) {
        fail(n, 0, key, s, "must be a one-line string without control characters (TAB, newline, ...)");
        return false;
      }
      *out = s;
      return true;
    }
    fail(n, 0, key, text_of(n), "must be a non-empty string");
    return false;
  }

  // A .npy path, relative to the workload file's directory unless absolute; the file must exist.
  bool get_npy_path(const YAML::Node& n, const std::string& key, std::string* out) {
    std::string text;
    if (!get_string(n, key, &text)) return false;
    std::filesystem::path path(text);
    if (path.is_relative()) path = std::filesystem::path(m_file).parent_path() / path;
    if (path.extension() != ".npy") {
      fail(n, 0, key, text, "must name a NumPy .npy file");
      return false;
    }
    if (!std::filesystem::is_regular_file(path)) {
      fail(n, 0, key, text, fmt::format("no such file: {}", path.string()));
      return false;
    }
    *out = path.string();
    return true;
  }

  bool get_int_list(const YAML::Node& n, const std::string& key, std::vector<int64_t>* out) {
    if (!n.IsSequence()) {
      fail(n, 0, key, text_of(n), "must be a list of integers, e.g. [1, 3, 224, 224]");
      return false;
    }
    out->clear();
    bool ok = true;
    for (size_t i = 0; i < n.size(); ++i) {
      int64_t v = 0;
      ok = get_int(n[i], fmt::format("{}[{}]", key, i), &v) && ok;
      out->push_back(v);
    }
    return ok;
  }

  // An int (both axes) or [h, w].
  bool get_pair(const YAML::Node& n, const std::string& key, int64_t* h, int64_t* w) {
    if (n.IsSequence()) {
      std::vector<int64_t> v;
      if (!get_int_list(n, key, &v)) return false;
      if (v.size() != 2) {
        fail(n, 0, key, text_of(n), "must be an integer or a list [h, w]");
        return false;
      }
      *h = v[0];
      *w = v[1];
      return true;
    }
    if (!get_int(n, key, h)) return false;
    *w = *h;
    return true;
  }

  // int, [ph, pw], [top, bottom, left, right], "same" or "valid".
  bool get_padding(const YAML::Node& n, const std::string& key, int64_t pads[4], bool* same) {
    *same = false;
    if (n.IsScalar() && (n.Scalar() == "same" || n.Scalar() == "valid")) {
      *same = n.Scalar() == "same";
      pads[0] = pads[1] = pads[2] = pads[3] = 0;
      return true;
    }
    if (n.IsSequence()) {
      std::vector<int64_t> v;
      if (!get_int_list(n, key, &v)) return false;
      if (v.size() == 2) {
        pads[0] = pads[1] = v[0];
        pads[2] = pads[3] = v[1];
        return true;
      }
      if (v.size() == 4) {
        std::copy(v.begin(), v.end(), pads);
        return true;
      }
      fail(n, 0, key, text_of(n),
           "must be an integer, [ph, pw], [top, bottom, left, right], 'same' or 'valid'");
      return false;
    }
    int64_t p = 0;
    if (!n.IsScalar() || !std::all_of(n.Scalar().begin(), n.Scalar().end(),
                                      [](char ch) { return (ch >= '0' && ch <= '9') || ch == '-'; })) {
      fail(n, 0, key, text_of(n),
           "must be an integer, [ph, pw], [top, bottom, left, right], 'same' or 'valid'");
      return false;
    }
    if (!get_int(n, key, &p)) return false;
    pads[0] = pads[1] = pads[2] = pads[3] = p;
    return true;
  }

 private:
  std::string m_file;
  const YamlDocument& m_doc;
  DiagnosticList m_diags;
};

// `padding` of a conv2d or pool layer into its attrs (Conv2dAttrs and PoolAttrs share the fields).
template <typename Attrs>
void read_padding(Reader& r, const YAML::Node& n, const std::string& key, Attrs* a) {
  int64_t pads[4] = {0, 0, 0, 0};  // top, bottom, left, right
  if (!r.get_padding(n, key, pads, &a->same_padding)) return;
  a->pad_top = pads[0];
  a->pad_bottom = pads[1];
  a->pad_left = pads[2];
  a->pad_right = pads[3];
}

void read_conv(Reader& r, const YAML::Node& n, const std::string& p, int line, Layer* l) {
  Conv2dAttrs a;
  if (!n["out_channels"])
    r.fail(n, line, p + "out_channels", "", "required for conv2d");
  else
    r.get_int(n["out_channels"], p + "out_channels", &a.out_channels);
  if (!n["kernel"])
    r.fail(n, line, p + "kernel", "", "required for conv2d (an integer or [kh, kw])");
  else
    r.get_pair(n["kernel"], p + "kernel", &a.kernel_h, &a.kernel_w);
  if (n["stride"]) r.get_pair(n["stride"], p + "stride", &a.stride_h, &a.stride_w);
  if (n["dilation"]) r.get_pair(n["dilation"], p + "dilation", &a.dilation_h, &a.dilation_w);
  if (n["groups"]) r.get_int(n["groups"], p + "groups", &a.groups);
  if (n["padding"]) read_padding(r, n["padding"], p + "padding", &a);
  l->attrs = a;
}

void read_pool(Reader& r, const YAML::Node& n, const std::string& p, int line, Layer* l) {
  PoolAttrs a;
  if (n["mode"]) {
    std::string mode;
    if (r.get_string(n["mode"], p + "mode", &mode) && !parse_pool_mode(mode, &a.mode)) {
      r.fail(n["mode"], line, p + "mode", mode, "must be one of: " + join_comma(pool_mode_names()));
    }
  }
  if (n["global"]) r.get_bool(n["global"], p + "global", &a.global);
  if (a.global) {
    for (const char* k : {"kernel", "stride", "padding"}) {
      if (n[k])
        r.fail(n[k], line, p + k, text_of(n[k]), "not allowed with global: true (the window is H x W)");
    }
  } else if (!n["kernel"]) {
    r.fail(n, line, p + "kernel", "", "required for pool unless global: true");
  } else {
    r.get_pair(n["kernel"], p + "kernel", &a.kernel_h, &a.kernel_w);
    a.stride_h = a.kernel_h;  // default stride = kernel (non-overlapping windows)
    a.stride_w = a.kernel_w;
    if (n["stride"]) r.get_pair(n["stride"], p + "stride", &a.stride_h, &a.stride_w);
    if (n["padding"]) read_padding(r, n["padding"], p + "padding", &a);
  }
  l->attrs = a;
}

void read_attrs(Reader& r, const YAML::Node& n, const std::string& type, const std::string& p, int line,
                Layer* l) {
  if (type == "conv2d") {
    read_conv(r, n, p, line, l);
  } else if (l->kind == LayerKind::kMatmul) {
    MatmulAttrs a;
    if (n["out_features"])
      r.get_int(n["out_features"], p + "out_features", &a.out_features);
    else if (l->inputs.size() == 1)
      r.fail(n, line, p + "out_features", "", "required for a one-input " + type);
    if (n["transpose_b"]) r.get_bool(n["transpose_b"], p + "transpose_b", &a.transpose_b);
    l->attrs = a;
  } else if (type == "pool") {
    read_pool(r, n, p, line, l);
  } else if (l->kind == LayerKind::kActivation) {
    ActivationAttrs a;
    if (type == "activation") {
      std::string f;
      if (!n["function"]) {
        r.fail(n, line, p + "function", "", "required: one of " + join_comma(activation_func_names()));
      } else if (r.get_string(n["function"], p + "function", &f) && !parse_activation_func(f, &a.func)) {
        r.fail(n["function"], line, p + "function", f,
               "must be one of: " + join_comma(activation_func_names()) +
                   suggestion(f, activation_func_names()));
      }
    }
    l->attrs = a;
  } else if (type == "reshape") {
    ReshapeAttrs a;
    if (!n["shape"])
      r.fail(n, line, p + "shape", "", "required for reshape");
    else
      r.get_int_list(n["shape"], p + "shape", &a.shape);
    l->attrs = a;
  } else if (type == "transpose") {
    TransposeAttrs a;
    if (!n["perm"])
      r.fail(n, line, p + "perm", "", "required for transpose");
    else
      r.get_int_list(n["perm"], p + "perm", &a.perm);
    l->attrs = a;
  } else {
    l->attrs = NoAttrs{};
  }
}

// Reads layers[index]; `previous` is the name the omitted `input` defaults to ("" if none).
void read_layer(Reader& r, const YAML::Node& n, size_t index, const std::string& previous, Network* net) {
  const std::string p = fmt::format("layers[{}].", index);
  const int line = line_of(n);
  if (!n.IsMap()) {
    r.fail(n, line, fmt::format("layers[{}]", index), text_of(n), "must be a map with name and type");
    return;
  }
  Layer l;
  l.source_line = line;
  bool named = n["name"] ? r.get_string(n["name"], p + "name", &l.name)
                         : (r.fail(n, line, p + "name", "", "required"), false);
  std::string type;
  const TypeSpelling* spelling = nullptr;
  if (!n["type"]) {
    r.fail(n, line, p + "type", "", "required");
  } else if (r.get_string(n["type"], p + "type", &type)) {
    for (const auto& t : type_spellings()) {
      if (type == t.name) spelling = &t;
    }
    if (!spelling) {
      std::vector<std::string> names;
      for (const auto& t : type_spellings()) names.emplace_back(t.name);
      r.fail(n["type"], line, p + "type", type,
             "unknown layer type" + suggestion(type, names) + "; accepted: " + join_comma(names));
    }
  }
  if (n["input"] && n["inputs"]) {
    r.fail(n["inputs"], line, p + "inputs", text_of(n["inputs"]), "give either input or inputs, not both");
  } else if (n["input"]) {
    std::string in;
    if (r.get_string(n["input"], p + "input", &in)) l.inputs.push_back(in);
  } else if (n["inputs"]) {
    const YAML::Node& ins = n["inputs"];
    if (!ins.IsSequence() || ins.size() == 0) {
      r.fail(ins, line, p + "inputs", text_of(ins), "must be a non-empty list of tensor names");
    } else {
      for (size_t i = 0; i < ins.size(); ++i) {
        std::string in;
        if (r.get_string(ins[i], fmt::format("{}inputs[{}]", p, i), &in)) l.inputs.push_back(in);
      }
    }
  } else if (!previous.empty()) {
    l.inputs.push_back(previous);
  } else {
    r.fail(n, line, p + "input", "",
           fmt::format("required: the first layer defaults to the single network input, but there are {}",
                       net->inputs.size()));
  }
  if (!spelling) return;
  l.kind = spelling->kind;
  std::vector<std::string> allowed = {"name", "type", "input", "inputs"};
  allowed.insert(allowed.end(), spelling->attrs.begin(), spelling->attrs.end());
  r.check_keys(n, p, allowed, fmt::format("a {} layer", type));
  read_attrs(r, n, type, p, line, &l);
  if (n["weights_npy"]) r.get_npy_path(n["weights_npy"], p + "weights_npy", &l.weights_npy_path);
  if (named) net->layers.push_back(std::move(l));
}

void read_inputs(Reader& r, const YAML::Node& root, DataType default_dtype, Network* net) {
  const YAML::Node& ins = root["inputs"];
  if (!ins) {
    r.fail(root, 1, "inputs", "", "required: a list of {name, shape, dtype}");
    return;
  }
  if (!ins.IsSequence() || ins.size() == 0) {
    r.fail(ins, 1, "inputs", text_of(ins), "must be a non-empty list of {name, shape, dtype}");
    return;
  }
  for (size_t i = 0; i < ins.size(); ++i) {
    const YAML::Node& n = ins[i];
    const std::string p = fmt::format("inputs[{}].", i);
    if (!n.IsMap()) {
      r.fail(n, 1, fmt::format("inputs[{}]", i), text_of(n), "must be a map {name, shape, dtype}");
      continue;
    }
    r.check_keys(n, p, {"name", "shape", "dtype", "npy"}, "a network input");
    TensorInput t;
    t.dtype = default_dtype;
    bool ok = n["name"] ? r.get_string(n["name"], p + "name", &t.name)
                        : (r.fail(n, 1, p + "name", "", "required"), false);
    if (!n["shape"]) {
      r.fail(n, 1, p + "shape", "", "required, e.g. [1, 3, 224, 224]");
      ok = false;
    } else if (r.get_int_list(n["shape"], p + "shape", &t.shape)) {
      bool positive = !t.shape.empty();
      for (int64_t d : t.shape) positive = positive && d >= 1;
      if (!positive) {
        r.fail(n["shape"], 1, p + "shape", shape_str(t.shape), "dimensions must be integers >= 1");
        ok = false;
      }
    } else {
      ok = false;
    }
    std::string dt;
    if (n["dtype"] && r.get_string(n["dtype"], p + "dtype", &dt) && !parse_data_type(dt, &t.dtype)) {
      r.fail(n["dtype"], 1, p + "dtype", dt, "must be one of: " + join_comma(data_type_names()));
    }
    if (n["npy"] && !r.get_npy_path(n["npy"], p + "npy", &t.npy_path)) ok = false;
    if (ok) net->inputs.push_back(t);
  }
}

}  // namespace

Network load_yaml_network(const std::string& text, const std::string& source_name) {
  const YamlDocument doc = parse_yaml_document(text, source_name);
  if (!doc.problems.empty()) throw WorkloadError(doc.problems);
  const YAML::Node& root = doc.root;
  Reader r(source_name, doc);
  if (!root.IsMap()) {
    throw WorkloadError(Diagnostic{source_name, line_of(root), "", root.IsScalar() ? root.Scalar() : "",
                                   "a workload must be a YAML map with name, inputs and layers"});
  }
  Network net;
  net.source_path = source_name;
  r.check_keys(root, "", {"name", "source", "dtype", "inputs", "layers"}, "a workload");
  if (!root["name"])
    r.fail(root, 1, "name", "", "required");
  else
    r.get_string(root["name"], "name", &net.name);
  if (root["source"]) r.get_string(root["source"], "source", &net.source);
  DataType dtype = DataType::kInt8;
  std::string dt;
  if (root["dtype"] && r.get_string(root["dtype"], "dtype", &dt) && !parse_data_type(dt, &dtype)) {
    r.fail(root["dtype"], 1, "dtype", dt, "must be one of: " + join_comma(data_type_names()));
  }
  read_inputs(r, root, dtype, &net);
  const YAML::Node& layers = root["layers"];
  if (!layers) {
    r.fail(root, 1, "layers", "", "required: a list of layers");
  } else if (!layers.IsSequence() || layers.size() == 0) {
    r.fail(layers, 1, "layers", text_of(layers), "must be a non-empty list of layers");
  } else {
    for (size_t i = 0; i < layers.size(); ++i) {
      std::string previous;
      if (i > 0 && layers[i - 1].IsMap() && layers[i - 1]["name"] && layers[i - 1]["name"].IsScalar()) {
        previous = layers[i - 1]["name"].Scalar();
      } else if (i == 0 && net.inputs.size() == 1) {
        previous = net.inputs[0].name;
      }
      read_layer(r, layers[i], i, previous, &net);
    }
  }
  if (!r.diags().empty()) throw WorkloadError(r.diags().take());
  infer_shapes(net);
  return net;
}

}  // namespace systole
