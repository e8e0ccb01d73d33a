// Reference conv2d (direct loop nest over NCHW) and matmul layers.
//
// conv2d k order: within one group, the reduction index of output (n, oc, oh, ow) is
//   k = (c * kh + r) * kw + s    (c: input channel within the group, r: kernel row, s: kernel column)
// i.e. channel-major like the weights [oc][C/groups][kh][kw] and like the compiler's implicit
// im2col (src/compiler/gemm_lowering.cpp). Taps that fall into padding still occupy their k and
// contribute the product 0 * w, as the zero operand the array receives there.
#include <fmt/format.h>

#include "reference_detail.h"
#include "systole/common/error.h"
#include "systole/oracle/reference.h"

namespace systole {

namespace reference_detail {

void layer_error(const Layer& l, const std::string& what) {
  const std::string where = l.source_line > 0 ? fmt::format(", line {}", l.source_line) : std::string();
  throw UserError(fmt::format("layer '{}' ({}{}): {}", l.name, to_string(l.kind), where, what));
}

void expect_shape(const Layer& l, const char* operand, const Tensor& t, const Shape& want) {
  if (t.shape != want) {
    layer_error(
        l, fmt::format("{} tensor has shape {}, expected {}", operand, shape_str(t.shape), shape_str(want)));
  }
}

namespace {

// True for the integer path. Both operands must be integer (then the accumulator must be int32)
// or both float (then fp32).
bool integer_path(const Layer& l, DataType act, DataType weight, const ReferenceOptions& opt) {
  if (is_integer(act) != is_integer(weight)) {
    layer_error(
        l, fmt::format("operand dtypes {} and {} mix integer and float", to_string(act), to_string(weight)));
  }
  const bool ints = is_integer(act);
  const DataType need = ints ? DataType::kInt32 : DataType::kFp32;
  if (opt.acc.type != need) {
    layer_error(l, fmt::format("{} operands need a {} accumulator, not {}", to_string(act), to_string(need),
                               to_string(opt.acc.type)));
  }
  if (ints && (opt.acc.width_bits < 8 || opt.acc.width_bits > 64)) {
    throw InternalError(fmt::format("accumulator width {} not in 8..64", opt.acc.width_bits));
  }
  return ints;
}

std::vector<int32_t> ints_of(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.elements()));
  for (int64_t i = 0; i < t.elements(); ++i) v[static_cast<size_t>(i)] = static_cast<int32_t>(t.get_int(i));
  return v;
}

std::vector<float> floats_of(const Tensor& t) {
  std::vector<float> v(static_cast<size_t>(t.elements()));
  for (int64_t i = 0; i < t.elements(); ++i) v[static_cast<size_t>(i)] = t.get_float(i);
  return v;
}

void store(Tensor* out, int64_t i, int64_t acc, int shift) {
  out->set_int(i, requantize(acc, shift, out->dtype));
}
void store(Tensor* out, int64_t i, float acc, int /*shift*/) {
  out->set_float(i, acc);
}

struct ConvDims {
  int64_t n, c, h, w, oc, ho, wo, kh, kw, cpg, ocpg;
};

template <typename Arith>
void conv_loops(const Conv2dAttrs& a, const ConvDims& d, const std::vector<typename Arith::Operand>& x,
                const std::vector<typename Arith::Operand>& wt, Arith arith, const ReferenceOptions& opt,
                Tensor* out) {
  using Operand = typename Arith::Operand;
  KGroupedSum<Arith> sum(arith, opt.k_group);
  for (int64_t n = 0; n < d.n; ++n) {
    for (int64_t g = 0; g < a.groups; ++g) {
      for (int64_t j = 0; j < d.ocpg; ++j) {
        const int64_t oc = g * d.ocpg + j;
        for (int64_t oh = 0; oh < d.ho; ++oh) {
          for (int64_t ow = 0; ow < d.wo; ++ow) {
            sum.reset(arith.zero());
            for (int64_t c = 0; c < d.cpg; ++c) {
              const int64_t ci = g * d.cpg + c;
              for (int64_t r = 0; r < d.kh; ++r) {
                const int64_t ih = oh * a.stride_h - a.pad_top + r * a.dilation_h;
                for (int64_t s = 0; s < d.kw; ++s) {
                  const int64_t iw = ow * a.stride_w - a.pad_left + s * a.dilation_w;
                  const bool inside = ih >= 0 && ih < d.h && iw >= 0 && iw < d.w;
                  const Operand xv =
                      inside ? x[static_cast<size_t>(((n * d.c + ci) * d.h + ih) * d.w + iw)] : Operand{0};
                  sum.mac(xv, wt[static_cast<size_t>(((oc * d.cpg + c) * d.kh + r) * d.kw + s)]);
                }
              }
            }
            store(out, ((n * d.oc + oc) * d.ho + oh) * d.wo + ow, sum.finish(), opt.requant_shift);
          }
        }
      }
    }
  }
}

// Output extent of a window along one axis, or -1 when the kernel does not fit.
int64_t window_out(int64_t in, int64_t kernel, int64_t dilation, int64_t stride, int64_t before,
                   int64_t after) {
  const int64_t effective = dilation * (kernel - 1) + 1;
  const int64_t padded = in + before + after;
  return effective > padded ? -1 : (padded - effective) / stride + 1;
}

}  // namespace

