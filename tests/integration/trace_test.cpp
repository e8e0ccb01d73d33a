// `systole run --trace perfetto,csv,vcd [--trace-window W]` and the progress display, end to end
// (docs/tracing.md): trace.json follows the Chrome trace-event format and covers every
// instruction, events.csv adds up to report.json, units.vcd is a well-formed VCD whose busy time
// matches the instructions, windows filter, errors leave nothing behind, tracing never changes
// the report, and the progress lines appear on a non-terminal stderr.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace systole {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::fresh_dir;
using testing::q;
using testing::read_file;
using testing::run_systole;
using testing::write_file;

using testing::kSmallWorkload;

const char* kEventsHeader =
    "id,layer,opcode,unit,issue_cycle,start_cycle,end_cycle,retire_cycle,macs,sram_read_bytes,"
    "sram_write_bytes,dram_read_bytes,dram_write_bytes,dma_bursts,energy_pj";

// `systole run -w resnet18 -o DIR <extra>`; the run must succeed.
testing::ProcessResult run_resnet18(const fs::path& scratch, const fs::path& out, const std::string& extra) {
  auto r = run_systole("run -w workloads/resnet18.yaml -o " + q(out) + " " + extra, scratch);
  EXPECT_EQ(r.exit_code, 0) << "run " << extra << "\n" << r.err;
  return r;
}

// ---- events.csv ----

struct CsvTable {
  std::string header;
  std::vector<std::map<std::string, std::string>> rows;
};

// Splits one CSV line (fields may be quoted, "" is a quote inside quotes).
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

CsvTable read_csv(const fs::path& p) {
  CsvTable t;
  const std::string text = read_file(p);
  size_t pos = 0;
  std::vector<std::string> names;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (names.empty()) {
      t.header = line;
      names = split_csv_line(line);
      continue;
    }
    const auto fields = split_csv_line(line);
    EXPECT_EQ(fields.size(), names.size()) << p << ": " << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < names.size() && i < fields.size(); ++i) row[names[i]] = fields[i];
    t.rows.push_back(std::move(row));
  }
  return t;
}

int64_t as_int(const std::map<std::string, std::string>& row, const std::string& key) {
  const auto it = row.find(key);
  if (it == row.end() || it->second.empty()) {
    ADD_FAILURE() << "missing column " << key;
    return 0;
  }
  return std::stoll(it->second);
}

double as_double(const std::map<std::string, std::string>& row, const std::string& key) {
  const auto it = row.find(key);
  if (it == row.end() || it->second.empty()) {
    ADD_FAILURE() << "missing column " << key;
    return 0.0;
  }
  return std::stod(it->second);
}

// An active interval [start, end) overlaps [begin, end_window); an empty one counts when its
// start lies in the window (trace_options.h).
bool overlaps(int64_t start, int64_t end, int64_t begin, int64_t end_window) {
  if (end <= start) return start >= begin && start < end_window;
  return start < end_window && end > begin;
}

// ---- units.vcd ----

struct Vcd {
  std::string timescale;
  std::map<std::string, std::pair<int, std::string>> vars;  // id -> (width, name)
  std::map<std::string, int64_t> high_ps;                   // busy wire name -> total high time
  std::map<std::string, int> final_value;                   // busy wire name -> value at the end
  int64_t last_time = 0;
};

