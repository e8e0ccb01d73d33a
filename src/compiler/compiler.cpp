// compile(): places tensors in DRAM, then maps every layer in network order through its operator's
// lowering (compiler/operator_lowering.h; fused activations emit nothing of their own) and closes
// every layer that stored data with a SYNC.
#include "systole/compiler/compiler.h"

#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/compiler/buffer_plan.h"
#include "systole/compiler/lowering.h"
#include "systole/compiler/operator_lowering.h"

namespace systole {

using namespace lowering;

namespace {

bool is_integer_type(DataType t) {
  return t == DataType::kInt8 || t == DataType::kInt16 || t == DataType::kInt32;
}

// "[1, 64] -> [1, 1024]": a layer's sizes for error messages.
std::string layer_sizes(const Layer& l) {
  std::string s;
  for (const Shape& in : l.input_shapes) s += (s.empty() ? "" : " x ") + shape_str(in);
  return s + " -> " + shape_str(l.output_shape);
}

[[noreturn]] void over_instruction_limit(const Network& net, size_t i, const BudgetExceeded& b,
                                         int64_t before) {
  const Layer& l = net.layers[i];
  throw WorkloadError(Diagnostic{
      net.source_path, l.source_line, layer_key(l, i), layer_sizes(l),
      fmt::format("layer '{}' ({}) needs {} {} instructions ({}); with the {} instructions of the layers "
                  "before it, that "
                  "exceeds the program limit of {} instructions, which bounds the compiler's memory "
                  "(~570 B per instruction) and the simulation time (docs/compiler.md \"Limits\"): split the "
                  "layer, or give the scratchpads more capacity",
                  l.name, to_string(l.kind), b.how.empty() ? "more than" : "at least", b.needed,
                  b.how.empty() ? "emitted when the limit was reached" : b.how, before,
                  kMaxProgramInstructions)});
}

// Maps layer i and appends its ProgramLayer and MappingRecord; throws BudgetExceeded when it would
// take more instructions than sb->remaining().
void compile_layer(const ArchSpec& arch, const Network& net, size_t i, const MemoryPlan& plan,
                   const ElementBytes& eb, const FusedActivation& fused, const UserMapping* mapping,
                   const EnergyPrices* prices, StreamBuilder* sb, Program* prog) {
  const Layer& l = net.layers[i];
  const auto index = static_cast<uint32_t>(i);
  ProgramLayer pl{l.name, to_string(l.kind), l.macs, l.vector_ops};
  MappingRecord rec;
  rec.layer = l.name;
  rec.type = to_string(l.kind);
  if (plan.fused_into[i] >= 0) {
    const auto producer = static_cast<size_t>(plan.fused_into[i]);
    prog->layers[producer].vector_ops += l.vector_ops;
    pl.macs = 0;
    pl.vector_ops = 0;
    rec.dataflow = "fused";
    rec.fused_into = net.layers[producer].name;
    rec.reason =
        fmt::format("{} fused into '{}': applied by the vector unit to each output tile before its STORE",
                    to_string(*lowering_of(l.kind).fusable_activation(l)), rec.fused_into);
  } else {
    const BufferPlan buffers(arch);
    LoweringContext ctx{arch, net, l, index, plan, buffers, eb, fused, sb, &rec, mapping, prices};
    lowering_of(l.kind).lower(ctx);
    sb->sync(index);
  }
  prog->layers.push_back(pl);
  prog->mappings.push_back(rec);
}

}  // namespace

int requant_shift(const ArchSpec& arch, int64_t k) {
  const auto& a = arch.core.array;
  if (!is_integer_type(a.input_type)) return 0;
  int log2k = 0;
  while (log2k < 62 && (int64_t{1} << log2k) < k) ++log2k;
  const int64_t bits_in = 8 * bytes_of(a.input_type), bits_w = 8 * bytes_of(a.weight_type);
  return static_cast<int>(std::max<int64_t>(0, (log2k + 1) / 2 + bits_in + bits_w - bits_in - 1));
}

Program compile(const ArchSpec& arch, const Network& net, const UserMapping* mapping,
                const EnergyPrices* prices) {
  const ElementBytes eb = element_bytes(arch);
  const MemoryPlan plan = plan_memory(arch, net);
  Program prog;
  prog.network = net.name;
  prog.tensors = plan.tensors;
  StreamBuilder sb(net.layers.size());
  sb.fence_layers(BufferPlan(arch).any_shared());

  std::vector<FusedActivation> fused(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    if (plan.fused_into[i] < 0) continue;
    FusedActivation& f = fused[static_cast<size_t>(plan.fused_into[i])];
    f.present = true;
    f.func = *lowering_of(net.layers[i].kind).fusable_activation(net.layers[i]);
  }

  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const int64_t before = static_cast<int64_t>(sb.instructions().size());
    try {
      compile_layer(arch, net, i, plan, eb, fused[i], mapping, prices, &sb, &prog);
    } catch (const BudgetExceeded& b) {
      const int64_t emitted = static_cast<int64_t>(sb.instructions().size()) - before;
      over_instruction_limit(net, i, b.needed > 0 ? b : BudgetExceeded{emitted + 1, ""}, before);
    } catch (const ConfigError& e) {
      // Name the workload's layer too: the capacity key alone does not say which file asked.
      std::vector<Diagnostic> diags = e.diagnostics();
      for (Diagnostic& d : diags) {
        d.rule += fmt::format(" [workload {}:{}: {}]", net.source_path, l.source_line, layer_key(l, i));
      }
      throw ConfigError(std::move(diags));
    }
  }
  // A tiling for a layer that took none (not a GEMM layer, or fused into its producer).
  if (mapping != nullptr) {
    for (const auto& [name, u] : mapping->layers) {
      for (size_t i = 0; i < net.layers.size(); ++i) {
        if (net.layers[i].name != name || !prog.mappings[i].ranked.empty()) continue;
        throw ConfigError(Diagnostic{
            mapping->path, u.line, "layers." + name, "",
            fmt::format("layer '{}' ({}) is mapped as '{}', not as a GEMM on the array: only GEMM layers "
                        "(conv2d, matmul) take a tiling",
                        name, to_string(net.layers[i].kind), prog.mappings[i].dataflow)});
      }
    }
  }
  prog.instructions = sb.take();
  for (Instruction& in : prog.instructions) {
    if (auto* d = std::get_if<DmaDescriptor>(&in.payload)) *d = coalesced(*d);
  }
  return prog;
}

}  // namespace systole
