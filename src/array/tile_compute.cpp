#include "systole/array/tile_compute.h"

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/numeric/tensor.h"

namespace systole::hw {
namespace {

bool is_int_type(DataType t) {
  return t == DataType::kInt8 || t == DataType::kInt16 || t == DataType::kInt32;
}

// Byte address of element `idx` of a region at `base` with elements of `elem` bytes, checked.
const uint8_t* element(SpmBytes spm, uint64_t base, int64_t idx, int64_t elem, const char* what) {
  const int64_t off = static_cast<int64_t>(base) + idx * elem;
  if (idx < 0 || off + elem > spm.size || spm.data == nullptr) {
    throw InternalError(fmt::format("PE array: {} element {} at byte {} lies outside the scratchpad ({} B)",
                                    what, idx, off, spm.size));
  }
  return spm.data + off;
}

}  // namespace

TileValues gather_tile(const MatmulOp& op, const TileNumerics& nx, SpmBytes ifmap, SpmBytes weight,
                       SpmBytes ofmap) {
  TileValues v;
  v.m = static_cast<int64_t>(op.m);
  v.n = static_cast<int64_t>(op.n);
  v.k = static_cast<int64_t>(op.k);
  v.is_float = !is_int_type(nx.input_type);
  if (is_int_type(nx.weight_type) == v.is_float || (nx.acc.type == DataType::kFp32) != v.is_float) {
    throw InternalError(fmt::format("PE array: operand types {} x {} with a {} accumulator",
                                    to_string(nx.input_type), to_string(nx.weight_type),
                                    to_string(nx.acc.type)));
  }
  const int64_t ie = bytes_of(nx.input_type), we = bytes_of(nx.weight_type), oe = bytes_of(nx.acc.type);
  const std::vector<int64_t> ai = operand_indices(op.ifmap_layout, v.m, v.k);
  const std::vector<int64_t> wi = operand_indices(op.weight_layout, v.k, v.n);
  const std::vector<int64_t> oi = operand_indices(op.ofmap_layout, v.m, v.n);
  const size_t mk = ai.size(), kn = wi.size(), mn = oi.size();
  if (v.is_float) {
    v.a_fp.assign(mk, 0.0f);
    v.w_fp.resize(kn);
    v.out_fp.assign(mn, 0.0f);
    for (size_t e = 0; e < mk; ++e) {
      if (ai[e] >= 0)
        v.a_fp[e] = load_element_float(element(ifmap, op.ifmap_spm_addr, ai[e], ie, "ifmap"), nx.input_type);
    }
    for (size_t e = 0; e < kn; ++e)
      v.w_fp[e] =
          load_element_float(element(weight, op.weight_spm_addr, wi[e], we, "weight"), nx.weight_type);
    if (op.accumulate) {
      for (size_t e = 0; e < mn; ++e)
        v.out_fp[e] = load_element_float(element(ofmap, op.ofmap_spm_addr, oi[e], oe, "ofmap"), nx.acc.type);
    }
  } else {
    v.a_int.assign(mk, 0);
    v.w_int.resize(kn);
    v.out_int.assign(mn, 0);
    for (size_t e = 0; e < mk; ++e) {
      if (ai[e] >= 0) {
        v.a_int[e] = static_cast<int32_t>(
            load_element_int(element(ifmap, op.ifmap_spm_addr, ai[e], ie, "ifmap"), nx.input_type));
      }
    }
    for (size_t e = 0; e < kn; ++e) {
      v.w_int[e] = static_cast<int32_t>(
          load_element_int(element(weight, op.weight_spm_addr, wi[e], we, "weight"), nx.weight_type));
    }
    if (op.accumulate) {
      for (size_t e = 0; e < mn; ++e)
        v.out_int[e] = load_element_int(element(ofmap, op.ofmap_spm_addr, oi[e], oe, "ofmap"), nx.acc.type);
    }
  }
  return v;
}

TileValues zero_tile(const MatmulOp& op, const TileNumerics& nx) {
  TileValues v;
  v.m = static_cast<int64_t>(op.m);
  v.n = static_cast<int64_t>(op.n);
  v.k = static_cast<int64_t>(op.k);
  v.is_float = nx.acc.type == DataType::kFp32;
  const auto mk = static_cast<size_t>(v.m * v.k), kn = static_cast<size_t>(v.k * v.n),
             mn = static_cast<size_t>(v.m * v.n);
  if (v.is_float) {
    v.a_fp.assign(mk, 0.0f), v.w_fp.assign(kn, 0.0f), v.out_fp.assign(mn, 0.0f);
  } else {
    v.a_int.assign(mk, 0), v.w_int.assign(kn, 0), v.out_int.assign(mn, 0);
  }
  return v;
}

void compute_tile(TileValues& v, const AccumulatorSpec& acc, int64_t k_group) {
  const int64_t group = k_group > 0 ? k_group : v.k;
  for (int64_t i = 0; i < v.m; ++i) {
    for (int64_t j = 0; j < v.n; ++j) {
      const size_t o = static_cast<size_t>(i * v.n + j);
      if (v.is_float) {
        float out = v.out_fp[o];
        for (int64_t k0 = 0; k0 < v.k; k0 += group) {
          const int64_t k1 = std::min(v.k, k0 + group);
          float part = k_group > 0 ? 0.0f : out;
          for (int64_t kk = k0; kk < k1; ++kk) {
            part = fp_mac(part, v.a_fp[static_cast<size_t>(i * v.k + kk)],
                          v.w_fp[static_cast<size_t>(kk * v.n + j)]);
          }
          out = k_group > 0 ? out + part : part;
        }
        v.out_fp[o] = out;
      } else {
        int64_t out = v.out_int[o];
        for (int64_t k0 = 0; k0 < v.k; k0 += group) {
          const int64_t k1 = std::min(v.k, k0 + group);
          int64_t part = k_group > 0 ? 0 : out;
          for (int64_t kk = k0; kk < k1; ++kk) {
            part = int_mac(part, v.a_int[static_cast<size_t>(i * v.k + kk)],
                           v.w_int[static_cast<size_t>(kk * v.n + j)], acc);
          }
          out = k_group > 0 ? acc_add(out, part, acc) : part;
        }
        v.out_int[o] = out;
      }
    }
  }
}

void scatter_tile(const MatmulOp& op, const TileNumerics& nx, const TileValues& v, SpmBytes ofmap) {
  const int64_t oe = bytes_of(nx.acc.type);
  const std::vector<int64_t> oi = operand_indices(op.ofmap_layout, v.m, v.n);
  for (size_t e = 0; e < oi.size(); ++e) {
    auto* p = const_cast<uint8_t*>(element(ofmap, op.ofmap_spm_addr, oi[e], oe, "ofmap"));
    if (v.is_float) {
      store_element_float(p, nx.acc.type, v.out_fp[e]);
    } else {
      store_element_int(p, nx.acc.type, v.out_int[e]);
    }
  }
}

}  // namespace systole::hw
