// Registry of register-level dataflows. Each dataflow (src/rtl/impl/<name>.cpp) defines how the
// PE registers shift for one Dataflow and registers itself by name ("ws", "os", "is"); adding
// one is that file plus its line in src/rtl/impl/dataflow_list.h (docs/rtl-array.md).
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
  virtual Dataflow dataflow() const = 0;
  // As run_tile(); the request is already validated (non-empty, path matches acc.type).
  virtual TileResult run(const TileRequest& req, const int32_t* a, const int32_t* w, int64_t* out,
                         IArrayObserver* observer) const = 0;
  virtual TileResult run(const TileRequest& req, const float* a, const float* w, float* out,
                         IArrayObserver* observer) const = 0;
};

// The register-level dataflows by name (common/registry.h: an unknown name is UnknownVariant,
// a second registration of one InternalError). Each is instantiated once, when registered, and
// shared: run() is const and keeps no state between tiles.
class DataflowRegistry {
 public:
  using Factory = Registry<IRtlDataflow>::Factory;
  void add(const std::string& name, Factory factory);
  const IRtlDataflow& get(const std::string& name) const;
  std::vector<std::string> names() const { return m_registry.names(); }

 private:
  Registry<IRtlDataflow> m_registry{"rtl dataflow"};
  std::vector<std::pair<std::string, std::unique_ptr<IRtlDataflow>>> m_instances;
};

// The registry holding every dataflow of src/rtl/impl/ (built on first use, then immutable).
const DataflowRegistry& dataflow_registry();

}  // namespace systole::rtl
