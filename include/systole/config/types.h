// Enumerations shared by the config, the workload IR and the compiler, with their spellings in
// YAML (DataType is numeric/data_type.h). Parsing an unknown spelling is the caller's error to report (these
// return false).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "systole/config/dataflow_list.h"
#include "systole/config/dram_model_list.h"
#include "systole/numeric/data_type.h"  // DataType, one layer down: the numbers config describes

namespace systole {

// One enumerator per line of SYSTOLE_DATAFLOWS (config/dataflow_list.h), in its order.
enum class Dataflow {
#define SYSTOLE_DATAFLOW_ENUMERATOR(name, enumerator) enumerator,
  SYSTOLE_DATAFLOWS(SYSTOLE_DATAFLOW_ENUMERATOR)
#undef SYSTOLE_DATAFLOW_ENUMERATOR
};
// One enumerator per line of SYSTOLE_DRAM_MODELS (config/dram_model_list.h), in its order.
enum class DramKind {
#define SYSTOLE_DRAM_KIND_ENUMERATOR(name, enumerator) enumerator,
  SYSTOLE_DRAM_MODELS(SYSTOLE_DRAM_KIND_ENUMERATOR)
#undef SYSTOLE_DRAM_KIND_ENUMERATOR
};
enum class DmaCompletion { kInOrder, kOutOfOrder };

// The three operands of a GEMM on the array: input activations, weights, and outputs (partial
// sums in accumulator_type until they are stored). Each lives in the scratchpad core.operands
// names for it (config/arch_spec.h ScratchpadsParams); the ISA addresses scratchpads by role.
enum class OperandRole { kIfmap, kWeight, kOfmap };
constexpr OperandRole kOperandRoles[] = {OperandRole::kIfmap, OperandRole::kWeight, OperandRole::kOfmap};
constexpr int kOperandRoleCount = 3;
inline int index_of(OperandRole r) {
  return static_cast<int>(r);
}

// The names of SYSTOLE_DATAFLOWS: "ws", "os", "is"
const char* to_string(Dataflow d);
bool parse_dataflow(const std::string& s, Dataflow* out);
std::vector<std::string> dataflow_names();

// "ideal", "simple", "cycle"
const char* to_string(DramKind k);
bool parse_dram_kind(const std::string& s, DramKind* out);
std::vector<std::string> dram_kind_names();

// "ifmap", "weight", "ofmap"
const char* to_string(OperandRole r);

// "in_order", "out_of_order"
const char* to_string(DmaCompletion c);
bool parse_dma_completion(const std::string& s, DmaCompletion* out);
std::vector<std::string> dma_completion_names();

}  // namespace systole
