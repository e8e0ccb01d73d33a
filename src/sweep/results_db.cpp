#include "systole/sweep/results_db.h"

#include <sqlite3.h>

#include <fmt/format.h>

#include "systole/common/error.h"

namespace systole::sweep {
namespace {

constexpr const char* kSchemaVersion = "1";

// One prepared statement, finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& path) : m_db(db), m_path(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &m_stmt, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~Statement() { sqlite3_finalize(m_stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int i, const std::string& v) {
    check(sqlite3_bind_text(m_stmt, i, v.c_str(), -1, SQLITE_TRANSIENT));
  }
  void bind(int i, int64_t v) { check(sqlite3_bind_int64(m_stmt, i, v)); }
  void bind(int i, double v) { check(sqlite3_bind_double(m_stmt, i, v)); }
  void bind_null(int i) { check(sqlite3_bind_null(m_stmt, i)); }
  // true: a row is ready; false: done.
  bool step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  std::string text(int col) const {
    const unsigned char* t = sqlite3_column_text(m_stmt, col);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
  int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
  double real(int col) const { return sqlite3_column_double(m_stmt, col); }
  bool null(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail("bind");
  }
  [[noreturn]] void fail(const char* what) const {
    throw UserError(fmt::format("{}: sweep database error ({}): {}", m_path, what, sqlite3_errmsg(m_db)));
  }
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
  std::string m_path;
};

constexpr const char* kColumns =
    "hash, sweep, point, workload, params, status, error, cycles, time_us, energy_pj, avg_power_w, "
    "peak_power_w, gops, tops_per_w, utilization, dram_bytes, top_stall, report";

PointRecord read_record(const Statement& s) {
  PointRecord r;
  r.hash = s.text(0);
  r.sweep = s.text(1);
  r.point = s.integer(2);
  r.workload = s.text(3);
  r.params = s.text(4);
  r.status = s.text(5);
  r.error = s.text(6);
  if (!s.null(7)) {
    RunMetrics m;
    m.cycles = s.integer(7);
    m.time_us = s.real(8);
    m.energy_pj = s.real(9);
    m.avg_power_w = s.real(10);
    m.peak_power_w = s.real(11);
    m.gops = s.real(12);
    m.tops_per_w = s.real(13);
    m.utilization = s.real(14);
    m.dram_bytes = s.integer(15);
    m.top_stall = s.text(16);
    r.metrics = m;
  }
  r.report = s.text(17);
  return r;
}

}  // namespace

ResultsDb::ResultsDb(const std::string& path) : m_path(path) {
  if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string why = m_db != nullptr ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    throw UserError(fmt::format("{}: cannot open the sweep database: {}", path, why));
  }
  sqlite3_busy_timeout(m_db, 10000);
  try {
    exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    {
      Statement s(m_db, "SELECT value FROM meta WHERE key = 'schema'", m_path);
      if (s.step()) {
        if (s.text(0) != kSchemaVersion) {
          throw UserError(fmt::format("{}: a sweep database of schema {}; this Systole writes schema {}",
                                      path, s.text(0), kSchemaVersion));
        }
      } else {
        exec(fmt::format("INSERT INTO meta VALUES ('schema', '{}'), ('writer', 'systole')", kSchemaVersion));
      }
    }
    exec(
        "CREATE TABLE IF NOT EXISTS points (hash TEXT PRIMARY KEY, sweep TEXT NOT NULL, point INTEGER NOT "
        "NULL, "
        "workload TEXT NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL, error TEXT NOT NULL, cycles "
        "INTEGER, "
        "time_us REAL, energy_pj REAL, avg_power_w REAL, peak_power_w REAL, gops REAL, tops_per_w REAL, "
        "utilization REAL, dram_bytes INTEGER, top_stall TEXT, report TEXT NOT NULL)");
    exec(
        "CREATE TABLE IF NOT EXISTS members (sweep TEXT NOT NULL, point INTEGER NOT NULL, workload_index "
        "INTEGER NOT "
        "NULL, hash TEXT NOT NULL REFERENCES points(hash), PRIMARY KEY (sweep, point, workload_index))");
  } catch (const UserError&) {
    sqlite3_close(m_db);
    throw;
  }
}

