// Text and JSON forms of a Program. Both are deterministic functions of the Program: layers and
// instructions in order, JSON object keys sorted (nlohmann::json's default map).
#include <fmt/format.h>

#include "systole/compiler/program.h"
#include "systole/config/types.h"

namespace systole {
namespace {

std::string deps_str(const std::vector<uint32_t>& deps) {
  return fmt::format("[{}]", fmt::join(deps, ","));
}

std::string mapping_line(size_t i, const ProgramLayer& l, const MappingRecord& r) {
  std::string s = fmt::format("# L{} {} ({}) macs={} vector_ops={} dataflow={}", i, l.name, l.type, l.macs,
                              l.vector_ops, r.dataflow);
  if (r.gemm_m > 0) {
    s += fmt::format(" gemm m={} n={} k={} groups={} tile m={} n={} k={} order={}", r.gemm_m, r.gemm_n,
                     r.gemm_k, r.groups, r.tile_m, r.tile_n, r.tile_k, r.loop_order);
  }
  if (r.tiles > 0)
    s += fmt::format(" tiles={} folds={} est_dram_bytes={}", r.tiles, r.folds, r.estimated_dram_bytes);
  if (!r.fused_into.empty()) s += " fused_into=" + r.fused_into;
  s += "\n#   " + r.reason + "\n";
  if (!r.partition.empty()) {
    s += "#   partition: " + r.partition + (r.split.empty() ? "" : " (" + r.split + ")") + ": " +
         r.partition_reason + "\n";
  }
  if (!r.residency.empty()) s += "#   output: " + r.residency + "\n";
  if (!r.layouts.empty()) s += "#   layouts: " + r.layouts + "\n";
  return s;
}

// "ifmap[A]": a buffer and the double-buffer half an instruction uses ("ifmap" without one).
std::string buffer_slot(Buffer b, int slot) {
  return slot == kNoSlot ? std::string(to_string(b)) : fmt::format("{}[{}]", to_string(b), slot_name(slot));
}

// `core`: the program has several cores, so each line names its instruction's ("c2").
std::string instruction_line(const Instruction& in, const std::string& layer, bool core) {
  std::string s = core ? fmt::format("{} c{} {} L{} {}", in.id, in.core, to_string(in.op), in.layer, layer)
                       : fmt::format("{} {} L{} {}", in.id, to_string(in.op), in.layer, layer);
  switch (in.op) {
    case Opcode::kLoad:
    case Opcode::kStore: {
      const DmaDescriptor& d = in.dma();
      s += fmt::format(" {} dram=0x{:x} spm=0x{:x} {}x{}x{}B", buffer_slot(d.buffer, d.slot), d.dram_addr,
                       d.spm_addr, d.planes, d.rows, d.row_bytes);
      if (d.planes > 1 || d.rows > 1)
        s += fmt::format(" stride={}/{}", d.plane_stride_bytes, d.row_stride_bytes);
      if (d.on_chip) s += fmt::format(" store=0x{:x}", d.store_addr);
      if (d.store_core >= 0) s += fmt::format(" core={}", d.store_core);
      if (d.channel_last_channels > 0) s += fmt::format(" channel_last={}", d.channel_last_channels);
      if (d.stride_phased()) s += fmt::format(" phases={}x{}", d.row_phases, d.col_phases);
      if (d.indexed) {
        s += fmt::format(" indexed={}@0x{:x} table=0x{:x} table_rows={}", to_string(d.index_buffer),
                         d.index_spm_addr, d.table_addr, d.table_rows);
      }
      break;
    }
    case Opcode::kMatmul: {
      const MatmulOp& m = in.matmul();
      s += fmt::format(" {} m={} n={} k={} acc={}", to_string(m.dataflow), m.m, m.n, m.k,
                       m.accumulate ? 1 : 0);
      if (!m.stream_first || !m.stream_last) {
        s += fmt::format(" chunk={}{}", m.stream_first ? "first" : "", m.stream_last ? "last" : "");
        if (m.stream_first == m.stream_last) s += "mid";
      }
      if (m.layer_last) s += " layer_last";
      for (auto [b, slot] :
           {std::pair{Buffer::kIfmap, m.ifmap_slot}, std::pair{Buffer::kWeight, m.weight_slot},
            std::pair{Buffer::kOfmap, m.ofmap_slot}}) {
        if (slot != kNoSlot) s += " " + buffer_slot(b, slot);
      }
      break;
    }
    case Opcode::kVector: {
      const VectorOp& v = in.vector();
      s += fmt::format(" {} elems={} ops/elem={} spm_rd={}B spm_wr={}B", to_string(v.func), v.elements,
                       v.ops_per_element, v.spm_read_bytes, v.spm_write_bytes);
      if (v.src_slot != kNoSlot) s += " " + buffer_slot(Buffer::kIfmap, v.src_slot);
      if (v.dst_slot != kNoSlot) s += " " + buffer_slot(Buffer::kOfmap, v.dst_slot);
      if (v.weight_slot != kNoSlot) {
        s += fmt::format(" {} spm_wt_rd={}B", buffer_slot(Buffer::kWeight, v.weight_slot),
                         v.spm_weight_read_bytes);
      }
      break;
    }
    case Opcode::kSync: {
      const SyncOp& y = std::get<SyncOp>(in.payload);
      if (y.barrier >= 0) s += fmt::format(" barrier={}", y.barrier);
      if (y.signal_core >= 0) s += fmt::format(" signal=core{} token={}", y.signal_core, y.token);
      if (y.wait_core >= 0) s += fmt::format(" wait=core{} token={}", y.wait_core, y.token);
      break;
    }
  }
  return s + " deps=" + deps_str(in.deps) + "\n";
}

}  // namespace

std::string to_text(const Program& p) {
  std::string out = fmt::format("# network {}: {} layers, {} instructions\n", p.network, p.layers.size(),
                                p.instructions.size());
  if (p.cores > 1) out += fmt::format("# cores {}\n", p.cores);
  const ResidencySummary& r = p.residency;
  out += fmt::format(
      "# residency {}: {} B on-chip store in '{}' from 0x{:x}, {} resident tensors, peak live {} B\n", r.mode,
      r.reserved_bytes, r.scratchpad, r.store_base, r.resident_tensors, r.peak_live_bytes);
  if (!r.choice.empty()) out += "#   " + r.choice + "\n";
  for (const TensorPlacement& t : p.tensors) {
    out += fmt::format("# tensor {} dram=0x{:x} bytes={}", t.name, t.dram_addr, t.bytes);
    out += t.on_chip ? fmt::format(" store=0x{:x}\n", t.store_addr) : "\n";
  }
  // Instructions are grouped by layer in stream order (a fused VECTOR carries its producer's index).
  std::vector<std::vector<const Instruction*>> by_layer(p.layers.size());
  for (const Instruction& in : p.instructions) {
    if (in.layer < by_layer.size()) by_layer[in.layer].push_back(&in);
  }
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const MappingRecord empty;
    out += mapping_line(i, p.layers[i], i < p.mappings.size() ? p.mappings[i] : empty);
    for (const Instruction* in : by_layer[i]) out += instruction_line(*in, p.layers[i].name, p.cores > 1);
  }
  return out;
}

