// Reference vector and layout layers. Output dtype = the input's dtype. Integer elements are
// values in units of 1 (no scale or zero point; see numeric/vector_math.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reference_detail.h"
#include "systole/common/error.h"
#include "systole/numeric/vector_math.h"

namespace systole {
namespace reference_detail {
namespace {

void need_float(const Layer& l, DataType t, const char* what) {
  if (!is_float(t)) {
    layer_error(
        l, fmt::format("{} is defined only for float dtypes (fp16, bf16, fp32), not {}", what, to_string(t)));
  }
}

}  // namespace

// Max pool: the largest non-padding element of the window (NaN wins). Average pool: the sum of the
// non-padding elements divided by their count (padding is excluded from the count); integers round
// half to even, floats sum in fp32 in window order (row-major) and divide in fp32. A window that
// holds only padding gives 0.
Tensor pool(const Layer& l, const Tensor& in) {
  PoolAttrs a = l.as<PoolAttrs>();
  if (in.shape.size() != 4) layer_error(l, "input tensor " + shape_str(in.shape) + " is not NCHW");
  const int64_t n = in.shape[0], c = in.shape[1], h = in.shape[2], w = in.shape[3];
  if (a.global) {
    a.kernel_h = h;
    a.kernel_w = w;
    a.stride_h = a.stride_w = 1;
    a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 0;
  }
  if (a.kernel_h < 1 || a.kernel_w < 1 || a.stride_h < 1 || a.stride_w < 1 || a.pad_top < 0 ||
      a.pad_left < 0 || a.pad_bottom < 0 || a.pad_right < 0) {
    layer_error(l, "kernel and stride must be >= 1 and padding >= 0");
  }
  const int64_t ph = h + a.pad_top + a.pad_bottom, pw = w + a.pad_left + a.pad_right;
  if (a.kernel_h > ph || a.kernel_w > pw) layer_error(l, "the kernel is larger than the padded input");
  const int64_t ho = (ph - a.kernel_h) / a.stride_h + 1, wo = (pw - a.kernel_w) / a.stride_w + 1;
  Tensor out(in.dtype, {n, c, ho, wo});
  if (!l.output_shape.empty()) expect_shape(l, "computed output", out, l.output_shape);
  const bool ints = is_integer(in.dtype);
  const bool is_max = a.mode == PoolMode::kMax;
  for (int64_t plane = 0; plane < n * c; ++plane) {
    for (int64_t oh = 0; oh < ho; ++oh) {
      for (int64_t ow = 0; ow < wo; ++ow) {
        int64_t count = 0, isum = 0, imax = 0;
        float fsum = 0.0f, fmax = 0.0f;
        for (int64_t r = 0; r < a.kernel_h; ++r) {
          const int64_t ih = oh * a.stride_h - a.pad_top + r;
          if (ih < 0 || ih >= h) continue;
          for (int64_t s = 0; s < a.kernel_w; ++s) {
            const int64_t iw = ow * a.stride_w - a.pad_left + s;
            if (iw < 0 || iw >= w) continue;
            const int64_t idx = (plane * h + ih) * w + iw;
            if (ints) {
              const int64_t v = in.get_int(idx);
              imax = count == 0 || v > imax ? v : imax;
              isum += v;
            } else {
              const float v = in.get_float(idx);
              if (count == 0 || std::isnan(v) || (!std::isnan(fmax) && v > fmax)) fmax = v;
              fsum += v;
            }
            ++count;
          }
        }
        const int64_t o = (plane * ho + oh) * wo + ow;
        if (count == 0) continue;  // only padding: 0
        if (ints) {
          out.set_int(o, is_max ? imax : div_round_half_even(isum, count));
        } else {
          out.set_float(o, is_max ? fmax : fsum / static_cast<float>(count));
        }
      }
    }
  }
  return out;
}

// Elementwise sum of all inputs (in input order). Integers: exact sum, saturated once to the dtype.
// Floats: fp32 additions left to right (each rounded to nearest even), then rounded to the dtype.
Tensor add(const Layer& l, const std::vector<const Tensor*>& in) {
  if (in.size() < 2) layer_error(l, fmt::format("add needs at least 2 inputs, got {}", in.size()));
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i]->dtype != in[0]->dtype) {
      layer_error(l, fmt::format("inputs have dtypes {} and {}; add needs one dtype", to_string(in[0]->dtype),
                                 to_string(in[i]->dtype)));
    }
    expect_shape(l, "input", *in[i], in[0]->shape);
  }
  Tensor out(in[0]->dtype, in[0]->shape);
  const bool ints = is_integer(out.dtype);
  for (int64_t e = 0; e < out.elements(); ++e) {
    if (ints) {
      int64_t s = 0;
      for (const Tensor* t : in) s += t->get_int(e);  // |s| < 64 * 2^31: exact
      out.set_int(e, s);
    } else {
      float s = in[0]->get_float(e);
      for (size_t i = 1; i < in.size(); ++i) s += in[i]->get_float(e);
      out.set_float(e, s);
    }
  }
  return out;
}

