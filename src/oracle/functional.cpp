#include "systole/oracle/functional.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <string>

#include <fmt/format.h>

#include "systole/array/array_timing.h"
#include "systole/common/error.h"
#include "systole/compiler/compiler.h"
#include "systole/numeric/npy.h"
#include "systole/numeric/random.h"
#include "systole/oracle/operator_reference.h"
#include "systole/oracle/reference.h"
#include "systole/workload/layout.h"
#include "systole/workload/operator.h"

namespace systole::oracle {
namespace {

bool small_int(DataType t) {
  return t == DataType::kInt8 || t == DataType::kInt16;
}

std::string index_str(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] > 0 ? flat % shape[d] : 0;
    flat = shape[d] > 0 ? flat / shape[d] : 0;
  }
  return fmt::format("[{}]", fmt::join(idx, ","));
}

// An index tensor read from a .npy file: every index must lie in [0, limit).
Tensor checked_indices(Tensor t, int64_t limit, const std::string& path) {
  for (int64_t e = 0; e < t.elements(); ++e) {
    const int64_t v = t.get_int(e);
    if (v < 0 || v >= limit) {
      throw UserError(fmt::format("{}: index {} at {} is outside [0, {}), the rows of the tables it indexes",
                                  path, v, index_str(t.shape, e), limit));
    }
  }
  return t;
}

std::map<std::string, TensorPlacement> placements(const Program& program) {
  std::map<std::string, TensorPlacement> out;
  for (const TensorPlacement& t : program.tensors) out[t.name] = t;
  return out;
}

const TensorPlacement& placement(const std::map<std::string, TensorPlacement>& all, const std::string& name) {
  auto it = all.find(name);
  if (it == all.end()) throw InternalError("functional: tensor '" + name + "' has no DRAM placement");
  return it->second;
}

Tensor read_tensor(const std::vector<uint8_t>& dram, const TensorPlacement& p, DataType t,
                   const Shape& shape) {
  Tensor out(t, shape);
  if (out.bytes.size() > p.bytes || p.dram_addr + out.bytes.size() > dram.size()) {
    throw InternalError(fmt::format("functional: tensor '{}' {} {} ({} B) does not fit its placement of {} B",
                                    p.name, to_string(t), shape_str(shape), out.bytes.size(), p.bytes));
  }
  if (!out.bytes.empty()) std::memcpy(out.bytes.data(), dram.data() + p.dram_addr, out.bytes.size());
  return out;
}

void write_tensor(std::vector<uint8_t>& dram, const TensorPlacement& p, const Tensor& t) {
  if (t.bytes.size() != p.bytes || p.dram_addr + p.bytes > dram.size()) {
    throw InternalError(fmt::format("functional: tensor '{}' of {} B for a placement of {} B", p.name,
                                    t.bytes.size(), p.bytes));
  }
  if (!t.bytes.empty()) std::memcpy(dram.data() + p.dram_addr, t.bytes.data(), t.bytes.size());
}

// A conv layer's weights [oc][C/groups][kh][kw] (per group [n][k]) in the order its lowering put
// them in DRAM (MappingRecord::weights_kn: per group [k][n], k = (kernel row, kernel column,
// channel) in blocks of conv_k_block channels; compiler/lowering.h ConvLayouts); to_dram false is
// the inverse.
// Other layers' weights are returned as they are.
Tensor arrange_weights(const Layer& l, const MappingRecord& rec, const Tensor& t, bool to_dram) {
  if (!rec.weights_kn) return t;
  if (l.kind != LayerKind::kConv2d || t.shape.size() != 4) {
    throw InternalError("functional: layer '" + l.name + "' has [k][n] weights but is no 4-d convolution");
  }
  const int64_t groups = l.as<Conv2dAttrs>().groups;
  const int64_t ocpg = t.shape[0] / groups, cpg = t.shape[1], window = t.shape[2] * t.shape[3];
  const int64_t k = cpg * window;
  const auto e = static_cast<size_t>(bytes_of(t.dtype));
  Tensor out = t;
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t n = 0; n < ocpg; ++n) {
      for (int64_t kk = 0; kk < k; ++kk) {  // kk = (channel, kernel tap) as given
        const int64_t b = rec.conv_k_block, c = kk / window, tap = kk % window;
        const int64_t placed = b > 0 ? (c / b * window + tap) * b + c % b : kk;
        const auto given = static_cast<size_t>((g * ocpg + n) * k + kk);
        const auto kn = static_cast<size_t>((g * k + placed) * ocpg + n);
        const size_t from = to_dram ? given : kn, to = to_dram ? kn : given;
        std::memcpy(out.bytes.data() + to * e, t.bytes.data() + from * e, e);
      }
    }
  }
  return out;
}

