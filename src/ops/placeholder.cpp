// placeholder: a node an importer could not map (systole import --skip-unsupported), kept so that
// the network around it still runs. It states its output `shape` and the `op` it stands for.
//   shapes:    `shape` as given; no MACs, no vector ops, no weights.
//   lowering:  nothing: the output is a DRAM tensor no instruction writes, so the layer takes no
//              cycles and no energy. Reports list it (kind "placeholder", its op in the reason)
//              and count placeholders, so a user sees what the totals leave out.
//   reference: none: a functional run refuses a network holding one.
#include <fmt/format.h>

#include "systole/ops/operator.h"
#include "systole/oracle/reference_support.h"
#include "systole/workload/layer_check.h"
#include "systole/workload/layer_fields.h"

namespace systole::ops {
namespace {

using namespace reference_support;

struct PlaceholderAttrs {
  Shape shape;
  std::string op;  // what it stands for, e.g. the ONNX op type "Expand"
};

class Placeholder final : public Operator {
 public:
  const char* name() const override { return "placeholder"; }
  std::vector<TypeSpelling> spellings() const override { return {{"placeholder", {"shape", "op"}}}; }
  std::pair<size_t, size_t> arity() const override { return {1, 64}; }

  void parse(LayerFields& f, Layer* l) const override {
    PlaceholderAttrs a;
    if (!f.has("shape"))
      f.missing("shape", "required for placeholder: its output shape");
    else
      f.get_int_list("shape", &a.shape);
    if (!f.has("op"))
      f.missing("op", "required for placeholder: the operator it stands for");
    else
      f.get_string("op", &a.op);
    l->attrs = a;
  }

  void infer(LayerCheck& c, Layer& l) const override {
    const Shape& s = l.as<PlaceholderAttrs>().shape;
    if (s.empty()) {
      c.fail("shape", "[]", "needs at least one dimension");
      return;
    }
    for (int64_t d : s) {
      if (d < 1) {
        c.fail("shape", shape_str(s), "dimensions must be >= 1");
        return;
      }
    }
    if (shape_math::elements(s) < 0) {
      c.fail("shape", shape_str(s), "element count overflows 64 bits");
      return;
    }
    l.output_shape = s;
  }

  void lower(LoweringContext& ctx) const override {
    ctx.rec->dataflow = "none";
    ctx.rec->reason = fmt::format("placeholder for unsupported '{}': not simulated (no cycles, no energy)",
                                  ctx.layer.as<PlaceholderAttrs>().op);
  }

  Tensor reference(const Layer& l, const std::vector<const Tensor*>& inputs, const Tensor* weights,
                   const ReferenceOptions& opt) const override {
    (void)inputs, (void)weights, (void)opt;
    layer_error(l, fmt::format("placeholder for '{}' has no values", l.as<PlaceholderAttrs>().op));
  }
  std::string functional_support(const ArchSpec& arch, const Network& net, const Layer& l) const override {
    (void)arch, (void)net;
    return fmt::format("a placeholder for the unsupported operator '{}' (it has no values)",
                       l.as<PlaceholderAttrs>().op);
  }
};

}  // namespace

void register_operator_placeholder(OperatorRegistrar& r) {
  r.add<Placeholder>();
}

}  // namespace systole::ops
