// The trace-format seam (trace/trace_sink.h): the registered formats and their files, a format
// added the way a new one would be, and the uniform error for an unknown name.
#include "systole/trace/trace_sink.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "systole/common/error.h"

namespace systole::trace {
namespace {

TEST(TraceSinks, EveryShippedFormatIsRegisteredWithItsFiles) {
  const TraceSinkRegistry& r = trace_sinks();
  EXPECT_EQ(r.names(), (std::vector<std::string>{"perfetto", "csv", "vcd", "dramsim3", "ramulator2"}));
  for (const char* f : {"trace.json", "events.csv", "units.vcd", "array.vcd", "dram_requests.dramsim3.trace",
                        "dram_requests.ramulator2.trace"}) {
    EXPECT_NE(std::find(r.all_files().begin(), r.all_files().end(), f), r.all_files().end()) << f;
  }
}

// A format that counts retired instructions and writes nothing: what a new sink looks like.
class CountingSink : public ITraceSink {
 public:
  explicit CountingSink(int* retired) : m_retired(retired) {}
  void on_retire(const Instruction&, const hw::InstructionRecord&) override { ++*m_retired; }
  void on_dram_burst(int, int64_t, int64_t, bool) override {}
  std::vector<std::string> finish(const SimResult&) override { return {"count.txt"}; }

 private:
  int* m_retired;
};

TEST(TraceSinks, AFormatIsOneRegistrationAndUnknownNamesListTheRegisteredOnes) {
  int retired = 0;
  TraceSinkRegistry r;
  r.add("count", {"count.txt"}, [&retired](const TraceSinkContext&) -> std::unique_ptr<ITraceSink> {
    return std::make_unique<CountingSink>(&retired);
  });
  const ArchSpec arch;
  const Program program;
  const energy::EnergyTable table;
  const TraceOptions options;
  const TraceSinkContext context{arch, program, table, options, "/tmp"};
  auto sink = r.make("count", context);
  sink->on_retire(Instruction{}, hw::InstructionRecord{});
  EXPECT_EQ(retired, 1);
  EXPECT_EQ(sink->finish(SimResult{}), std::vector<std::string>{"count.txt"});
  EXPECT_EQ(r.all_files(), std::vector<std::string>{"count.txt"});
  try {
    r.make("counts", context);
    FAIL() << "no error";
  } catch (const UnknownVariant& e) {
    EXPECT_STREQ(e.what(), "unknown trace format 'counts'; registered: count");
  }
  EXPECT_THROW(r.add("count", {}, nullptr), InternalError);
}

}  // namespace
}  // namespace systole::trace
