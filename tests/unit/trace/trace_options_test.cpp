// Parsing --trace / --trace-window (trace/trace_options.h).
#include "systole/trace/trace_options.h"

#include <gtest/gtest.h>

#include <string>

#include "systole/common/error.h"

namespace systole::trace {
namespace {

Program three_layers() {
  Program p;
  for (const char* name : {"conv1", "relu1", "fc"}) p.layers.push_back({name, "conv2d", 0, 0});
  return p;
}

TraceOptions parse(const std::string& formats, const std::string& window = "all") {
  return parse_trace_options(formats, window, three_layers(), "--trace", "--trace-window");
}

std::string error_of(const std::string& formats, const std::string& window) {
  try {
    parse(formats, window);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(TraceOptions, Formats) {
  EXPECT_FALSE(parse("none").any());
  const TraceOptions all = parse("perfetto, csv,vcd");
  EXPECT_EQ(all.formats, (std::vector<std::string>{"perfetto", "csv", "vcd"}));
  EXPECT_TRUE(all.has("perfetto") && all.has("csv") && all.has("vcd"));
  const TraceOptions csv = parse("csv");
  EXPECT_TRUE(csv.has("csv"));
  EXPECT_FALSE(csv.has("perfetto") || csv.has("vcd"));
  // The message lists every registered format (trace/trace_sink.h).
  EXPECT_NE(error_of("png", "all").find("perfetto, csv, vcd, dramsim3, ramulator2"), std::string::npos);
  EXPECT_NE(error_of("perfetto,png", "all").find("unknown trace format 'png'"), std::string::npos);
  EXPECT_NE(error_of("csv,csv", "all").find("'csv' twice"), std::string::npos);
  EXPECT_NE(error_of("perfetto,png", "all").find("--trace = 'perfetto,png'"), std::string::npos);
}

TEST(TraceOptions, CycleWindows) {
  const TraceOptions w = parse("csv", "100:200");
  EXPECT_EQ(w.begin_cycle, 100);
  EXPECT_EQ(w.end_cycle, 200);
  EXPECT_TRUE(w.covers(0, 150, 160));
  EXPECT_TRUE(w.covers(2, 50, 101));    // overlaps
  EXPECT_FALSE(w.covers(0, 200, 300));  // END is exclusive
  EXPECT_FALSE(w.covers(0, 0, 100));
  EXPECT_TRUE(w.covers(0, 150, 150));  // an empty interval inside
  EXPECT_FALSE(w.covers(0, 200, 200));
  EXPECT_EQ(parse("csv", ":50").begin_cycle, 0);
  EXPECT_EQ(parse("csv", "50:").end_cycle, std::numeric_limits<int64_t>::max());
  EXPECT_NE(error_of("csv", "10:5").find("END must be greater than START"), std::string::npos);
  EXPECT_NE(error_of("csv", "abc").find("no layer named 'abc'"), std::string::npos);
  EXPECT_NE(error_of("csv", "10:fc").find("expected 'all'"), std::string::npos);
}

TEST(TraceOptions, LayerWindows) {
  const TraceOptions one = parse("csv", "relu1");
  EXPECT_EQ(one.first_layer, 1u);
  EXPECT_EQ(one.last_layer, 1u);
  EXPECT_FALSE(one.covers(0, 0, 10));
  EXPECT_TRUE(one.covers(1, 0, 10));
  const TraceOptions range = parse("csv", "conv1:relu1");
  EXPECT_EQ(range.first_layer, 0u);
  EXPECT_EQ(range.last_layer, 1u);
  EXPECT_FALSE(range.covers(2, 0, 10));
  const std::string unknown = error_of("csv", "conv1:fc7");
  EXPECT_NE(unknown.find("no layer named 'fc7'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("conv1, relu1, fc"), std::string::npos) << unknown;  // lists the layers
  EXPECT_NE(error_of("csv", "fc:conv1").find("comes before"), std::string::npos);
}

}  // namespace
}  // namespace systole::trace
