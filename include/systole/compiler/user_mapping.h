// A user's mapping file: the tiling of chosen GEMM layers, instead of the compiler's search.
//
//   layers:
//     conv1: {tile: [448, 64, 576], loop_order: "n,m,k"}   # tile: [m, n, k] of the layer's GEMM
//     fc:    {tile: [1, 1000, 256]}                        # loop order: the search's best for it
//     conv2: {partition: spatial}                          # multi-core: how the cores share it
//     res4a: {stage: 2}                                    # compiler.partition pipeline: its stage
//
// An entry has a tile, a partition (a strategy of compiler/partition.h: multi-core NPUs only,
// GEMM layers only; it overrides compiler.partition for that layer), a stage, or several.
// A stage (compiler.partition: pipeline only, compiler/pipeline.h) puts the layer, and every
// layer after it up to the next layer the file gives a stage, in that stage (the layers before
// the first one given are in stage 0): the stages are the file's, not the compiler's cut.
// Loading checks the file against the network: every name is a layer of it, a tile is three
// positive integers, a loop order is "m,n,k" or "n,m,k". Compiling checks it against the
// hardware: the layer is a GEMM layer, each tile size is at most the GEMM's, and the tiles fit
// the scratchpads double-buffered (compiler/buffer_plan.h). Every problem is a ConfigError
// diagnostic naming the file, the line, the key path and what was expected. Layers the file does
// not name are mapped by the search. No SystemC here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "systole/workload/network.h"

namespace systole {

struct UserTiling {
  int64_t tm = 0, tn = 0, tk = 0;
  std::optional<bool> m_outer;  // loop order "m,n,k" (true) or "n,m,k"; empty: the search's choice
  int line = 0;                 // of the layer's entry in the file
};

struct UserPartition {
  std::string strategy;  // a registered partitioning strategy's name (not "auto")
  int line = 0;
};

struct UserStage {
  int64_t stage = 0;  // >= 0
  int line = 0;
};

struct UserMapping {
  std::string path;                                 // the file, as given
  std::map<std::string, UserTiling> layers;         // the entries with a tile
  std::map<std::string, UserPartition> partitions;  // the entries with a partition
  std::map<std::string, UserStage> stages;          // the entries with a stage
};

// Reads and checks the file at `path` against `net`. Throws ConfigError with every problem found.
UserMapping load_user_mapping(const std::string& path, const Network& net);

}  // namespace systole
