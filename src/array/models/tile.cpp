// The tile-level array model (core.array.fidelity: tile): a tile costs the closed form of
// array/array_timing.h; functional runs compute its values with tile_compute.h, partial sums
// grouped per fold of k as the dataflow's mapping says (array_timing.h k_group).
#include "systole/array/array_model.h"

namespace systole {
namespace {

class TileArrayModel final : public IArrayModel {
 public:
  explicit TileArrayModel(const ArrayModelParams& p) : m_p(p) {}
  bool needs_values() const override { return false; }
  TileRun run(const MatmulOp& op, hw::TileValues* values, int64_t /*start_cycle*/) override {
    if (values != nullptr) hw::compute_tile(*values, m_p.numerics.acc, k_group(m_p.geometry, op.dataflow));
    return {tile_timing(m_p.geometry, op).cycles, 0};
  }

 private:
  ArrayModelParams m_p;
};

}  // namespace

void register_array_model_tile(ArrayModelRegistry& registry) {
  registry.add("tile", [](const ArrayModelParams& p) { return std::make_unique<TileArrayModel>(p); });
}

}  // namespace systole
