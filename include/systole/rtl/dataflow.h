// Registry of register-level dataflows. Each dataflow (src/rtl/impl/<name>.cpp) defines how the
// PE registers shift for one Dataflow and registers itself by name ("ws", "os", "is"); adding
// one is that file plus its line in src/rtl/impl/dataflow_list.h (docs/rtl-array.md).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

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

class DataflowRegistry {
 public:
  using Factory = std::function<std::unique_ptr<IRtlDataflow>()>;
  // Throws InternalError when `name` is already registered.
  void add(const std::string& name, Factory factory);
  // Throws UserError naming the registered dataflows when `name` is unknown.
  const IRtlDataflow& get(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  struct Entry {
    std::string name;
    std::unique_ptr<IRtlDataflow> impl;
  };
  std::vector<Entry> m_entries;
};

// The registry holding every dataflow of src/rtl/impl/ (built on first use, then immutable).
const DataflowRegistry& dataflow_registry();

}  // namespace systole::rtl
