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
#include "systole/compiler/partition.h"
#include "systole/compiler/pipeline.h"
#include "systole/compiler/residency.h"

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

int64_t total_instructions(const std::vector<StreamBuilder>& sbs) {
  int64_t n = 0;
  for (const StreamBuilder& sb : sbs) n += static_cast<int64_t>(sb.instructions().size());
  return n;
}

// A heterogeneous NPU's core classes (cores of one spec; ArchSpec::core_of): per class the whole
// spec with its core and its scratchpad plan, and each core's class, numbered in the order of the
// classes' first cores. Empty when the cores are alike.
struct CoreClasses {
  std::vector<ArchSpec> arch;
  std::vector<BufferPlan> buffers;
  std::vector<EnergyPrices> prices;  // the mapper's, when given
  std::vector<int> of_core;
};

CoreClasses classes_of(const ArchSpec& arch, const EnergyPrices* prices) {
  CoreClasses out;
  if (!arch.heterogeneous()) return out;
  out.of_core = core_classes(arch);
  for (int64_t c = 0; c < arch.cores.count; ++c) {
    if (out.of_core[static_cast<size_t>(c)] != static_cast<int>(out.arch.size())) continue;  // seen
    ArchSpec a = arch;
    a.core = arch.core_of(c);
    out.arch.push_back(std::move(a));
  }
  for (const ArchSpec& a : out.arch) out.buffers.emplace_back(a);
  if (prices != nullptr) {
    for (size_t k = 0; k < out.arch.size(); ++k) out.prices.push_back(prices->of_class(static_cast<int>(k)));
  }
  return out;
}

// Lowers layer l on every core of a multi-core NPU (compiler/partition.h): core 0 first; the others
// only when core 0's lowering took its share (else core 0 computes the layer alone). Each core
// closes the layer with its SYNC and, when any core emitted something, a barrier.
void lower_on_cores(LoweringContext ctx, const CoreClasses& classes, std::vector<StreamBuilder>& sbs,
                    MappingRecord* rec) {
  const auto cores = static_cast<int64_t>(sbs.size());
  CoreShare share;
  share.cores = cores;
  if (classes.arch.size() > 1) {
    share.core_class = classes.of_core;
    for (size_t k = 0; k < classes.arch.size(); ++k) {
      share.class_arch.push_back(&classes.arch[k]);
      share.class_buffers.push_back(&classes.buffers[k]);
      share.class_prices.push_back(classes.prices.empty() ? nullptr : &classes.prices[k]);
    }
    for (int64_t c = 0; c < cores; ++c) {
      const CoreParams& core = ctx.arch.core_of(c);
      share.gemm_weights.push_back(core.array.rows * core.array.cols);
      share.vector_weights.push_back(core.vector.lanes);
    }
  }
  share.choice = ctx.arch.compiler.partition;
  if (ctx.mapping != nullptr) {
    const auto it = ctx.mapping->partitions.find(ctx.layer.name);
    if (it != ctx.mapping->partitions.end()) {
      parse_partition_choice(it->second.strategy, &share.choice);
      share.choice_source = fmt::format("{}:{}", ctx.mapping->path, it->second.line);
    }
  }
  std::vector<MappingRecord> recs(static_cast<size_t>(cores), *rec);
  std::vector<size_t> before;
  for (const StreamBuilder& sb : sbs) before.push_back(sb.instructions().size());
  for (int64_t c = 0; c < cores; ++c) {
    if (c > 0 && !share.used) break;
    share.core = c;
    StreamBuilder& sb = sbs[static_cast<size_t>(c)];
    sb.set_limit(kMaxProgramInstructions -
                 (total_instructions(sbs) - static_cast<int64_t>(sb.instructions().size())));
    const int k = share.class_of(c);
    LoweringContext core_ctx{classes.arch.empty() ? ctx.arch : classes.arch[static_cast<size_t>(k)],
                             ctx.net,
                             ctx.layer,
                             ctx.index,
                             ctx.plan,
                             classes.arch.empty() ? ctx.buffers : classes.buffers[static_cast<size_t>(k)],
                             ctx.eb,
                             ctx.fused,
                             &sb,
                             &recs[static_cast<size_t>(c)],
                             ctx.mapping,
                             classes.prices.empty() ? ctx.prices : &classes.prices[static_cast<size_t>(k)],
                             &share};
    lowering_of(ctx.layer.kind).lower(core_ctx);
  }
  *rec = recs[0];
  bool any = false;
  for (size_t c = 0; c < sbs.size(); ++c) any = any || sbs[c].instructions().size() > before[c];
  if (!any) {
    // A view: no instructions, nothing to share.
  } else if (share.used) {
    for (size_t c = 1; c < recs.size(); ++c) {
      rec->tiles += recs[c].tiles;
      rec->folds += recs[c].folds;
      rec->estimated_dram_bytes += recs[c].estimated_dram_bytes;
    }
    rec->partition = share.strategy;
    rec->split = (share.split ? std::string(to_string(share.split->axis)) : std::string("chunks")) + " " +
                 fmt::format("{}", fmt::join(share.ranges, " | "));
    rec->partition_reason = share.reason;
    // Heterogeneous cores: how each other class tiled its shares of a GEMM.
    for (size_t k = 1; k < classes.arch.size() && share.split; ++k) {
      const auto first =
          static_cast<size_t>(std::find(classes.of_core.begin(), classes.of_core.end(), static_cast<int>(k)) -
                              classes.of_core.begin());
      const MappingRecord& r = recs[first];
      const ArrayParams& a = classes.arch[k].core.array;
      rec->partition_reason += fmt::format(
          "; core {} ({}x{} {}): {}", first, a.rows, a.cols, to_string(a.dataflow),
          share.ranges[first] == "none" ? std::string("no share")
                                        : fmt::format("tile {}x{}x{}", r.tile_m, r.tile_n, r.tile_k));
    }
  } else {
    rec->partition = "core0";
    rec->partition_reason = !share.reason.empty()
                                ? share.reason
                                : fmt::format("a {} layer moves data and is not partitioned: core 0 runs it",
                                              to_string(ctx.layer.kind));
  }
  for (StreamBuilder& sb : sbs) {
    sb.sync(ctx.index);
    if (any) sb.barrier(ctx.index, ctx.index);
  }
}