// Parses a units.vcd, checking as it goes: strictly increasing timestamps, 0/1 busy values.
Vcd parse_units_vcd(const fs::path& p) {
  Vcd v;
  const std::string text = read_file(p);
  EXPECT_FALSE(text.empty()) << p;
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  size_t i = 0;
  bool definitions_done = false;
  for (; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.rfind("$timescale", 0) == 0) v.timescale = l;
    if (l.rfind("$var ", 0) == 0) {
      // $var wire WIDTH ID NAME $end
      std::vector<std::string> w;
      size_t s = 0;
      while (s < l.size()) {
        const size_t e = l.find(' ', s);
        const std::string tok = l.substr(s, e == std::string::npos ? std::string::npos : e - s);
        if (!tok.empty()) w.push_back(tok);
        if (e == std::string::npos) break;
        s = e + 1;
      }
      EXPECT_EQ(w.size(), 6u) << l;
      if (w.size() == 6u) v.vars[w[3]] = {std::stoi(w[2]), w[4]};
    }
    if (l.rfind("$enddefinitions", 0) == 0) {
      definitions_done = true;
      ++i;
      break;
    }
  }
  EXPECT_TRUE(definitions_done) << p << ": no $enddefinitions";

  struct WireState {
    int value = 0;
    int64_t since = 0;
  };
  std::map<std::string, WireState> busy;  // by id
  for (const auto& [id, var] : v.vars) {
    if (var.second.size() > 5 && var.second.substr(var.second.size() - 5) == "_busy") busy[id] = {};
  }
  int64_t now = -1;
  for (; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty() || l[0] == '$') continue;  // $dumpvars / $end
    if (l[0] == '#') {
      const int64_t t = std::stoll(l.substr(1));
      EXPECT_GT(t, now) << p << ": timestamps not strictly increasing at line " << i + 1;
      now = t;
      continue;
    }
    EXPECT_GE(now, 0) << p << ": value change before the first timestamp: " << l;
    if (l[0] == 'b') {
      const size_t sp = l.find(' ');
      const std::string id = sp == std::string::npos ? std::string() : l.substr(sp + 1);
      if (sp == std::string::npos || !v.vars.count(id)) {
        ADD_FAILURE() << p << ": bad vector change: " << l;
        continue;
      }
      EXPECT_EQ(busy.count(id), 0u) << "vector value for a busy wire: " << l;
      EXPECT_EQ(l.find_first_not_of("01", 1), sp) << "not binary: " << l;
      EXPECT_LE(static_cast<int>(sp - 1), v.vars[id].first) << "wider than declared: " << l;
      continue;
    }
    const std::string id = l.substr(1);
    auto it = busy.find(id);
    if (it == busy.end()) {
      ADD_FAILURE() << p << ": scalar change of an unknown or non-busy var: " << l;
      continue;
    }
    EXPECT_TRUE(l[0] == '0' || l[0] == '1') << "busy wire not 0/1: " << l;
    WireState& s = it->second;
    if (s.value == 1) v.high_ps[v.vars[id].second] += now - s.since;
    s.value = l[0] == '1' ? 1 : 0;
    s.since = now;
  }
  v.last_time = now;
  for (const auto& [id, s] : busy) v.final_value[v.vars[id].second] = s.value;
  return v;
}

// Checks the header of units.vcd: time unit and the four signals.
void expect_units_vcd_header(const Vcd& v) {
  EXPECT_EQ(v.timescale, "$timescale 1ps $end");
  ASSERT_EQ(v.vars.size(), 4u);
  std::map<std::string, int> by_name;
  for (const auto& [id, var] : v.vars) by_name[var.second] = var.first;
  EXPECT_EQ(by_name, (std::map<std::string, int>{
                         {"dma_busy", 1}, {"array_busy", 1}, {"vector_busy", 1}, {"array_layer", 16}}));
}

// ---- trace.json ----

struct Track {
  int pid = 0;
  int tid = 0;
  bool operator<(const Track& o) const { return pid != o.pid ? pid < o.pid : tid < o.tid; }
};

int tid_of(const json& e) {
  return e.contains("tid") ? e["tid"].get<int>() : 0;
}

double clock_mhz(const json& report) {
  return report["config"]["core"]["clock_mhz"].get<double>();
}

// ========================================================================================

