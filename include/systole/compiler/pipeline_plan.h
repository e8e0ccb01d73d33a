// The plan of a pipelined program for one step size (compiler/pipeline.h): each core class's step
// program, the stage cut, the links passed on chip (compiler/pipeline_links.h) and the estimate by
// which the step size is chosen. compile_pipelined builds the instruction streams from it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "systole/compiler/compiler.h"
#include "systole/compiler/pipeline_links.h"
#include "systole/compiler/user_mapping.h"

namespace systole::pipeline {

// One core class's compilation of a step.
struct ClassProgram {
  Program program;
  // estimate_program's, per layer of the network, with the plan's links on chip.
  std::vector<int64_t> layer_cycles;
  std::vector<int64_t> layer_dram_bytes;
};

// The stages for steps of `micro` images: each core class's program of a step, the stage cut, the
// links passed on chip, and the estimate of the whole batch of n images:
//   max(sum of the stage estimates + (steps - 1) x the largest, steps x DRAM bytes / DRAM bytes
//       per cycle)  with steps = n / micro,
// the pipeline's fill plus one bottleneck stage per further step, or the DRAM the cores share.
struct StagePlan {
  int64_t micro = 1;
  std::map<int, ClassProgram> classes;            // by core class (core_classes)
  std::vector<std::pair<size_t, size_t>> ranges;  // per stage (stage s on core s): its first and last layer
  bool by_hand = false;                           // the ranges are the mapping file's
  std::vector<int64_t> stage_cycles;              // per stage: its estimate per step
  int64_t estimate = 0;
  int64_t dram_bytes = 0;  // the estimate's: DRAM bytes of the whole batch
  // Whether each step program keeps its stage's own tensors in its core's store (its own
  // residency, compiler.residency auto), and why.
  Residency own = Residency::kOff;
  std::string own_choice;
  lowering::LinkPlan links;            // the tensors passed core to core on chip (none: all through DRAM)
  std::map<int, int64_t> reserve_kib;  // per core class: KiB of its tensor store kept for incoming links
  std::string link_choice;             // why these links (or none), for the records
};

// Stages as contiguous layer ranges [first, last], one per core 0..S-1 (S = cost.size()),
// minimising the largest stage estimate (cost[s][j]: the j-th layer's estimate on core s). DP
// over (stage, layers taken), ties to the earliest cut.
std::vector<std::pair<size_t, size_t>> choose_stages(const std::vector<std::vector<int64_t>>& cost);

// The plan for the network `net` of n images in steps of `micro` (`part`: net at batch micro;
// core_class: core_classes(arch)). The stages are `hand` when given (the mapping file's), else
// cut by choose_stages over the layers that emit instructions (one that emits none joins the
// stage before it); the links are kept when the
// estimate with them is no larger than without, and so is the step programs' own residency
// (compiler.residency off: neither). Throws what
// compile() throws for the step's layers.
StagePlan plan_stages(const ArchSpec& arch, const Network& net, const Network& part, int64_t n, int64_t micro,
                      const std::vector<int>& core_class, const UserMapping* mapping,
                      const EnergyPrices* prices, const std::vector<std::pair<size_t, size_t>>* hand);

}  // namespace systole::pipeline
