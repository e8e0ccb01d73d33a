// Handlers of the layout and data-movement operators (translator.h): Identity, Dropout, Cast,
// Reshape / Flatten / Squeeze / Unsqueeze (a reshape to the inferred shape), Transpose, Concat,
// Split, Slice and Gather with constant indices (split parts), Gather of a table (an embedding
// lookup), Resize / Upsample.
#include <fmt/format.h>

#include <climits>
#include <numeric>

#include "translator.h"

namespace systole::onnx_import {
namespace {

int64_t norm_axis(int64_t axis, size_t rank) {
  return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
}

void identity(Translator& t) {
  t.alias(t.out(), t.ref(t.in(0)), t.shape_of(t.out()));
  t.count_folded();
}

// Any op whose output is its input's elements in a new shape.
void reshape(Translator& t) {
  const Shape& x = t.shape_of(t.in(0));
  const Shape& y = t.shape_of(t.out());
  if (x == y) {
    identity(t);
    return;
  }
  t.emit(t.out(), "reshape", {t.ref(t.in(0))}, {{"shape", int_list(y)}});
}

void transpose(Translator& t) {
  const Shape& x = t.shape_of(t.in(0));
  std::vector<int64_t> perm = attr_ints(t.node(), "perm");
  if (perm.empty()) {
    perm.resize(x.size());
    std::iota(perm.rbegin(), perm.rend(), 0);  // ONNX default: reverse the axes
  }
  bool identity_perm = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity_perm = identity_perm && perm[i] == static_cast<int64_t>(i);
  if (identity_perm) {
    identity(t);
    return;
  }
  t.emit(t.out(), "transpose", {t.ref(t.in(0))}, {{"perm", int_list(perm)}});
}

void concat(Translator& t) {
  std::vector<std::string> ins;
  for (const std::string& i : t.node().input()) {
    if (i.empty()) continue;
    if (t.is_constant(i)) {
      t.unsupported("Concat of a constant (only computed tensors are joined)");
      return;
    }
    ins.push_back(t.ref(i));
  }
  if (ins.size() == 1) {
    identity(t);
    return;
  }
  const int64_t axis = norm_axis(attr_int(t.node(), "axis", 0), t.shape_of(t.out()).size());
  t.emit(t.out(), "concat", ins, {{"axis", std::to_string(axis)}});
}

// One split layer cutting `x` along `axis` into `sizes` (zero sizes dropped); returns the
// reference of each part, "" for a dropped one.
std::vector<std::string> split_parts(Translator& t, const std::string& x, int64_t axis,
                                     const std::vector<int64_t>& sizes, const std::string& part,
                                     const Shape& shape) {
  std::vector<int64_t> kept;
  for (int64_t s : sizes) {
    if (s > 0) kept.push_back(s);
  }
  std::vector<std::string> refs(sizes.size());
  if (kept.size() == 1) {
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] > 0) refs[i] = x;
    }
    return refs;
  }
  const std::string name =
      t.emit_part("split", {x}, {{"axis", std::to_string(axis)}, {"sizes", int_list(kept)}}, part, shape);
  int k = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] > 0) refs[i] = fmt::format("{}:{}", name, k++);
  }
  return refs;
}

void split(Translator& t) {
  const Shape& x = t.shape_of(t.in(0));
  const int64_t axis = norm_axis(attr_int(t.node(), "axis", 0), x.size());
  if (axis < 0 || axis >= static_cast<int64_t>(x.size())) t.fail(std::to_string(axis), "axis out of range");
  std::vector<int64_t> sizes;
  for (const std::string& o : t.node().output()) {
    if (o.empty()) t.fail(o, "every output of a Split must be named");
    sizes.push_back(t.shape_of_rank(o, x.size())[static_cast<size_t>(axis)]);
  }
  const auto refs = split_parts(t, t.ref(t.in(0)), axis, sizes, "", x);
  for (int o = 0; o < t.node().output_size(); ++o) {
    if (refs[static_cast<size_t>(o)].empty()) {
      t.unsupported("a Split with an empty part");
      return;
    }
    t.alias(t.node().output(o), refs[static_cast<size_t>(o)], t.shape_of(t.node().output(o)));
  }
}

// Slice with steps of 1: each sliced axis is a split into [before, kept, after], keeping the middle.
void slice(Translator& t) {
  const Shape& x = t.shape_of(t.in(0));
  std::vector<int64_t> starts, ends, axes, steps;
  if (t.graph().opset() < 10) {
    starts = attr_ints(t.node(), "starts");
    ends = attr_ints(t.node(), "ends");
    axes = attr_ints(t.node(), "axes");
  } else {
    starts = t.const_ints(t.in(1), "Slice's starts");
    ends = t.const_ints(t.in(2), "Slice's ends");
    if (t.has_in(3)) axes = t.const_ints(t.in(3), "Slice's axes");
    if (t.has_in(4)) steps = t.const_ints(t.in(4), "Slice's steps");
  }
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      (!steps.empty() && steps.size() != starts.size()))
    t.fail(int_list(starts), "starts, ends, axes and steps must have one value per sliced axis");
  for (int64_t s : steps) {
    if (s != 1) {
      t.unsupported(
          fmt::format("Slice with step {} (only contiguous slices are data movement Systole has)", s));
      return;
    }
  }
  std::string cur = t.ref(t.in(0));
  Shape shape = x;
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t axis = norm_axis(axes[i], x.size());
    if (axis < 0 || axis >= static_cast<int64_t>(x.size()))
      t.fail(std::to_string(axes[i]), "axis out of range");
    const int64_t dim = shape[static_cast<size_t>(axis)];
    auto clamp = [dim](int64_t v) {
      if (v < 0) v += dim;
      return std::min(std::max<int64_t>(v, 0), dim);
    };
    const int64_t b = clamp(starts[i]), e = std::max(clamp(ends[i]), b);
    if (e - b == dim) continue;
    if (e == b) t.fail(fmt::format("[{}, {})", starts[i], ends[i]), "the slice is empty");
    const auto refs = split_parts(t, cur, axis, {b, e - b, dim - e}, fmt::format("axis{}", axis), shape);
    cur = refs[1];
    shape[static_cast<size_t>(axis)] = e - b;
  }
  if (shape != t.shape_of(t.out()))
    t.fail(shape_str(shape), "differs from the inferred output " + shape_str(t.shape_of(t.out())));
  t.alias(t.out(), cur, shape);
}

