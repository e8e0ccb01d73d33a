// Per-cycle observation of the register-level array (rtl/run_tile.h), e.g. by the VCD writer.
// With no observer the engine makes no call at all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace systole {

enum class SignalKind { kInteger, kReal, kBit };

// One register every PE has, e.g. "psum" (kInteger, 64 bits) or "operand_valid" (kBit).
struct SignalInfo {
  std::string name;
  SignalKind kind = SignalKind::kInteger;
  int width_bits = 1;
};

// The array's registers after a cycle's update. Valid only during IArrayObserver::on_cycle.
class ArrayStateView {
 public:
  virtual ~ArrayStateView() = default;
  virtual int64_t rows() const = 0;
  virtual int64_t cols() const = 0;
  virtual const std::vector<SignalInfo>& signals() const = 0;
  // Value of signal `s` (index into signals()) of PE (r, c): integers and bits as int64, reals as
  // double (integer signals return their value converted, reals return 0 from int_value).
  virtual int64_t int_value(size_t s, int64_t r, int64_t c) const = 0;
  virtual double real_value(size_t s, int64_t r, int64_t c) const = 0;
};

class IArrayObserver {
 public:
  virtual ~IArrayObserver() = default;
  // Called by the simulator before a tile with the core clock cycle at which the tile starts, so
  // that an observer can place tiles on the run's timeline; the default ignores it.
  virtual void set_start_cycle(int64_t /*core_cycle*/) {}
  // Before cycle 0; the view's rows, cols and signals are fixed for the whole tile.
  virtual void begin(const ArrayStateView& state) = 0;
  // After every clock cycle `cycle` (0-based): the registers as written at the end of that cycle.
  virtual void on_cycle(int64_t cycle, const ArrayStateView& state) = 0;
  // After the last simulated cycle; `simulated_cycles` is the number of on_cycle calls.
  virtual void end(int64_t simulated_cycles) = 0;
};

}  // namespace systole
