#include "systole/array/dataflow.h"

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {

// One declaration per line of SYSTOLE_DATAFLOWS; each is defined in src/array/dataflows/<name>.cpp.
#define SYSTOLE_DATAFLOW_DECLARE(name, enumerator) void register_dataflow_##name(DataflowRegistry& registry);
SYSTOLE_DATAFLOWS(SYSTOLE_DATAFLOW_DECLARE)
#undef SYSTOLE_DATAFLOW_DECLARE

const char* to_string(GemmDim d) {
  switch (d) {
    case GemmDim::kM:
      return "m";
    case GemmDim::kN:
      return "n";
    case GemmDim::kK:
      return "k";
  }
  throw InternalError("unknown GEMM dimension");
}

OperandDims operand_dims(TileOperand o) {
  switch (o) {
    case TileOperand::kIfmap:
      return {GemmDim::kM, GemmDim::kK};
    case TileOperand::kWeight:
      return {GemmDim::kK, GemmDim::kN};
    case TileOperand::kOfmap:
      return {GemmDim::kM, GemmDim::kN};
  }
  throw InternalError("unknown tile operand");
}

TileOperand operand_of(GemmDim a, GemmDim b) {
  for (TileOperand o : {TileOperand::kIfmap, TileOperand::kWeight, TileOperand::kOfmap}) {
    const OperandDims d = operand_dims(o);
    if ((d.first == a && d.second == b) || (d.first == b && d.second == a)) return o;
  }
  throw InternalError(fmt::format("no tile operand is indexed by {} and {}", to_string(a), to_string(b)));
}

DataflowModel::DataflowModel(Dataflow id, DataflowAxes axes) : m_id(id), m_axes(axes) {
  if (axes.rows == axes.cols || axes.rows == axes.stream || axes.cols == axes.stream) {
    throw InternalError(
        fmt::format("dataflow {}: rows {}, cols {}, stream {} is not a permutation of m, n, k", to_string(id),
                    to_string(axes.rows), to_string(axes.cols), to_string(axes.stream)));
  }
  m_stationary = operand_of(axes.rows, axes.cols);
}

FoldShape DataflowModel::fold(int64_t m, int64_t n, int64_t k) const {
  auto extent = [&](GemmDim d) { return d == GemmDim::kM ? m : d == GemmDim::kN ? n : k; };
  return {extent(m_axes.rows), extent(m_axes.cols), extent(m_axes.stream)};
}

int64_t DataflowModel::array_extent(GemmDim d, int64_t rows, int64_t cols) const {
  if (d == m_axes.rows) return rows;
  if (d == m_axes.cols) return cols;
  return 0;
}

OperandAccess DataflowModel::access(TileOperand o) const {
  const OperandDims d = operand_dims(o);
  OperandAccess a;
  a.operand = o;
  if (o == m_stationary) {
    a.along = m_axes.cols;  // the stationary block is read (or drained) a row of PEs at a time
  } else {
    a.along = d.first == m_axes.stream ? d.second : d.first;  // its one array dimension
    a.refetched = true;
    a.refetch_dim = d.first != m_axes.rows && d.second != m_axes.rows ? m_axes.rows : m_axes.cols;
  }
  a.along_second = a.along == d.second;
  return a;
}

void DataflowRegistry::add(Dataflow id, DataflowAxes axes) {
  m_registry.add(to_string(id), [id, axes] { return std::make_unique<DataflowModel>(id, axes); });
  const auto index = static_cast<size_t>(id);
  if (m_by_id.size() <= index) m_by_id.resize(index + 1);
  m_by_id[index] = m_registry.make(to_string(id));
}

const DataflowModel& DataflowRegistry::get(Dataflow id) const {
  const auto index = static_cast<size_t>(id);
  if (index >= m_by_id.size() || !m_by_id[index]) {
    throw InternalError(fmt::format("dataflow {} is listed but registered no model", to_string(id)));
  }
  return *m_by_id[index];
}

const DataflowRegistry& dataflow_registry() {
  static const DataflowRegistry kRegistry = [] {
    DataflowRegistry r;
#define SYSTOLE_DATAFLOW_REGISTER(name, enumerator) register_dataflow_##name(r);
    SYSTOLE_DATAFLOWS(SYSTOLE_DATAFLOW_REGISTER)
#undef SYSTOLE_DATAFLOW_REGISTER
    return r;
  }();
  return kRegistry;
}

}  // namespace systole
