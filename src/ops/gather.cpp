// gather: an embedding lookup. The layer owns a table of `vocab` rows of `dim` elements (its
// weights, [vocab, dim], weight_type in DRAM); its input is an index tensor (a network input of
// dtype int32, stored as int32: workload/operator.h index inputs) and output row j is table row
// index[j] (ONNX Gather on axis 0 of the table).
//   shapes:    indices.shape + [dim], of the workload's dtype; weights vocab x dim; no MACs, no
//              vector ops.
//   lowering:  data movement on the DMA, in chunks of lookups: a LOAD of the chunk's indices into
//              an ifmap half, an indexed LOAD (isa.h DmaDescriptor::indexed) that reads them and
//              fetches each lookup's table row, as its own DRAM row, into an ofmap half, and a STORE
//              of the rows to the output. Per lookup: 4 B of index read from DRAM and the
//              scratchpad, dim x bytes(weight_type) read from DRAM, the same written to DRAM.
//              Timing never depends on data, so timing-only and functional runs alike charge
//              lookup j at table row (j mod vocab): a sweep of the table in order (docs/compiler.md
//              "Gather"); a functional run moves the rows the indices name.
//   reference: out[j, :] = table[index[j], :], the bytes unchanged (indices outside [0, vocab) are
//              an error).
#include <algorithm>

#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

using namespace lowering;

struct GatherAttrs {
  int64_t vocab = 0;  // table rows
  int64_t dim = 0;    // elements per row
};

// Indices are int32: a table has at most 2^31 rows.
constexpr int64_t kMaxVocab = int64_t{1} << 31;

class Gather final : public Operator {
 public:
  const char* name() const override { return "gather"; }
  std::vector<TypeSpelling> spellings() const override {
    return {{"gather", {"vocab", "dim", "weights_npy"}}};
  }

  void parse(LayerFields& f, Layer* l) const override {
    GatherAttrs a;
    if (!f.has("vocab"))
      f.missing("vocab", "required for gather: the table's rows");
    else
      f.get_int("vocab", &a.vocab);
    if (!f.has("dim"))
      f.missing("dim", "required for gather: the elements of a table row");
    else
      f.get_int("dim", &a.dim);
    l->attrs = a;
  }

  int64_t index_limit(const Layer& l, size_t input) const override {
    return input == 0 ? std::clamp<int64_t>(l.as<GatherAttrs>().vocab, 1, kMaxVocab) : 0;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const auto& a = l.as<GatherAttrs>();
    if (!(c.at_least("vocab", a.vocab, 1) & c.at_least("dim", a.dim, 1))) return;
    if (a.vocab > kMaxVocab) {
      c.fail("vocab", std::to_string(a.vocab), "must be at most 2^31: indices are int32");
      return;
    }
    l.output_shape = l.input_shapes[0];
    l.output_shape.push_back(a.dim);
    l.dtype = c.network().dtype;  // the table's values, not the indices'
    l.weight_elements = shape_math::product({a.vocab, a.dim});
  }

