// Fuzz target: a sweep spec (parse_sweep_spec, what `systole sweep` reads), then its expansion on
// the default arch when its grid is small enough to expand in a fuzzing iteration. Contract: only
// UserError escapes (an expression's errors become diagnostics); every expanded point has the spec's
// set and axis keys, each derived key once, and overrides that are "key=value" for every parameter;
// the points kept and the points pruned add up to the combinations.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "systole/config/loader.h"
#include "systole/sweep/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  static const ArchSpec base = load_arch(std::string(SYSTOLE_SOURCE_DIR) + "/arch/default.yaml");
  const std::string text(reinterpret_cast<const char*>(data), size);
  sweep::SweepSpec spec;
  if (!fuzz::accepts("parse_sweep_spec", [&] { spec = sweep::parse_sweep_spec(text, "fuzz/sweep.yaml"); }))
    return 0;
  size_t grid = 1;
  for (const sweep::SweepAxis& a : spec.axes) {
    grid *= a.values.size();
    if (grid > 5000) return 0;
  }
  if (spec.points.size() > 5000) return 0;
  sweep::SweepPlan plan;
  if (!fuzz::accepts("expand_sweep", [&] { plan = sweep::expand_sweep(spec, sweep::arch_lookup(base)); }))
    return 0;
  fuzz::holds("plan", [&] {
    FUZZ_CHECK(plan.points.size() + plan.pruned == plan.combinations, "kept + pruned != combinations");
    const size_t given = spec.combine == sweep::Combine::kPoints
                             ? (spec.points.empty() ? 0 : spec.points[0].size())
                             : spec.axes.size();
    for (size_t i = 0; i < plan.points.size(); ++i) {
      const sweep::SweepPoint& p = plan.points[i];
      FUZZ_CHECK(p.index == i, "point indices out of order");
      FUZZ_CHECK(p.params.size() == given + spec.derived.size(), "a point without all its parameters");
      FUZZ_CHECK(p.overrides.size() == spec.set.size() + p.params.size(), "overrides missing");
      for (const std::string& o : p.overrides)
        FUZZ_CHECK(o.find('=') != std::string::npos, "an override without '='");
    }
  });
  return 0;
}
