// The array-model seam (array/array_model.h): every model of SYSTOLE_ARRAY_MODELS is registered,
// an unknown one is the registry's UnknownVariant, and the models agree on a tile's cycles.
#include <gtest/gtest.h>

#include "systole/common/registry.h"
#include "systole/hw/array/pe_array.h"

namespace systole::hw {

TEST(ArrayModels, EveryListedModelIsRegisteredAndTheyAgreeOnCycles) {
  EXPECT_EQ(array_model_registry().names(), array_fidelity_names());
  ArrayModelParams p;
  p.geometry = {8, 4, ArrayMicroarch{}};
  MatmulOp op;
  op.m = 10;
  op.n = 6;
  op.k = 20;
  const TileNumerics nx{DataType::kInt8, DataType::kInt8, AccumulatorSpec{}};
  p.numerics = nx;
  for (const std::string& name : array_model_registry().names()) {
    auto model = array_model_registry().make(name, p);
    TileValues v = zero_tile(op, nx);
    const TileRun r = model->run(op, model->needs_values() ? &v : nullptr, 0);
    EXPECT_EQ(r.cycles, tile_timing(p.geometry, op).cycles) << name;
  }
  try {
    array_model_registry().make("cim", p);
    FAIL() << "no throw";
  } catch (const UnknownVariant& e) {
    EXPECT_STREQ(e.what(), "unknown array model 'cim'; registered: tile, rtl");
  }
}

}  // namespace systole::hw
