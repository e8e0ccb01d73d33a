// Golden schedules of the DRAM controller: run_memtest over every shipped preset x pattern x
// read ratio x page policy x address mapping (plus a few queue/back-pressure/refresh variants),
// 20000 requests each, with a TimingChecker attached. Each run is reduced to one 64-bit FNV-1a
// digest of every command event (cycle, command, channel, rank, bank group, bank, row, column,
// auto-precharge, in observation order) followed by the MemtestResult numbers (doubles printed
// with 17 significant digits). The expected digests are in schedule_digests.inc; they pin the
// exact cycle-level behaviour, so a speed-up of the scheduler must leave every one unchanged.
//
// Regenerate (only after a deliberate behaviour change, e.g. a preset's timing values):
//   SYSTOLE_DRAM_DIGESTS_OUT=tests/unit/dram/schedule_digests.inc
//   build/tests/unit_dram --gtest_filter='ScheduleDigest.*'
// (one command line, the variable set for the test binary) writes the file from the current code;
// the run itself still compares against the old file.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "dram_test_util.h"
#include "systole/dram/memtest.h"
#include "systole/dram/timing_checker.h"

namespace systole::dram {
namespace {

struct GoldenDigest {
  const char* name;
  uint64_t digest;
};

const std::vector<GoldenDigest> kGolden = {
#include "schedule_digests.inc"
};

class Fnv64 {
 public:
  void add(uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      m_h ^= (v >> (8 * i)) & 0xffU;
      m_h *= 0x100000001b3ULL;
    }
  }
  void add(int64_t v) { add(static_cast<uint64_t>(v)); }
  void add(const std::string& s) {
    for (char c : s) {
      m_h ^= static_cast<unsigned char>(c);
      m_h *= 0x100000001b3ULL;
    }
    add(uint64_t{s.size()});
  }
  uint64_t value() const { return m_h; }

 private:
  uint64_t m_h = 0xcbf29ce484222325ULL;
};

// Hashes every command and forwards it to a TimingChecker.
class DigestObserver : public ICommandObserver {
 public:
  explicit DigestObserver(TimingChecker* checker) : m_checker(checker) {}
  void on_command(const CommandEvent& e) override {
    m_hash.add(e.cycle);
    m_hash.add(static_cast<int64_t>(e.command));
    m_hash.add(e.at.channel);
    m_hash.add(e.at.rank);
    m_hash.add(e.at.bank_group);
    m_hash.add(e.at.bank);
    m_hash.add(e.at.row);
    m_hash.add(e.at.column);
    m_hash.add(static_cast<int64_t>(e.auto_precharge));
    ++m_events;
    m_checker->on_command(e);
  }
  Fnv64& hash() { return m_hash; }
  int64_t events() const { return m_events; }

 private:
  TimingChecker* m_checker;
  Fnv64 m_hash;
  int64_t m_events = 0;
};

std::string g17(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

int64_t preset_channels(const std::string& preset) {
  return test::preset(preset).org.channels;
}

struct Case {
  std::string name;
  std::string preset;
  MemtestOptions options;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  const Pattern patterns[] = {Pattern::kSequential, Pattern::kRandom, Pattern::kStrided};
  const DramAddressMapping mappings[] = {DramAddressMapping::kRoCoBaRaCh, DramAddressMapping::kRoBaRaCoCh,
                                         DramAddressMapping::kChRaBaRoCo};
  for (const std::string& preset : test::shipped_presets()) {
    for (Pattern p : patterns) {
      for (double rr : {1.0, 0.7}) {
        for (DramPagePolicy pp : {DramPagePolicy::kOpen, DramPagePolicy::kClosed}) {
          for (DramAddressMapping m : mappings) {
            Case c;
            c.preset = preset;
            c.options.pattern = p;
            c.options.requests = 20000;
            c.options.read_ratio = rr;
            c.options.controller.page_policy = pp;
            c.options.controller.mapping = m;
            c.name = preset + "/" + to_string(p) + "/rr" + (rr == 1.0 ? "1.0" : "0.7") + "/" + to_string(pp) +
                     "/" + to_string(m);
            out.push_back(c);
          }
        }
      }
    }
    // Variants: small queue with back-pressure (twice the queue in flight), refresh off, a
    // write-heavy mix, and a deep queue.
    for (Pattern p : patterns) {
      Case c;
      c.preset = preset;
      c.options.pattern = p;
      c.options.requests = 20000;
      c.options.read_ratio = 0.5;
      c.options.controller.queue_depth = 8;
      c.options.outstanding = 16 * preset_channels(preset);
      c.name = preset + "/" + to_string(p) + "/q8-backpressure-rr0.5";
      out.push_back(c);
      Case d = c;
      d.options.outstanding = 0;
      d.options.controller.queue_depth = 64;
      d.options.controller.refresh = false;
      d.options.read_ratio = 0.3;
      d.name = preset + "/" + to_string(p) + "/q64-norefresh-rr0.3";
      out.push_back(d);
      Case e = c;
      e.options.controller.queue_depth = 1;
      e.options.outstanding = 3;
      e.options.controller.page_policy = DramPagePolicy::kClosed;
      e.name = preset + "/" + to_string(p) + "/q1-closed-rr0.5";
      out.push_back(e);
    }
  }
  return out;
}

TEST(ScheduleDigest, EveryScheduleMatchesTheGolden) {
  std::map<std::string, uint64_t> golden;
  for (const GoldenDigest& g : kGolden) golden[g.name] = g.digest;
  const char* out_path = std::getenv("SYSTOLE_DRAM_DIGESTS_OUT");
  std::string regenerated;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const DramDeviceSpec device = test::preset(c.preset);
    TimingChecker checker(device, c.options.controller.refresh);
    DigestObserver obs(&checker);
    const MemtestResult r = run_memtest(device, c.options, &obs);
    EXPECT_EQ(checker.violation_count(), 0) << (checker.violations().empty() ? "" : checker.violations()[0]);
    EXPECT_EQ(checker.commands_seen(), obs.events());
    Fnv64& h = obs.hash();
    h.add(r.requests);
    h.add(r.bytes);
    for (double v : {r.elapsed_ns, r.bandwidth_gbps, r.peak_gbps, r.pct_of_peak, r.latency_avg_ns,
                     r.latency_p50_ns, r.latency_p99_ns, r.latency_max_ns, r.row_hit_rate}) {
      h.add(g17(v));
    }
    for (int64_t n : r.commands) h.add(n);
    char line[160];
    std::snprintf(line, sizeof line, "    {\"%s\", 0x%016llxULL},\n", c.name.c_str(),
                  static_cast<unsigned long long>(h.value()));
    regenerated += line;
    const auto it = golden.find(c.name);
    if (it == golden.end()) {
      ADD_FAILURE() << "no golden digest for " << c.name;
    } else {
      EXPECT_EQ(h.value(), it->second) << "schedule changed";
    }
  }
  if (out_path != nullptr) std::ofstream(out_path) << regenerated;
}

}  // namespace
}  // namespace systole::dram