TEST(Trace, PerfettoJsonFollowsTheTraceEventFormat) {
  auto dir = fresh_dir("trace_perfetto");
  run_resnet18(dir, dir / "out", "--trace perfetto,csv -q");
  ASSERT_TRUE(fs::exists(dir / "out" / "trace.json"));
  const json trace = json::parse(read_file(dir / "out" / "trace.json"));
  const json report = json::parse(read_file(dir / "out" / "report.json"));
  const CsvTable events = read_csv(dir / "out" / "events.csv");

  ASSERT_TRUE(trace.is_object());
  EXPECT_EQ(trace.value("displayTimeUnit", ""), "ns");
  ASSERT_TRUE(trace.contains("otherData"));
  EXPECT_NE(trace["otherData"].value("time_unit", "").find("microseconds"), std::string::npos)
      << trace["otherData"].dump();
  ASSERT_TRUE(trace.contains("traceEvents"));
  const json& ev = trace["traceEvents"];
  ASSERT_TRUE(ev.is_array());
  ASSERT_FALSE(ev.empty());

  std::map<Track, double> last_ts, last_end;
  std::map<Track, std::vector<std::string>> open;  // B/E stacks
  std::map<std::pair<int, std::string>, double> last_counter;
  std::set<std::pair<int, std::string>> counters;
  std::set<std::string> thread_names;
  size_t unit_slices = 0, syncs = 0, layer_slices = 0;
  double layer_us = 0.0, layer_end = 0.0;
  bool layers_consecutive = true;
  for (size_t i = 0; i < ev.size(); ++i) {
    const json& e = ev[i];
    SCOPED_TRACE("event " + std::to_string(i) + ": " + e.dump());
    ASSERT_TRUE(e.contains("ph") && e["ph"].is_string());
    ASSERT_TRUE(e.contains("pid") && e["pid"].is_number_integer());
    ASSERT_TRUE(e.contains("name") && e["name"].is_string());
    const std::string ph = e["ph"];
    const int pid = e["pid"];
    const std::string name = e["name"];
    if (ph == "M") {
      if (name == "thread_name") thread_names.insert(e["args"]["name"].get<std::string>());
      continue;
    }
    ASSERT_TRUE(e.contains("ts") && e["ts"].is_number());
    const double ts = e["ts"].get<double>();
    EXPECT_GE(ts, 0.0);
    const Track track{pid, tid_of(e)};
    if (ph == "X" || ph == "i") {
      if (last_ts.count(track)) {
        EXPECT_GE(ts, last_ts[track]) << "out of order on its track";
      }
      last_ts[track] = ts;
    }
    if (ph == "X") {
      ASSERT_TRUE(e.contains("dur") && e["dur"].is_number());
      const double dur = e["dur"].get<double>();
      EXPECT_GE(dur, 0.0);
      if (last_end.count(track)) {
        EXPECT_GE(ts, last_end[track] - 1e-6) << "overlaps the previous slice";
      }
      last_end[track] = std::max(last_end.count(track) ? last_end[track] : 0.0, ts + dur);
      if (pid == 1 && (track.tid == 2 || track.tid == 3 || track.tid == 4)) ++unit_slices;
      if (pid == 1 && track.tid == 12) {
        ++layer_slices;
        if (std::abs(ts - layer_end) > 1e-5) layers_consecutive = false;
        layer_end = ts + dur;
        layer_us += dur;
      }
    } else if (ph == "i") {
      if (pid == 1 && track.tid == 1) ++syncs;
    } else if (ph == "B") {
      open[track].push_back(name);
    } else if (ph == "E") {
      ASSERT_FALSE(open[track].empty()) << "E without B";
      open[track].pop_back();
    } else if (ph == "C") {
      const auto key = std::make_pair(pid, name);
      if (last_counter.count(key)) {
        EXPECT_GE(ts, last_counter[key]) << "counter out of order";
      }
      last_counter[key] = ts;
      counters.insert(key);
      ASSERT_TRUE(e.contains("args") && e["args"].is_object() && !e["args"].empty());
      for (const auto& [k, v] : e["args"].items()) EXPECT_TRUE(v.is_number()) << k;
    } else {
      ADD_FAILURE() << "unexpected phase " << ph;
    }
  }
  for (const auto& [track, stack] : open) {
    EXPECT_TRUE(stack.empty()) << "unmatched B on pid " << track.pid << " tid " << track.tid;
  }
  for (const char* n : {"controller", "DMA", "PE array", "vector unit", "layers"}) {
    EXPECT_TRUE(thread_names.count(n)) << "no thread named " << n;
  }
  for (const auto& key : std::vector<std::pair<int, std::string>>{
           {1, "array utilisation %"}, {1, "DRAM bandwidth GB/s"}, {1, "power W"}, {2, "channel 0 GB/s"}}) {
    EXPECT_TRUE(counters.count(key)) << "no counter '" << key.second << "' on pid " << key.first;
  }

  // Every instruction is one slice on its unit's track (SYNCs: an instant on the controller).
  EXPECT_EQ(unit_slices + syncs, events.rows.size());
  EXPECT_EQ(static_cast<int64_t>(events.rows.size()), report["total"]["instructions"].get<int64_t>());

  // The layer track: one slice per layer with cycles > 0, back to back, as long as the run.
  size_t busy_layers = 0;
  for (const auto& l : report["layers"]) busy_layers += l["cycles"].get<int64_t>() > 0 ? 1 : 0;
  EXPECT_EQ(layer_slices, busy_layers);
  EXPECT_TRUE(layers_consecutive);
  const double total_us = static_cast<double>(report["total"]["cycles"].get<int64_t>()) / clock_mhz(report);
  EXPECT_NEAR(layer_us, total_us, 1e-6 * static_cast<double>(layer_slices + 1));
  EXPECT_NEAR(layer_end, total_us, 1e-5);
}

