// compiler.*: how the workload compiler maps GEMM layers (docs/compiler.md "Tiling").
//
// The search mappers, one line each: X(name, Enumerator). The name is the YAML spelling of
// compiler.mapper and the mapper's name in the compiler's registry (compiler/mapper.h); the
// mapper itself is one file in src/compiler/mappers/ ending with register_mapper_<name>. Adding a
// search mapper is that file plus one line here (docs/extending.md). The `file` mapper (a user's
// mapping file, `--mapping`) is registered too but is no value of compiler.mapper: it needs a
// file, and the layers the file does not name fall back to compiler.mapper.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#define SYSTOLE_SEARCH_MAPPERS(X) \
  X(heuristic, kHeuristic)        \
  X(exhaustive, kExhaustive)

namespace systole {

enum class MapperKind {
#define SYSTOLE_MAPPER_ENUMERATOR(name, enumerator) enumerator,
  SYSTOLE_SEARCH_MAPPERS(SYSTOLE_MAPPER_ENUMERATOR)
#undef SYSTOLE_MAPPER_ENUMERATOR
};
const char* to_string(MapperKind m);  // "heuristic", "exhaustive"
bool parse_mapper_kind(const std::string& s, MapperKind* out);
std::vector<std::string> mapper_kind_names();

// What a mapper ranks tilings by, from their closed-form estimates: cycles (max of array cycles
// and DRAM cycles), energy (pJ), or edp (energy x cycles, pJ x cycles).
enum class MappingObjective { kCycles, kEnergy, kEdp };
const char* to_string(MappingObjective o);  // "cycles", "energy", "edp"
bool parse_mapping_objective(const std::string& s, MappingObjective* out);
std::vector<std::string> mapping_objective_names();

// How the compiler keeps activations on chip (docs/compiler.md "Activation residency").
// auto: layer outputs that fit stay in a region at the top of the ifmap role's scratchpad for their
// readers; off: every layer output goes to DRAM and comes back (the behaviour before residency).
enum class Residency { kAuto, kOff };
const char* to_string(Residency r);  // "auto", "off"
bool parse_residency(const std::string& s, Residency* out);

// How a multi-core NPU (cores.count > 1) shares each layer among its cores (docs/multicore.md).
// The strategies, one line each: X(name, Enumerator). The name is the YAML spelling of
// compiler.partition (and of a mapping file's per-layer `partition:`) and the strategy's name in
// the compiler's registry (compiler/partition.h); the strategy is one file in
// src/compiler/partitions/ ending with register_partition_<name>. auto is no strategy: the
// compiler estimates each registered one per layer and keeps the cheapest. pipeline is no
// per-layer strategy either: it gives each core whole consecutive layers and streams the batch's
// images through them (compiler/pipeline.h), for the whole run.
#define SYSTOLE_PARTITION_STRATEGIES(X) \
  X(output_channels, kOutputChannels)   \
  X(spatial, kSpatial)                  \
  X(batch, kBatch)

enum class PartitionChoice {
  kAuto,
#define SYSTOLE_PARTITION_ENUMERATOR(name, enumerator) enumerator,
  SYSTOLE_PARTITION_STRATEGIES(SYSTOLE_PARTITION_ENUMERATOR)
#undef SYSTOLE_PARTITION_ENUMERATOR
      kPipeline,
};
const char* to_string(PartitionChoice p);  // "auto", "output_channels", "spatial", "batch", "pipeline"
bool parse_partition_choice(const std::string& s, PartitionChoice* out);
std::vector<std::string> partition_choice_names();  // "auto" first, then the strategies, then "pipeline"

struct CompilerParams {
  MapperKind mapper = MapperKind::kHeuristic;
  MappingObjective objective = MappingObjective::kCycles;
  Residency residency = Residency::kAuto;
  // Bytes of the ifmap role's scratchpad reserved for resident tensors, in KiB; 0 = chosen by the
  // compiler's estimate (auto). An error with residency off.
  int64_t resident_kib = 0;
  PartitionChoice partition = PartitionChoice::kAuto;  // multi-core only
  // compiler.partition pipeline: images per pipeline step (a divisor of the batch); 0 = chosen by
  // the compiler's estimate among the divisors of the batch.
  int64_t pipeline_microbatch = 0;
};

}  // namespace systole
