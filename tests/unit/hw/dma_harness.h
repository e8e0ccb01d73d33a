// A Dma on its own for unit tests: its DRAM port bound to any IDramRequestPort (a scripted test
// double or a real model's request export), its scratchpad sockets to targets that accept at once,
// its retirements recorded. Several harnesses may share one elaboration (one per test process).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <tlm_utils/simple_target_socket.h>

#include <systemc>

#include "systole/hw/dma/dma.h"
#include "systole/hw/dram/dram_channel.h"

namespace systole::hwtest {

// A DRAM whose completion is arrival + latency(k, address) for the k-th request (from 0); it
// checks the caller keeps the port's causal contract and records every request.
class ScriptedDram : public sc_core::sc_module, public hw::IDramRequestPort {
 public:
  struct Submitted {
    uint64_t address;
    uint64_t length;
    bool write;
    sc_core::sc_time arrival;
  };
  using Latency = std::function<sc_core::sc_time(size_t k, uint64_t address)>;

  sc_core::sc_export<hw::IDramRequestPort> request{"request"};
  std::vector<Submitted> submitted;
  size_t max_outstanding_seen = 0;

  ScriptedDram(sc_core::sc_module_name n, Latency latency) : sc_module(n), m_latency(std::move(latency)) {
    request.bind(*this);
  }

  void submit(tlm::tlm_generic_payload& t, const sc_core::sc_time& arrival) override {
    EXPECT_GE(arrival, m_last_arrival) << "arrivals must not decrease";
    EXPECT_GE(arrival, m_last_done) << "a request may not arrive before a completion the caller has seen";
    m_last_arrival = arrival;
    const sc_core::sc_time done = arrival + m_latency(submitted.size(), t.get_address());
    submitted.push_back({t.get_address(), t.get_data_length(), t.is_write(), arrival});
    m_pending.push_back({done, submitted.size(), &t});
    max_outstanding_seen = std::max(max_outstanding_seen, m_pending.size());
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  bool next_completion(hw::DramCompletion* out) override {
    if (m_pending.empty()) return false;
    auto it = std::min_element(m_pending.begin(), m_pending.end(), [](const Pending& a, const Pending& b) {
      return a.done != b.done ? a.done < b.done : a.seq < b.seq;
    });
    *out = {it->payload, it->done};
    m_last_done = it->done;
    m_pending.erase(it);
    return true;
  }
  // The DMA drives its port through next_completion only.
  bool next_completion_before(const sc_core::sc_time&, hw::DramCompletion*) override {
    ADD_FAILURE() << "the DMA called next_completion_before";
    return false;
  }
  bool completion_bound(sc_core::sc_time*) const override {
    ADD_FAILURE() << "the DMA called completion_bound";
    return false;
  }

 private:
  struct Pending {
    sc_core::sc_time done;
    size_t seq;
    tlm::tlm_generic_payload* payload;
  };
  Latency m_latency;
  std::vector<Pending> m_pending;
  sc_core::sc_time m_last_arrival = sc_core::SC_ZERO_TIME, m_last_done = sc_core::SC_ZERO_TIME;
};

// A scratchpad stand-in: accepts every access with no delay.
struct InstantTarget : sc_core::sc_module {
  tlm_utils::simple_target_socket<InstantTarget> socket{"socket"};
  explicit InstantTarget(sc_core::sc_module_name n) : sc_module(n) {
    socket.register_b_transport(this, &InstantTarget::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time&) {
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// Runs `instructions` on a Dma one after another from t = 0 and records each retirement.
class DmaHarness : public sc_core::sc_module, public hw::IRetireListener {
 public:
  struct Retired {
    uint32_t id;
    hw::InstructionRecord record;
    sc_core::sc_time at;
  };
  hw::Dma dma;
  std::vector<Retired> retired;

  SC_HAS_PROCESS(DmaHarness);
  DmaHarness(sc_core::sc_module_name n, const hw::DmaModuleParams& params,
             sc_core::sc_export<hw::IDramRequestPort>& dram, std::vector<Instruction> instructions)
      : sc_module(n), dma("dma", params), m_instructions(std::move(instructions)) {
    dma.dram_port.bind(dram);
    dma.ifmap_socket.bind(m_ifmap.socket);
    dma.weight_socket.bind(m_weight.socket);
    dma.ofmap_socket.bind(m_ofmap.socket);
    dma.retire_port.bind(*this);
    SC_THREAD(drive);
  }
  void retire(uint32_t id, const hw::InstructionRecord& record) override {
    retired.push_back({id, record, sc_core::sc_time_stamp()});
    m_retired.notify(sc_core::SC_ZERO_TIME);
  }

 private:
  void drive() {
    for (const Instruction& inst : m_instructions) {
      const size_t before = retired.size();
      dma.start(inst);
      while (retired.size() == before) wait(m_retired);
    }
  }
  std::vector<Instruction> m_instructions;
  InstantTarget m_ifmap{"ifmap"}, m_weight{"weight"}, m_ofmap{"ofmap"};
  sc_core::sc_event m_retired;
};

inline Instruction dma_instruction(uint32_t id, Opcode op, const DmaDescriptor& d) {
  Instruction inst;
  inst.id = id;
  inst.op = op;
  inst.payload = d;
  return inst;
}

inline hw::DmaModuleParams dma_params(int64_t max_outstanding, int64_t burst_bytes,
                                      DmaCompletion completion) {
  hw::DmaModuleParams p;
  p.max_outstanding = max_outstanding;
  p.burst_bytes = burst_bytes;
  p.completion = completion;
  p.clock = hw::Clock(1000.0);  // 1 ns cycles
  return p;
}

}  // namespace systole::hwtest
