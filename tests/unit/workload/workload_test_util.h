// Helpers for the workload unit tests: build a Network in code, and assert on WorkloadErrors.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/workload/loader.h"
#include "systole/workload/network.h"

namespace systole::test {

inline Network net_with_input(const Shape& shape, const std::string& name = "x") {
  Network net;
  net.name = "t";
  net.source_path = "test.yaml";
  net.inputs.push_back(TensorInput{name, shape, DataType::kInt8, ""});
  return net;
}

inline Layer& add_layer(Network& net, const std::string& name, LayerKind kind,
                        std::vector<std::string> inputs, LayerAttrs attrs = NoAttrs{}) {
  Layer l;
  l.name = name;
  l.kind = kind;
  l.inputs = std::move(inputs);
  l.attrs = std::move(attrs);
  l.source_line = static_cast<int>(net.layers.size()) + 10;
  net.layers.push_back(std::move(l));
  return net.layers.back();
}

inline Conv2dAttrs conv(int64_t cout, int64_t k, int64_t stride = 1, int64_t pad = 0, int64_t groups = 1,
                        int64_t dilation = 1) {
  Conv2dAttrs a;
  a.out_channels = cout;
  a.kernel_h = a.kernel_w = k;
  a.stride_h = a.stride_w = stride;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = pad;
  a.groups = groups;
  a.dilation_h = a.dilation_w = dilation;
  return a;
}

// Runs `fn`, expects a WorkloadError, and returns its diagnostics (empty when none was thrown).
template <typename Fn>
std::vector<Diagnostic> workload_errors(Fn&& fn) {
  try {
    fn();
  } catch (const WorkloadError& e) {
    EXPECT_FALSE(e.diagnostics().empty()) << e.what();
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected a WorkloadError";
  return {};
}

// True when some diagnostic has this key and its rule contains `rule_part`.
inline bool has_diag(const std::vector<Diagnostic>& ds, const std::string& key,
                     const std::string& rule_part) {
  for (const auto& d : ds) {
    if (d.key == key && d.rule.find(rule_part) != std::string::npos) return true;
  }
  return false;
}

inline std::string all_text(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.str() + "\n";
  return out;
}

}  // namespace systole::test