void gather(Translator& t) {
  const std::string data = t.in(0), idx = t.in(1);
  const Shape& ds = t.shape_of(data);
  const int64_t axis = norm_axis(attr_int(t.node(), "axis", 0), ds.size());
  if (axis < 0 || axis >= static_cast<int64_t>(ds.size())) t.fail(std::to_string(axis), "axis out of range");
  if (t.is_constant(data) && !t.is_constant(idx)) {
    // An embedding lookup: a [vocab, dim] table read at indices that are a network input.
    if (ds.size() != 2 || axis != 0) {
      t.unsupported(fmt::format(
          "Gather from a constant {} along axis {}; Systole looks up rows of a [vocab, dim] table",
          shape_str(ds), axis));
      return;
    }
    const std::string r = t.ref(idx);
    if (t.producer_layer(r) != nullptr) {
      t.unsupported("Gather with computed indices (Systole reads lookup indices from a network input)");
      return;
    }
    t.emit(t.out(), "gather", {r}, {{"vocab", std::to_string(ds[0])}, {"dim", std::to_string(ds[1])}});
    return;
  }
  if (!t.is_constant(idx)) {
    t.unsupported("Gather of a computed tensor at computed indices");
    return;
  }
  // Constant indices into a computed tensor: a contiguous run along `axis` is a slice (scalar
  // indices also drop the axis).
  const std::vector<int64_t> ids = t.const_ints(idx, "Gather's indices");
  const int64_t dim = ds[static_cast<size_t>(axis)];
  std::vector<int64_t> norm;
  for (int64_t i : ids) norm.push_back(i < 0 ? i + dim : i);
  for (size_t i = 0; i < norm.size(); ++i) {
    if (norm[i] < 0 || norm[i] >= dim)
      t.fail(std::to_string(ids[i]), fmt::format("index out of [0, {})", dim));
    if (i > 0 && norm[i] != norm[i - 1] + 1) {
      t.unsupported("Gather at non-contiguous constant indices");
      return;
    }
  }
  if (norm.empty()) t.fail(idx, "Gather with no indices");
  const int64_t b = norm.front(), e = norm.back() + 1;
  const auto refs = split_parts(t, t.ref(data), axis, {b, e - b, dim - e}, "select", ds);
  const Shape& y = t.shape_of(t.out());
  Shape cut = ds;
  cut[static_cast<size_t>(axis)] = e - b;
  if (cut == y) {
    t.alias(t.out(), refs[1], y);
  } else {
    t.emit(t.out(), "reshape", {refs[1]}, {{"shape", int_list(y)}});
  }
}

void resize(Translator& t) {
  const Shape& x = t.shape_of(t.in(0));
  const Shape& y = t.shape_of(t.out());
  if (x.size() != 4 || y.size() != 4 || x[0] != y[0] || x[1] != y[1]) {
    t.unsupported(fmt::format("Resize of {} to {}; Systole resizes the H and W of NCHW images", shape_str(x),
                              shape_str(y)));
    return;
  }
  const std::string mode = attr_string(t.node(), "mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "bilinear") {
    t.unsupported("Resize mode '" + mode + "' (nearest and linear are supported)");
    return;
  }
  const std::string ctm = attr_string(t.node(), "coordinate_transformation_mode", "half_pixel");
  const std::string nearest = attr_string(t.node(), "nearest_mode", "round_prefer_floor");
  if (ctm != "half_pixel" || (mode == "nearest" && nearest != "round_prefer_floor")) {
    t.warnings().push_back(
        fmt::format("{}: coordinate_transformation_mode '{}'{} imported as Systole's half_pixel / "
                    "round_prefer_floor: the cost is "
                    "the same, functional values may differ",
                    node_label(t.node(), t.node_index(), t.graph().opset()), ctm,
                    mode == "nearest" ? ", nearest_mode '" + nearest + "'" : ""));
  }
  t.emit(t.out(), "resize", {t.ref(t.in(0))},
         {{"mode", mode == "nearest" ? "nearest" : "bilinear"}, {"size", int_list({y[2], y[3]})}});
}

}  // namespace

void add_layout_handlers(std::map<std::string, OpHandler>* h) {
  (*h)["Identity"] = identity;
  (*h)["Dropout"] = identity;  // inference: the identity (its mask output is never read)
  (*h)["Cast"] = identity;     // one element type per workload (the arch's number format)
  for (const char* op : {"Reshape", "Flatten", "Squeeze", "Unsqueeze"}) (*h)[op] = reshape;
  (*h)["Transpose"] = transpose;
  (*h)["Concat"] = concat;
  (*h)["Split"] = split;
  (*h)["Slice"] = slice;
  (*h)["Gather"] = gather;
  (*h)["Resize"] = resize;
  (*h)["Upsample"] = resize;
}

}  // namespace systole::onnx_import
