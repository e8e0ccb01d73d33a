// A sweep spec (docs/sweeps.md): a YAML file naming a base arch, one or more workloads, axes over
// config keys and how they combine (a grid, a zip, or explicit points), fixed overrides, derived
// parameters (expressions of the others, sweep/expression.h) and constraints that prune points.
// expand_sweep() turns it into the list of design points, each a list of --set overrides.
//
//   name: resnet18_array
//   arch: default
//   workloads: [resnet18]
//   combine: grid                       # grid (default), zip or points
//   set: {core.array.input_type: int8}  # fixed overrides of every point
//   axes:
//     core.array.rows: [16, 32, 64]                       # a list
//     core.array.cols: {from: 16, to: 64, step: 16}       # a range, both ends included
//     core.scratchpads.ifmap.capacity_kib: {from: 64, to: 1024, times: 4}   # a geometric range
//   derived:
//     core.scratchpads.ifmap.read_bytes_per_cycle: "core.array.rows * 2"
//   constraints:
//     - "core.array.rows * core.array.cols <= 4096"
//
// Every key is a config key (config/schema.h) and every value is checked as --set checks it;
// problems are diagnostics naming the spec file, line, key path and rule (UserError, exit 2).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "systole/common/error.h"
#include "systole/config/schema.h"
#include "systole/sweep/expression.h"

namespace systole::sweep {

// A spec's problems (exit 2), each naming the spec file, line, key path and rule.
class SweepError : public UserError {
 public:
  explicit SweepError(std::vector<Diagnostic> diagnostics)
      : UserError("sweep spec error", std::move(diagnostics)) {}
  explicit SweepError(const Diagnostic& d) : SweepError(std::vector<Diagnostic>{d}) {}
};

enum class Combine { kGrid, kZip, kPoints };
const char* to_string(Combine c);  // "grid", "zip", "points"

using Assignment = std::pair<std::string, ParamValue>;  // config key, value in its schema type

struct SweepAxis {
  std::string key;
  std::vector<ParamValue> values;  // in the order written or generated
  int line = 0;
};

struct DerivedParam {
  std::string key;
  Expression expression;
  int line = 0;
};

struct Constraint {
  Expression expression;
  int line = 0;
};

struct SweepSpec {
  std::string source;  // the spec's file, for diagnostics
  std::string name;
  std::string arch;                    // a path (resolved against the spec's folder) or a preset name
  std::vector<std::string> workloads;  // the same; every point runs each of them
  std::vector<Assignment> set;         // fixed overrides, in the order written
  Combine combine = Combine::kGrid;
  std::vector<SweepAxis> axes;                  // grid and zip
  std::vector<std::vector<Assignment>> points;  // points: each the same keys, in the same order
  std::vector<DerivedParam> derived;            // evaluated in the order written
  std::vector<Constraint> constraints;
};

// Limits that keep a spec bounded: the design points before pruning, and one axis's values.
inline constexpr size_t kMaxSweepPoints = 1'000'000;
inline constexpr size_t kMaxAxisValues = 100'000;

SweepSpec parse_sweep_spec(const std::string& text, const std::string& source);
SweepSpec load_sweep_spec(const std::string& path);  // UserError when it cannot be read

struct SweepPoint {
  size_t index = 0;                    // among the points kept, in expansion order
  std::vector<Assignment> params;      // the axes' (or the point's) values, then the derived ones
  std::vector<std::string> overrides;  // "key=value": the spec's set, then params (as --set)
};

struct SweepPlan {
  std::vector<SweepPoint> points;
  size_t combinations = 0;  // before the constraints
  size_t pruned = 0;        // removed by a constraint
};

// Expands the spec: the grid's rows in row-major order (the first axis varies slowest), the zip's
// i-th values together, or the points as written; each point's derived parameters are evaluated
// and checked, and a point any constraint rejects is dropped. Names an expression reads come from
// the point, then the derived values so far, then the spec's set, then `base` (the base arch's
// values). A derived value outside its key's rule, or an expression that fails, is a UserError
// naming the point.
SweepPlan expand_sweep(const SweepSpec& spec, const Expression::Lookup& base);

// `lookup` for expand_sweep from an arch: every schema key's value in `arch`.
Expression::Lookup arch_lookup(const ArchSpec& arch);

}  // namespace systole::sweep
