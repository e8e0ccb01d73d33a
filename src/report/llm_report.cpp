// report.json "llm" (report/llm_report.h).
#include "systole/report/llm_report.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole {

using Json = nlohmann::ordered_json;

namespace {

enum class TensorClass { kWeight, kKvCache, kActivation };

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

DramTraffic dram_traffic(const Program& program, const std::vector<std::string>& kv_tensors) {
  // Weights and KV caches are allocations of their own (never views), so their placements do not
  // overlap; every other byte is an activation's.
  const std::set<std::string> kv(kv_tensors.begin(), kv_tensors.end());
  std::map<uint64_t, std::pair<uint64_t, TensorClass>> ranges;  // start -> (end, class)
  for (const TensorPlacement& t : program.tensors) {
    if (ends_with(t.name, ".weight")) ranges[t.dram_addr] = {t.dram_addr + t.bytes, TensorClass::kWeight};
    if (kv.count(t.name)) ranges[t.dram_addr] = {t.dram_addr + t.bytes, TensorClass::kKvCache};
  }
  auto class_of = [&](uint64_t addr) {
    auto it = ranges.upper_bound(addr);
    if (it == ranges.begin()) return TensorClass::kActivation;
    --it;
    return addr < it->second.first ? it->second.second : TensorClass::kActivation;
  };
  DramTraffic t;
  for (const Instruction& ins : program.instructions) {
    if (ins.op != Opcode::kLoad && ins.op != Opcode::kStore) continue;
    const DmaDescriptor& d = ins.dma();
    if (d.on_chip) continue;
    const auto bytes = static_cast<int64_t>(d.bytes());
    const TensorClass c = class_of(d.dram_addr);
    const bool load = ins.op == Opcode::kLoad;
    if (c == TensorClass::kWeight) {
      if (!load) throw InternalError("dram_traffic: a STORE into weights");
      t.weight_read += bytes;
    } else if (c == TensorClass::kKvCache) {
      (load ? t.kv_read : t.kv_write) += bytes;
    } else {
      (load ? t.activation_read : t.activation_write) += bytes;
    }
  }
  return t;
}

Json llm_json(const ArchSpec& arch, const Program& program, const SimResult& result, const DecoderStep& step,
              const Json& total) {
  const DramTraffic traffic = dram_traffic(program, step.kv_tensors);
  const int64_t tokens = step.batch * step.new_tokens;
  const double step_s = total.at("time_us").get<double>() * 1e-6;  // the run's cycles at the core clock
  const bool prefill = step.phase == "prefill";
  Json j;
  j["family"] = step.family;
  j["phase"] = step.phase;
  j["batch"] = step.batch;
  j["new_tokens"] = step.new_tokens;
  j["cached_tokens"] = step.cached_tokens;
  j["layers"] = step.layers;
  j["tokens"] = tokens;
  j["step_s"] = step_s;
  j[prefill ? "ttft_s" : "tpot_s"] = step_s;
  j["tokens_per_s"] = step_s > 0 ? static_cast<double>(tokens) / step_s : 0.0;
  j["dram"] = {{"weight_read_bytes", traffic.weight_read},
               {"kv_read_bytes", traffic.kv_read},
               {"kv_write_bytes", traffic.kv_write},
               {"activation_read_bytes", traffic.activation_read},
               {"activation_write_bytes", traffic.activation_write}};
  const double per_token = tokens > 0 ? 1.0 / static_cast<double>(tokens) : 0.0;
  j["weight_bytes_per_token"] = static_cast<double>(traffic.weight_read) * per_token;
  j["kv_bytes_per_token"] = static_cast<double>(traffic.kv_read + traffic.kv_write) * per_token;
  const double moved = static_cast<double>(result.dram.read_bytes + result.dram.write_bytes);
  const double achieved = result.simulated_ns > 0 ? moved / result.simulated_ns : 0.0;  // B/ns = GB/s
  const double peak = arch.dram.planning_bandwidth_gbps();
  j["achieved_dram_gbps"] = achieved;
  j["peak_dram_gbps"] = peak;
  j["dram_utilization"] = peak > 0 ? achieved / peak : 0.0;
  j["array_utilization"] = total.at("utilization");
  // The critical path's largest cause (ties: the first in the breakdown's order).
  std::string cause;
  double most = -1, cycles = 0;
  for (const auto& [name, v] : total.at("critical_path_breakdown").items()) {
    const double c = v.get<double>();
    cycles += c;
    if (c > most) most = c, cause = name;
  }
  j["bound"] = {{"cause", cause}, {"share", cycles > 0 ? most / cycles : 0.0}};
  return j;
}

std::string llm_summary(const Json& report) {
  if (!report.contains("llm")) return "";
  const Json& j = report.at("llm");
  const bool prefill = j.at("phase") == "prefill";
  const double step_s = j.at("step_s").get<double>();
  std::string out = fmt::format(
      "llm: {} {}, batch {}, {} new token(s) per sequence after {} cached: {} {:.4g} ms, {:.4g} tokens/s",
      j.at("family").get<std::string>(), j.at("phase").get<std::string>(), j.at("batch").get<int64_t>(),
      j.at("new_tokens").get<int64_t>(), j.at("cached_tokens").get<int64_t>(), prefill ? "TTFT" : "TPOT",
      step_s * 1e3, j.at("tokens_per_s").get<double>());
  if (j.contains("j_per_token"))
    out += fmt::format(", {:.4g} mJ/token", j.at("j_per_token").get<double>() * 1e3);
  out += "\n";
  const double peak = j.at("peak_dram_gbps").get<double>();
  out += fmt::format(
      "llm DRAM per token: {:.4g} MB weights, {:.4g} MB KV cache; {:.4g} GB/s achieved{}; array utilization "
      "{:.1f}%; bound by {} ({:.1f}% of the critical path)\n",
      j.at("weight_bytes_per_token").get<double>() / 1e6, j.at("kv_bytes_per_token").get<double>() / 1e6,
      j.at("achieved_dram_gbps").get<double>(),
      peak > 0
          ? fmt::format(" of {:.4g} peak ({:.1f}%)", peak, 100.0 * j.at("dram_utilization").get<double>())
          : std::string(),
      100.0 * j.at("array_utilization").get<double>(), j.at("bound").at("cause").get<std::string>(),
      100.0 * j.at("bound").at("share").get<double>());
  return out;
}

}  // namespace systole
