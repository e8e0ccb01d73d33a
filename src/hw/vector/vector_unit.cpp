#include "systole/hw/vector/vector_unit.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/hw/core/process_guard.h"
#include "systole/numeric/gemm_reference.h"
#include "systole/numeric/k_grouped_sum.h"
#include "systole/numeric/quantized.h"
#include "systole/numeric/resample.h"
#include "systole/numeric/tensor.h"
#include "systole/numeric/vector_math.h"
#include "vector_arithmetic.h"

namespace systole::hw {

VectorUnit::VectorUnit(sc_core::sc_module_name name, const VectorUnitParams& params)
    : sc_core::sc_module(name),
      retire_port("retire_port"),
      spm_port("spm_port"),
      ifmap_port("ifmap_port"),
      weight_port("weight_port"),
      m_params(params) {
  if (params.lanes <= 0) throw InternalError(fmt::format("vector unit with {} lanes", params.lanes));
  SC_THREAD(run);
}

void VectorUnit::start(const Instruction& inst) {
  if (m_pending != nullptr) {
    throw InternalError(fmt::format("vector unit: instruction {} issued while busy", inst.id));
  }
  m_pending = &inst;
  m_start_event.notify(sc_core::SC_ZERO_TIME);
}

void VectorUnit::run() {
  run_guarded(m_failure, [this] {
    while (true) {
      while (m_pending == nullptr) wait(m_start_event);
      const Instruction& inst = *m_pending;
      const InstructionRecord record = execute(inst);
      m_pending = nullptr;
      retire_port->retire(inst.id, record);
    }
  });
}

namespace {

// The energy class of a function's lane operations (sim_result.h VectorLaneOps states the rule).
bool priced_as_multiply(VectorFunc f) {
  switch (f) {
    case VectorFunc::kRelu:
    case VectorFunc::kRelu6:
    case VectorFunc::kAdd:
    case VectorFunc::kSub:
    case VectorFunc::kMaxPool:
    case VectorFunc::kAvgPool:
    case VectorFunc::kResizeNearest:  // a move per output element
      return false;
    case VectorFunc::kGelu:
    case VectorFunc::kSigmoid:
    case VectorFunc::kTanh:
    case VectorFunc::kSilu:
    case VectorFunc::kHardSwish:
    case VectorFunc::kMul:
    case VectorFunc::kDiv:  // a reciprocal and a multiply per element
    case VectorFunc::kSoftmax:
    case VectorFunc::kLayerNorm:
    case VectorFunc::kRmsNorm:
    case VectorFunc::kRotary:
    case VectorFunc::kResizeBilinear:  // four weighted taps per output element
    case VectorFunc::kDepthwiseConv:   // its epilogue only; the MACs are their own class
      return true;
  }
  return true;
}

}  // namespace

InstructionRecord VectorUnit::execute(const Instruction& inst) {
  if (inst.op != Opcode::kVector) {
    throw InternalError(fmt::format("vector unit: instruction {} is not a VECTOR", inst.id));
  }
  const VectorOp& op = inst.vector();
  const auto lane_ops = static_cast<int64_t>(op.elements * op.ops_per_element);
  const int64_t cycles = vector_cycles(op, m_params.lanes, ports());
  const Clock& clock = m_params.clock;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const int64_t start_cycle = clock.cycle_of(now);
  wait(clock.time_of(start_cycle + cycles) - now);
  if (m_params.functional) compute(op);

  const auto rd = static_cast<int64_t>(op.spm_read_bytes);
  const auto wr = static_cast<int64_t>(op.spm_write_bytes);
  const bool depthwise = op.func == VectorFunc::kDepthwiseConv;
  InstructionRecord rec;
  // Contiguous runs: ceil(bytes / bank width) word accesses each (ISpmAccounting's rule).
  auto count = [&rec](ISpmAccounting* spm, Buffer role, int64_t read, int64_t write) {
    const int64_t width = spm->banking().width_bytes;
    SpmDirectAccess a;
    a.read_bytes = read;
    a.write_bytes = write;
    a.read_accesses = (read + width - 1) / width;
    a.write_accesses = (write + width - 1) / width;
    spm->count_direct_access(a);
    rec.actions.at(role).read_accesses += a.read_accesses;
    rec.actions.at(role).write_accesses += a.write_accesses;
  };
  const auto wt = static_cast<int64_t>(op.spm_weight_read_bytes);
  if (depthwise) {
    count(ifmap_port[0], Buffer::kIfmap, rd, 0);
    count(weight_port[0], Buffer::kWeight, wt, 0);
    count(spm_port[0], Buffer::kOfmap, 0, wr);
  } else {
    count(spm_port[0], Buffer::kOfmap, rd, wr);
  }

  rec.work_start_cycle = start_cycle;
  rec.work_cycles = cycles;
  rec.busy_cycles = cycles;
  rec.vector_ops = lane_ops;
  rec.sram_read_bytes = rd + (depthwise ? wt : 0);
  rec.sram_write_bytes = wr;
  VectorLaneOps& v = rec.actions.vector;
  if (depthwise) {
    const PoolGeometry& g = op.depthwise.window;
    const auto macs = static_cast<int64_t>(op.elements) * g.kernel_h * g.kernel_w;
    if (macs > lane_ops) {
      throw InternalError(fmt::format("vector unit: depthwise VECTOR {} has {} lane operations for {} MACs",
                                      inst.id, lane_ops, macs));
    }
    v.mac = macs;
    v.add_on_accumulator = lane_ops - macs;  // the fused relu / relu6
  } else {
    const bool mul_class = priced_as_multiply(op.func);
    (op.on_accumulators ? (mul_class ? v.mul_on_accumulator : v.add_on_accumulator)
                        : (mul_class ? v.mul_on_input : v.add_on_input)) = lane_ops;
  }
  m_counters.operations += 1;
  m_counters.lane_ops += lane_ops;
  m_counters.busy_cycles += cycles;
  return rec;
}

namespace {

// `count` elements of `elem` bytes at `addr` inside a scratchpad, checked.
uint8_t* region(ISpmAccounting* spm, uint64_t addr, uint64_t count, int64_t elem, const char* what) {
  const uint64_t bytes = count * static_cast<uint64_t>(elem);
  const auto cap = static_cast<uint64_t>(spm->capacity_bytes());
  if (spm->storage() == nullptr || addr > cap || bytes > cap - addr) {
    throw InternalError(fmt::format("vector unit: {} of {} B at {} lies outside the scratchpad ({} B)", what,
                                    bytes, addr, cap));
  }
  return spm->storage() + addr;
}

float apply_fp(VectorFunc f, float x) {
  switch (f) {
    case VectorFunc::kRelu:
      return relu_fp(x);
    case VectorFunc::kRelu6:
      return relu6_fp(x);
    case VectorFunc::kGelu:
      return gelu_fp(x);
    case VectorFunc::kSigmoid:
      return sigmoid_fp(x);
    case VectorFunc::kTanh:
      return tanh_fp(x);
    case VectorFunc::kSilu:
      return silu_fp(x);
    case VectorFunc::kHardSwish:
      return hardswish_fp(x);
    default:
      throw InternalError(fmt::format("vector unit: {} is not an elementwise activation", to_string(f)));
  }
}

int64_t apply_int(VectorFunc f, int64_t x, int shift) {
  switch (f) {
    case VectorFunc::kRelu:
      return relu_int(x);
    case VectorFunc::kRelu6:
      return relu6_int(x, shift);
    default:
      throw InternalError(fmt::format("vector unit: {} on integers", to_string(f)));
  }
}

// Loads and stores of a float function's operands: floats as they are; integers dequantised with
// the layer's input quantisation (else the wide range) and quantised with its own (else `out`),
// numeric/quantized.h.
class QuantIo {
 public:
  // In with op.quant_in (else the wide range), out with op.quant_out (else `out`).
  QuantIo(DataType t, QuantRange out, const VectorOp& op) : m_t(t), m_int(is_integer(t)) {
    if (m_int)
      m_in = quant_params(t, QuantRange::kWide, op.quant_in), m_out = quant_params(t, out, op.quant_out);
  }
  float load(const uint8_t* p) const {
    return m_int ? dequantize(load_element_int(p, m_t), m_in) : load_element_float(p, m_t);
  }
  void store(uint8_t* p, float y) const {
    if (m_int)
      store_element_int(p, m_t, quantize(y, m_out, m_t));
    else
      store_element_float(p, m_t, y);
  }

