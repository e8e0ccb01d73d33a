#include "systole/config/types.h"

#include <array>
#include <utility>

#include "enum_table.h"
#include "systole/config/arch_spec.h"

namespace systole {
namespace {

using config_detail::name_of;
using config_detail::names_of;
using config_detail::parse_from;

#define SYSTOLE_DATAFLOW_ENTRY(name, enumerator) std::pair{Dataflow::enumerator, #name},
constexpr std::array kDataflows{SYSTOLE_DATAFLOWS(SYSTOLE_DATAFLOW_ENTRY)};
#undef SYSTOLE_DATAFLOW_ENTRY
#define SYSTOLE_DRAM_KIND_ENTRY(name, enumerator) std::pair{DramKind::enumerator, #name},
constexpr std::array kDramKinds{SYSTOLE_DRAM_MODELS(SYSTOLE_DRAM_KIND_ENTRY)};
#undef SYSTOLE_DRAM_KIND_ENTRY
constexpr std::array<std::pair<DmaCompletion, const char*>, 2> kDmaCompletions{{
    {DmaCompletion::kInOrder, "in_order"},
    {DmaCompletion::kOutOfOrder, "out_of_order"},
}};
constexpr std::array<std::pair<OperandRole, const char*>, 3> kOperandRoleNames{{
    {OperandRole::kIfmap, "ifmap"},
    {OperandRole::kWeight, "weight"},
    {OperandRole::kOfmap, "ofmap"},
}};
constexpr std::array<std::pair<OperandFeeder, const char*>, 2> kOperandFeeders{{
    {OperandFeeder::kStaged, "staged"},
    {OperandFeeder::kDirect, "direct"},
}};
constexpr std::array<std::pair<BankMapping, const char*>, 2> kBankMappings{{
    {BankMapping::kInterleaved, "interleaved"},
    {BankMapping::kXor, "xor"},
}};
constexpr std::array<std::pair<EnergyDramStandard, const char*>, 5> kEnergyDramStandards{{
    {EnergyDramStandard::kAuto, "auto"},
    {EnergyDramStandard::kDdr4, "DDR4"},
    {EnergyDramStandard::kLpddr4, "LPDDR4"},
    {EnergyDramStandard::kLpddr5, "LPDDR5"},
    {EnergyDramStandard::kHbm2, "HBM2"},
}};
}  // namespace

const char* to_string(Dataflow d) {
  return name_of(kDataflows, d);
}
bool parse_dataflow(const std::string& s, Dataflow* out) {
  return parse_from(kDataflows, s, out);
}
std::vector<std::string> dataflow_names() {
  return names_of(kDataflows);
}

const char* to_string(DramKind k) {
  return name_of(kDramKinds, k);
}
bool parse_dram_kind(const std::string& s, DramKind* out) {
  return parse_from(kDramKinds, s, out);
}
std::vector<std::string> dram_kind_names() {
  return names_of(kDramKinds);
}

const char* to_string(OperandRole r) {
  return name_of(kOperandRoleNames, r);
}

const char* to_string(DmaCompletion c) {
  return name_of(kDmaCompletions, c);
}
bool parse_dma_completion(const std::string& s, DmaCompletion* out) {
  return parse_from(kDmaCompletions, s, out);
}
std::vector<std::string> dma_completion_names() {
  return names_of(kDmaCompletions);
}

const char* to_string(OperandFeeder f) {
  return name_of(kOperandFeeders, f);
}
bool parse_operand_feeder(const std::string& s, OperandFeeder* out) {
  return parse_from(kOperandFeeders, s, out);
}

const char* to_string(BankMapping m) {
  return name_of(kBankMappings, m);
}
bool parse_bank_mapping(const std::string& s, BankMapping* out) {
  return parse_from(kBankMappings, s, out);
}

const char* to_string(EnergyDramStandard s) {
  return name_of(kEnergyDramStandards, s);
}
bool parse_energy_dram_standard(const std::string& s, EnergyDramStandard* out) {
  return parse_from(kEnergyDramStandards, s, out);
}

}  // namespace systole
