// Spellings of compiler.mapper, compiler.objective, compiler.residency and compiler.partition
// (config/compiler_params.h).
#include "systole/config/compiler_params.h"

#include "enum_table.h"

namespace systole {

using config_detail::EnumTable;
using config_detail::name_of;
using config_detail::names_of;
using config_detail::parse_from;

namespace {

#define SYSTOLE_MAPPER_ENTRY(name, enumerator) std::pair{MapperKind::enumerator, #name},
constexpr std::array kMappers{SYSTOLE_SEARCH_MAPPERS(SYSTOLE_MAPPER_ENTRY)};
#undef SYSTOLE_MAPPER_ENTRY

constexpr EnumTable<MappingObjective, 3> kObjectives{{{MappingObjective::kCycles, "cycles"},
                                                      {MappingObjective::kEnergy, "energy"},
                                                      {MappingObjective::kEdp, "edp"}}};

#define SYSTOLE_PARTITION_ENTRY(name, enumerator) std::pair{PartitionChoice::enumerator, #name},
constexpr std::array kPartitions{std::pair{PartitionChoice::kAuto, "auto"},
                                 SYSTOLE_PARTITION_STRATEGIES(SYSTOLE_PARTITION_ENTRY)
                                     std::pair{PartitionChoice::kPipeline, "pipeline"}};
#undef SYSTOLE_PARTITION_ENTRY

constexpr EnumTable<Residency, 2> kResidencies{{{Residency::kAuto, "auto"}, {Residency::kOff, "off"}}};

}  // namespace

const char* to_string(MapperKind m) {
  return name_of(kMappers, m);
}
bool parse_mapper_kind(const std::string& s, MapperKind* out) {
  return parse_from(kMappers, s, out);
}
std::vector<std::string> mapper_kind_names() {
  return names_of(kMappers);
}

const char* to_string(MappingObjective o) {
  return name_of(kObjectives, o);
}
bool parse_mapping_objective(const std::string& s, MappingObjective* out) {
  return parse_from(kObjectives, s, out);
}
std::vector<std::string> mapping_objective_names() {
  return names_of(kObjectives);
}

const char* to_string(Residency r) {
  return name_of(kResidencies, r);
}
bool parse_residency(const std::string& s, Residency* out) {
  return parse_from(kResidencies, s, out);
}

const char* to_string(PartitionChoice p) {
  return name_of(kPartitions, p);
}
bool parse_partition_choice(const std::string& s, PartitionChoice* out) {
  return parse_from(kPartitions, s, out);
}
std::vector<std::string> partition_choice_names() {
  return names_of(kPartitions);
}

}  // namespace systole
