// The workload side of a layer kind: what the loaders and shape inference need of it. An operator
// (src/ops/, one file per kind, docs/operators.md) implements this interface together with its
// lowering (compiler/operator_lowering.h) and its reference (oracle/operator_reference.h), and
// registers all three with one line in SYSTOLE_OPERATORS (src/ops/operators.cpp). The registries
// live in the lowest layer that reads them; src/ops/ sits above the compiler and the oracle and
// fills them when a program starts (systole_ops is linked with --undefined so that its list is
// never dropped; see docs/operators.md, "Registration"). No SystemC here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "systole/common/registry.h"
#include "systole/workload/network.h"

namespace systole {

class LayerFields;  // workload/layer_fields.h: the YAML keys of one layer
class LayerCheck;   // workload/layer_check.h: shape-inference diagnostics of one layer

// A YAML `type` spelling and the keys it accepts besides name, type, input and inputs.
struct TypeSpelling {
  std::string type;
  std::vector<std::string> keys;
};

// Layout-only operators produce no data of their own: their output is a view of input 0, which
// the compiler aliases without instructions and the functional check does not compare.
//   kContiguous: the same elements in the same order (reshape);
//   kStrided: the same elements through other strides (transpose): only a consumer that reads its
//             operands by strides (matmul, IOperator::reads_strided) sees it without a copy; for
//             any other the compiler materialises it (workload/layout.h).
enum class LayoutView { kNone, kContiguous, kStrided };

class IOperator {
 public:
  virtual ~IOperator() = default;

  // The kind's name: LayerKind, report.json's `type`, mapping records. A string literal.
  virtual const char* name() const = 0;
  // The YAML `type` spellings, the name first, each with the keys it accepts besides name, type,
  // input and inputs (unknown keys are refused with a suggestion). Errors list the spellings of
  // every operator in registration order.
  virtual std::vector<TypeSpelling> spellings() const = 0;
  // Reads the attributes from the layer's keys into l->attrs; every problem goes through
  // `fields` (they are collected, and the layer is kept so that later ones are checked too).
  // Default: NoAttrs, for kinds without keys.
  virtual void parse(LayerFields& fields, Layer* l) const;
  // The layers a parsed layer becomes: itself (default), or one per output for an operator with
  // several (split: "<name>:<i>", docs/operators.md "Several outputs"). Runs after parse.
  virtual std::vector<Layer> expand(Layer l) const;
  // Number of inputs accepted, [min, max]. Default: exactly one.
  virtual std::pair<size_t, size_t> arity() const { return {1, 1}; }
  // Shape inference from l.input_shapes and the attributes (which it may resolve, e.g. "same"
  // padding): l.output_shape, and l.macs, l.vector_ops, l.weight_elements where not 0; l.dtype is
  // input 0's unless set here. Every problem goes through `c`; the layer fails when it reports one
  // (or leaves output_shape empty). Sizes must be overflow-checked (layer_check.h helpers).
  virtual void infer(LayerCheck& c, Layer& l) const = 0;
  // Whether the layer is a view of its input 0 (default: it computes its own output).
  virtual LayoutView layout() const { return LayoutView::kNone; }
  // Whether it reads an input that is a strided view (a transpose) through the view's strides
  // (matmul's DMA; a transpose composes them). Default: no, and the compiler materialises such
  // an input for it (workload/layout.h).
  virtual bool reads_strided() const { return false; }
  // Whether the output extends input 0 in place (kv_append with a past cache): input 0 is a network
  // input that persists between runs (a KV cache), the output's leading rows are its bytes, and
  // the memory plan places the output at input 0's address with room for the whole output, so the
  // layer writes only the rows after them. Shape inference checks that input 0 is a network input
  // extended by no other layer. Default: no.
  virtual bool appends_in_place(const Layer& l) const {
    (void)l;
    return false;
  }
  // Whether the output outlives the run (a KV cache the next step reads): the compiler keeps it in
  // DRAM, never in the on-chip tensor store. Default: no.
  virtual bool output_persists() const { return false; }
  // Whether the output holds its first input's values unchanged, only moved (reshape, transpose,
  // concat, split, kv_append): a layer without a `quant` of its own then takes its input's
  // (Layer::quant). Default: no (the layer computes new values).
  virtual bool passes_quant() const { return false; }
  // When input `input` of `l` holds indices rather than data: the exclusive upper bound of its
  // values (gather: the table's rows); 0 for data (default). Index tensors are network inputs of
  // dtype int32, stored in DRAM as int32 whatever the array's number format.
  virtual int64_t index_limit(const Layer& l, size_t input) const {
    (void)l;
    (void)input;
    return 0;
  }
};

using OperatorRegistry = SharedRegistry<IOperator>;

// The registry of layer kinds ("layer kind" in UnknownVariant), filled by src/ops/.
OperatorRegistry& operator_registry();

// The operator of `kind`. InternalError when no operator is registered at all (the program does
// not link systole_ops), UnknownVariant for a kind nobody registered.
const IOperator& operator_of(const LayerKind& kind);

// The tensors some layer reads as indices, each with the smallest index_limit of its readers (the
// bound its values must respect). Shape inference checks that each is a network input of dtype
// int32 read by nothing else; the memory plan stores them as int32.
std::map<std::string, int64_t> index_inputs(const Network& net);

}  // namespace systole