// Maps layer i and appends its ProgramLayer and MappingRecord; throws BudgetExceeded when it would
// take more instructions than the program has left. One builder per core.
void compile_layer(const ArchSpec& arch, const CoreClasses& classes, const Network& net, size_t i,
                   const MemoryPlan& plan, const ElementBytes& eb, const FusedActivation& fused,
                   const UserMapping* mapping, const EnergyPrices* prices, std::vector<StreamBuilder>& sbs,
                   Program* prog) {
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
    LoweringContext ctx{arch, net, l, index, plan, buffers, eb, fused, &sbs[0], &rec, mapping, prices};
    if (sbs.size() == 1) {
      lowering_of(l.kind).lower(ctx);
      sbs[0].sync(index);
    } else {
      lower_on_cores(ctx, classes, sbs, &rec);
    }
    // A conv lowered to the vector unit (depthwise) does its MACs as lane operations.
    if (rec.dataflow == "vector" && pl.macs > 0) {
      pl.vector_ops = sat_add(pl.vector_ops, pl.macs);
      pl.macs = 0;
    }
  }
  prog->layers.push_back(pl);
  prog->mappings.push_back(rec);
}

// One program of the cores' streams: layer by layer, core 0's instructions of the layer first;
// ids renumbered, each instruction tagged with its core. marks[i][c]: core c's stream length after
// layer i.
std::vector<Instruction> merge_core_streams(std::vector<StreamBuilder>& sbs,
                                            const std::vector<std::vector<size_t>>& marks) {
  std::vector<std::vector<Instruction>> streams;
  for (StreamBuilder& sb : sbs) streams.push_back(sb.take());
  std::vector<std::vector<uint32_t>> global(streams.size());
  for (size_t c = 0; c < streams.size(); ++c) global[c].resize(streams[c].size());
  std::vector<Instruction> out;
  std::vector<size_t> from(streams.size(), 0);
  for (const std::vector<size_t>& mark : marks) {
    for (size_t c = 0; c < streams.size(); ++c) {
      for (size_t k = from[c]; k < mark[c]; ++k) {
        Instruction in = std::move(streams[c][k]);
        global[c][k] = static_cast<uint32_t>(out.size());
        in.id = global[c][k];
        in.core = static_cast<uint32_t>(c);
        for (uint32_t& d : in.deps) d = global[c].at(d);
        out.push_back(std::move(in));
      }
      from[c] = mark[c];
    }
  }
  return out;
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

namespace {

// One compilation with a tensor store of `reserved_kib` KiB at the top of kTensorStore's
// scratchpad (0: none; every tensor's residency reason is then `off_reason`). The working buffers
// are planned in the scratchpad's capacity minus the store.
Program compile_with_store(const ArchSpec& arch, const Network& net, const UserMapping* mapping,
                           const EnergyPrices* prices, int64_t reserved_kib, const std::string& off_reason) {
  ArchSpec lowered = arch;
  lowered.core.scratchpads.declare(arch.core.scratchpads.name_of(kTensorStore)).capacity_kib -= reserved_kib;
  const ElementBytes eb = element_bytes(lowered);
  const MemoryPlan plan = plan_memory(lowered, net);
  const ResidencyPlan residency = plan_residency(arch, net, plan, reserved_kib * 1024, off_reason);
  Program prog;
  prog.network = net.name;
  prog.tensors = plan.tensors;
  const CoreClasses classes = classes_of(lowered, prices);
  std::vector<StreamBuilder> sbs;
  for (int64_t c = 0; c < arch.cores.count; ++c) {
    sbs.emplace_back(net.layers.size());
    sbs.back().fence_layers(
        classes.arch.empty()
            ? BufferPlan(lowered).any_shared()
            : classes.buffers[static_cast<size_t>(classes.of_core[static_cast<size_t>(c)])].any_shared());
  }
  prog.cores = arch.cores.count;
  std::vector<std::vector<size_t>> marks;  // per layer, every core's stream length after it

  std::vector<FusedActivation> fused(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    if (plan.fused_into[i] < 0) continue;
    FusedActivation& f = fused[static_cast<size_t>(plan.fused_into[i])];
    f.present = true;
    f.func = *lowering_of(net.layers[i].kind).fusable_activation(net.layers[i]);
  }

  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const int64_t before = total_instructions(sbs);
    try {
      compile_layer(lowered, classes, net, i, plan, eb, fused[i], mapping, prices, sbs, &prog);
    } catch (const BudgetExceeded& b) {
      const int64_t emitted = total_instructions(sbs) - before;
      over_instruction_limit(net, i, b.needed > 0 ? b : BudgetExceeded{emitted + 1, ""}, before);
    } catch (const ConfigError& e) {
      // Name the workload's layer too: the capacity key alone does not say which file asked.
      std::vector<Diagnostic> diags = e.diagnostics();
      for (Diagnostic& d : diags) {
        d.rule += fmt::format(" [workload {}:{}: {}]", net.source_path, l.source_line, layer_key(l, i));
      }
      throw ConfigError(std::move(diags));
    }
    prog.mappings.back().residency = residency.tensors.at(l.name).reason;
    marks.emplace_back();
    for (const StreamBuilder& sb : sbs) marks.back().push_back(sb.instructions().size());
  }
  // A partition for a layer that cannot take one: one core, or not a GEMM layer.
  if (mapping != nullptr) {
    for (const auto& [name, u] : mapping->partitions) {
      for (size_t i = 0; i < net.layers.size(); ++i) {
        if (net.layers[i].name != name) continue;
        const MappingRecord& r = prog.mappings[i];
        if (arch.cores.count <= 1) {
          throw ConfigError(
              Diagnostic{mapping->path, u.line, "layers." + name + ".partition", u.strategy,
                         "shares a layer among the cores of a multi-core NPU, and cores.count is 1: "
                         "leave it out or raise cores.count"});
        }
        if (r.ranked.empty()) {
          throw ConfigError(Diagnostic{
              mapping->path, u.line, "layers." + name + ".partition", u.strategy,
              fmt::format(
                  "layer '{}' ({}) is mapped as '{}', not as a GEMM on the array: only GEMM layers (conv2d, "
                  "matmul) take a partitioning strategy (vector-unit layers deal out their chunks)",
                  name, to_string(net.layers[i].kind), r.dataflow)});
        }
      }
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
  prog.instructions = sbs.size() == 1 ? sbs[0].take() : merge_core_streams(sbs, marks);
  for (Instruction& in : prog.instructions) {
    if (auto* d = std::get_if<DmaDescriptor>(&in.payload)) *d = coalesced(*d);
  }
  place_resident_transfers(residency, prog.tensors, &prog.instructions);
  for (TensorPlacement& t : prog.tensors) {
    auto it = residency.tensors.find(t.name);
    if (it == residency.tensors.end() || !it->second.on_chip) continue;
    t.on_chip = true;
    t.store_addr = it->second.store_addr;
  }
  ResidencySummary& summary = prog.residency;
  summary.mode = to_string(arch.compiler.residency);
  summary.scratchpad = residency.scratchpad;
  summary.reserved_bytes = residency.reserved_bytes;
  summary.store_base = residency.store_base;
  summary.peak_live_bytes = residency.peak_live_bytes;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const bool root = plan.views.at(net.layers[i].name).source_layer == static_cast<int>(i);
    if (root && residency.tensors.at(net.layers[i].name).on_chip) ++summary.resident_tensors;
  }
  return prog;
}

}  // namespace

Program compile(const ArchSpec& arch, const Network& net, const UserMapping* mapping,
                const EnergyPrices* prices) {
  const CompilerParams& c = arch.compiler;
  if (c.partition == PartitionChoice::kPipeline) return compile_pipelined(arch, net, mapping, prices);
  if (mapping != nullptr && !mapping->stages.empty()) {
    auto first = mapping->stages.begin();  // the one nearest the top of the file
    for (auto it = first; it != mapping->stages.end(); ++it) {
      if (it->second.line < first->second.line) first = it;
    }
    throw ConfigError(
        Diagnostic{mapping->path, first->second.line, "layers." + first->first + ".stage",
                   std::to_string(first->second.stage),
                   fmt::format("puts layers in the stages of layer pipelining, and compiler.partition "
                               "is {}: set compiler.partition: pipeline, or leave the stages out",
                               to_string(c.partition))});
  }
  if (c.pipeline_microbatch > 0) {
    const KeyOrigin at = arch.origin_of("compiler.pipeline_microbatch");
    throw ConfigError(
        Diagnostic{at.file, at.line, "compiler.pipeline_microbatch", std::to_string(c.pipeline_microbatch),
                   fmt::format("sets the images per step of layer pipelining, which compiler.partition "
                               "= {} does not use: leave it out or 0, or choose pipeline",
                               to_string(c.partition))});
  }
  const bool no_store = c.residency == Residency::kOff || arch.core.array.microarch.scalesim_counting;
  if (no_store && c.resident_kib > 0) {
    const KeyOrigin at = arch.origin_of("compiler.resident_kib");
    throw ConfigError(Diagnostic{
        at.file, at.line, "compiler.resident_kib", std::to_string(c.resident_kib),
        c.residency == Residency::kOff
            ? "sizes the on-chip tensor store, which compiler.residency: off does not use: leave it out or 0"
            : "sizes the on-chip tensor store, which SCALE-Sim compatibility "
              "(core.array.scalesim_compat) turns off: leave it out or 0"});
  }
  if (c.residency == Residency::kOff) {
    return compile_with_store(arch, net, mapping, prices, 0, "DRAM: compiler.residency is off");
  }
  if (arch.cores.count > 1) {
    if (c.resident_kib > 0) {
      const KeyOrigin at = arch.origin_of("compiler.resident_kib");
      throw ConfigError(Diagnostic{
          at.file, at.line, "compiler.resident_kib", std::to_string(c.resident_kib),
          fmt::format("sizes the on-chip tensor store of one core; with cores.count = {} every layer output "
                      "goes to DRAM, where all cores read it (docs/multicore.md): leave it out or 0",
                      arch.cores.count)});
    }
    Program p = compile_with_store(arch, net, mapping, prices, 0,
                                   "DRAM: a multi-core program keeps every layer output in DRAM, where every "
                                   "core can read it (cores.count > 1)");
    p.residency.choice = "none: on-chip residency is for one core (cores.count > 1, docs/multicore.md)";
    return p;
  }
  if (arch.core.array.microarch.scalesim_counting) {
    Program p = compile_with_store(arch, net, mapping, prices, 0,
                                   "DRAM: SCALE-Sim compatibility keeps every layer's output in DRAM, "
                                   "layer by layer, as SCALE-Sim does");
    p.residency.choice = "none: SCALE-Sim compatibility (core.array.scalesim_compat) turns residency off";
    return p;
  }
  const std::string spm_name = arch.core.scratchpads.name_of(kTensorStore);
  const int64_t capacity_kib = arch.core.scratchpads.of(kTensorStore).capacity_kib;
  if (c.resident_kib > 0) {
    const std::string key = "compiler.resident_kib";
    const KeyOrigin at = arch.origin_of(key);
    if (c.resident_kib >= capacity_kib) {
      throw ConfigError(Diagnostic{at.file, at.line, key, std::to_string(c.resident_kib),
                                   fmt::format("the on-chip tensor store must leave room for the working "
                                               "buffers: less than the {} KiB of core.scratchpads.{} (the "
                                               "scratchpad of the {} role), or 0 to let the compiler choose",
                                               capacity_kib, spm_name, to_string(kTensorStore))});
    }
    try {
      Program p = compile_with_store(arch, net, mapping, prices, c.resident_kib, "");
      p.residency.choice = fmt::format("fixed: compiler.resident_kib = {}", c.resident_kib);
      return p;
    } catch (const ConfigError& e) {
      // The working buffers were planned in the capacity left after the store: say so, with the
      // capacity the user wrote.
      const std::string capacity_key = fmt::format("core.scratchpads.{}.capacity_kib", spm_name);
      const std::string where = at.line > 0 ? fmt::format("{}:{}", at.file, at.line) : at.file;
      std::vector<Diagnostic> diags = e.diagnostics();
      for (Diagnostic& d : diags) {
        if (d.key == capacity_key) d.value = std::to_string(capacity_kib);
        d.rule += fmt::format(
            " (only {} KiB of it are left for the working buffers: compiler.resident_kib = {} "
            "({}) reserves the rest for resident tensors; reserve less)",
            capacity_kib - c.resident_kib, c.resident_kib, where);
      }
      throw ConfigError(std::move(diags));
    }
  }
  // auto: no store first (its plan also measures the peak of live bytes), then every candidate
  // size; the smallest estimate wins, ties to fewer DRAM bytes, then to the smaller store.
  Program best =
      compile_with_store(arch, net, mapping, prices, 0, "DRAM: no on-chip store was worth its capacity");
  ProgramEstimate best_est = estimate_program(arch, best);
  std::vector<int64_t> sizes = {capacity_kib / 8, capacity_kib / 4, capacity_kib / 2, capacity_kib * 3 / 4,
                                ceil_div(best.residency.peak_live_bytes, int64_t{1024})};
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  std::string note = fmt::format("0 KiB: {} cycles, {} B DRAM", best_est.cycles, best_est.dram_bytes);
  for (const int64_t kib : sizes) {
    if (kib <= 0 || kib >= capacity_kib) continue;
    try {
      Program p = compile_with_store(arch, net, mapping, prices, kib, "");
      const ProgramEstimate e = estimate_program(arch, p);
      note += fmt::format("; {} KiB: {} cycles, {} B DRAM", kib, e.cycles, e.dram_bytes);
      if (e.cycles < best_est.cycles || (e.cycles == best_est.cycles && e.dram_bytes < best_est.dram_bytes)) {
        best = std::move(p);
        best_est = e;
      }
    } catch (const ConfigError&) {
      note += fmt::format("; {} KiB: the working buffers left do not fit a layer", kib);
    } catch (const WorkloadError&) {
      note += fmt::format("; {} KiB: a layer's smaller tiles exceed the instruction limit", kib);
    }
  }
  best.residency.choice = fmt::format("auto: {} KiB of the {} KiB '{}' (estimates by size: {})",
                                      best.residency.reserved_bytes / 1024, capacity_kib, spm_name, note);
  return best;
}

}  // namespace systole
