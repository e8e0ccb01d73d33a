// A DRAM channel: a TLM-2.0 target (loosely timed: b_transport adds the request's completion to
// the annotated delay) that counts the bytes it reads and writes. Implementations are SystemC
// modules registered by name (the DramKind spelling, `dram.kind` in YAML) in dram_registry.cpp;
// docs/hardware.md says how to add one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "systole/config/arch_spec.h"

namespace systole::hw {

struct DramCounters {
  int64_t requests = 0;
  int64_t read_bytes = 0;
  int64_t write_bytes = 0;
};

class IDramChannel {
 public:
  virtual ~IDramChannel() = default;
  // Bound to the DMA's DRAM-side initiator socket in NpuTop. Requests carry the DRAM address;
  // a payload data pointer of nullptr means timing-only (no functional data).
  virtual tlm::tlm_target_socket<>& target_socket() = 0;
  virtual const DramCounters& counters() const = 0;

  // Functional simulation: the DRAM's contents (byte a at address a), owned by the caller and
  // outliving the simulation. Requests whose payload carries a data pointer copy to (write) or
  // from (read) it. Not attached (the default): timing only, and a data pointer is an error.
  void attach_contents(std::vector<uint8_t>* contents) { m_contents = contents; }

 protected:
  // Every model calls this first in b_transport: copies the payload's data (if any) and returns
  // true, or sets TLM_ADDRESS_ERROR_RESPONSE and returns false when the request carries data
  // that lies outside the contents (or no contents are attached). Timing is the model's business.
  bool move_data(tlm::tlm_generic_payload& trans);

 private:
  std::vector<uint8_t>* m_contents = nullptr;
};

// Creates the channel registered as `kind`; an unknown kind throws InternalError listing the
// registered names (the config loader has already checked `dram.kind` against DramKind).
std::unique_ptr<IDramChannel> make_dram_channel(const std::string& kind, const char* name,
                                                const DramParams& params);
std::vector<std::string> dram_channel_names();  // registration order

}  // namespace systole::hw