Tensor conv2d(const Layer& l, const Tensor& in, const Tensor& w, const ReferenceOptions& opt) {
  const auto& a = l.as<Conv2dAttrs>();
  if (in.shape.size() != 4) layer_error(l, "input tensor " + shape_str(in.shape) + " is not NCHW");
  if (a.groups < 1 || a.stride_h < 1 || a.stride_w < 1 || a.dilation_h < 1 || a.dilation_w < 1 ||
      a.kernel_h < 1 || a.kernel_w < 1 || a.pad_top < 0 || a.pad_bottom < 0 || a.pad_left < 0 ||
      a.pad_right < 0) {
    layer_error(l, "kernel, stride, dilation and groups must be >= 1 and padding >= 0");
  }
  ConvDims d{};
  d.n = in.shape[0];
  d.c = in.shape[1];
  d.h = in.shape[2];
  d.w = in.shape[3];
  d.oc = a.out_channels;
  d.kh = a.kernel_h;
  d.kw = a.kernel_w;
  if (d.c % a.groups != 0 || d.oc % a.groups != 0) {
    layer_error(l, fmt::format("channels {} -> {} are not divisible by groups {}", d.c, d.oc, a.groups));
  }
  d.cpg = d.c / a.groups;
  d.ocpg = d.oc / a.groups;
  d.ho = window_out(d.h, d.kh, a.dilation_h, a.stride_h, a.pad_top, a.pad_bottom);
  d.wo = window_out(d.w, d.kw, a.dilation_w, a.stride_w, a.pad_left, a.pad_right);
  if (d.ho < 0 || d.wo < 0) layer_error(l, "the dilated kernel is larger than the padded input");
  expect_shape(l, "weight", w, {d.oc, d.cpg, d.kh, d.kw});
  Tensor out(in.dtype, {d.n, d.oc, d.ho, d.wo});
  if (!l.output_shape.empty()) expect_shape(l, "computed output", out, l.output_shape);
  if (integer_path(l, in.dtype, w.dtype, opt)) {
    conv_loops(a, d, ints_of(in), ints_of(w), IntArith{&opt.acc}, opt, &out);
  } else {
    conv_loops(a, d, floats_of(in), floats_of(w), FpArith{}, opt, &out);
  }
  return out;
}