  void lower(LoweringContext& ctx) const override {
    const Layer& l = ctx.layer;
    const auto& a = l.as<GatherAttrs>();
    const ArchSpec& arch = ctx.arch;
    if (ctx.eb.weight != ctx.eb.act) {
      const KeyOrigin where = arch.origin_of("core.array.weight_type");
      throw ConfigError(Diagnostic{
          where.file, where.line, "core.array.weight_type", to_string(arch.core.array.weight_type),
          fmt::format("layer '{}' (gather) copies table rows (weight_type) into activations (input_type {}) "
                      "unchanged: the two must have one size",
                      l.name, to_string(arch.core.array.input_type))});
    }
    const int64_t lookups = num_elements(l.input_shapes.at(0)), row = a.dim * ctx.eb.weight;
    const RoleRegions regions = chunk_regions(arch);
    const int64_t half_if = regions[index_of(Buffer::kIfmap)].half;
    const int64_t half_of = regions[index_of(Buffer::kOfmap)].half;
    if (row > half_of) cannot_fit(arch, l, Buffer::kOfmap, row, "one table row");
    if (4 > half_if) cannot_fit(arch, l, Buffer::kIfmap, 4, "one index");
    const int64_t per = std::min(half_if / 4, half_of / row);
    // Chunks never cross a multiple of vocab, so that each chunk's assumed rows are one run.
    const int64_t chunks =
        sat_add(sat_mul(lookups / a.vocab, ceil_div(a.vocab, per)), ceil_div(lookups % a.vocab, per));
    check_chunks(chunks, 3, ctx.sb->remaining(), fmt::format("up to {} lookups", per));

    StreamBuilder* sb = ctx.sb;
    const TensorView& ids = ctx.plan.views.at(l.inputs.at(0));
    const uint64_t table = ctx.plan.weights.at(l.name), out = ctx.plan.views.at(l.name).addr;
    const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
    int64_t n = 0, largest = 0;
    for (int64_t j0 = 0; j0 < lookups; ++n) {
      const int64_t j1 = std::min({lookups, j0 + per, (j0 / a.vocab + 1) * a.vocab});
      const int si = 1 - sb->last_used(Buffer::kIfmap), so = 1 - sb->last_used(Buffer::kOfmap);
      std::vector<uint32_t> deps = sb->last_reader(Buffer::kIfmap, si);
      if (j0 == 0) {
        for (uint32_t d : sb->sync_deps(ids.source_layer)) deps.push_back(d);
      }
      DmaDescriptor idx = linear(Buffer::kIfmap, ids.addr + u(4 * j0), u(4 * (j1 - j0)));
      idx.spm_addr = regions[index_of(Buffer::kIfmap)].addr(si);
      idx.slot = si;
      const uint32_t load_idx = sb->add(Opcode::kLoad, ctx.index, deps, idx);
      DmaDescriptor rows;
      rows.buffer = Buffer::kOfmap;
      rows.dram_addr = table + u((j0 % a.vocab) * row);  // assumed: lookup j reads row j mod vocab
      rows.spm_addr = regions[index_of(Buffer::kOfmap)].addr(so);
      rows.rows = u(j1 - j0);
      rows.row_bytes = u(row);
      rows.row_stride_bytes = u(row);
      rows.slot = so;
      rows.indexed = true;
      rows.index_buffer = Buffer::kIfmap;
      rows.index_spm_addr = idx.spm_addr;
      rows.table_addr = table;
      rows.table_rows = u(a.vocab);
      std::vector<uint32_t> gdeps = {load_idx};
      gdeps.insert(gdeps.end(), sb->last_drain(so).begin(), sb->last_drain(so).end());
      const uint32_t gather = sb->add(Opcode::kLoad, ctx.index, gdeps, rows);
      DmaDescriptor st = linear(Buffer::kOfmap, out + u(j0 * row), u((j1 - j0) * row));
      st.spm_addr = rows.spm_addr;
      st.slot = so;
      sb->set_reader(Buffer::kIfmap, si, gather);
      sb->set_used(Buffer::kIfmap, si);
      sb->set_used(Buffer::kOfmap, so);
      sb->set_drain(so, {sb->add(Opcode::kStore, ctx.index, {gather}, st)});
      largest = std::max(largest, j1 - j0);
      j0 = j1;
    }
    MappingRecord& rec = *ctx.rec;
    rec.dataflow = "dma";
    rec.tiles = n;
    rec.tile_m = largest;
    rec.loop_order = "chunks";
    rec.estimated_dram_bytes = lookups * (4 + 2 * row);
    rec.reason = fmt::format(
        "{} lookups of {} B rows in {} chunk{} of up to {}: a LOAD of the indices, an indexed LOAD of the "
        "rows "
        "(timed as rows j mod {} of the table), a STORE",
        lookups, row, n, n == 1 ? "" : "s", largest, a.vocab);
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)opt;
    reference_support::need_weights(l, weights, true);
    const Tensor& ids = *inputs[0];
    const Tensor& table = *weights;
    const auto& a = l.as<GatherAttrs>();
    if (ids.dtype != DataType::kInt32) {
      reference_support::layer_error(l, fmt::format("indices are {}, not int32", to_string(ids.dtype)));
    }
    reference_support::expect_shape(l, "table", table, {a.vocab, a.dim});
    Shape os = ids.shape;
    os.push_back(a.dim);
    Tensor out(table.dtype, os);
    const int64_t run = a.dim * bytes_of(table.dtype);
    for (int64_t j = 0; j < ids.elements(); ++j) {
      const int64_t index = ids.get_int(j);
      if (index < 0 || index >= a.vocab) {
        reference_support::layer_error(
            l, fmt::format("index {} at position {} is outside the table's {} rows", index, j, a.vocab));
      }
      std::copy_n(table.bytes.begin() + index * run, run, out.bytes.begin() + j * run);
    }
    return out;
  }
  bool takes_weights(const Layer& l) const override {
    (void)l;
    return true;
  }
  Shape weight_shape(const Layer& l) const override {
    return {l.as<GatherAttrs>().vocab, l.as<GatherAttrs>().dim};
  }
  std::string functional_support(const ArchSpec& arch, const Network& net, const Layer& l) const override {
    (void)net;
    (void)l;
    const auto& a = arch.core.array;
    if (a.input_type == a.weight_type) return "";
    return fmt::format(
        "a gather copies table rows (weight_type {}) into activations (input_type {}) unchanged: "
        "the two must be one format",
        to_string(a.weight_type), to_string(a.input_type));
  }
};

}  // namespace

void register_operator_gather(OperatorRegistrar& r) {
  r.add<Gather>();
}

}  // namespace systole::ops
