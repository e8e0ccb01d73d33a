// Fuzz target: a user's mapping file (load_user_mapping, what `--mapping` reads), checked against
// a small fixed network, then compiled onto the default architecture. Contract: only UserError
// escapes either step; an accepted file that compiles gives every layer it names exactly its
// tiling (and loop order, when it names one).
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
  if (!fuzz::accepts("compile with the mapping", [&] { p = compile(arch, network(), &m); })) return 0;
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
