// The array-model seam: what times a MATMUL tile on the array and, in functional runs, computes
// its values. PeArray (hw/array/pe_array.h) holds one, chosen by core.array.fidelity from the
// models of SYSTOLE_ARRAY_MODELS (config/array_model_list.h): tile (the closed form of
// array_timing.h with the arithmetic of tile_compute.h) and rtl (every PE register every cycle,
// rtl/). A model is one file ending with register_array_model_<name>(ArrayModelRegistry&).
// Scratchpad traffic, bank conflicts and port stalls are the PeArray's, around any model.
// No SystemC here.
#pragma once

#include <cstdint>
#include <memory>

#include "systole/array/array_observer.h"
#include "systole/array/array_timing.h"
#include "systole/array/tile_compute.h"
#include "systole/common/registry.h"

namespace systole {

struct ArrayModelParams {
  ArrayGeometry geometry;
  hw::TileNumerics numerics;
  IArrayObserver* observer = nullptr;  // per-cycle PE state, for models that have it; not owned
};

struct TileRun {
  int64_t cycles = 0;     // array cycles of the tile (every model: tile_timing().cycles by contract)
  int64_t pe_cycles = 0;  // PE-cycles the model evaluated (register-level models; 0 otherwise)
};

class IArrayModel {
 public:
  virtual ~IArrayModel() = default;
  // True when run() needs operand values even in a timing-only run (a register-level model
  // steps real registers; it is then given zeros).
  virtual bool needs_values() const = 0;
  // Times the tile that starts at `start_cycle` of the run. `values` holds the operands and the
  // initial accumulator when the run is functional (or needs_values()), and receives the results
  // in place; nullptr otherwise.
  virtual TileRun run(const MatmulOp& op, hw::TileValues* values, int64_t start_cycle) = 0;
};

using ArrayModelRegistry = Registry<IArrayModel, const ArrayModelParams&>;

}  // namespace systole