TEST(Trace, EventsCsvTotalsEqualTheReport) {
  auto dir = fresh_dir("trace_csv");
  run_resnet18(dir, dir / "out", "--trace csv -q");
  ASSERT_TRUE(fs::exists(dir / "out" / "events.csv"));
  EXPECT_FALSE(fs::exists(dir / "out" / "trace.json"));
  EXPECT_FALSE(fs::exists(dir / "out" / "units.vcd"));
  const CsvTable t = read_csv(dir / "out" / "events.csv");
  const json report = json::parse(read_file(dir / "out" / "report.json"));
  const json& total = report["total"];

  EXPECT_EQ(t.header, kEventsHeader);
  ASSERT_FALSE(t.rows.empty());
  EXPECT_EQ(static_cast<int64_t>(t.rows.size()), total["instructions"].get<int64_t>());

  std::set<std::string> layer_names;
  for (const auto& l : report["layers"]) layer_names.insert(l["name"].get<std::string>());
  const std::map<std::string, std::string> unit_of = {
      {"LOAD", "dma"}, {"STORE", "dma"}, {"MATMUL", "array"}, {"VECTOR", "vector"}, {"SYNC", "controller"}};

  int64_t macs = 0, sram_r = 0, sram_w = 0, dram_r = 0, dram_w = 0, bursts = 0;
  double energy = 0.0;
  std::set<int64_t> ids;
  for (const auto& row : t.rows) {
    SCOPED_TRACE("id " + row.at("id"));
    EXPECT_TRUE(ids.insert(as_int(row, "id")).second) << "id twice";
    EXPECT_TRUE(layer_names.count(row.at("layer"))) << "unknown layer " << row.at("layer");
    ASSERT_TRUE(unit_of.count(row.at("opcode"))) << "unknown opcode " << row.at("opcode");
    EXPECT_EQ(row.at("unit"), unit_of.at(row.at("opcode")));
    EXPECT_LE(as_int(row, "start_cycle"), as_int(row, "end_cycle"));
    EXPECT_LE(as_int(row, "issue_cycle"), as_int(row, "retire_cycle"));
    EXPECT_GE(as_int(row, "issue_cycle"), 0);
    if (row.at("opcode") != "MATMUL") {
      EXPECT_EQ(as_int(row, "macs"), 0);
    }
    macs += as_int(row, "macs");
    sram_r += as_int(row, "sram_read_bytes");
    sram_w += as_int(row, "sram_write_bytes");
    dram_r += as_int(row, "dram_read_bytes");
    dram_w += as_int(row, "dram_write_bytes");
    bursts += as_int(row, "dma_bursts");
    const double e = as_double(row, "energy_pj");
    EXPECT_GE(e, 0.0);
    energy += e;
  }
  EXPECT_EQ(macs, total["macs"].get<int64_t>());
  EXPECT_EQ(sram_r, total["sram_reads_bytes"].get<int64_t>());
  EXPECT_EQ(sram_w, total["sram_writes_bytes"].get<int64_t>());
  EXPECT_EQ(dram_r, total["dram_reads_bytes"].get<int64_t>());
  EXPECT_EQ(dram_w, total["dram_writes_bytes"].get<int64_t>());
  EXPECT_EQ(bursts, total["actions"]["dma_bursts"].get<int64_t>());
  const double want = total["energy_dynamic_pj"].get<double>();
  EXPECT_GT(want, 0.0);
  EXPECT_NEAR(energy, want, 1e-6 * want);
}