 private:
  DataType m_t;
  bool m_int;
  QuantParams m_in, m_out;
};

// The output range of a float activation on integers: probabilities, [-1, 1), or wide.
QuantRange activation_output_range(VectorFunc f) {
  return f == VectorFunc::kSigmoid ? QuantRange::kUnit
         : f == VectorFunc::kTanh  ? QuantRange::kSymmetricUnit
                                   : QuantRange::kWide;
}

bool integer(DataType t) {
  return t == DataType::kInt8 || t == DataType::kInt16 || t == DataType::kInt32;
}

// One pool chunk (PoolGeometry in isa/isa.h), as the reference pool (oracle/reference.h):
// max = the largest non-padding element (NaN wins); avg = div_round_half_even(sum, count) on
// integers, the fp32 sum in window order (row-major) / count in fp32 on floats; count = the
// non-padding elements; a window of padding only gives 0.
void pool(const VectorOp& op, DataType t, const uint8_t* src, uint8_t* dst) {
  const PoolGeometry& g = op.pool;
  const auto ue = static_cast<uint64_t>(bytes_of(t));
  const bool ints = integer(t), is_max = op.func == VectorFunc::kMaxPool;
  for (int64_t p = 0; p < g.planes; ++p) {
    for (int64_t oh = g.out_row0; oh < g.out_row0 + g.out_rows; ++oh) {
      for (int64_t ow = 0; ow < g.wo; ++ow) {
        int64_t count = 0, isum = 0, imax = 0;
        float fsum = 0.0f, fmax = 0.0f;
        for (int64_t r = 0; r < g.kernel_h; ++r) {
          const int64_t ih = oh * g.stride_h - g.pad_top + r;
          if (ih < 0 || ih >= g.h) continue;
          if (ih < g.in_row0 || ih >= g.in_row0 + g.in_rows) {
            throw InternalError(
                fmt::format("vector unit: pool output row {} reads input row {}, but the chunk "
                            "holds rows [{}, {})",
                            oh, ih, g.in_row0, g.in_row0 + g.in_rows));
          }
          for (int64_t s = 0; s < g.kernel_w; ++s) {
            const int64_t iw = ow * g.stride_w - g.pad_left + s;
            if (iw < 0 || iw >= g.w) continue;
            const uint8_t* x = src + static_cast<uint64_t>((p * g.in_rows + ih - g.in_row0) * g.w + iw) * ue;
            if (ints) {
              const int64_t v = load_element_int(x, t);
              imax = count == 0 || v > imax ? v : imax;
              isum += v;
            } else {
              const float v = load_element_float(x, t);
              if (count == 0 || std::isnan(v) || (!std::isnan(fmax) && v > fmax)) fmax = v;
              fsum += v;
            }
            ++count;
          }
        }
        uint8_t* y = dst + static_cast<uint64_t>((p * g.out_rows + oh - g.out_row0) * g.wo + ow) * ue;
        if (ints) {
          store_element_int(y, t, count == 0 ? 0 : is_max ? imax : div_round_half_even(isum, count));
        } else {
          store_element_float(y, t, count == 0 ? 0.0f : is_max ? fmax : fsum / static_cast<float>(count));
        }
      }
    }
  }
}

// One resize chunk (ResizeGeometry in isa/isa.h), as the reference resize (src/ops/resize.cpp):
// every output samples the input at resize_source() of its row and column (numeric/resample.h);
// nearest copies the element there, bilinear weighs its four neighbours in double and rounds once
// (floats to fp32, then to the dtype; integers half to even, then saturated).
void resize(const VectorOp& op, DataType t, const uint8_t* src, uint8_t* dst) {
  const ResizeGeometry& g = op.resize;
  const auto ue = static_cast<uint64_t>(bytes_of(t));
  const bool ints = integer(t), nearest = op.func == VectorFunc::kResizeNearest;
  auto held = [&](int64_t row) {
    if (row < g.in_row0 || row >= g.in_row0 + g.in_rows) {
      throw InternalError(
          fmt::format("vector unit: resize reads input row {}, but the chunk holds rows [{}, {})", row,
                      g.in_row0, g.in_row0 + g.in_rows));
    }
    return row - g.in_row0;
  };
  auto at = [&](int64_t p, int64_t row, int64_t col) -> double {
    const uint8_t* x = src + static_cast<uint64_t>((p * g.in_rows + held(row)) * g.w + col) * ue;
    return ints ? static_cast<double>(load_element_int(x, t)) : static_cast<double>(load_element_float(x, t));
  };
  for (int64_t p = 0; p < g.planes; ++p) {
    for (int64_t oy = g.out_row0; oy < g.out_row0 + g.out_rows; ++oy) {
      const double y = resize_source(oy, g.scale_h);
      for (int64_t ox = 0; ox < g.wo; ++ox) {
        const double x = resize_source(ox, g.scale_w);
        double v = 0.0;
        if (nearest) {
          v = at(p, resize_nearest(y, g.h), resize_nearest(x, g.w));
        } else {
          const LinearTaps ty = resize_linear(y, g.h), tx = resize_linear(x, g.w);
          v = bilinear(at(p, ty.i0, tx.i0), at(p, ty.i0, tx.i1), at(p, ty.i1, tx.i0), at(p, ty.i1, tx.i1),
                       ty.w1, tx.w1);
        }
        uint8_t* out = dst + static_cast<uint64_t>((p * g.out_rows + oy - g.out_row0) * g.wo + ox) * ue;
        if (ints) {
          store_element_int(out, t, static_cast<int64_t>(std::nearbyint(v)));
        } else {
          store_element_float(out, t, static_cast<float>(v));
        }
      }
    }
  }
}

// One depthwise convolution chunk (DepthwiseGeometry in isa/isa.h). `src` holds the chunk's input
// rows per input plane, `wts` its kernels, `dst` receives its output rows per output plane.
void depthwise(const VectorOp& op, const VectorUnitParams& p, const uint8_t* src, const uint8_t* wts,
               uint8_t* dst) {
  const DepthwiseGeometry& dg = op.depthwise;
  const PoolGeometry& g = dg.window;
  const DataType t = p.input_type, wt = p.weight_type;
  const auto ue = static_cast<uint64_t>(bytes_of(t)), uw = static_cast<uint64_t>(bytes_of(wt));
  const bool ints = integer(t);
  KGroupedSum<IntArith> isum(IntArith{&p.accumulator}, p.k_group);
  KGroupedSum<FpArith> fsum(FpArith{}, p.k_group);
  for (int64_t q = 0; q < g.planes; ++q) {
    const int64_t in_plane = q / dg.multiplier;
    const uint8_t* kernel = wts + static_cast<uint64_t>(q * g.kernel_h * g.kernel_w) * uw;
    for (int64_t oh = g.out_row0; oh < g.out_row0 + g.out_rows; ++oh) {
      for (int64_t ow = 0; ow < g.wo; ++ow) {
        isum.reset(0);
        fsum.reset(0.0f);
        for (int64_t r = 0; r < g.kernel_h; ++r) {
          const int64_t ih = oh * g.stride_h - g.pad_top + r * dg.dilation_h;
          const bool row_in = ih >= 0 && ih < g.h;
          if (row_in && (ih < g.in_row0 || ih >= g.in_row0 + g.in_rows)) {
            throw InternalError(
                fmt::format("vector unit: depthwise output row {} reads input row {}, but the chunk "
                            "holds rows [{}, {})",
                            oh, ih, g.in_row0, g.in_row0 + g.in_rows));
          }
          for (int64_t s = 0; s < g.kernel_w; ++s) {
            const int64_t iw = ow * g.stride_w - g.pad_left + s * dg.dilation_w;
            const bool inside = row_in && iw >= 0 && iw < g.w;
            const uint8_t* x =
                inside ? src + static_cast<uint64_t>((in_plane * g.in_rows + ih - g.in_row0) * g.w + iw) * ue
                       : nullptr;
            const uint8_t* w = kernel + static_cast<uint64_t>(r * g.kernel_w + s) * uw;
            // A padding tap is the product 0 * w, as the zero operand the array receives there.
            if (ints) {
              isum.mac(x != nullptr ? static_cast<int32_t>(load_element_int(x, t)) : 0,
                       static_cast<int32_t>(load_element_int(w, wt)));
            } else {
              fsum.mac(x != nullptr ? load_element_float(x, t) : 0.0f, load_element_float(w, wt));
            }
          }
        }
        uint8_t* y = dst + static_cast<uint64_t>((q * g.out_rows + oh - g.out_row0) * g.wo + ow) * ue;
        if (ints) {
          int64_t acc = isum.finish();
          if (dg.has_activation) acc = apply_int(dg.activation, acc, op.requant_shift);
          store_element_int(y, t, requantize(acc, op.requant_shift, t));
        } else {
          float acc = fsum.finish();
          if (dg.has_activation) acc = apply_fp(dg.activation, acc);
          store_element_float(y, t, acc);
        }
      }
    }
  }
}

}  // namespace

VectorPorts VectorUnit::ports() {
  ISpmAccounting* spm[kOperandRoleCount] = {ifmap_port[0], weight_port[0], spm_port[0]};
  VectorPorts p;
  for (int r = 0; r < kOperandRoleCount; ++r) {
    p.spm[r] = r;
    for (int o = 0; o < r; ++o) {
      if (spm[o] == spm[r]) p.spm[r] = p.spm[o];
    }
    p.read_bytes_per_cycle[r] = spm[r]->read_bytes_per_cycle();
    p.write_bytes_per_cycle[r] = spm[r]->write_bytes_per_cycle();
  }
  return p;
}

void VectorUnit::compute(const VectorOp& op) {
  const uint64_t n = op.elements;
  if (op.on_accumulators) {
    const DataType t = m_params.accumulator_type;
    const int64_t e = bytes_of(t);
    uint8_t* p = region(spm_port[0], op.dst_spm_addr, n, e, "accumulators");
    for (uint64_t i = 0; i < n; ++i) {
      uint8_t* x = p + i * static_cast<uint64_t>(e);
      if (integer(t)) {
        store_element_int(x, t, apply_int(op.func, load_element_int(x, t), op.requant_shift));
      } else {
        store_element_float(x, t, apply_fp(op.func, load_element_float(x, t)));
      }
    }
    return;
  }
  const DataType t = m_params.input_type;
  const int64_t e = bytes_of(t);
  const auto ue = static_cast<uint64_t>(e);
  if (is_arithmetic(op.func)) {
    arithmetic(op, t, region(ifmap_port[0], op.src_spm_addr, arithmetic_operand_elements(op), e, "operands"),
               region(spm_port[0], op.dst_spm_addr, n, e, "result"));
    return;
  }
  const bool pooling = op.func == VectorFunc::kMaxPool || op.func == VectorFunc::kAvgPool;
  if (pooling) {
    const PoolGeometry& g = op.pool;
    if (g.planes < 0 || g.in_rows < 0 || g.out_rows < 0 || g.wo < 0 ||
        static_cast<uint64_t>(g.planes * g.out_rows * g.wo) != n) {
      throw InternalError(
          fmt::format("vector unit: pool of {} elements over {} planes x {} rows x {} columns", n, g.planes,
                      g.out_rows, g.wo));
    }
  }
  const bool resizing = op.func == VectorFunc::kResizeNearest || op.func == VectorFunc::kResizeBilinear;
  if (resizing) {
    const ResizeGeometry& g = op.resize;
    if (g.planes < 0 || g.in_rows < 0 || g.out_rows < 0 || g.wo < 0 ||
        static_cast<uint64_t>(g.planes * g.out_rows * g.wo) != n) {
      throw InternalError(
          fmt::format("vector unit: resize of {} elements over {} planes x {} rows x {} columns", n, g.planes,
                      g.out_rows, g.wo));
    }
  }
  if (op.func == VectorFunc::kDepthwiseConv) {
    const DepthwiseGeometry& dg = op.depthwise;
    const PoolGeometry& g = dg.window;
    if (g.planes < 0 || g.in_rows < 0 || g.out_rows < 0 || g.wo < 0 || dg.multiplier < 1 ||
        static_cast<uint64_t>(g.planes * g.out_rows * g.wo) != n) {
      throw InternalError(fmt::format(
          "vector unit: depthwise conv of {} elements over {} planes x {} rows x {} columns (multiplier {})",
          n, g.planes, g.out_rows, g.wo, dg.multiplier));
    }
    const int64_t in_planes = (g.planes + dg.multiplier - 1) / dg.multiplier;
    const uint8_t* src = region(ifmap_port[0], op.src_spm_addr,
                                static_cast<uint64_t>(in_planes * g.in_rows * g.w), e, "input rows");
    const uint8_t* wts =
        region(weight_port[0], op.weight_spm_addr, static_cast<uint64_t>(g.planes * g.kernel_h * g.kernel_w),
               bytes_of(m_params.weight_type), "kernels");
    depthwise(op, m_params, src, wts, region(spm_port[0], op.dst_spm_addr, n, e, "result"));
    return;
  }
  const uint64_t in_elems = pooling ? static_cast<uint64_t>(op.pool.planes * op.pool.in_rows * op.pool.w)
                            : resizing
                                ? static_cast<uint64_t>(op.resize.planes * op.resize.in_rows * op.resize.w)
                                : n * op.operands;
  const uint8_t* src = region(ifmap_port[0], op.src_spm_addr, in_elems, e, "operands");
  uint8_t* dst = region(spm_port[0], op.dst_spm_addr, n, e, "result");
  switch (op.func) {
    case VectorFunc::kRotary: {
      const uint64_t row = op.row_elements;
      if (row == 0 || n % row != 0 || op.rotary.seq == 0 || op.rotary.inner == 0) {
        throw InternalError(
            fmt::format("vector unit: rotary of {} {} elements in rows of {}", n, to_string(t), row));
      }
      std::vector<float> x(row), y(row);
      const QuantIo io(t, QuantRange::kWide, op);
      for (uint64_t r0 = 0; r0 < n; r0 += row) {
        for (uint64_t i = 0; i < row; ++i) x[i] = io.load(src + (r0 + i) * ue);
        const uint64_t r = op.first_row + r0 / row;
        const uint64_t position = op.rotary.offset + (r / op.rotary.inner) % op.rotary.seq;
        rotary_fp(x.data(), y.data(), static_cast<int64_t>(row), static_cast<int64_t>(position),
                  op.rotary.theta, op.rotary.interleaved);
        for (uint64_t i = 0; i < row; ++i) io.store(dst + (r0 + i) * ue, y[i]);
      }
      return;
    }
    case VectorFunc::kSoftmax:
    case VectorFunc::kLayerNorm:
    case VectorFunc::kRmsNorm: {
      const uint64_t row = op.row_elements;
      if (row == 0 || n % row != 0) {
        throw InternalError(fmt::format("vector unit: {} of {} {} elements in rows of {}", to_string(op.func),
                                        n, to_string(t), row));
      }
      std::vector<float> x(row), y(row);
      const QuantIo io(t, op.func == VectorFunc::kSoftmax ? QuantRange::kUnit : QuantRange::kWide, op);
      for (uint64_t r0 = 0; r0 < n; r0 += row) {
        for (uint64_t i = 0; i < row; ++i) x[i] = io.load(src + (r0 + i) * ue);
        const auto len = static_cast<int64_t>(row);
        if (op.func == VectorFunc::kSoftmax && op.causal_queries > 0) {
          const uint64_t query = (op.first_row + r0 / row) % op.causal_queries;
          softmax_causal_fp(x.data(), y.data(), len,
                            static_cast<int64_t>(row - op.causal_queries + query + 1));
        } else {
          (op.func == VectorFunc::kSoftmax   ? softmax_fp
           : op.func == VectorFunc::kRmsNorm ? rmsnorm_fp
                                             : layernorm_fp)(x.data(), y.data(), len);
        }
        for (uint64_t i = 0; i < row; ++i) io.store(dst + (r0 + i) * ue, y[i]);
      }
      return;
    }
    case VectorFunc::kMaxPool:
    case VectorFunc::kAvgPool:
      pool(op, t, src, dst);
      return;
    case VectorFunc::kResizeNearest:
    case VectorFunc::kResizeBilinear:
      resize(op, t, src, dst);
      return;
    default:
      for (uint64_t i = 0; i < n; ++i) {
        if (integer(t) && op.func != VectorFunc::kRelu && op.func != VectorFunc::kRelu6) {
          // The float activations on integers: quantised (numeric/quantized.h).
          const QuantIo io(t, activation_output_range(op.func), op);
          io.store(dst + i * ue, apply_fp(op.func, io.load(src + i * ue)));
        } else if (integer(t)) {
          store_element_int(dst + i * ue, t, apply_int(op.func, load_element_int(src + i * ue, t), 0));
        } else {
          store_element_float(dst + i * ue, t, apply_fp(op.func, load_element_float(src + i * ue, t)));
        }
      }
      return;
  }
}

}  // namespace systole::hw
