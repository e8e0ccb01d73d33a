// Internal to the config library: the builders schema.cpp and schema_multicore.cpp declare
// parameters with (one ParamDef per key, its accessor bound to the ArchSpec field).
#pragma once

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "systole/common/error.h"
#include "systole/config/schema.h"

namespace systole::config_detail {

constexpr double kInf = std::numeric_limits<double>::infinity();

inline NumericRange at_least(double lo, double hi = kInf) {
  return NumericRange{lo, false, hi, false, false};
}
inline NumericRange exactly(double v) {
  return NumericRange{v, false, v, false, false};
}
inline NumericRange power_of_two(double lo, double hi) {
  return NumericRange{lo, false, hi, false, true};
}

// Enum spellings and parsers, so that one enum_param works for every enum.
inline bool parse_enum(const std::string& s, Dataflow* out) {
  return parse_dataflow(s, out);
}
inline bool parse_enum(const std::string& s, DataType* out) {
  return parse_data_type(s, out);
}
inline bool parse_enum(const std::string& s, DramKind* out) {
  return parse_dram_kind(s, out);
}
inline bool parse_enum(const std::string& s, DmaCompletion* out) {
  return parse_dma_completion(s, out);
}
inline bool parse_enum(const std::string& s, OperandFeeder* out) {
  return parse_operand_feeder(s, out);
}
inline bool parse_enum(const std::string& s, BankMapping* out) {
  return parse_bank_mapping(s, out);
}
inline bool parse_enum(const std::string& s, DramPagePolicy* out) {
  return parse_dram_page_policy(s, out);
}
inline bool parse_enum(const std::string& s, DramScheduler* out) {
  return parse_dram_scheduler(s, out);
}
inline bool parse_enum(const std::string& s, DramAddressMapping* out) {
  return parse_dram_address_mapping(s, out);
}
inline bool parse_enum(const std::string& s, Residency* out) {
  return parse_residency(s, out);
}
inline bool parse_enum(const std::string& s, NocTopology* out) {
  return parse_noc_topology(s, out);
}
inline bool parse_enum(const std::string& s, EnergyDramStandard* out) {
  return parse_energy_dram_standard(s, out);
}
inline bool parse_enum(const std::string& s, ArrayFidelity* out) {
  return parse_array_fidelity(s, out);
}
inline bool parse_enum(const std::string& s, MapperKind* out) {
  return parse_mapper_kind(s, out);
}
inline bool parse_enum(const std::string& s, PartitionChoice* out) {
  return parse_partition_choice(s, out);
}
inline bool parse_enum(const std::string& s, MappingObjective* out) {
  return parse_mapping_objective(s, out);
}
// Overflow's spellings are numeric/arith.h's; they are repeated here because the config library
// does not link the numeric one (which depends on config).
inline bool parse_enum(const std::string& s, Overflow* out) {
  if (s == "saturate" || s == "wrap") {
    *out = s == "wrap" ? Overflow::kWrap : Overflow::kSaturate;
    return true;
  }
  return false;
}
template <typename E>
std::string spell(E e) {
  return to_string(e);
}
template <>
inline std::string spell(Overflow o) {
  return o == Overflow::kWrap ? "wrap" : "saturate";
}

// `field` is a generic lambda `[](auto& s) -> auto& { return s.a.b; }` so that one accessor
// serves both the const getter and the setter.
template <typename F>
ParamDef base(std::string key, ParamType type, std::string unit, std::string doc, F field) {
  ParamDef p;
  p.key = std::move(key);
  p.type = type;
  p.unit = std::move(unit);
  p.doc = std::move(doc);
  p.get = [field](const ArchSpec& s) -> ParamValue { return field(s); };
  return p;
}

template <typename F>
ParamDef int_param(std::string key, std::string unit, int64_t def, NumericRange range, std::string doc,
                   F field) {
  ParamDef p = base(std::move(key), ParamType::kInt, std::move(unit), std::move(doc), field);
  p.default_value = def;
  p.range = range;
  p.set = [field](ArchSpec& s, const ParamValue& v) { field(s) = std::get<int64_t>(v); };
  return p;
}

template <typename F>
ParamDef float_param(std::string key, std::string unit, double def, NumericRange range, std::string doc,
                     F field) {
  ParamDef p = base(std::move(key), ParamType::kFloat, std::move(unit), std::move(doc), field);
  p.default_value = def;
  p.range = range;
  p.set = [field](ArchSpec& s, const ParamValue& v) { field(s) = std::get<double>(v); };
  return p;
}

template <typename F>
ParamDef bool_param(std::string key, bool def, std::string doc, F field) {
  ParamDef p = base(std::move(key), ParamType::kBool, "", std::move(doc), field);
  p.default_value = def;
  p.set = [field](ArchSpec& s, const ParamValue& v) { field(s) = std::get<bool>(v); };
  return p;
}

template <typename F>
ParamDef string_param(std::string key, std::string def, std::string doc, F field) {
  ParamDef p = base(std::move(key), ParamType::kString, "", std::move(doc), field);
  p.default_value = std::move(def);
  p.non_empty = true;
  p.set = [field](ArchSpec& s, const ParamValue& v) { field(s) = std::get<std::string>(v); };
  return p;
}

template <typename E, typename F>
ParamDef enum_param(std::string key, E def, std::vector<std::string> choices, std::string doc, F field) {
  ParamDef p = base(std::move(key), ParamType::kEnum, "", std::move(doc),
                    [field](const ArchSpec& s) { return spell(field(s)); });
  p.default_value = spell(def);
  p.choices = std::move(choices);
  p.set = [field](ArchSpec& s, const ParamValue& v) {
    E e{};
    if (!parse_enum(std::get<std::string>(v), &e)) {
      throw InternalError("enum value '" + std::get<std::string>(v) +
                          "' was not checked against its choices");
    }
    field(s) = e;
  };
  return p;
}

inline ParamDef required(ParamDef p) {
  p.required = true;
  p.default_value = ParamValue{};
  return p;
}

}  // namespace systole::config_detail
