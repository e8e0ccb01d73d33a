// Registry of register-level engines. An engine (src/rtl/impl/<name>.cpp) shifts the PE registers
// of every cycle for one mapping of a tile onto the array (array/dataflow.h DataflowAxes) and is
// registered under that mapping; a dataflow runs at register level on the engine of its mapping,
// so a new dataflow whose mapping has an engine needs nothing here. Adding an engine is its file
// plus its line in src/rtl/impl/dataflow_list.h (docs/rtl-array.md).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "systole/common/registry.h"
#include "systole/rtl/run_tile.h"

namespace systole::rtl {

class IRtlDataflow {
 public:
  virtual ~IRtlDataflow() = default;
  // As run_tile(); the request is already validated (non-empty, path matches acc.type).
  virtual TileResult run(const TileRequest& req, const int32_t* a, const int32_t* w, int64_t* out,
                         IArrayObserver* observer) const = 0;
  virtual TileResult run(const TileRequest& req, const float* a, const float* w, float* out,
                         IArrayObserver* observer) const = 0;
};

// The register-level engines by mapping, named "rows=k cols=n stream=m" (common/registry.h: an
// unknown one is UnknownVariant, a second registration of one InternalError). Each is
// instantiated once, when registered, and shared: run() is const and keeps no state between tiles.
class DataflowRegistry {
 public:
  using Factory = Registry<IRtlDataflow>::Factory;
  void add(const DataflowAxes& axes, Factory factory);
  // The engine of a dataflow's mapping; UnknownVariant (exit 2) when none implements it.
  const IRtlDataflow& get(Dataflow d) const;
  const IRtlDataflow& get(const DataflowAxes& axes) const;
  std::vector<std::string> names() const { return m_registry.names(); }

 private:
  Registry<IRtlDataflow> m_registry{"register-level engine"};
  std::vector<std::pair<std::string, std::unique_ptr<IRtlDataflow>>> m_instances;
};

// "rows=k cols=n stream=m"
std::string mapping_name(const DataflowAxes& axes);

// The registry holding every engine of src/rtl/impl/ (built on first use, then immutable).
const DataflowRegistry& engine_registry();

}  // namespace systole::rtl
