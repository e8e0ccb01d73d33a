// Scratchpad bank accesses and conflicts of one MATMUL tile (SystemC-free). The array reads one
// operand vector per cycle and port; its elements are issued together, so a vector is one access
// group of array/bank_conflicts.h: it costs ceil(L / ports) - max(1, ceil(v / P)) extra cycles
// (when positive) when L distinct words of one bank are among its elements, v bytes of them read
// through a port of P bytes per cycle (TileBankParams; the port's own cycles are the PE array's
// port stall, docs/hardware.md). Which vectors a tile reads and writes (array_timing.h fold
// shape, Fr row folds, Fc column folds; (i, j) of an operand as in isa/isa.h OperandLayout):
//   WS (Sr = k, Sc = n, T = m):
//     weight preload, once per fold: rows k of the fold's column range, one vector w[k][n0..n0+C)
//     ifmap stream, every fold:      per m, a[m][k0..k0+R) of the row fold   (x Fc column folds)
//     partial sums, every fold:      per m, out[m][n0..n0+C) written Fr times and read
//                                    Fr - 1 + accumulate times (accumulator read-modify-write)
//   IS (Sr = k, Sc = m, T = n):
//     ifmap preload:  per k, a[m0..m0+C)[k];   weight stream: per n, w[k0..k0+R)[n] (x Fc)
//     partial sums:   per n, out[m0..m0+C)[n], written Fr and read Fr - 1 + accumulate times
//   OS (Sr = m, Sc = n, T = k):
//     ifmap stream:   per k, a[m0..m0+R)[k] (x Fc); weight stream: per k, w[k][n0..n0+C) (x Fr)
//     outputs:        per m, out[m][n0..n0+C), written once and read when accumulating
// so the element counts equal tile_traffic's. Convolution padding elements are not read.
//
// Feeder (config/arch_spec.h OperandFeeder): the counts follow core.array.operand_feeder.
//   kDirect: each vector's elements are read where the layout placed them, in one cycle; its
//            accesses are the distinct bank words it touches, its conflicts as above (below:
//            the bank-pattern model).
//   kStaged: staging buffers move whole scratchpad words in address order; a vector of v
//            elements read (padding is generated, not read) costs ceil(v * e / W) word accesses,
//            e = element bytes, W = bank_width_bytes, and no conflicts (packed_vectors_cost).
//
// Cost: a tile's vectors differ by an address shift, and a vector's conflicts depend only on its
// base address modulo the bank period (BankGeometry::period_bytes()) and, for the implicit-im2col
// ifmap, on which kernel rows / columns fall into the padding. Matrix layouts and the conv ofmap
// are arithmetic progressions of bases (VectorBankCounter::progression_cost: at most period /
// gcd(step, period) vectors evaluated, results of whole progressions memoised across tiles); the
// conv ifmap memoises on (layer geometry, input rows held, k-range start within its first channel,
// padding class, base residue), across tiles, so a tile costs one table lookup per streamed
// vector (fewer where a run of output columns repeats residues) plus one evaluation per new key.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "systole/array/array_timing.h"
#include "systole/array/bank_conflicts.h"
#include "systole/isa/isa.h"

namespace systole::hw {

struct TileBankCost {
  AccessCost ifmap_read, weight_read, ofmap_read, ofmap_write;
  // Partial-sum elements added into the accumulator (read, add, write back): WS and IS
  // (Fr - 1 + accumulate) * m * n, OS 0 (its outputs accumulate inside the PEs).
  int64_t accumulator_rmw = 0;
  int64_t conflict_cycles() const {
    return ifmap_read.conflict_cycles + weight_read.conflict_cycles + ofmap_read.conflict_cycles +
           ofmap_write.conflict_cycles;
  }
};

struct TileBankParams {
  ArrayGeometry geometry;
  BankGeometry ifmap, weight, ofmap;
  int64_t input_bytes = 1, weight_bytes = 1, accumulator_bytes = 4;  // element sizes
  OperandFeeder feeder = OperandFeeder::kStaged;
  // The array-side ports in bytes per cycle (VectorBankCounter: a vector's conflicts are the bank
  // cycles beyond its port cycles, which the PE array charges as its port stall); 0: unbounded.
  int64_t ifmap_port_bytes = 0, weight_port_bytes = 0, ofmap_read_port_bytes = 0, ofmap_write_port_bytes = 0;
};

class TileBankModel {
 public:
  explicit TileBankModel(const TileBankParams& p);
  TileBankCost cost(const MatmulOp& op);

  enum class Axis { kAlongCols, kAlongRows };
  // Sum over the operand's vectors along `axis` restricted to [x0, x0 + len) of that axis: along
  // cols, for every row i the elements (i, x0..x0+len); along rows, for every column j the
  // elements (x0..x0+len, j). Exposed for tests.
  struct ConvMemo;  // conv ifmap vectors along k, by family, padding class and residue (.cpp)
  struct Operand {
    VectorBankCounter counter;
    int64_t elem_bytes;
    std::map<std::array<int64_t, 5>, AccessCost> progressions;  // memo of matrix / ofmap progressions
    std::shared_ptr<ConvMemo> conv_memo;                        // made on first use
  };
  static AccessCost vectors_cost(Operand& o, const OperandLayout& layout, int64_t spm_addr, int64_t rows,
                                 int64_t cols, Axis axis, int64_t x0, int64_t len);
  // The same vectors read by a staged feeder: sum over vectors of ceil(v * elem_bytes / width)
  // for the v elements of each that are read (convolution padding is not); no conflicts.
  static AccessCost packed_vectors_cost(const OperandLayout& layout, int64_t rows, int64_t cols, Axis axis,
                                        int64_t x0, int64_t len, int64_t elem_bytes, int64_t width_bytes);

 private:
  TileBankParams m_p;
  Operand m_ifmap, m_weight, m_ofmap;  // m_ofmap: partial-sum writes
  Operand m_ofmap_read;                // partial-sum reads, when the read port differs
};

// References for tests: the same sums by enumerating every element through operand_indices.
AccessCost vectors_cost_reference(VectorBankCounter& counter, int64_t elem_bytes, const OperandLayout& layout,
                                  int64_t spm_addr, int64_t rows, int64_t cols, TileBankModel::Axis axis,
                                  int64_t x0, int64_t len);

AccessCost packed_vectors_cost_reference(int64_t elem_bytes, int64_t width_bytes, const OperandLayout& layout,
                                         int64_t rows, int64_t cols, TileBankModel::Axis axis, int64_t x0,
                                         int64_t len);

}  // namespace systole::hw