double float_eps(DataType t) {
  switch (t) {
    case DataType::kFp16:
      return std::ldexp(1.0, -10);
    case DataType::kBf16:
      return std::ldexp(1.0, -7);
    default:
      return std::ldexp(1.0, -23);
  }
}

// Fills the verdict of `stats` from comparing `got` with `expected`.
void compare(const std::string& name, const Tensor& got, const Tensor& expected, int64_t k,
             LayerStats* stats) {
  if (got.shape != expected.shape) {
    throw InternalError(fmt::format("functional: '{}' is {} in DRAM but the reference gives {}", name,
                                    shape_str(got.shape), shape_str(expected.shape)));
  }
  const bool ints = is_integer(got.dtype);
  const double rel = 1e-5 * static_cast<double>(k) + float_eps(got.dtype);
  double max_err = 0.0;
  std::string first;
  for (int64_t e = 0; e < got.elements(); ++e) {
    bool bad = false;
    double err = 0.0;
    std::string g, x;
    if (ints) {
      const int64_t a = got.get_int(e), b = expected.get_int(e);
      err = std::fabs(static_cast<double>(a) - static_cast<double>(b));
      bad = a != b;
      g = std::to_string(a), x = std::to_string(b);
    } else {
      const float a = got.get_float(e), b = expected.get_float(e);
      if (std::isnan(a) || std::isnan(b)) {
        bad = std::isnan(a) != std::isnan(b);
        err = bad ? INFINITY : 0.0;
      } else {
        err = std::fabs(static_cast<double>(a) - static_cast<double>(b));
        bad = err > rel * std::max(1.0, std::fabs(static_cast<double>(b)));
      }
      g = fmt::format("{}", a), x = fmt::format("{}", b);
    }
    max_err = std::max(max_err, err);
    if (bad && first.empty())
      first = fmt::format("{}{}: got {}, expected {}", name, index_str(got.shape, e), g, x);
  }
  stats->verified = first.empty() ? "true" : "false";
  stats->max_abs_error = max_err;
  stats->first_mismatch = first;
}

}  // namespace

// 512 MiB: tpu_v1 (24 MiB unified buffer + 4 MiB accumulators) fits 18 times over.
constexpr int64_t kMaxFunctionalScratchpadBytes = 512ll << 20;

