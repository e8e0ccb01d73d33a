// What a dataflow is: where the three dimensions of a tile out[m x n] += in[m x k] * w[k x n] go
// on an R x C systolic array (Sr along the rows, Sc along the columns, T streamed in time). Every
// model of the array derives from this one mapping: the fold shape and closed-form timing
// (array_timing.h), scratchpad traffic, the bank pattern of the operand vectors
// (tile_bank_cost.h), the register hops (hw/array/pe_array.h), the tile sizes the compiler tries,
// the partial-sum grouping of the functional arithmetic (tile_compute.h) and the register-level
// engine that runs it (rtl/). The rules, all following from the mapping:
//   - the stationary operand is the one indexed by the rows and the columns dimension: it stays
//     in the PEs for a fold (weights for WS, inputs for IS, outputs for OS);
//   - a streamed input indexed by (rows dimension, T) enters at the rows and moves along them,
//     one indexed by (columns dimension, T) moves down the columns; partial sums move the same way;
//   - a streamed operand is read once per fold of the array dimension it is not indexed by;
//   - a stationary input is preloaded through the R rows before its fold streams (P = R); a
//     stationary output starts in the PEs and accumulates there (P = 0, no accumulator RMW);
//   - when k lies on the array, each fold sums the products of one fold of k (k_group = R or C)
//     and the accumulator adds the fold sums; when k is streamed, products go straight into it.
// A dataflow is one file src/array/dataflows/<name>.cpp ending with register_dataflow_<name>()
// plus its line in SYSTOLE_DATAFLOWS (config/dataflow_list.h). No SystemC here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "systole/common/registry.h"
#include "systole/config/types.h"

namespace systole {

enum class GemmDim { kM, kN, kK };
const char* to_string(GemmDim d);  // "m", "n", "k"

// The three matrices of a tile, as (first, second) index: ifmap in[m x k], weight w[k x n],
// ofmap out[m x n].
enum class TileOperand { kIfmap, kWeight, kOfmap };
struct OperandDims {
  GemmDim first, second;
};
OperandDims operand_dims(TileOperand o);
// The operand indexed by the two dimensions a and b (in either order); InternalError if a == b.
TileOperand operand_of(GemmDim a, GemmDim b);

struct DataflowAxes {
  GemmDim rows = GemmDim::kK;    // Sr: spread over the array's R rows
  GemmDim cols = GemmDim::kN;    // Sc: spread over its C columns
  GemmDim stream = GemmDim::kM;  // T: streamed in time
};

struct FoldShape {
  int64_t sr = 0, sc = 0, t = 0;
};

// How the array reads (writes, for the ofmap) an operand's vectors in one tile: a vector runs
// along `along` of the operand matrix, in pieces of that dimension's array extent. A streamed
// operand (`refetched`) is indexed by one array dimension and T; `refetch_dim` is the other array
// dimension, whose folds each pass over it again (for the partial sums: that is k, and the passes
// are accumulator read-modify-writes). The stationary operand is moved once per tile, a row of
// PEs (along the columns dimension) at a time.
struct OperandAccess {
  TileOperand operand = TileOperand::kIfmap;
  GemmDim along = GemmDim::kK;
  bool along_second = true;  // `along` is the matrix's second index (vectors along its columns)
  bool refetched = false;
  GemmDim refetch_dim = GemmDim::kK;
};

class DataflowModel {
 public:
  // InternalError unless the axes are a permutation of m, n, k.
  DataflowModel(Dataflow id, DataflowAxes axes);

  Dataflow id() const { return m_id; }
  const char* name() const { return to_string(m_id); }
  const DataflowAxes& axes() const { return m_axes; }

  // The extents of a tile's dimensions along the rows, the columns and time.
  FoldShape fold(int64_t m, int64_t n, int64_t k) const;
  // The array extent a GEMM dimension is folded by: rows for the rows dimension, cols for the
  // columns dimension, 0 for the streamed one.
  int64_t array_extent(GemmDim d, int64_t rows, int64_t cols) const;
  // The operand that stays in the PEs for a fold.
  TileOperand stationary() const { return m_stationary; }
  // True when the outputs are stationary: products add straight into the PEs' accumulators.
  bool accumulates_in_pes() const { return m_stationary == TileOperand::kOfmap; }
  // The streamed operands moving along the rows / down the columns.
  TileOperand along_rows() const { return operand_of(m_axes.rows, m_axes.stream); }
  TileOperand down_cols() const { return operand_of(m_axes.cols, m_axes.stream); }
  // How the array reads (or, for the ofmap, writes) an operand's vectors.
  OperandAccess access(TileOperand o) const;

 private:
  Dataflow m_id;
  DataflowAxes m_axes;
  TileOperand m_stationary;
};

// The dataflows of SYSTOLE_DATAFLOWS. Built once on first use, then immutable.
class DataflowRegistry {
 public:
  // The name must be the dataflow's spelling in SYSTOLE_DATAFLOWS (InternalError otherwise).
  void add(Dataflow id, DataflowAxes axes);
  // InternalError when a dataflow of SYSTOLE_DATAFLOWS registered nothing.
  const DataflowModel& get(Dataflow id) const;
  std::vector<std::string> names() const { return m_registry.names(); }

 private:
  Registry<DataflowModel> m_registry{"dataflow"};
  std::vector<std::unique_ptr<DataflowModel>> m_by_id;  // indexed by the Dataflow enumerator
};

const DataflowRegistry& dataflow_registry();
inline const DataflowModel& dataflow_model(Dataflow d) {
  return dataflow_registry().get(d);
}

}  // namespace systole
