// Enumerations shared by the config, the workload IR and the compiler, with their spellings in
// YAML. Parsing an unknown spelling is the caller's error to report (these return false).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace systole {

enum class Dataflow { kWeightStationary, kOutputStationary, kInputStationary };
enum class DataType { kInt8, kInt16, kInt32, kFp16, kBf16, kFp32 };
enum class DramKind { kIdeal, kSimple, kCycle };
enum class DmaCompletion { kInOrder, kOutOfOrder };

// "ws", "os", "is"
const char* to_string(Dataflow d);
bool parse_dataflow(const std::string& s, Dataflow* out);
std::vector<std::string> dataflow_names();

// "int8", "int16", "int32", "fp16", "bf16", "fp32"
const char* to_string(DataType t);
bool parse_data_type(const std::string& s, DataType* out);
std::vector<std::string> data_type_names();
int64_t bytes_of(DataType t);

// "ideal", "simple", "cycle"
const char* to_string(DramKind k);
bool parse_dram_kind(const std::string& s, DramKind* out);
std::vector<std::string> dram_kind_names();

// "in_order", "out_of_order"
const char* to_string(DmaCompletion c);
bool parse_dma_completion(const std::string& s, DmaCompletion* out);
std::vector<std::string> dma_completion_names();

}  // namespace systole