void check_functional_support(const ArchSpec& arch, const Network& net) {
  const auto& a = arch.core.array;
  const bool int_ok = small_int(a.input_type) && small_int(a.weight_type) &&
                      a.accumulator_type == DataType::kInt32 && a.accumulator_width_bits <= 32;
  const bool fp_ok =
      is_float(a.input_type) && is_float(a.weight_type) && a.accumulator_type == DataType::kFp32;
  if (!int_ok && !fp_ok) {
    const KeyOrigin where = arch.origin_of("core.array.input_type");
    throw ConfigError(Diagnostic{
        where.file, where.line, "core.array.input_type", to_string(a.input_type),
        fmt::format(
            "functional simulation needs int8/int16 inputs and weights with an int32 accumulator of at "
            "most 32 bits, or fp16/bf16/fp32 inputs and weights with an fp32 accumulator; this array "
            "has input_type {}, weight_type {}, accumulator_type {} ({} bits)",
            to_string(a.input_type), to_string(a.weight_type), to_string(a.accumulator_type),
            a.accumulator_width_bits)});
  }
  // Functional scratchpads hold their whole capacity in memory (as does the DRAM image its
  // tensors): keep a functional run's memory bounded whatever the capacities say.
  int64_t spm_bytes = 0;
  std::string largest;  // the key of the largest scratchpad, where the error points
  int64_t largest_bytes = -1;
  // Every core's: a multi-core NPU keeps one set per core (a heterogeneous one, each core its own).
  for (int64_t c = 0; c < arch.cores.count; ++c) {
    for (const ScratchpadsParams::Named& s : arch.core_of(c).scratchpads.named()) {
      spm_bytes += s.params->capacity_bytes();
      if (s.params->capacity_bytes() > largest_bytes) {
        largest_bytes = s.params->capacity_bytes();
        largest = "core.scratchpads." + s.name + ".capacity_kib";
      }
    }
  }
  if (spm_bytes > kMaxFunctionalScratchpadBytes) {
    const KeyOrigin where = arch.origin_of(largest);
    throw ConfigError(Diagnostic{
        where.file, where.line, "core.scratchpads.*.capacity_kib", std::to_string(spm_bytes / 1024),
        fmt::format(
            "functional simulation keeps every scratchpad in memory: at most {} KiB in all (timing-only "
            "runs have no such limit)",
            kMaxFunctionalScratchpadBytes / 1024)});
  }
  DiagnosticList errs;
  auto refuse = [&](const Layer& l, const std::string& why) {
    errs.add({net.source_path, l.source_line, l.name, to_string(l.kind),
              "functional simulation does not support this layer: " + why});
  };
  for (const Layer& l : net.layers) {
    const IOperatorReference& ref = reference_of(l.kind);
    const std::string why = ref.functional_support(arch, net, l);
    if (!why.empty()) refuse(l, why);
  }
  if (!errs.empty()) throw WorkloadError(errs.take());
}

std::vector<uint8_t> initial_dram(const ArchSpec& arch, const Network& net, const Program& program,
                                  uint64_t seed, const std::map<std::string, std::string>& npy_inputs) {
  const auto& a = arch.core.array;
  uint64_t size = 1;
  for (const TensorPlacement& t : program.tensors) size = std::max(size, t.dram_addr + t.bytes);
  std::vector<uint8_t> dram(size, 0);
  const auto all = placements(program);
  for (const auto& [name, path] : npy_inputs) {
    if (net.find_input(name) == nullptr) {
      throw UserError(fmt::format("{}: names input tensor '{}', but network '{}' has no such input", path,
                                  name, net.name));
    }
  }
  // A .npy file's tensor, checked against the expected dtype and shape.
  auto from_npy = [](const std::string& path, DataType t, const Shape& shape, const std::string& what) {
    Tensor x = read_npy(path, &t);
    if (x.shape != shape) {
      throw UserError(
          fmt::format("{}: shape {} but {} is {}", path, shape_str(x.shape), what, shape_str(shape)));
    }
    return x;
  };
  const std::map<std::string, int64_t> index_tensors = index_inputs(net);
  for (const TensorInput& in : net.inputs) {
    auto it = npy_inputs.find(in.name);
    const std::string path = it != npy_inputs.end() ? it->second : in.npy_path;
    const auto index = index_tensors.find(in.name);
    if (index != index_tensors.end()) {
      // Indices: int32, each in [0, limit) (the smallest table that reads them).
      const Tensor t =
          path.empty()
              ? random_indices(in.shape, index->second, seed, in.name)
              : checked_indices(from_npy(path, DataType::kInt32, in.shape, "index input '" + in.name + "'"),
                                index->second, path);
      write_tensor(dram, placement(all, in.name), t);
      continue;
    }
    const Tensor t = path.empty() ? random_tensor(a.input_type, in.shape, seed, in.name)
                                  : from_npy(path, a.input_type, in.shape, "input '" + in.name + "'");
    write_tensor(dram, placement(all, in.name), t);
  }
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (l.weight_elements <= 0) continue;
    const std::string name = l.name + ".weight";
    const Shape shape = reference_of(l.kind).weight_shape(l);
    if (l.weights_data && (l.weights_data->dtype != a.weight_type || l.weights_data->shape != shape)) {
      throw InternalError(fmt::format("functional: the weights given for '{}' are {} {}, not {} {}", l.name,
                                      to_string(l.weights_data->dtype), shape_str(l.weights_data->shape),
                                      to_string(a.weight_type), shape_str(shape)));
    }
    const Tensor t = l.weights_data               ? *l.weights_data
                     : l.weights_npy_path.empty() ? random_tensor(a.weight_type, shape, seed, name)
                                                  : from_npy(l.weights_npy_path, a.weight_type, shape,
                                                             "the weights of '" + l.name + "'");
    write_tensor(dram, placement(all, name), arrange_weights(l, program.mappings.at(i), t, true));
  }
  return dram;
}