TEST(Trace, UnitsVcdIsWellFormed) {
  auto dir = fresh_dir("trace_vcd");
  run_resnet18(dir, dir / "out", "--trace vcd,csv -q");
  ASSERT_TRUE(fs::exists(dir / "out" / "units.vcd"));
  EXPECT_FALSE(fs::exists(dir / "out" / "array.vcd"));  // tile fidelity: no register VCD
  const Vcd v = parse_units_vcd(dir / "out" / "units.vcd");
  expect_units_vcd_header(v);
  const std::string text = read_file(dir / "out" / "units.vcd");
  EXPECT_EQ(text.rfind("$version", 0), 0u);
  EXPECT_NE(text.find("$enddefinitions $end"), std::string::npos);

  const json report = json::parse(read_file(dir / "out" / "report.json"));
  const double ps_per_cycle = 1e6 / clock_mhz(report);
  EXPECT_DOUBLE_EQ(ps_per_cycle, 1000.0);  // the default arch runs at 1 GHz
  int64_t matmul_cycles = 0, last_end = 0;
  for (const auto& row : read_csv(dir / "out" / "events.csv").rows) {
    if (row.at("opcode") != "MATMUL") continue;
    matmul_cycles += as_int(row, "end_cycle") - as_int(row, "start_cycle");
    last_end = std::max(last_end, as_int(row, "end_cycle"));
  }
  ASSERT_GT(matmul_cycles, 0);
  ASSERT_TRUE(v.high_ps.count("array_busy"));
  EXPECT_EQ(v.high_ps.at("array_busy"), static_cast<int64_t>(std::llround(matmul_cycles * ps_per_cycle)));
  EXPECT_EQ(matmul_cycles, report["total"]["array_busy_cycles"].get<int64_t>());
  for (const auto& [wire, value] : v.final_value) EXPECT_EQ(value, 0) << wire << " busy at the end";
  EXPECT_GE(v.last_time, static_cast<int64_t>(std::llround(last_end * ps_per_cycle)));
  EXPECT_GT(v.high_ps.count("dma_busy") ? v.high_ps.at("dma_busy") : 0, 0);
  EXPECT_GT(v.high_ps.count("vector_busy") ? v.high_ps.at("vector_busy") : 0, 0);
}

