// Fuzz target: a user's mapping file (load_user_mapping, what `--mapping` reads), checked against
// a small fixed network, then compiled onto the default architecture. Contract: only UserError
// escapes either step; an accepted file that compiles gives every layer it names exactly its
// tiling (and loop order, when it names one), and, when it gives stages (compiled on two
// pipelining cores), runs each layer it gives a stage on that stage's core.
#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "fuzz_support.h"
#include "systole/compiler/compiler.h"
#include "systole/compiler/user_mapping.h"
#include "systole/workload/loader.h"

namespace {

// A conv, a fused relu, a pool and a matmul: GEMM and non-GEMM layers to name.
const systole::Network& network() {
  static const systole::Network net = systole::load_network_from_string(R"(name: fuzz_net
inputs:
  - {name: x, shape: [1, 8, 12, 12]}
layers:
  - {name: conv, type: conv2d, input: x, out_channels: 16, kernel: 3, padding: 1}
  - {name: relu, type: relu, input: conv}
  - {name: pool, type: pool, mode: max, input: relu, kernel: 2, stride: 2}
  - {name: flat, type: reshape, input: pool, shape: [1, -1]}
  - {name: fc, type: fc, input: flat, out_features: 10}
)",
                                                                        "fuzz_net.yaml");
  return net;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  const std::string path = fuzz::scratch().write("mapping.yaml", data, size);
  UserMapping m;
  if (!fuzz::accepts("load_user_mapping", [&] { m = load_user_mapping(path, network()); })) return 0;
  ArchSpec arch;
  arch.name = "fuzz";
  Program p;
  if (!m.stages.empty()) {
    // Stages are for layer pipelining: on two pipelining cores, each layer the file gives a
    // stage runs on that stage's core.
    arch.cores.count = 2;
    arch.compiler.partition = PartitionChoice::kPipeline;
  }
  if (!fuzz::accepts("compile with the mapping", [&] { p = compile(arch, network(), &m); })) return 0;
  if (!m.stages.empty()) {
    fuzz::holds("named layers run on their stage's core", [&] {
      for (const Instruction& in : p.instructions) {
        const auto it = m.stages.find(network().layers.at(in.layer).name);
        if (it == m.stages.end() || std::holds_alternative<SyncOp>(in.payload)) continue;
        FUZZ_CHECK(in.core == static_cast<uint32_t>(it->second.stage),
                   fmt::format("layer {} (stage {}) runs on core {}", it->first, it->second.stage, in.core));
      }
    });
  }
  fuzz::holds("named layers take their tiling", [&] {
    for (size_t i = 0; i < network().layers.size(); ++i) {
      const auto it = m.layers.find(network().layers[i].name);
      if (it == m.layers.end()) continue;
      const MappingRecord& r = p.mappings.at(i);
      const UserTiling& u = it->second;
      FUZZ_CHECK(r.tile_m == u.tm && r.tile_n == u.tn && r.tile_k == u.tk,
                 fmt::format("layer {} mapped {}x{}x{}, the file says {}x{}x{}", r.layer, r.tile_m, r.tile_n,
                             r.tile_k, u.tm, u.tn, u.tk));
      if (u.m_outer) {
        FUZZ_CHECK(r.loop_order == (*u.m_outer ? "m,n,k" : "n,m,k"),
                   fmt::format("layer {} has loop order {}", r.layer, r.loop_order));
      }
    }
  });
  return 0;
}