namespace {

// Offset (in elements) of batch index `bi` of the output's batch dims `ob` within an operand with
// shape `s` (its own batch dims aligned from the right; size-1 and missing dims broadcast).
int64_t batch_offset(const Shape& ob, int64_t bi, const Shape& s) {
  const size_t rank = s.size();
  const size_t sb = rank - 2;  // operand batch dims
  int64_t off = 0, stride = s[rank - 2] * s[rank - 1];
  for (size_t i = 0; i < sb; ++i) {
    const size_t d = sb - 1 - i;          // operand dim, innermost batch dim first
    const size_t od = ob.size() - 1 - i;  // matching output batch dim
    int64_t rem = bi;
    for (size_t e = ob.size() - 1; e > od; --e) rem /= ob[e];
    const int64_t idx = rem % ob[od];
    if (s[d] != 1) off += idx * stride;
    stride *= s[d];
  }
  return off;
}

template <typename Arith>
void matmul_loops(const Shape& ob, int64_t m, int64_t n, int64_t k, bool transpose_b, const Shape& as,
                  const Shape& bs, const std::vector<typename Arith::Operand>& av,
                  const std::vector<typename Arith::Operand>& bv, Arith arith, const ReferenceOptions& opt,
                  Tensor* out) {
  KGroupedSum<Arith> sum(arith, opt.k_group);
  const int64_t batches = num_elements(ob);
  for (int64_t bi = 0; bi < batches; ++bi) {
    const int64_t ao = batch_offset(ob, bi, as), bo = batch_offset(ob, bi, bs);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        sum.reset(arith.zero());
        for (int64_t kk = 0; kk < k; ++kk) {
          const int64_t b_idx = bo + (transpose_b ? j * k + kk : kk * n + j);
          sum.mac(av[static_cast<size_t>(ao + i * k + kk)], bv[static_cast<size_t>(b_idx)]);
        }
        store(out, (bi * m + i) * n + j, sum.finish(), opt.requant_shift);
      }
    }
  }
}

}  // namespace

Tensor matmul(const Layer& l, const Tensor& a, const Tensor& b, bool b_is_weight,
              const ReferenceOptions& opt) {
  const auto& attrs = l.as<MatmulAttrs>();
  if (a.shape.size() < 2) layer_error(l, "input tensor " + shape_str(a.shape) + " needs rank >= 2");
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back();
  const bool tb = !b_is_weight && attrs.transpose_b;
  if (b_is_weight) {
    if (b.shape.size() != 2 || b.shape[0] != k) {
      layer_error(l, fmt::format("weight tensor has shape {}, expected [{}, N]", shape_str(b.shape), k));
    }
    if (attrs.out_features > 0 && b.shape[1] != attrs.out_features) {
      layer_error(l, fmt::format("weight tensor has shape {}, expected [{}, {}]", shape_str(b.shape), k,
                                 attrs.out_features));
    }
  } else if (b.shape.size() < 2 || b.shape[b.shape.size() - (tb ? 1 : 2)] != k) {
    layer_error(l, fmt::format("second operand {} does not have K = {} (transpose_b: {})", shape_str(b.shape),
                               k, tb));
  }
  const int64_t n = tb ? b.shape[b.shape.size() - 2] : b.shape.back();
  // Broadcast batch dims (NumPy rules, aligned from the right).
  const size_t ra = a.shape.size() - 2, rb = b.shape.size() - 2, r = std::max(ra, rb);
  Shape ob(r, 1);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - ra ? 1 : a.shape[i - (r - ra)];
    const int64_t db = i < r - rb ? 1 : b.shape[i - (r - rb)];
    if (da != db && da != 1 && db != 1) {
      layer_error(
          l, fmt::format("batch dims of {} and {} do not broadcast", shape_str(a.shape), shape_str(b.shape)));
    }
    ob[i] = std::max(da, db);
  }
  Shape os = ob;
  os.push_back(m);
  os.push_back(n);
  Tensor out(a.dtype, os);
  if (!l.output_shape.empty()) expect_shape(l, "computed output", out, l.output_shape);
  if (integer_path(l, a.dtype, b.dtype, opt)) {
    matmul_loops(ob, m, n, k, tb, a.shape, b.shape, ints_of(a), ints_of(b), IntArith{&opt.acc}, opt, &out);
  } else {
    matmul_loops(ob, m, n, k, tb, a.shape, b.shape, floats_of(a), floats_of(b), FpArith{}, opt, &out);
  }
  return out;
}

}  // namespace reference_detail
}  // namespace systole
