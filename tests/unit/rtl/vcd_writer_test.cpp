// The VCD of a tile parsed back: header structure, one $var per PE and signal, and the values at
// a chosen cycle equal to the engine's registers at that cycle.
#include "systole/rtl/vcd_writer.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <vector>

#include "systole/common/error.h"
#include "systole/rtl/run_tile.h"

namespace systole::rtl {
namespace {

// Forwards to the VCD writer and records every register at cycle `at`.
class Tee final : public IArrayObserver {
 public:
  Tee(IArrayObserver* next, int64_t at) : m_next(next), m_at(at) {}
  void begin(const ArrayStateView& s) override { m_next->begin(s); }
  void on_cycle(int64_t cycle, const ArrayStateView& s) override {
    m_next->on_cycle(cycle, s);
    if (cycle != m_at) return;
    for (size_t i = 0; i < s.signals().size(); ++i) {
      for (int64_t r = 0; r < s.rows(); ++r) {
        for (int64_t c = 0; c < s.cols(); ++c) {
          const std::string key =
              "pe_" + std::to_string(r) + "_" + std::to_string(c) + "." + s.signals()[i].name;
          seen[key] = s.signals()[i].kind == SignalKind::kReal ? s.real_value(i, r, c)
                                                               : static_cast<double>(s.int_value(i, r, c));
        }
      }
    }
  }
  void end(int64_t n) override { m_next->end(n); }
  std::map<std::string, double> seen;

 private:
  IArrayObserver* m_next;
  int64_t m_at;
};

struct ParsedVcd {
  std::string timescale;
  int vars = 0;
  std::map<std::string, std::string> name_of;  // id -> "pe_r_c.signal"
  std::map<std::string, int> width_of;
  std::map<std::string, double> values_at;  // at the requested time
};

double value_of(const std::string& text, int width) {
  if (text[0] == 'r') return std::stod(text.substr(1));
  if (text[0] == 'b') {
    const std::string bits = text.substr(1);
    uint64_t u = 0;
    for (char b : bits) u = (u << 1) | (b == '1' ? 1 : 0);
    // Sign: only a full-width value with the top bit set is negative (shorter ones are 0-extended).
    if (static_cast<int>(bits.size()) == width && width < 64 && bits[0] == '1') {
      return static_cast<double>(static_cast<int64_t>(u) - (int64_t{1} << width));
    }
    return static_cast<double>(static_cast<int64_t>(u));
  }
  return text == "1" ? 1.0 : 0.0;
}

ParsedVcd parse(const std::string& vcd, int64_t at_time) {
  ParsedVcd p;
  std::istringstream in(vcd);
  std::string line, scope;
  std::map<std::string, std::string> current;
  int64_t time = -1;
  bool done = false;
  auto snapshot = [&] {
    for (const auto& [id, v] : current) p.values_at[p.name_of[id]] = value_of(v, p.width_of[id]);
  };
  while (std::getline(in, line) && !done) {
    std::istringstream ls(line);
    std::string tok;
    ls >> tok;
    if (tok == "$timescale") {
      std::string a, b;
      ls >> a >> b;
      p.timescale = a + " " + b;
    } else if (tok == "$scope") {
      std::string kind;
      ls >> kind >> scope;
    } else if (tok == "$var") {
      std::string type, id, name;
      int width = 0;
      ls >> type >> width >> id >> name;
      p.name_of[id] = scope + "." + name;
      p.width_of[id] = width;
      ++p.vars;
    } else if (tok[0] == '#') {
      const int64_t t = std::stoll(tok.substr(1));
      if (time <= at_time && t > at_time) {
        snapshot();
        done = true;
      }
      time = t;
    } else if (tok[0] == 'b' || tok[0] == 'r') {
      std::string id;
      ls >> id;
      current[id] = tok;
    } else if (tok[0] == '0' || tok[0] == '1') {
      current[tok.substr(1)] = tok.substr(0, 1);
    }
  }
  if (!done) snapshot();
  return p;
}

TEST(VcdWriter, ParsesBackToTheEngineRegisters) {
  // WS 3x4, m=6 n=4 k=3 on a 2 ns clock; registers after cycle 7 are dumped at (7 + 1) * 2000 ps.
  TileRequest req;
  req.geometry = {3, 4, ArrayMicroarch{}};
  req.op.m = 6;
  req.op.n = 4;
  req.op.k = 3;
  std::vector<int32_t> a(18), w(12);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int32_t>(i % 5) - 2;
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int32_t>(i % 3) + 1;
  std::vector<int64_t> out(24);
  std::ostringstream vcd;
  VcdWriter writer(vcd, 2.0);
  Tee tee(&writer, 7);
  run_tile(req, a.data(), w.data(), out.data(), &tee);
  const ParsedVcd p = parse(vcd.str(), 8 * 2000);
  EXPECT_EQ(p.timescale, "1 ps");
  // ws with preload_overlap: stationary, shadow, operand, operand_valid, psum, psum_valid.
  EXPECT_EQ(p.vars, 3 * 4 * 6);
  ASSERT_EQ(tee.seen.size(), 3u * 4u * 6u);
  int nonzero = 0;
  for (const auto& [key, v] : tee.seen) {
    ASSERT_TRUE(p.values_at.count(key)) << key;
    EXPECT_EQ(p.values_at.at(key), v) << key;
    nonzero += v != 0;
  }
  EXPECT_GT(nonzero, 20) << "cycle 7 is mid-stream: most registers hold data";
  EXPECT_NE(vcd.str().find("$enddefinitions $end"), std::string::npos);
}

TEST(VcdWriter, FloatRegistersAreReals) {
  TileRequest req;
  req.geometry = {2, 2, ArrayMicroarch{}};
  req.op.dataflow = Dataflow::kOutputStationary;
  req.op.m = req.op.n = 2;
  req.op.k = 3;
  req.acc.type = DataType::kFp32;
  std::vector<float> a{0.5f, -1.25f, 2.0f, 3.0f, 0.75f, -0.5f}, w{1.5f, 2.0f, -1.0f, 0.25f, 4.0f, 1.0f};
  std::vector<float> out(4);
  std::ostringstream vcd;
  VcdWriter writer(vcd, 1.0);
  Tee tee(&writer, 3);
  run_tile(req, a.data(), w.data(), out.data(), &tee);
  const ParsedVcd p = parse(vcd.str(), 4 * 1000);
  EXPECT_EQ(p.vars, 2 * 2 * 5);  // operand_a, operand_b, operand_valid, psum, psum_valid
  EXPECT_NE(vcd.str().find("$var real 64"), std::string::npos);
  for (const auto& [key, v] : tee.seen) EXPECT_EQ(p.values_at.at(key), v) << key;
}

TEST(VcdWriter, RefusesArraysLargerThanTheLimit) {
  try {
    VcdWriter::check_array(17, 4);
    FAIL() << "no throw";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("16x16"), std::string::npos) << e.what();
  }
  TileRequest req;
  req.geometry = {4, 20, ArrayMicroarch{}};
  req.op.m = req.op.n = req.op.k = 1;
  const int32_t a = 1, w = 1;
  int64_t out = 0;
  std::ostringstream vcd;
  VcdWriter writer(vcd, 1.0);
  EXPECT_THROW(run_tile(req, &a, &w, &out, &writer), UserError);
  EXPECT_NO_THROW(VcdWriter::check_array(16, 16));
}

}  // namespace
}  // namespace systole::rtl
