#include "systole/compiler/user_mapping.h"

#include <set>
#include <vector>

#include <fmt/format.h>

#include "systole/common/input_file.h"
#include "systole/config/compiler_params.h"
#include "systole/config/yaml_document.h"
#include "systole/config/yaml_text.h"

namespace systole {
namespace {

// A positive integer written as a plain YAML scalar.
// A plain whole number from `low` (to 9e15) into *out.
bool whole_number(const YAML::Node& n, double low, int64_t* out) {
  double v = 0;
  if (!plain_number(n, &v) || !(v >= low && v <= 9.0e15) || v != static_cast<double>(static_cast<int64_t>(v)))
    return false;
  *out = static_cast<int64_t>(v);
  return true;
}

bool positive_int(const YAML::Node& n, int64_t* out) {
  return whole_number(n, 1, out);
}

}  // namespace

UserMapping load_user_mapping(const std::string& path, const Network& net) {
  const std::string text = read_input_file_as<ConfigError>(path, "mapping file", kMaxConfigBytes);
  const YamlDocument doc = parse_yaml_document(text, path, kSmallYamlLimits);
  if (!doc.problems.empty()) throw ConfigError(doc.problems);
  DiagnosticList errs;
  UserMapping m;
  m.path = path;
  const YAML::Node& root = doc.root;
  if (!root.IsMap()) {
    errs.add(
        {path, yaml_line(root), "", yaml_short_text(root), "a mapping file is a map with the key 'layers'"});
    throw ConfigError(errs.take());
  }
  for (const Diagnostic& d : unknown_keys(root, path, "", {"layers"})) errs.add(d);
  const YAML::Node layers = root["layers"];
  if (!layers || !layers.IsMap()) {
    errs.add({path, yaml_line(root), "layers", layers ? yaml_short_text(layers) : "",
              "must be a map from layer names to {tile: [m, n, k], loop_order: ...}"});
    throw ConfigError(errs.take());
  }
  std::set<std::string> names;
  for (const Layer& l : net.layers) names.insert(l.name);
  for (const auto& kv : layers) {
    if (!kv.first.IsScalar()) {
      errs.add({path, yaml_line(kv.first), "layers", yaml_value_text(kv.first),
                "a layer name must be a plain string, not a list or a map"});
      continue;
    }
    const std::string name = kv.first.Scalar();
    const std::string key = "layers." + name;
    const YAML::Node& e = kv.second;
    const int line = yaml_line(kv.first);
    if (names.count(name) == 0) {
      errs.add({path, line, key, "",
                fmt::format("is not a layer of {} ({} layers)", net.source_path, net.layers.size())});
      continue;
    }
    if (!e.IsMap()) {
      errs.add(
          {path, line, key, yaml_short_text(e),
           "must be a map {tile: [m, n, k], loop_order: m,n,k | n,m,k, partition: <strategy>, stage: <n>}"});
      continue;
    }
    for (const Diagnostic& d : unknown_keys(e, path, key + ".", {"tile", "loop_order", "partition", "stage"}))
      errs.add(d);
    if (const YAML::Node stage = e["stage"]) {
      int64_t v = 0;
      if (whole_number(stage, 0, &v)) {
        m.stages[name] = {v, yaml_line(stage)};
      } else {
        errs.add({path, yaml_line(stage), key + ".stage", yaml_value_text(stage),
                  "must be a whole number from 0: the pipeline stage (the core) that runs this layer and the "
                  "layers after it"});
      }
      if (!e["tile"] && !e["loop_order"] && !e["partition"]) continue;  // a stage alone
    }
    if (const YAML::Node part = e["partition"]) {
      const std::string s = part.IsScalar() ? part.Scalar() : "";
      PartitionChoice choice = PartitionChoice::kAuto;
      std::vector<std::string> strategies = partition_choice_names();
      strategies.erase(strategies.begin());  // "auto"
      strategies.pop_back();                 // "pipeline"
      if (parse_partition_choice(s, &choice) && choice == PartitionChoice::kPipeline) {
        errs.add({path, yaml_line(part), key + ".partition", yaml_value_text(part),
                  fmt::format("pipeline is chosen for the whole run (compiler.partition: pipeline), not per "
                              "layer: a layer's partition is one of {}",
                              fmt::join(strategies, ", "))});
      } else if (parse_partition_choice(s, &choice) && choice != PartitionChoice::kAuto) {
        m.partitions[name] = {s, yaml_line(part)};
      } else {
        errs.add({path, yaml_line(part), key + ".partition", yaml_value_text(part),
                  fmt::format("must be a partitioning strategy: {}", fmt::join(strategies, ", "))});
      }
      if (!e["tile"] && !e["loop_order"]) continue;  // a partition alone: the search tiles the layer
    }
    UserTiling t;
    t.line = line;
    const YAML::Node tile = e["tile"];
    int64_t v[3] = {0, 0, 0};
    const bool ok = tile && tile.IsSequence() && tile.size() == 3 && positive_int(tile[0], &v[0]) &&
                    positive_int(tile[1], &v[1]) && positive_int(tile[2], &v[2]);
    if (!ok) {
      errs.add({path, tile ? yaml_line(tile) : line, key + ".tile", tile ? yaml_value_text(tile) : "",
                "must be [m, n, k]: three positive integers, the tile sizes of the layer's GEMM"});
    }
    t.tm = v[0], t.tn = v[1], t.tk = v[2];
    if (const YAML::Node order = e["loop_order"]) {
      const std::string s = order.IsScalar() ? order.Scalar() : "";
      if (s == "m,n,k" || s == "n,m,k") {
        t.m_outer = s == "m,n,k";
      } else {
        errs.add({path, yaml_line(order), key + ".loop_order", yaml_value_text(order),
                  "must be \"m,n,k\" or \"n,m,k\" (outermost first; k is always innermost)"});
      }
    }
    m.layers[name] = t;
  }
  if (!errs.empty()) throw ConfigError(errs.take());
  return m;
}

}  // namespace systole
