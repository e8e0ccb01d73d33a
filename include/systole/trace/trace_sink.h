// The trace-format seam: a trace sink observes a run (stats/run_observer.h) and writes its file(s)
// into the run's folder. Sinks are registered by name (common/registry.h); `--trace a,b` and
// trace.formats name them, and the CLI makes one of each named sink per run. Adding a format:
// its writer file, ending with `void register_trace_sink_<name>(TraceSinkRegistry&)`, plus one
// line X(<name>) in src/trace/trace_sinks.cpp (docs/extending.md).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "systole/array/array_observer.h"
#include "systole/common/registry.h"
#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/energy/energy_table.h"
#include "systole/stats/run_observer.h"
#include "systole/stats/sim_result.h"
#include "systole/trace/trace_options.h"

namespace systole::trace {

class ITraceSink : public hw::IRunObserver {
 public:
  // rtl fidelity: an observer of every array cycle, or nullptr.
  virtual IArrayObserver* array_observer() { return nullptr; }
  // Completes every file (UserError naming it and the OS's reason when it cannot be written);
  // returns the names of the files written, relative to the run's folder.
  virtual std::vector<std::string> finish(const SimResult& result) = 0;
};

// What a sink is made from. Everything referred to outlives the sink.
struct TraceSinkContext {
  const ArchSpec& arch;
  const Program& program;
  const energy::EnergyTable& table;
  const TraceOptions& options;
  std::string dir;  // the folder the files go into (the run's staging folder)
  std::string path(const std::string& file) const;
};

class TraceSinkRegistry {
 public:
  using Factory = std::function<std::unique_ptr<ITraceSink>(const TraceSinkContext&)>;
  // `files`: every file the format may write (output safety lists them as a run's files).
  void add(const std::string& name, std::vector<std::string> files, Factory factory);
  std::unique_ptr<ITraceSink> make(const std::string& name, const TraceSinkContext& context) const;
  std::vector<std::string> names() const { return m_registry.names(); }
  bool contains(const std::string& name) const { return m_registry.contains(name); }
  const std::vector<std::string>& all_files() const { return m_files; }

 private:
  Registry<ITraceSink, const TraceSinkContext&> m_registry{"trace format"};
  std::vector<std::string> m_files;
};

// Every trace format of this build (built on first use, then immutable).
const TraceSinkRegistry& trace_sinks();

// A sink made of a writer object that already observes a run: forwards every observation and
// completes the writer with `finish` (the writers' own finish functions differ).
template <typename Writer>
class WriterSink : public ITraceSink {
 public:
  WriterSink(std::unique_ptr<Writer> writer, std::vector<std::string> files,
             std::function<void(Writer&, const SimResult&)> finish)
      : m_writer(std::move(writer)), m_files(std::move(files)), m_finish(std::move(finish)) {}
  void on_retire(const Instruction& inst, const hw::InstructionRecord& record) override {
    m_writer->on_retire(inst, record);
  }
  void on_dram_burst(int channel, int64_t done_cycle, int64_t bytes, bool write) override {
    m_writer->on_dram_burst(channel, done_cycle, bytes, write);
  }
  void on_dram_request(const hw::DramRequestEvent& request) override { m_writer->on_dram_request(request); }
  bool wants_dram_requests() const override { return m_writer->wants_dram_requests(); }
  bool wants_dram_bursts() const override { return m_writer->wants_dram_bursts(); }
  std::vector<std::string> finish(const SimResult& result) override {
    m_finish(*m_writer, result);
    return m_files;
  }

 private:
  std::unique_ptr<Writer> m_writer;
  std::vector<std::string> m_files;
  std::function<void(Writer&, const SimResult&)> m_finish;
};

}  // namespace systole::trace
