// A sweep's results in SQLite (sweep.db, Debian's libsqlite3; docs/sweeps.md "Results"). One row
// per simulated (point, workload), keyed by the run's content hash, so that any sweep writing into
// the same database reuses a point another one finished; and one row per member of each sweep.
// Only the sweep's own process writes it (workers hand their results back), and every record is
// one transaction: a sweep killed at any moment leaves every finished point and no half of one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace systole::sweep {

// The headline metrics of a run (report.json's total) and where its report is.
struct RunMetrics {
  int64_t cycles = 0;
  double time_us = 0.0;
  double energy_pj = 0.0;
  double avg_power_w = 0.0;
  double peak_power_w = 0.0;
  double gops = 0.0;
  double tops_per_w = 0.0;
  double utilization = 0.0;
  int64_t dram_bytes = 0;  // read + written
  std::string top_stall;   // the largest non-compute cause of cycle_breakdown ("" when none)
};

struct PointRecord {
  std::string hash;                   // hex SHA-256 of the run's inputs (sweep/point_key.h)
  std::string sweep;                  // the spec's name that first ran it
  int64_t point = 0;                  // its index in that sweep
  std::string workload;               // as the spec names it
  std::string params;                 // JSON object: config key -> value
  std::string status;                 // "done" or "failed"
  std::string error;                  // failed: the run's first error line
  std::optional<RunMetrics> metrics;  // done
  std::string report;                 // done: report.json, relative to the database's folder
};

class ResultsDb {
 public:
  // Opens (creating it and its tables when new) the database at `path`. UserError when it cannot
  // be opened or is not a Systole sweep database.
  explicit ResultsDb(const std::string& path);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;

  // The record with this hash, if any.
  std::optional<PointRecord> find(const std::string& hash) const;
  // Where a record sits in a sweep: its point and the index of its workload in the spec.
  struct Member {
    std::string sweep;
    int64_t point = 0;
    int64_t workload_index = 0;
  };
  // Inserts or replaces the record and makes it `m`, in one transaction.
  void record(const PointRecord& r, const Member& m);
  // Makes the record with `hash` (which exists) `m`.
  void add_member(const Member& m, const std::string& hash);
  // Forgets which runs make up `sweep` (the runs themselves stay): a sweep run starts with this, so
  // that a spec edited under the same name lists only its current points.
  void clear_members(const std::string& sweep);
  // The records of `sweep`'s members, by point, then workload in the spec's order.
  std::vector<PointRecord> members(const std::string& sweep) const;

 private:
  void exec(const std::string& sql) const;
  sqlite3* m_db = nullptr;
  std::string m_path;
};

}  // namespace systole::sweep