TEST(Trace, CycleWindowFilters) {
  constexpr int64_t kBegin = 100000, kEnd = 300000;
  auto dir = fresh_dir("trace_cycle_window");
  run_resnet18(dir, dir / "all", "--trace csv -q");
  run_resnet18(dir, dir / "win", "--trace perfetto,csv,vcd --trace-window 100000:300000 -q");
  const CsvTable all = read_csv(dir / "all" / "events.csv");
  const CsvTable win = read_csv(dir / "win" / "events.csv");
  ASSERT_FALSE(win.rows.empty());
  EXPECT_LT(win.rows.size(), all.rows.size());
  for (const auto& row : win.rows) {
    EXPECT_TRUE(overlaps(as_int(row, "start_cycle"), as_int(row, "end_cycle"), kBegin, kEnd))
        << "id " << row.at("id") << " [" << row.at("start_cycle") << ", " << row.at("end_cycle") << ")";
  }
  // Exactly the instructions of the full run that overlap the window.
  size_t expected = 0;
  for (const auto& row : all.rows) {
    expected += overlaps(as_int(row, "start_cycle"), as_int(row, "end_cycle"), kBegin, kEnd) ? 1 : 0;
  }
  EXPECT_EQ(win.rows.size(), expected);

  const json report = json::parse(read_file(dir / "win" / "report.json"));
  const double us_per_cycle = 1.0 / clock_mhz(report);
  const double begin_us = kBegin * us_per_cycle, end_us = kEnd * us_per_cycle;
  const double window_us =
      static_cast<double>(report["config"]["energy"]["power_window_cycles"].get<int64_t>()) * us_per_cycle;
  constexpr double kSlack = 1e-5;
  const json trace = json::parse(read_file(dir / "win" / "trace.json"));
  size_t slices = 0, counters = 0;
  for (const auto& e : trace["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "X") {
      ++slices;
      const double ts = e["ts"], dur = e["dur"];
      EXPECT_LT(ts, end_us + kSlack) << e.dump();
      if (dur > 0) {
        EXPECT_GT(ts + dur, begin_us - kSlack) << e.dump();
      } else {
        EXPECT_GE(ts, begin_us - kSlack) << e.dump();
      }
    } else if (ph == "i") {
      const double ts = e["ts"];
      EXPECT_GE(ts, begin_us - kSlack) << e.dump();
      EXPECT_LT(ts, end_us + kSlack) << e.dump();
    } else if (ph == "C") {
      ++counters;
      const double ts = e["ts"];  // the start of its activity window
      EXPECT_GT(ts + window_us, begin_us - kSlack) << e.dump();
      EXPECT_LT(ts, end_us + kSlack) << e.dump();
    }
  }
  EXPECT_GT(slices, 0u);
  EXPECT_GT(counters, 0u);

  // units.vcd: only the window's instructions, so nothing changes after the window's last one.
  const Vcd v = parse_units_vcd(dir / "win" / "units.vcd");
  expect_units_vcd_header(v);
  int64_t last_end = 0;
  for (const auto& row : win.rows) last_end = std::max(last_end, as_int(row, "end_cycle"));
  EXPECT_LE(v.last_time, static_cast<int64_t>(std::llround(last_end * us_per_cycle * 1e6)));
}

TEST(Trace, LayerWindowFilters) {
  auto dir = fresh_dir("trace_layer_window");
  run_resnet18(dir, dir / "one", "--trace perfetto,csv --trace-window conv1:conv1 -q");
  const CsvTable one = read_csv(dir / "one" / "events.csv");
  ASSERT_FALSE(one.rows.empty());
  for (const auto& row : one.rows) EXPECT_EQ(row.at("layer"), "conv1") << "id " << row.at("id");
  const json report = json::parse(read_file(dir / "one" / "report.json"));
  EXPECT_EQ(static_cast<int64_t>(one.rows.size()), report["layers"][0]["instructions"].get<int64_t>());
  const json trace = json::parse(read_file(dir / "one" / "trace.json"));
  size_t slices = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X" && e["ph"] != "i") continue;
    ++slices;
    if (tid_of(e) == 12) {
      EXPECT_EQ(e["name"], "conv1") << e.dump();
    } else {
      EXPECT_EQ(e["args"].value("layer", ""), "conv1") << e.dump();
    }
  }
  EXPECT_GT(slices, 0u);

  // One name alone is that layer.
  run_resnet18(dir, dir / "name", "--trace csv --trace-window conv1 -q");
  EXPECT_EQ(read_file(dir / "name" / "events.csv"), read_file(dir / "one" / "events.csv"));

  // A range of two names, inclusive.
  std::vector<std::string> names;
  for (const auto& l : report["layers"]) names.push_back(l["name"]);
  const auto first = std::find(names.begin(), names.end(), "layer1_0_conv1");
  const auto last = std::find(names.begin(), names.end(), "layer1_0_conv2");
  ASSERT_TRUE(first != names.end() && last != names.end() && first < last);
  const std::set<std::string> in_range(first, last + 1);
  run_resnet18(dir, dir / "range", "--trace csv --trace-window layer1_0_conv1:layer1_0_conv2 -q");
  const CsvTable range = read_csv(dir / "range" / "events.csv");
  ASSERT_FALSE(range.rows.empty());
  std::set<std::string> seen;
  for (const auto& row : range.rows) {
    EXPECT_TRUE(in_range.count(row.at("layer"))) << "id " << row.at("id") << " of " << row.at("layer");
    seen.insert(row.at("layer"));
  }
  EXPECT_TRUE(seen.count("layer1_0_conv1"));
  EXPECT_TRUE(seen.count("layer1_0_conv2"));
  int64_t expected = 0;
  for (const auto& l : report["layers"]) {
    if (in_range.count(l["name"].get<std::string>())) expected += l["instructions"].get<int64_t>();
  }
  EXPECT_EQ(static_cast<int64_t>(range.rows.size()), expected);
}

