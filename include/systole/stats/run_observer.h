// Observers of a running simulation (trace writers, the progress display). The simulation calls
// them and never reads anything back, so an observer cannot change a result; with none attached
// the cost is one null-pointer test per retired instruction and per DRAM burst. No SystemC here.
#pragma once

#include <cstdint>
#include <vector>

#include "systole/isa/isa.h"
#include "systole/stats/attribution.h"

namespace systole::hw {

// One DRAM request as the DMA submitted it (one burst of a LOAD or STORE descriptor).
struct DramRequestEvent {
  int64_t issue_cycle = 0;  // core cycle of the submission
  double issue_ns = 0.0;    // the same instant in ns from the start of the run
  uint64_t address = 0;     // DRAM byte address
  int64_t bytes = 0;
  bool write = false;
  uint32_t layer = 0;  // the layer of the LOAD / STORE it belongs to
};

class IRunObserver {
 public:
  virtual ~IRunObserver() = default;
  // `inst` retired with the complete `record` (issue and retire cycles, work interval, counts).
  // Called in retire order: retire_cycle is nondecreasing from call to call.
  virtual void on_retire(const Instruction& inst, const InstructionRecord& record) = 0;
  // A DRAM burst of `bytes` (a write when `write`) finished on DRAM channel `channel` at core
  // cycle `done_cycle`. Calls come per DMA descriptor in completion order.
  virtual void on_dram_burst(int channel, int64_t done_cycle, int64_t bytes, bool write) = 0;
  // A DRAM request submitted. Calls come in submission order (issue_ns nondecreasing: one DMA
  // engine submits them), and only to an observer whose wants_dram_requests() is true when it is
  // attached (building each event costs time on every burst: a quarter of a resnet50 run).
  virtual void on_dram_request(const DramRequestEvent& /*request*/) {}
  virtual bool wants_dram_requests() const { return false; }
  // Whether on_dram_burst does anything with its calls: when no attached observer wants them,
  // the DMA may serve a descriptor's bursts as one stream (hw/dram/dram_stream.h) and make none.
  virtual bool wants_dram_bursts() const { return true; }
};

// Forwards every call to each of `observers` in order (none of them owned).
class RunObserverList : public IRunObserver {
 public:
  void add(IRunObserver* o) {
    if (o != nullptr) m_observers.push_back(o);
  }
  bool empty() const { return m_observers.empty(); }
  void on_retire(const Instruction& inst, const InstructionRecord& record) override {
    for (IRunObserver* o : m_observers) o->on_retire(inst, record);
  }
  void on_dram_burst(int channel, int64_t done_cycle, int64_t bytes, bool write) override {
    for (IRunObserver* o : m_observers) o->on_dram_burst(channel, done_cycle, bytes, write);
  }
  void on_dram_request(const DramRequestEvent& request) override {
    for (IRunObserver* o : m_observers) {
      if (o->wants_dram_requests()) o->on_dram_request(request);
    }
  }
  bool wants_dram_requests() const override {
    for (const IRunObserver* o : m_observers) {
      if (o->wants_dram_requests()) return true;
    }
    return false;
  }
  bool wants_dram_bursts() const override {
    for (const IRunObserver* o : m_observers) {
      if (o->wants_dram_bursts()) return true;
    }
    return false;
  }

 private:
  std::vector<IRunObserver*> m_observers;
};

}  // namespace systole::hw