nlohmann::json ranked_json(const MappingRecord& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const MappingRecord::RankedTiling& t : r.ranked) {
    out.push_back({{"tile", {{"m", t.tile_m}, {"n", t.tile_n}, {"k", t.tile_k}}},
                   {"loop_order", t.loop_order},
                   {"estimated_cycles", t.estimated_cycles},
                   {"estimated_dram_bytes", t.estimated_dram_bytes},
                   {"estimated_cost", t.estimated_cost},
                   {"estimated_energy_pj", t.estimated_energy_pj},
                   {"score", t.score}});
  }
  return out;
}

nlohmann::json to_json(const Program& p) {
  nlohmann::json j;
  j["network"] = p.network;
  if (p.cores > 1) j["cores"] = p.cores;
  j["layers"] = nlohmann::json::array();
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const ProgramLayer& l = p.layers[i];
    nlohmann::json e{
        {"index", i}, {"name", l.name}, {"type", l.type}, {"macs", l.macs}, {"vector_ops", l.vector_ops}};
    if (i < p.mappings.size()) {
      const MappingRecord& r = p.mappings[i];
      e["dataflow"] = r.dataflow;
      e["gemm"] = {{"m", r.gemm_m}, {"n", r.gemm_n}, {"k", r.gemm_k}, {"groups", r.groups}};
      e["tile"] = {{"m", r.tile_m}, {"n", r.tile_n}, {"k", r.tile_k}};
      e["folds"] = r.folds;
      e["tiles"] = r.tiles;
      e["loop_order"] = r.loop_order;
      e["estimated_dram_bytes"] = r.estimated_dram_bytes;
      e["fused_into"] = r.fused_into;
      e["reason"] = r.reason;
      e["residency"] = r.residency;
      if (!r.layouts.empty()) e["layouts"] = r.layouts;
      if (r.weights_kn) e["weights_kn"] = true;
      if (r.conv_k_block > 0) e["conv_k_block"] = r.conv_k_block;
      if (!r.ranked.empty()) {
        e["mapper"] = r.mapper;
        e["objective"] = r.objective;
        e["ranked"] = ranked_json(r);
      }
      if (!r.partition.empty()) {
        e["partition"] = {{"strategy", r.partition}, {"split", r.split}, {"reason", r.partition_reason}};
      }
    }
    j["layers"].push_back(e);
  }
  j["tensors"] = nlohmann::json::array();
  for (const TensorPlacement& t : p.tensors) {
    nlohmann::json e{
        {"name", t.name}, {"dram_addr", t.dram_addr}, {"bytes", t.bytes}, {"on_chip", t.on_chip}};
    if (t.on_chip) e["store_addr"] = t.store_addr;
    j["tensors"].push_back(e);
  }
  j["residency"] = {{"mode", p.residency.mode},
                    {"scratchpad", p.residency.scratchpad},
                    {"reserved_bytes", p.residency.reserved_bytes},
                    {"store_base", p.residency.store_base},
                    {"peak_live_bytes", p.residency.peak_live_bytes},
                    {"resident_tensors", p.residency.resident_tensors},
                    {"choice", p.residency.choice}};
  j["instructions"] = nlohmann::json::array();
  for (const Instruction& in : p.instructions) {
    nlohmann::json e{{"id", in.id}, {"op", to_string(in.op)}, {"layer", in.layer}, {"deps", in.deps}};
    switch (in.op) {
      case Opcode::kLoad:
      case Opcode::kStore: {
        const DmaDescriptor& d = in.dma();
        e["buffer"] = to_string(d.buffer);
        e["dram_addr"] = d.dram_addr;
        e["spm_addr"] = d.spm_addr;
        e["planes"] = d.planes;
        e["rows"] = d.rows;
        e["row_bytes"] = d.row_bytes;
        e["plane_stride_bytes"] = d.plane_stride_bytes;
        e["row_stride_bytes"] = d.row_stride_bytes;
        e["bytes"] = d.bytes();
        if (d.slot != kNoSlot) e["slot"] = slot_name(d.slot);
        if (d.on_chip) {
          e["on_chip"] = true;
          e["store_addr"] = d.store_addr;
          if (d.store_core >= 0) e["store_core"] = d.store_core;
        }
        if (d.channel_last_channels > 0) e["channel_last_channels"] = d.channel_last_channels;
        if (d.stride_phased()) {
          e["row_phases"] = d.row_phases;
          e["col_phases"] = d.col_phases;
          e["phase_rows"] = d.phase_rows;
          e["phase_cols"] = d.phase_cols;
        }
        if (d.indexed) {
          e["index_buffer"] = to_string(d.index_buffer);
          e["index_spm_addr"] = d.index_spm_addr;
          e["table_addr"] = d.table_addr;
          e["table_rows"] = d.table_rows;
        }
        break;
      }
      case Opcode::kMatmul: {
        const MatmulOp& m = in.matmul();
        e["dataflow"] = to_string(m.dataflow);
        e["m"] = m.m;
        e["n"] = m.n;
        e["k"] = m.k;
        e["ifmap_spm_addr"] = m.ifmap_spm_addr;
        e["weight_spm_addr"] = m.weight_spm_addr;
        e["ofmap_spm_addr"] = m.ofmap_spm_addr;
        e["accumulate"] = m.accumulate;
        e["stream_first"] = m.stream_first;
        e["stream_last"] = m.stream_last;
        e["layer_last"] = m.layer_last;
        if (m.ifmap_slot != kNoSlot) e["ifmap_slot"] = slot_name(m.ifmap_slot);
        if (m.weight_slot != kNoSlot) e["weight_slot"] = slot_name(m.weight_slot);
        if (m.ofmap_slot != kNoSlot) e["ofmap_slot"] = slot_name(m.ofmap_slot);
        break;
      }
      case Opcode::kVector: {
        const VectorOp& v = in.vector();
        e["func"] = to_string(v.func);
        e["elements"] = v.elements;
        e["ops_per_element"] = v.ops_per_element;
        e["spm_read_bytes"] = v.spm_read_bytes;
        e["spm_write_bytes"] = v.spm_write_bytes;
        if (v.src_slot != kNoSlot) e["src_slot"] = slot_name(v.src_slot);
        if (v.dst_slot != kNoSlot) e["dst_slot"] = slot_name(v.dst_slot);
        if (v.weight_slot != kNoSlot) {
          e["weight_slot"] = slot_name(v.weight_slot);
          e["spm_weight_read_bytes"] = v.spm_weight_read_bytes;
        }
        break;
      }
      case Opcode::kSync: {
        const SyncOp& y = std::get<SyncOp>(in.payload);
        if (y.barrier >= 0) e["barrier"] = y.barrier;
        if (y.signal_core >= 0) e["signal_core"] = y.signal_core;
        if (y.wait_core >= 0) e["wait_core"] = y.wait_core;
        if (y.token >= 0) e["token"] = y.token;
        break;
      }
    }
    if (p.cores > 1) e["core"] = in.core;
    j["instructions"].push_back(e);
  }
  return j;
}

}  // namespace systole