// relu and relu6 on any dtype (integers: relu6 clamps to [0, 6]); gelu, sigmoid, tanh on floats.
Tensor activation(const Layer& l, const Tensor& in) {
  const ActivationFunc f = l.as<ActivationAttrs>().func;
  Tensor out(in.dtype, in.shape);
  if (is_integer(in.dtype)) {
    if (f != ActivationFunc::kRelu && f != ActivationFunc::kRelu6) need_float(l, in.dtype, to_string(f));
    for (int64_t e = 0; e < in.elements(); ++e) {
      const int64_t v = in.get_int(e);
      out.set_int(e, f == ActivationFunc::kRelu ? relu_int(v) : relu6_int(v, 0));
    }
    return out;
  }
  float (*fn)(float) = relu_fp;
  switch (f) {
    case ActivationFunc::kRelu:
      fn = relu_fp;
      break;
    case ActivationFunc::kRelu6:
      fn = relu6_fp;
      break;
    case ActivationFunc::kGelu:
      fn = gelu_fp;
      break;
    case ActivationFunc::kSigmoid:
      fn = sigmoid_fp;
      break;
    case ActivationFunc::kTanh:
      fn = tanh_fp;
      break;
  }
  for (int64_t e = 0; e < in.elements(); ++e) out.set_float(e, fn(in.get_float(e)));
  return out;
}

namespace {

// Applies a row function over the last axis.
Tensor by_rows(const Layer& l, const Tensor& in, const char* what,
               void (*fn)(const float*, float*, int64_t)) {
  need_float(l, in.dtype, what);
  if (in.shape.empty() || in.shape.back() < 1) layer_error(l, "needs a non-empty last axis");
  Tensor out(in.dtype, in.shape);
  const int64_t row = in.shape.back();
  std::vector<float> x(static_cast<size_t>(row)), y(static_cast<size_t>(row));
  for (int64_t base = 0; base < in.elements(); base += row) {
    for (int64_t i = 0; i < row; ++i) x[static_cast<size_t>(i)] = in.get_float(base + i);
    fn(x.data(), y.data(), row);
    for (int64_t i = 0; i < row; ++i) out.set_float(base + i, y[static_cast<size_t>(i)]);
  }
  return out;
}

}  // namespace

Tensor softmax(const Layer& l, const Tensor& in) {
  return by_rows(l, in, "softmax", softmax_fp);
}

Tensor layernorm(const Layer& l, const Tensor& in) {
  return by_rows(l, in, "layernorm", layernorm_fp);
}

// Same bytes, new shape (one -1 is inferred).
Tensor reshape(const Layer& l, const Tensor& in) {
  Shape s = l.as<ReshapeAttrs>().shape;
  int64_t known = 1, wild = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1 && wild < 0) {
      wild = static_cast<int64_t>(i);
    } else if (s[i] < 1) {
      layer_error(l, "reshape " + shape_str(s) + " needs dimensions >= 1 and at most one -1");
    } else {
      known *= s[i];
    }
  }
  if (wild >= 0 && known > 0 && in.elements() % known == 0)
    s[static_cast<size_t>(wild)] = in.elements() / known;
  if (num_elements(s) != in.elements()) {
    layer_error(l, fmt::format("cannot reshape {} to {}", shape_str(in.shape),
                               shape_str(l.as<ReshapeAttrs>().shape)));
  }
  Tensor out = in;
  out.shape = s;
  return out;
}

// out[i_0, ..., i_r] = in[j] with j_{perm[d]} = i_d.
Tensor transpose(const Layer& l, const Tensor& in) {
  const auto& perm = l.as<TransposeAttrs>().perm;
  const size_t r = in.shape.size();
  std::vector<bool> seen(r, false);
  bool ok = perm.size() == r;
  for (int64_t p : perm) {
    ok = ok && p >= 0 && static_cast<size_t>(p) < r && !seen[static_cast<size_t>(p)];
    if (ok) seen[static_cast<size_t>(p)] = true;
  }
  if (!ok) layer_error(l, fmt::format("perm is not a permutation of the axes of {}", shape_str(in.shape)));
  Shape os(r);
  std::vector<int64_t> in_stride(r, 1);
  for (size_t d = r; d-- > 1;) in_stride[d - 1] = in_stride[d] * in.shape[d];
  for (size_t d = 0; d < r; ++d) os[d] = in.shape[static_cast<size_t>(perm[d])];
  Tensor out(in.dtype, os);
  const int64_t e = bytes_of(in.dtype);
  std::vector<int64_t> idx(r, 0);
  for (int64_t o = 0; o < out.elements(); ++o) {
    int64_t src = 0;
    for (size_t d = 0; d < r; ++d) src += idx[d] * in_stride[static_cast<size_t>(perm[d])];
    std::copy_n(in.bytes.begin() + src * e, e, out.bytes.begin() + o * e);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < os[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace reference_detail
}  // namespace systole
