// Activation residency: liveness of layer outputs over the network and first-fit placement in the
// on-chip tensor store (compiler/residency.h).
#include "systole/compiler/residency.h"

#include <algorithm>

#include <fmt/format.h>

#include "systole/array/array_timing.h"
#include "systole/common/error.h"
#include "systole/common/int_math.h"
#include "systole/workload/layout.h"
#include "systole/workload/operator.h"

namespace systole::lowering {
namespace {

constexpr int64_t kMinAlignBytes = 64;  // as DRAM placement: one burst

struct Placed {
  int64_t offset = 0, size = 0;
  int last = 0;
};

}  // namespace

ResidencyPlan plan_residency(const ArchSpec& arch, const Network& net, const MemoryPlan& plan,
                             int64_t reserved_bytes, const std::string& off_reason) {
  const ScratchpadsParams& spm = arch.core.scratchpads;
  const ScratchpadParams& store = spm.of(kTensorStore);
  ResidencyPlan out;
  out.scratchpad = spm.name_of(kTensorStore);
  out.reserved_bytes = reserved_bytes;
  if (reserved_bytes < 0 || reserved_bytes > store.capacity_bytes()) {
    throw InternalError(fmt::format("residency: a store of {} B in a {} B scratchpad", reserved_bytes,
                                    store.capacity_bytes()));
  }
  out.store_base = static_cast<uint64_t>(store.capacity_bytes() - reserved_bytes);
  const int64_t align = std::max<int64_t>(kMinAlignBytes, store.banks * store.bank_width_bytes);

  std::map<std::string, uint64_t> bytes_of_tensor;
  for (const TensorPlacement& t : plan.tensors) bytes_of_tensor[t.name] = t.bytes;
  auto root_of = [&](const std::string& name) {
    auto it = plan.views.find(name);
    if (it == plan.views.end()) throw InternalError("residency: unknown tensor '" + name + "'");
    return it->second.source_layer;
  };
  auto is_view = [&](size_t i) {
    return plan.fused_into[i] >= 0 || layout_of(net, net.layers[i]) != LayoutView::kNone;
  };

  // Liveness: the last layer that reads each root tensor (views and fused activations read nothing
  // themselves; their readers read the root).
  const size_t n = net.layers.size();
  std::vector<int> last_reader(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (is_view(i)) continue;
    for (const std::string& in : net.layers[i].inputs) {
      const int r = root_of(in);
      if (r >= 0)
        last_reader[static_cast<size_t>(r)] =
            std::max(last_reader[static_cast<size_t>(r)], static_cast<int>(i));
    }
  }

  // Placement in production order, first fit.
  std::vector<Placed> live;                    // placed tensors still alive
  std::vector<std::pair<int, int64_t>> alive;  // (last reader, bytes) of every live candidate
  for (const TensorInput& in : net.inputs) {
    out.tensors[in.name] = {false, 0, -1, -1, "DRAM: a network input (the host writes it there)"};
  }
  for (size_t i = 0; i < n; ++i) {
    const Layer& l = net.layers[i];
    if (is_view(i)) continue;
    TensorResidency& t = out.tensors[l.name];
    t.first_layer = static_cast<int>(i);
    t.last_layer = last_reader[i];
    const int64_t bytes = static_cast<int64_t>(bytes_of_tensor.at(l.name));
    if (operator_of(l.kind).output_persists()) {
      t.reason = "DRAM: it outlives the run (a cache the next step reads)";
      continue;
    }
    if (last_reader[i] < 0) {
      t.reason = "DRAM: a network output (no layer reads it)";
      continue;
    }
    // Free what died before this layer.
    live.erase(
        std::remove_if(live.begin(), live.end(), [&](const Placed& p) { return p.last < t.first_layer; }),
        live.end());
    alive.erase(std::remove_if(alive.begin(), alive.end(),
                               [&](const std::pair<int, int64_t>& a) { return a.first < t.first_layer; }),
                alive.end());
    int64_t live_bytes = 0;  // of every candidate alive, placed or spilled
    for (const auto& a : alive) live_bytes += a.second;
    alive.emplace_back(last_reader[i], bytes);
    out.peak_live_bytes = std::max(out.peak_live_bytes, live_bytes + bytes);
    if (reserved_bytes == 0) {
      t.reason = off_reason;
      continue;
    }
    const int64_t size = static_cast<int64_t>(
        align_up(static_cast<uint64_t>(std::max<int64_t>(bytes, 1)), static_cast<uint64_t>(align)));
    if (size > reserved_bytes) {
      t.reason = fmt::format("DRAM: its {} B exceed the {} B on-chip store", bytes, reserved_bytes);
      continue;
    }
    std::sort(live.begin(), live.end(), [](const Placed& a, const Placed& b) { return a.offset < b.offset; });
    int64_t at = 0, largest_gap = 0, free_bytes = reserved_bytes;
    bool found = false;
    for (const Placed& p : live) {
      free_bytes -= p.size;
      if (!found && p.offset - at >= size) found = true;
      if (!found) {
        largest_gap = std::max(largest_gap, p.offset - at);
        at = p.offset + p.size;
      }
    }
    if (!found && reserved_bytes - at >= size) found = true;
    if (!found) {
      largest_gap = std::max(largest_gap, reserved_bytes - at);
      t.reason = fmt::format(
          "DRAM: spilled: its {} B do not fit the on-chip store when layer {} produces it ({} B of {} B "
          "free, "
          "largest gap {} B; policy: production order, first fit)",
          bytes, i, free_bytes, reserved_bytes, largest_gap);
      continue;
    }
    live.push_back({at, size, last_reader[i]});
    t.on_chip = true;
    t.store_addr = out.store_base + static_cast<uint64_t>(at);
    t.reason = fmt::format("on chip: '{}' [{:#x}, {:#x}) from layer {} until layer {}, its last reader",
                           out.scratchpad, t.store_addr, t.store_addr + static_cast<uint64_t>(bytes), i,
                           last_reader[i]);
  }
  // Views share their root's residency.
  for (size_t i = 0; i < n; ++i) {
    if (!is_view(i)) continue;
    const int r = root_of(net.layers[i].name);
    const std::string root = r >= 0 ? net.layers[static_cast<size_t>(r)].name : net.layers[i].inputs.at(0);
    TensorResidency t = out.tensors.at(root);
    t.reason = fmt::format("a view of '{}': {}", root, t.reason);
    out.tensors[net.layers[i].name] = t;
  }
  return out;
}

void place_resident_transfers(const ResidencyPlan& residency, const std::vector<TensorPlacement>& tensors,
                              std::vector<Instruction>* instructions) {
  // Resident root tensors by home address: [home, home + bytes) -> store address.
  struct Range {
    uint64_t home = 0, bytes = 0, store = 0;
  };
  std::map<uint64_t, Range> by_home;
  for (const TensorPlacement& t : tensors) {
    auto it = residency.tensors.find(t.name);
    if (it == residency.tensors.end() || !it->second.on_chip) continue;
    by_home.emplace(t.dram_addr, Range{t.dram_addr, t.bytes, it->second.store_addr});  // views: same home
  }
  if (by_home.empty()) return;
  for (Instruction& in : *instructions) {
    auto* d = std::get_if<DmaDescriptor>(&in.payload);
    if (d == nullptr || d->bytes() == 0) continue;
    auto it = by_home.upper_bound(d->dram_addr);
    if (it == by_home.begin()) continue;
    const Range& r = std::prev(it)->second;
    if (d->dram_addr >= r.home + r.bytes) continue;
    // The walk's last byte must lie in the same tensor.
    const uint64_t last = d->dram_addr + (d->planes - 1) * d->plane_stride_bytes +
                          (d->rows - 1) * d->row_stride_bytes + d->row_bytes - 1;
    if (d->indexed || last >= r.home + r.bytes) {
      throw InternalError(
          fmt::format("residency: instruction {} moves [{:#x}, {:#x}], which is not inside the "
                      "resident tensor at [{:#x}, {:#x})",
                      in.id, d->dram_addr, last, r.home, r.home + r.bytes));
    }
    d->on_chip = true;
    d->store_addr = r.store + (d->dram_addr - r.home);
  }
}

ProgramEstimate estimate_program(const ArchSpec& arch, const Program& program) {
  const auto& a = arch.core.array;
  const ArrayGeometry geo{a.rows, a.cols, a.microarch};
  const ScratchpadsParams& spm = arch.core.scratchpads;
  const double dram_bpc = arch.dram.planning_bandwidth_gbps() * 1000.0 / arch.core.clock_mhz;  // 0: unbounded
  const int64_t acc_bytes = bytes_of(a.accumulator_type), in_bytes = bytes_of(a.input_type);
  std::vector<int64_t> compute(program.layers.size(), 0), dma(program.layers.size(), 0);
  ProgramEstimate out;
  out.layer_dram_bytes.assign(program.layers.size(), 0);
  for (const Instruction& in : program.instructions) {
    const size_t l = in.layer;
    if (in.op == Opcode::kMatmul) {
      compute[l] = sat_add(compute[l], static_cast<int64_t>(tile_timing(geo, in.matmul()).cycles));
    } else if (in.op == Opcode::kVector) {
      const VectorOp& v = in.vector();
      compute[l] =
          sat_add(compute[l],
                  ceil_div(sat_mul(static_cast<int64_t>(v.elements), static_cast<int64_t>(v.ops_per_element)),
                           arch.core.vector.lanes));
    } else if (in.op == Opcode::kLoad || in.op == Opcode::kStore) {
      const DmaDescriptor& d = in.dma();
      const bool load = in.op == Opcode::kLoad;
      const auto bytes = static_cast<int64_t>(d.bytes());
      int64_t far = 0;
      if (d.on_chip) {
        const ScratchpadParams& s = spm.of(kTensorStore);
        const int64_t port = load ? s.read_bytes_per_cycle : s.write_bytes_per_cycle;
        far = sat_mul(static_cast<int64_t>(d.planes * d.rows),
                      ceil_div(static_cast<int64_t>(d.row_bytes), port));
      } else {
        out.dram_bytes = sat_add(out.dram_bytes, bytes);
        out.layer_dram_bytes[l] = sat_add(out.layer_dram_bytes[l], bytes);
        if (dram_bpc > 0.0) far = static_cast<int64_t>(static_cast<double>(bytes) / dram_bpc);
      }
      const ScratchpadParams& s = spm.of(d.buffer);
      const int64_t near_bytes = d.from_accumulator ? bytes / in_bytes * acc_bytes : bytes;
      const int64_t near = ceil_div(near_bytes, load ? s.write_bytes_per_cycle : s.read_bytes_per_cycle);
      dma[l] = sat_add(dma[l], std::max(far, near));
    }
  }
  for (size_t l = 0; l < compute.size(); ++l) {
    out.layer_cycles.push_back(std::max(compute[l], dma[l]));
    out.cycles = sat_add(out.cycles, out.layer_cycles.back());
  }
  return out;
}

}  // namespace systole::lowering