void verify_layers(const ArchSpec& arch, const Network& net, const Program& program,
                   const std::vector<uint8_t>& dram, bool keep_tensors, SimResult* result) {
  const auto& a = arch.core.array;
  const auto all = placements(program);
  if (result->layers.size() != net.layers.size() || program.mappings.size() != net.layers.size()) {
    throw InternalError("functional: the program's layers are not the network's");
  }
  std::map<std::string, size_t> fused_by;  // producer name -> index of its fused activation
  for (size_t i = 0; i < program.mappings.size(); ++i) {
    if (!program.mappings[i].fused_into.empty()) fused_by[program.mappings[i].fused_into] = i;
  }
  ReferenceOptions opt;
  opt.acc = a.accumulator();
  opt.k_group = k_group(ArrayGeometry{a.rows, a.cols, a.microarch}, a.dataflow);

  const std::map<std::string, int64_t> index_tensors = index_inputs(net);
  // A layer's input as its consumer sees it: a strided view (transpose) is materialised from its
  // source; index inputs are int32.
  std::function<Tensor(const std::string&)> input = [&](const std::string& name) -> Tensor {
    if (const TensorInput* in = net.find_input(name)) {
      const DataType t = index_tensors.count(name) ? DataType::kInt32 : a.input_type;
      return read_tensor(dram, placement(all, name), t, in->shape);
    }
    const Layer* l = net.find_layer(name);
    if (l == nullptr) throw InternalError("functional: unknown tensor '" + name + "'");
    if (layout_of(net, *l) == LayoutView::kStrided) {
      const Tensor src = input(l->inputs.at(0));
      return reference_layer(*l, {&src}, nullptr, opt);
    }
    return read_tensor(dram, placement(all, name), a.input_type, l->output_shape);
  };

  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (!program.mappings[i].fused_into.empty() || layout_of(net, l) != LayoutView::kNone) {
      continue;  // checked with its producer / layout only
    }
    const IOperatorReference& ref = reference_of(l.kind);
    std::vector<Tensor> ins;
    for (const std::string& name : l.inputs) ins.push_back(input(name));
    std::vector<const Tensor*> in_ptrs;
    for (const Tensor& t : ins) in_ptrs.push_back(&t);
    Tensor weights;
    const bool has_weights = ref.takes_weights(l);
    if (has_weights) {
      weights = arrange_weights(
          l, program.mappings[i],
          read_tensor(dram, placement(all, l.name + ".weight"), a.weight_type, ref.weight_shape(l)), false);
    }
    const int64_t k = ref.reduction_length(l);
    opt.requant_shift = ref.requantises() ? requant_shift(arch, k) : 0;
    opt.conv_k_block = program.mappings[i].conv_k_block;
    Tensor expected = reference_layer(l, in_ptrs, has_weights ? &weights : nullptr, opt);
    auto fused = fused_by.find(l.name);
    if (fused != fused_by.end()) {
      const Tensor pre = std::move(expected);
      expected = reference_layer(net.layers[fused->second], {&pre}, nullptr, opt);
    }
    Tensor got = read_tensor(dram, placement(all, l.name), a.input_type, l.output_shape);
    compare(l.name, got, expected, k, &result->layers[i]);
    if (fused != fused_by.end()) {
      LayerStats& f = result->layers[fused->second];
      f.verified = result->layers[i].verified;
      f.max_abs_error = result->layers[i].max_abs_error;
      f.first_mismatch = result->layers[i].first_mismatch;
      if (keep_tensors) result->tensors[net.layers[fused->second].name] = got;
    }
    if (keep_tensors) result->tensors[l.name] = std::move(got);
  }
}

}  // namespace systole::oracle