TEST(Trace, TracingDoesNotChangeTheReport) {
  auto dir = fresh_dir("trace_report");
  run_resnet18(dir, dir / "plain", "-q");
  run_resnet18(dir, dir / "traced", "--trace perfetto,csv,vcd -q");
  ASSERT_TRUE(fs::exists(dir / "traced" / "trace.json"));
  json plain = json::parse(read_file(dir / "plain" / "report.json"));
  json traced = json::parse(read_file(dir / "traced" / "report.json"));
  // The report records what was asked for: the trace settings and the --set they became. Those
  // two entries differ, nothing else may.
  EXPECT_EQ(traced["config"]["trace"]["formats"], "perfetto,csv,vcd");
  EXPECT_EQ(plain["config"]["trace"]["formats"], "none");
  for (json* r : {&plain, &traced}) {
    (*r)["config"].erase("trace");
    (*r)["inputs"].erase("overrides");
  }
  EXPECT_TRUE(plain == traced) << "report.json differs with --trace: "
                               << json::diff(plain, traced).dump().substr(0, 2000);
  for (const char* f : {"layers.csv", "power.csv"}) {
    EXPECT_EQ(read_file(dir / "plain" / f), read_file(dir / "traced" / f)) << f;
  }
}

TEST(Trace, ConfigKeysWork) {
  auto dir = fresh_dir("trace_config_keys");
  run_resnet18(dir, dir / "out", "--set trace.formats=csv --set trace.window=all -q");
  EXPECT_TRUE(fs::exists(dir / "out" / "events.csv"));
  EXPECT_FALSE(fs::exists(dir / "out" / "trace.json"));
  EXPECT_FALSE(fs::exists(dir / "out" / "units.vcd"));
  const json report = json::parse(read_file(dir / "out" / "report.json"));
  EXPECT_EQ(static_cast<int64_t>(read_csv(dir / "out" / "events.csv").rows.size()),
            report["total"]["instructions"].get<int64_t>());

  // The config key and the flag are the same thing.
  run_resnet18(dir, dir / "flag", "--trace csv -q");
  EXPECT_EQ(read_file(dir / "out" / "events.csv"), read_file(dir / "flag" / "events.csv"));
  run_resnet18(dir, dir / "keywin", "--set trace.formats=vcd --set trace.window=conv1:maxpool -q");
  run_resnet18(dir, dir / "flagwin", "--trace vcd --trace-window conv1:maxpool -q");
  EXPECT_TRUE(fs::exists(dir / "keywin" / "units.vcd"));
  EXPECT_EQ(read_file(dir / "keywin" / "units.vcd"), read_file(dir / "flagwin" / "units.vcd"));
  EXPECT_FALSE(fs::exists(dir / "keywin" / "events.csv"));
}

