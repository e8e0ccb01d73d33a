// Invariants of the schema declaration (src/config/schema.cpp) and of parameter value parsing.
#include <gtest/gtest.h>

#include <set>

#include "systole/config/schema.h"

namespace systole {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(Schema, KeysAreUniqueAndDocumented) {
  std::set<std::string> keys;
  for (const auto& p : arch_schema()) {
    EXPECT_TRUE(keys.insert(p.key).second) << "duplicate key " << p.key;
    EXPECT_FALSE(p.doc.empty()) << p.key << " has no doc line";
    EXPECT_EQ(p.doc.find('\n'), std::string::npos) << p.key << ": the doc is one line";
    EXPECT_TRUE(p.get) << p.key;
    EXPECT_TRUE(p.set) << p.key;
    EXPECT_FALSE(is_schema_section(p.key)) << p.key << " is both a parameter and a section";
  }
}

TEST(Schema, DeclaresTheIssueTwoToFourTree) {
  for (const char* key : {"schema_version",
                          "name",
                          "core.array.rows",
                          "core.array.cols",
                          "core.array.dataflow",
                          "core.array.input_type",
                          "core.array.weight_type",
                          "core.array.accumulator_type",
                          "core.array.scalesim_compat",
                          "core.array.preload_overlap",
                          "core.array.fold_pipelining",
                          "core.array.accumulator_width_bits",
                          "core.array.accumulator_overflow",
                          "core.array.fidelity",
                          "core.array.input_skew_registers",
                          "core.array.output_skew_registers",
                          "core.array.pe_pipeline_depth",
                          "core.array.accumulator_rmw_latency",
                          "core.scratchpads.ifmap.capacity_kib",
                          "core.scratchpads.weight.read_bytes_per_cycle",
                          "core.scratchpads.ofmap.write_bytes_per_cycle",
                          "core.dma.max_outstanding",
                          "core.dma.burst_bytes",
                          "core.vector.lanes",
                          "core.clock_mhz",
                          "dram.kind",
                          "dram.latency_ns",
                          "dram.bandwidth_gbps",
                          "core.array.operand_feeder",
                          "core.scratchpads.ifmap.banks",
                          "core.scratchpads.weight.bank_width_bytes",
                          "core.scratchpads.ofmap.ports_per_bank",
                          "core.scratchpads.ifmap.read_latency_cycles",
                          "core.scratchpads.weight.write_latency_cycles",
                          "core.scratchpads.ofmap.bank_mapping",
                          "core.dma.completion",
                          "dram.preset",
                          "dram.channels",
                          "dram.page_policy",
                          "dram.address_mapping",
                          "dram.scheduler",
                          "dram.row_hit_cap",
                          "dram.queue_depth",
                          "dram.refresh",
                          "energy.table",
                          "energy.dram_standard",
                          "energy.static_power_mw.array",
                          "energy.static_power_mw.vector",
                          "energy.static_power_mw.scratchpads",
                          "energy.static_power_mw.control",
                          "energy.power_window_cycles",
                          "sim.max_cycles",
                          "trace.formats",
                          "trace.window",
                          "core.operands.ifmap",
                          "core.operands.weight",
                          "core.operands.ofmap",
                          "compiler.residency",
                          "compiler.resident_kib",
                          "compiler.mapper",
                          "compiler.objective",
                          "noc.topology",
                          "noc.x",
                          "noc.y",
                          "noc.router_cycles",
                          "noc.link_cycles",
                          "noc.flit_bytes",
                          "noc.vcs",
                          "noc.buffer_flits",
                          "noc.clock_mhz",
                          "noc.link_mm",
                          "noc.attach.cores",
                          "noc.attach.memory",
                          "cores.count",
                          "compiler.partition",
                          "compiler.pipeline_microbatch"}) {
    EXPECT_NE(find_param(key), nullptr) << key;
  }
  EXPECT_EQ(arch_schema().size(), 94u) << "a parameter was added or removed: update this test and the docs";
  EXPECT_EQ(find_param("core.array"), nullptr);
  EXPECT_TRUE(is_schema_section("core.scratchpads.ofmap"));
  EXPECT_FALSE(is_schema_section(""));
  EXPECT_FALSE(is_schema_section("core.arr"));
  EXPECT_EQ(schema_sections().front(), "");
}

TEST(Schema, OnlySchemaVersionAndNameAreRequired) {
  for (const auto& p : arch_schema()) {
    EXPECT_EQ(p.required, p.key == "schema_version" || p.key == "name") << p.key;
  }
}

TEST(Schema, DefaultsAreInRange) {
  for (const auto& p : arch_schema()) {
    if (p.required) continue;
    EXPECT_EQ(check_param_value(p, p.default_value), "") << p.key;
  }
}

TEST(Schema, DefaultsEqualTheArchSpecInitialisers) {
  const ArchSpec spec{};
  for (const auto& p : arch_schema()) {
    if (p.required) continue;
    EXPECT_EQ(format_param_value(p.get(spec)), format_param_value(p.default_value))
        << p.key << ": the schema default and the ArchSpec field initialiser disagree";
  }
}

TEST(Schema, NumericKeysCarryTheirUnit) {
  for (const auto& p : arch_schema()) {
    if (p.type != ParamType::kInt && p.type != ParamType::kFloat) continue;
    if (p.key == "schema_version") continue;
    EXPECT_FALSE(p.unit.empty()) << p.key;
    const std::vector<std::pair<std::string, std::string>> suffix_of_unit{
        {"KiB", "_kib"},   {"MHz", "_mhz"}, {"ns", "_ns"},
        {"GB/s", "_gbps"}, {"B", "_bytes"}, {"B/cycle", "_bytes_per_cycle"}};
    for (const auto& [unit, suffix] : suffix_of_unit) {
      if (p.unit == unit) {
        EXPECT_TRUE(ends_with(p.key, suffix)) << p.key;
      }
    }
  }
}

TEST(Schema, SetThenGetRoundTripsEveryParameter) {
  for (const auto& p : arch_schema()) {
    ArchSpec spec;
    ParamValue v;
    switch (p.type) {
      case ParamType::kInt:
        v = static_cast<int64_t>(p.range.power_of_two ? 256 : p.range.min == p.range.max ? p.range.min : 3);
        break;
      case ParamType::kFloat:
        v = 7.5;
        break;
      case ParamType::kBool:
        v = !std::get<bool>(p.default_value);
        break;
      case ParamType::kString:
        v = std::string("x");
        break;
      case ParamType::kEnum:
        v = p.choices.back();
        break;
    }
    p.set(spec, v);
    EXPECT_EQ(format_param_value(p.get(spec)), format_param_value(v)) << p.key;
  }
}

TEST(ParamValue, IntegersAreStrict) {
  const ParamDef& rows = *find_param("core.array.rows");
  ParamValue v;
  std::string rule;
  EXPECT_TRUE(parse_param_value(rows, "64", &v, &rule));
  EXPECT_EQ(std::get<int64_t>(v), 64);
  EXPECT_TRUE(parse_param_value(rows, "+7", &v, &rule));
  EXPECT_EQ(std::get<int64_t>(v), 7);
  for (const char* bad : {"12abc", "1.0", "1e3", "", "-", "0x10", "true"}) {
    EXPECT_FALSE(parse_param_value(rows, bad, &v, &rule)) << bad;
    EXPECT_NE(rule.find("must be an integer >= 1 and <= 4096"), std::string::npos) << rule;
  }
  EXPECT_FALSE(parse_param_value(rows, "1.5", &v, &rule));
  EXPECT_NE(rule.find("(got a decimal number)"), std::string::npos) << rule;
  EXPECT_FALSE(parse_param_value(rows, "99999999999999999999", &v, &rule));
  EXPECT_NE(rule.find("64 bits"), std::string::npos) << rule;
  EXPECT_FALSE(parse_param_value(rows, "4097", &v, &rule));
  EXPECT_EQ(rule, "must be an integer >= 1 and <= 4096");
}

TEST(ParamValue, FloatsRejectInfNanAndHex) {
  const ParamDef& clock = *find_param("core.clock_mhz");
  ParamValue v;
  std::string rule;
  EXPECT_TRUE(parse_param_value(clock, "700", &v, &rule));
  EXPECT_DOUBLE_EQ(std::get<double>(v), 700.0);
  EXPECT_TRUE(parse_param_value(clock, "1.5e3", &v, &rule));
  EXPECT_DOUBLE_EQ(std::get<double>(v), 1500.0);
  EXPECT_TRUE(parse_param_value(clock, "1.5", &v, &rule));
  for (const char* bad : {"inf", "nan", ".inf", "0x10", "1e", "fast", "1e999"}) {
    EXPECT_FALSE(parse_param_value(clock, bad, &v, &rule)) << bad;
  }
  EXPECT_FALSE(parse_param_value(clock, "0.5", &v, &rule));  // below 1 MHz: a value in GHz
  EXPECT_EQ(rule, "must be a number >= 1 and <= 10000");
}

TEST(ParamValue, BoolsEnumsStrings) {
  ParamValue v;
  std::string rule;
  const ParamDef& compat = *find_param("core.array.scalesim_compat");
  EXPECT_TRUE(parse_param_value(compat, "true", &v, &rule));
  EXPECT_TRUE(std::get<bool>(v));
  EXPECT_TRUE(parse_param_value(compat, "False", &v, &rule));
  EXPECT_FALSE(std::get<bool>(v));
  EXPECT_FALSE(parse_param_value(compat, "yes", &v, &rule));
  EXPECT_EQ(rule, "must be true or false (got text)");

  const ParamDef& df = *find_param("core.array.dataflow");
  EXPECT_TRUE(parse_param_value(df, "os", &v, &rule));
  EXPECT_FALSE(parse_param_value(df, "WS", &v, &rule));
  EXPECT_EQ(rule, "must be one of: ws, os, is");

  const ParamDef& acc = *find_param("core.array.accumulator_type");
  EXPECT_FALSE(parse_param_value(acc, "int8", &v, &rule))
      << "int8 is a data type but not an accumulator type";

  const ParamDef& name = *find_param("name");
  EXPECT_FALSE(parse_param_value(name, "", &v, &rule));
  EXPECT_EQ(rule, "must be a non-empty string");
}

TEST(ParamValue, RulesAndFormatting) {
  EXPECT_EQ(param_rule(*find_param("schema_version")), "must be 1");
  EXPECT_EQ(param_rule(*find_param("core.dma.burst_bytes")), "must be a power of two >= 1 and <= 1048576");
  EXPECT_EQ(find_param("dram.latency_ns")->range.describe(), ">= 0 and <= 10000");
  EXPECT_TRUE(find_param("core.dma.burst_bytes")->range.contains(64));
  EXPECT_FALSE(find_param("core.dma.burst_bytes")->range.contains(48));
  EXPECT_FALSE(find_param("core.dma.burst_bytes")->range.contains(0));
  EXPECT_EQ(format_param_value(ParamValue{1000.0}), "1000.0");
  EXPECT_EQ(format_param_value(ParamValue{25.6}), "25.6");
  EXPECT_EQ(format_param_value(ParamValue{int64_t{-3}}), "-3");
  EXPECT_EQ(format_param_value(ParamValue{false}), "false");
  EXPECT_EQ(std::string(to_string(ParamType::kEnum)), "enum");
}

TEST(Suggest, NearMissesAndMisplacedKeys) {
  EXPECT_EQ(suggest_schema_key("core.array.rowz"), "core.array.rows");
  EXPECT_EQ(suggest_schema_key("core.arry.rows"), "core.array.rows");
  EXPECT_EQ(suggest_schema_key("rows"), "core.array.rows") << "a parameter in the wrong section";
  EXPECT_EQ(suggest_schema_key("core.scratchpads.ifmap.capacity_kb"), "core.scratchpads.ifmap.capacity_kib");
  EXPECT_EQ(suggest_schema_key("dram.kinds"), "dram.kind");
  EXPECT_EQ(suggest_schema_key("core.array.bogus"), "");
  EXPECT_EQ(suggest_schema_key("totally.unrelated.thing"), "");
}

}  // namespace
}  // namespace systole