ResultsDb::~ResultsDb() {
  sqlite3_close(m_db);
}

void ResultsDb::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err != nullptr ? err : sqlite3_errmsg(m_db);
    sqlite3_free(err);
    throw UserError(fmt::format("{}: sweep database error: {}", m_path, why));
  }
}

std::optional<PointRecord> ResultsDb::find(const std::string& hash) const {
  Statement s(m_db, fmt::format("SELECT {} FROM points WHERE hash = ?1", kColumns), m_path);
  s.bind(1, hash);
  if (!s.step()) return std::nullopt;
  return read_record(s);
}

void ResultsDb::record(const PointRecord& r, const Member& m) {
  exec("BEGIN IMMEDIATE");
  try {
    Statement s(
        m_db,
        fmt::format(
            "INSERT OR REPLACE INTO points ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
            "?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            kColumns),
        m_path);
    s.bind(1, r.hash);
    s.bind(2, r.sweep);
    s.bind(3, r.point);
    s.bind(4, r.workload);
    s.bind(5, r.params);
    s.bind(6, r.status);
    s.bind(7, r.error);
    if (r.metrics) {
      const RunMetrics& x = *r.metrics;
      s.bind(8, x.cycles);
      s.bind(9, x.time_us);
      s.bind(10, x.energy_pj);
      s.bind(11, x.avg_power_w);
      s.bind(12, x.peak_power_w);
      s.bind(13, x.gops);
      s.bind(14, x.tops_per_w);
      s.bind(15, x.utilization);
      s.bind(16, x.dram_bytes);
      s.bind(17, x.top_stall);
    } else {
      for (int i = 8; i <= 17; ++i) s.bind_null(i);
    }
    s.bind(18, r.report);
    s.step();
    Statement mem(m_db, "INSERT OR REPLACE INTO members VALUES (?1, ?2, ?3, ?4)", m_path);
    mem.bind(1, m.sweep);
    mem.bind(2, m.point);
    mem.bind(3, m.workload_index);
    mem.bind(4, r.hash);
    mem.step();
  } catch (...) {
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  exec("COMMIT");
}

void ResultsDb::add_member(const Member& m, const std::string& hash) {
  Statement s(m_db, "INSERT OR REPLACE INTO members VALUES (?1, ?2, ?3, ?4)", m_path);
  s.bind(1, m.sweep);
  s.bind(2, m.point);
  s.bind(3, m.workload_index);
  s.bind(4, hash);
  s.step();
}

void ResultsDb::clear_members(const std::string& sweep) {
  Statement s(m_db, "DELETE FROM members WHERE sweep = ?1", m_path);
  s.bind(1, sweep);
  s.step();
}

std::vector<PointRecord> ResultsDb::members(const std::string& sweep) const {
  std::string cols;
  for (const char* c : {"hash", "sweep", "point", "workload", "params", "status", "error", "cycles",
                        "time_us", "energy_pj", "avg_power_w", "peak_power_w", "gops", "tops_per_w",
                        "utilization", "dram_bytes", "top_stall", "report"}) {
    const std::string col = c;
    // The member's own sweep and point; the rest is the run's.
    cols += std::string(cols.empty() ? "" : ", ") + ((col == "sweep" || col == "point") ? "m." : "p.") + col;
  }
  Statement s(
      m_db,
      fmt::format("SELECT {} FROM members m JOIN points p ON p.hash = m.hash WHERE m.sweep = ?1 ORDER BY "
                  "m.point, m.workload_index",
                  cols),
      m_path);
  s.bind(1, sweep);
  std::vector<PointRecord> out;
  while (s.step()) out.push_back(read_record(s));
  return out;
}

}  // namespace systole::sweep