TEST(Trace, ErrorsExitTwoAndLeaveNoFiles) {
  struct Case {
    std::string args, key, flag, value;
  };
  const std::vector<Case> cases = {
      {"--trace perfetto,png", "trace.formats", "--trace", "perfetto,png"},
      {"--trace csv,csv", "trace.formats", "--trace", "csv,csv"},
      {"--set trace.formats=png", "trace.formats", "--trace", "png"},
      {"--trace csv --trace-window 10:5", "trace.window", "--trace-window", "10:5"},
      {"--trace csv --trace-window abc", "trace.window", "--trace-window", "abc"},
      {"--trace csv --trace-window nosuchlayer:fc", "trace.window", "--trace-window", "nosuchlayer:fc"},
      {"--trace csv --trace-window layer1_0_conv1:conv1", "trace.window", "--trace-window",
       "layer1_0_conv1:conv1"},
      {"--trace perfetto,csv,vcd --set trace.window=abc", "trace.window", "--trace-window", "abc"},
  };
  auto dir = fresh_dir("trace_errors");
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    const fs::path out = dir / ("out" + std::to_string(n++));
    auto r = run_systole("run -w workloads/resnet18.yaml -q -o " + q(out) + " " + c.args, dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(r.err.find(c.key) != std::string::npos || r.err.find(c.flag) != std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.value), std::string::npos) << r.err;
    if (fs::exists(out)) {
      for (const auto& entry : fs::directory_iterator(out)) {
        const std::string f = entry.path().filename().string();
        for (const char* stem : {"trace.json", "events.csv", "units.vcd", "array.vcd"}) {
          EXPECT_NE(f.rfind(stem, 0), 0u) << "left behind: " << entry.path();
        }
        EXPECT_NE(entry.path().extension(), ".tmp") << "left behind: " << entry.path();
      }
    }
  }
}

TEST(Trace, ProgressLinesWhenNotATerminal) {
  auto dir = fresh_dir("trace_progress");
  auto r = run_resnet18(dir, dir / "out", "--progress-interval 0");
  size_t lines = 0, pos = 0;
  while (pos < r.err.size()) {
    size_t nl = r.err.find('\n', pos);
    if (nl == std::string::npos) nl = r.err.size();
    const std::string line = r.err.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.rfind("progress: layer", 0) == 0) {
      ++lines;
      EXPECT_NE(line.find("ETA"), std::string::npos) << line;
      EXPECT_NE(line.find("simulated"), std::string::npos) << line;
      EXPECT_NE(line.find("% of instructions"), std::string::npos) << line;
      EXPECT_NE(line.find("elapsed"), std::string::npos) << line;
    }
  }
  EXPECT_GE(lines, 2u) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "terminal redraw on a non-terminal";
  EXPECT_EQ(r.err.find("\033["), std::string::npos) << "escape codes on a non-terminal";

  auto quiet = run_resnet18(dir, dir / "quiet", "--progress-interval 0 --quiet");
  EXPECT_EQ(quiet.err.find("progress:"), std::string::npos) << quiet.err;
}

TEST(Trace, RtlVcdWritesBothFiles) {
  auto dir = fresh_dir("trace_rtl");
  write_file(dir / "small.yaml", kSmallWorkload);
  auto r = run_systole("run -w " + q(dir / "small.yaml") + " -o " + q(dir / "out") +
                           " --fidelity rtl --set core.array.rows=4 --set core.array.cols=4 --trace vcd -q",
                       dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(dir / "out" / "array.vcd"));
  ASSERT_TRUE(fs::exists(dir / "out" / "units.vcd"));
  EXPECT_FALSE(fs::exists(dir / "out" / "trace.json"));
  EXPECT_FALSE(fs::exists(dir / "out" / "events.csv"));
  EXPECT_NE(read_file(dir / "out" / "array.vcd").find("$enddefinitions"), std::string::npos);
  const Vcd v = parse_units_vcd(dir / "out" / "units.vcd");
  expect_units_vcd_header(v);
  EXPECT_GT(v.high_ps.count("array_busy") ? v.high_ps.at("array_busy") : 0, 0);
  for (const auto& entry : fs::directory_iterator(dir / "out")) {
    EXPECT_NE(entry.path().extension(), ".tmp") << "left behind: " << entry.path();
  }
}

TEST(Trace, Deterministic) {
  auto dir = fresh_dir("trace_determinism");
  run_resnet18(dir, dir / "a", "--trace perfetto,csv,vcd -q");
  run_resnet18(dir, dir / "b", "--trace perfetto,csv,vcd -q");
  for (const char* f : {"trace.json", "events.csv", "units.vcd"}) {
    const std::string a = read_file(dir / "a" / f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_TRUE(a == read_file(dir / "b" / f)) << f << " differs between two identical runs";
  }
}

}  // namespace
}  // namespace systole
