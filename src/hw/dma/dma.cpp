#include "systole/hw/dma/dma.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/hw/core/process_guard.h"
#include "systole/hw/memory/scratchpad.h"
#include "systole/hw/noc/remote_store.h"
#include "systole/numeric/gemm_reference.h"
#include "systole/numeric/tensor.h"

namespace systole::hw {
namespace {

// Returns false (and fills `error`) when the target answers with an error response.
// `data` (len bytes) is copied to / from the target; nullptr: timing only. *accesses and
// *conflicts receive the bank word accesses and bank-conflict cycles a scratchpad target counted
// (SpmAccessExtension; 0 from other targets).
bool transport(tlm_utils::simple_initiator_socket<Dma>& socket, tlm::tlm_command cmd, uint64_t addr,
               uint64_t len, uint8_t* data, sc_core::sc_time& delay, std::string& error, int64_t* accesses,
               int64_t* conflicts, int64_t* occupied = nullptr) {
  tlm::tlm_generic_payload trans;
  trans.set_command(cmd);
  trans.set_address(addr);
  trans.set_data_ptr(data);
  trans.set_data_length(static_cast<unsigned int>(len));
  trans.set_streaming_width(static_cast<unsigned int>(len));
  trans.set_byte_enable_ptr(nullptr);
  trans.set_dmi_allowed(false);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  SpmAccessExtension ext;
  trans.set_extension(&ext);
  socket->b_transport(trans, delay);
  trans.clear_extension(&ext);
  *accesses = ext.accesses;
  *conflicts = ext.conflict_cycles;
  if (occupied != nullptr) *occupied = ext.occupied_cycles;
  if (!trans.is_response_error()) return true;
  error = fmt::format("DMA: {} of {} B at {:#x} on {} failed: {}",
                      cmd == tlm::TLM_READ_COMMAND ? "read" : "write", len, addr, socket.name(),
                      trans.get_response_string());
  return false;
}

// Functional LOADs: copies the arrived bytes into the scratchpad through the debug interface (the
// timed write was issued without data). Returns false (and fills `error`) on an error response.
bool write_arrived(tlm_utils::simple_initiator_socket<Dma>& socket, uint64_t addr, std::vector<uint8_t>& data,
                   std::string& error) {
  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_WRITE_COMMAND);
  trans.set_address(addr);
  trans.set_data_ptr(data.data());
  trans.set_data_length(static_cast<unsigned int>(data.size()));
  trans.set_streaming_width(static_cast<unsigned int>(data.size()));
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (socket->transport_dbg(trans) == data.size() && !trans.is_response_error()) return true;
  error = fmt::format("DMA: write of {} B at {:#x} on {} failed: {}", data.size(), addr, socket.name(),
                      trans.get_response_string());
  return false;
}

// The two lower bounds on a DRAM side after its first data (stats/attribution.h
// InstructionRecord): (ceil(bursts / window) - 1) rounds of the window, each at least the
// first burst's latency, and the bytes after the first burst at the DRAM's peak.
void set_dram_bounds(InstructionRecord& rec, uint64_t bursts, int64_t max_outstanding, uint64_t bytes,
                     uint64_t first_burst_bytes, double peak_bytes_per_cycle) {
  if (bursts == 0) return;
  const uint64_t window = std::min<uint64_t>(static_cast<uint64_t>(max_outstanding), bursts);
  const auto rounds = static_cast<int64_t>((bursts + window - 1) / window);
  rec.window_bound_cycles = (rounds - 1) * (rec.first_data_cycle - rec.dram_start_cycle);
  if (peak_bytes_per_cycle > 0.0) {
    rec.peak_bound_cycles = static_cast<int64_t>(
        std::ceil(static_cast<double>(bytes - first_burst_bytes) / peak_bytes_per_cycle));
  }
}

// The walk order's elements (`channels` equal runs (c, x) of e bytes each) as a channel-last tile:
// (c, x) at x * channels + c (isa.h DmaDescriptor::channel_last_channels).
std::vector<uint8_t> channel_last(const std::vector<uint8_t>& walk, uint64_t channels, uint64_t e) {
  std::vector<uint8_t> out(walk.size());
  const uint64_t per_channel = walk.size() / e / channels;
  for (uint64_t c = 0; c < channels; ++c) {
    for (uint64_t x = 0; x < per_channel; ++x) {
      std::memcpy(out.data() + (x * channels + c) * e, walk.data() + (c * per_channel + x) * e, e);
    }
  }
  return out;
}

// The walk order's channel planes (d.phase_rows x d.phase_cols elements of e bytes each) held in
// stride phases (isa.h DmaDescriptor::row_phases).
std::vector<uint8_t> stride_phased(const std::vector<uint8_t>& walk, const DmaDescriptor& d, uint64_t e) {
  std::vector<uint8_t> out(walk.size());
  const auto rows = static_cast<int64_t>(d.phase_rows), cols = static_cast<int64_t>(d.phase_cols);
  std::vector<uint64_t> position(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t x = 0; x < cols; ++x) {
      position[static_cast<size_t>(i * cols + x)] = static_cast<uint64_t>(stride_phase_position(
          i, x, rows, cols, static_cast<int64_t>(d.row_phases), static_cast<int64_t>(d.col_phases)));
    }
  }
  const uint64_t plane_bytes = position.size() * e;
  for (uint64_t p = 0; p < walk.size() / plane_bytes; ++p) {
    for (size_t el = 0; el < position.size(); ++el) {
      std::memcpy(out.data() + p * plane_bytes + position[el] * e, walk.data() + p * plane_bytes + el * e, e);
    }
  }
  return out;
}

}  // namespace

Dma::Dma(sc_core::sc_module_name name, const DmaModuleParams& params)
    : sc_core::sc_module(name),
      dram_port("dram_port"),
      ifmap_socket("ifmap_socket"),
      weight_socket("weight_socket"),
      ofmap_socket("ofmap_socket"),
      retire_port("retire_port"),
      m_params(params) {
  if (params.max_outstanding <= 0 || params.burst_bytes <= 0 || !(params.dram_peak_bytes_per_cycle >= 0.0)) {
    throw InternalError(
        fmt::format("DMA with max_outstanding {}, burst_bytes {} and a DRAM peak of {} B/cycle",
                    params.max_outstanding, params.burst_bytes, params.dram_peak_bytes_per_cycle));
  }
  m_payloads = std::make_unique<tlm::tlm_generic_payload[]>(static_cast<size_t>(params.max_outstanding));
  SC_THREAD(run);
}

Dma::~Dma() {
  for (int64_t i = 0; i < m_params.max_outstanding; ++i)
    m_payloads[i].clear_extension<RemoteStoreExtension>();
}

void Dma::start(const Instruction& inst) {
  if (m_pending != nullptr)
    throw InternalError(fmt::format("DMA: instruction {} issued while busy", inst.id));
  m_pending = &inst;
  m_start_event.notify(sc_core::SC_ZERO_TIME);
}

tlm_utils::simple_initiator_socket<Dma>& Dma::spm_socket(Buffer b) {
  switch (b) {
    case Buffer::kIfmap:
      return ifmap_socket;
    case Buffer::kWeight:
      return weight_socket;
    case Buffer::kOfmap:
      return ofmap_socket;
  }
  throw InternalError("DMA: unknown buffer");
}

void Dma::run() {
  run_guarded(m_failure, [this] {
    while (true) {
      while (m_pending == nullptr) wait(m_start_event);
      const Instruction& inst = *m_pending;
      const std::optional<InstructionRecord> record = execute(inst);
      if (!record) return;  // failed: the simulation is stopping
      m_pending = nullptr;
      retire_port->retire(inst.id, *record);
    }
  });
}

std::optional<InstructionRecord> Dma::execute(const Instruction& inst) {
  const bool load = inst.op == Opcode::kLoad;
  if (!load && inst.op != Opcode::kStore) {
    fail_internal(m_failure, fmt::format("DMA: instruction {} is not a LOAD or STORE", inst.id));
    return std::nullopt;
  }
  std::string error;
  const DmaDescriptor& d = inst.dma();
  const Clock& clock = m_params.clock;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const int64_t start_cycle = clock.cycle_of(now);
  const sc_core::sc_time start = clock.time_of(start_cycle);
  const uint64_t bytes = d.bytes();
  const std::optional<uint64_t> spm_bytes_or = scratchpad_side_bytes(d);
  if (!spm_bytes_or) {
    fail_internal(m_failure,
                  fmt::format("DMA: STORE {} of {} B from the accumulators is not a whole number of "
                              "{} elements",
                              inst.id, bytes, to_string(m_params.input_type)));
    return std::nullopt;
  }
  const uint64_t spm_bytes = *spm_bytes_or;
  sc_core::sc_time end = start;
  int64_t first_data_cycle = -1;
  int64_t spm_accesses = 0;
  int64_t spm_conflicts = 0;  // bank-conflict cycles of the index read and the fill / drain
  sc_core::sc_time spm_end = start;
  const int64_t bursts_before = m_counters.bursts;

  // Functional: the descriptor's bytes in DRAM walk order (plane, row, byte).
  std::vector<uint8_t> data(m_params.functional ? bytes : 0);
  // An indexed LOAD reads its rows' indices from the index scratchpad first; its bursts start
  // when they are read.
  sc_core::sc_time dram_start = start;
  int64_t dram_start_cycle = -1, dram_end_cycle = -1;     // -1: no bursts
  int64_t noc_latency_cycles = 0, noc_stream_cycles = 0;  // behind the NoC (InstructionRecord)
  int64_t index_accesses = 0, index_conflicts = 0;
  int64_t store_accesses = 0, store_conflicts = 0;  // the on-chip far side of a resident descriptor
  const uint64_t index_bytes = d.indexed ? 4 * d.rows : 0;
  if (d.indexed && (!load || d.planes != 1)) {
    fail_internal(m_failure, fmt::format("DMA: instruction {} is an indexed {} of {} planes; only a LOAD "
                                         "of one plane is",
                                         inst.id, load ? "LOAD" : "STORE", d.planes));
    return std::nullopt;
  }
  const uint64_t cl = d.channel_last_channels;
  const DataType cl_type = load && d.buffer == Buffer::kWeight ? m_params.weight_type : m_params.input_type;
  if (cl > 0 && ((load ? d.buffer == Buffer::kOfmap : !d.from_accumulator) ||
                 (bytes / static_cast<uint64_t>(bytes_of(cl_type))) % cl != 0)) {
    fail_internal(m_failure,
                  fmt::format("DMA: instruction {} is a {} of {} B in {} channel-last runs; only an ifmap or "
                              "weight LOAD or a STORE from the accumulators of whole runs is",
                              inst.id, load ? "LOAD" : "STORE", bytes, cl));
    return std::nullopt;
  }
  const auto input_bytes = static_cast<uint64_t>(bytes_of(m_params.input_type));
  if (d.stride_phased() &&
      (!load || d.buffer != Buffer::kIfmap || cl > 0 || d.row_phases == 0 || d.col_phases == 0 ||
       d.phase_rows * d.phase_cols == 0 || bytes % (d.phase_rows * d.phase_cols * input_bytes) != 0)) {
    fail_internal(
        m_failure,
        fmt::format("DMA: instruction {} is a {} of {} B in stride phases ({}, {}) of {} x {} planes; only "
                    "an ifmap LOAD of whole planes, not channel-last, is",
                    inst.id, load ? "LOAD" : "STORE", bytes, d.row_phases, d.col_phases, d.phase_rows,
                    d.phase_cols));
    return std::nullopt;
  }
  if (index_bytes > 0) {
    std::vector<uint8_t> indices(m_params.functional ? index_bytes : 0);
    sc_core::sc_time delay = start - now;
    if (!transport(spm_socket(d.index_buffer), tlm::TLM_READ_COMMAND, d.index_spm_addr, index_bytes,
                   indices.empty() ? nullptr : indices.data(), delay, error, &index_accesses,
                   &index_conflicts) ||
        (m_params.functional && !gather_rows(d, indices, data, error))) {
      fail_internal(m_failure, error);
      return std::nullopt;
    }
    dram_start = now + delay;
    end = std::max(end, dram_start);
    spm_end = dram_start;
    spm_conflicts += index_conflicts;
  }
  if (bytes > 0) {
    // Scratchpad side: one transaction over the whole contiguous region, overlapping the bursts.
    // (Its timing does not depend on the DRAM side, so the data order decides which goes first.)
    // A STORE from the accumulators reads accumulator_type elements (spm_bytes of them) and, when
    // functional, converts them into `data`.
    const bool convert = m_params.functional && !load && d.from_accumulator;
    std::vector<uint8_t> acc(convert ? spm_bytes : 0);
    int64_t conflicts = 0;
    // A LOAD's timed transaction carries no data: it is issued before the DRAM side (whose
    // completions may advance simulated time when the DRAM sits behind the NoC), and its bytes
    // are written once they have arrived (write_arrived).
    auto spm_side = [&]() -> bool {
      uint8_t* ptr = !m_params.functional || load ? nullptr : convert ? acc.data() : data.data();
      sc_core::sc_time spm_delay = start - now;
      if (!transport(spm_socket(d.buffer), load ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, d.spm_addr,
                     spm_bytes, ptr, spm_delay, error, &spm_accesses, &conflicts)) {
        return false;
      }
      spm_conflicts += conflicts;
      spm_end = std::max(spm_end, now + spm_delay);
      end = std::max(end, now + spm_delay);
      if (convert) convert_accumulators(d, acc, data);
      return true;
    };
    if (!spm_side()) {
      fail_internal(m_failure, error);
      return std::nullopt;
    }

    if (d.on_chip && d.store_core < 0) {
      sc_core::sc_time store_end = start;
      if (d.indexed ||
          !store_side(d, load, start, data, &store_end, &store_accesses, &store_conflicts, error)) {
        fail_internal(m_failure, d.indexed ? fmt::format("DMA: instruction {} is an indexed LOAD from the "
                                                         "on-chip tensor store",
                                                         inst.id)
                                           : error);
        return std::nullopt;
      }
      end = std::max(end, store_end);
      spm_end = std::max(spm_end, store_end);
      spm_conflicts += store_conflicts;
    } else {
      // Far side: DRAM bursts, or bursts into another core's tensor store over the NoC.
      sc_core::sc_time last_done = dram_start, first_done = dram_start;
      if (d.store_core >= 0 && m_params.functional && !debug_copy_home(d, data, error)) {
        fail_internal(m_failure, error);
        return std::nullopt;
      }
      std::vector<uint8_t> no_data;  // an indexed LOAD's bursts are timing only (its rows are gathered)
      if (!dram_side(d, inst.layer, load, dram_start, d.indexed ? no_data : data, &last_done, &first_done,
                     error)) {
        fail_internal(m_failure, error);
        return std::nullopt;
      }
      end = std::max(end, last_done);
      first_data_cycle = clock.cycle_of(first_done);
      dram_start_cycle = clock.cycle_of(dram_start);
      dram_end_cycle = clock.cycle_of(last_done);
      noc_latency_cycles = std::min(clock.cycle_of(m_first_network), first_data_cycle - dram_start_cycle);
      noc_stream_cycles =
          std::llround(m_network_share * static_cast<double>(dram_end_cycle - first_data_cycle));
      store_accesses = m_remote_accesses;
    }
    if (load && cl > 0 && m_params.functional) {
      const DataType elem = d.buffer == Buffer::kWeight ? m_params.weight_type : m_params.input_type;
      data = channel_last(data, cl, static_cast<uint64_t>(bytes_of(elem)));
    }
    if (load && d.stride_phased() && m_params.functional) data = stride_phased(data, d, input_bytes);
    if (load && m_params.functional && !write_arrived(spm_socket(d.buffer), d.spm_addr, data, error)) {
      fail_internal(m_failure, error);
      return std::nullopt;
    }
  }
  // Behind the NoC the DRAM side returns at its last completion, possibly after `end`.
  const sc_core::sc_time after = sc_core::sc_time_stamp();
  wait(end > after ? end - after : sc_core::SC_ZERO_TIME);

  InstructionRecord rec;
  const int64_t retire_cycle = clock.cycle_of(end);
  rec.busy_cycles = retire_cycle - start_cycle;
  rec.first_data_cycle = first_data_cycle;
  rec.noc_latency_cycles = noc_latency_cycles;
  rec.noc_stream_cycles = noc_stream_cycles;
  rec.dram_start_cycle = dram_start_cycle;
  rec.dram_end_cycle = dram_end_cycle;
  rec.spm_end_cycle = spm_end > start ? clock.cycle_of(spm_end) : -1;
  rec.spm_conflict_cycles = spm_conflicts;
  const auto b = static_cast<int64_t>(bytes);
  rec.actions.dma_bursts = m_counters.bursts - bursts_before;
  if (dram_start_cycle >= 0) {
    rec.actions.noc_flit_hops = m_noc_flit_hops;
    rec.actions.noc_router_traversals = m_noc_router_traversals;
  }
  if (first_data_cycle >= 0) {
    set_dram_bounds(rec, static_cast<uint64_t>(rec.actions.dma_bursts), m_params.max_outstanding, bytes,
                    std::min<uint64_t>(static_cast<uint64_t>(m_params.burst_bytes), d.row_bytes),
                    m_params.dram_peak_bytes_per_cycle);
  }
  SpmActions& spm = rec.actions.at(d.buffer);
  (load ? spm.write_accesses : spm.read_accesses) = spm_accesses;
  if (load) {
    rec.sram_write_bytes = b;
    rec.sram_read_bytes = static_cast<int64_t>(index_bytes);
    rec.actions.at(d.index_buffer).read_accesses += index_accesses;
  } else {
    rec.sram_read_bytes = static_cast<int64_t>(spm_bytes);
  }
  if (d.on_chip) {
    // The far side is the tensor store: a read for a LOAD, a write for a STORE.
    (load ? rec.sram_read_bytes : rec.sram_write_bytes) += b;
    (load ? rec.actions.at(kTensorStore).read_accesses : rec.actions.at(kTensorStore).write_accesses) +=
        store_accesses;
    m_counters.on_chip_bytes += b;
  } else if (load) {
    rec.dram_read_bytes = b;
    m_counters.dram_read_bytes += b;
  } else {
    rec.dram_write_bytes = b;
    m_counters.dram_write_bytes += b;
  }
  m_counters.descriptors += 1;
  return rec;
}

bool Dma::store_side(const DmaDescriptor& d, bool load, const sc_core::sc_time& start,
                     std::vector<uint8_t>& data, sc_core::sc_time* end, int64_t* accesses, int64_t* conflicts,
                     std::string& error) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const Clock& clock = m_params.clock;
  int64_t issue_cycle = clock.cycle_of(start);  // when the store's port takes the next row
  *end = start;
  for (uint64_t row = 0; row < d.planes * d.rows; ++row) {
    const uint64_t plane = row / d.rows, r = row % d.rows;
    const uint64_t addr = d.store_addr + plane * d.plane_stride_bytes + r * d.row_stride_bytes;
    uint8_t* ptr = data.empty() ? nullptr : data.data() + row * d.row_bytes;
    sc_core::sc_time delay = clock.time_of(issue_cycle) - now;
    int64_t acc = 0, conf = 0, occupied = 0;
    if (!transport(spm_socket(kTensorStore), load ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND, addr,
                   d.row_bytes, ptr, delay, error, &acc, &conf, &occupied)) {
      return false;
    }
    *accesses += acc;
    *conflicts += conf;
    issue_cycle += occupied;
    *end = std::max(*end, now + delay);
  }
  return load || data.empty() || debug_copy_home(d, data, error);
}

bool Dma::debug_copy_home(const DmaDescriptor& d, const std::vector<uint8_t>& data,
                          std::string& error) const {
  if (m_params.dram_contents == nullptr) return true;
  std::vector<uint8_t>& dram = *m_params.dram_contents;
  for (uint64_t row = 0; row < d.planes * d.rows; ++row) {
    const uint64_t plane = row / d.rows, r = row % d.rows;
    const uint64_t home = d.dram_addr + plane * d.plane_stride_bytes + r * d.row_stride_bytes;
    if (home > dram.size() || d.row_bytes > dram.size() - home) {
      error = fmt::format("DMA: the home of a resident row at {:#x} ({} B) is outside the DRAM image", home,
                          d.row_bytes);
      return false;
    }
    std::copy_n(data.data() + row * d.row_bytes, d.row_bytes, dram.data() + home);
  }
  return true;
}

std::optional<uint64_t> Dma::scratchpad_side_bytes(const DmaDescriptor& d) const {
  const uint64_t bytes = d.bytes();
  if (d.buffer != Buffer::kOfmap || !d.from_accumulator) return bytes;
  const auto out_bytes = static_cast<uint64_t>(bytes_of(m_params.input_type));
  const auto acc_bytes = static_cast<uint64_t>(bytes_of(m_params.accumulator_type));
  if (bytes % out_bytes != 0) return std::nullopt;
  return bytes / out_bytes * acc_bytes;
}

bool Dma::gather_rows(const DmaDescriptor& d, const std::vector<uint8_t>& indices, std::vector<uint8_t>& data,
                      std::string& error) const {
  const std::vector<uint8_t>* dram = m_params.dram_contents;
  if (dram == nullptr) {
    error = "DMA: a functional indexed LOAD without the DRAM contents";
    return false;
  }
  for (uint64_t r = 0; r < d.rows; ++r) {
    const int64_t index = load_element_int(indices.data() + 4 * r, DataType::kInt32);
    const uint64_t src = d.table_addr + static_cast<uint64_t>(index) * d.row_bytes;
    if (index < 0 || static_cast<uint64_t>(index) >= d.table_rows || src + d.row_bytes > dram->size()) {
      error = fmt::format("DMA: indexed LOAD row {} names table row {}, outside the table's {} rows", r,
                          index, d.table_rows);
      return false;
    }
    std::copy_n(dram->data() + src, d.row_bytes, data.data() + r * d.row_bytes);
  }
  return true;
}

void Dma::convert_accumulators(const DmaDescriptor& d, const std::vector<uint8_t>& acc,
                               std::vector<uint8_t>& out) const {
  const auto out_bytes = static_cast<size_t>(bytes_of(m_params.input_type));
  const auto acc_bytes = static_cast<size_t>(bytes_of(m_params.accumulator_type));
  const size_t elements = acc.size() / acc_bytes;
  const bool int_acc = m_params.accumulator_type != DataType::kFp32;
  // Walk order e = (channel c, element x); channel-last accumulators hold it at x * channels + c.
  const auto channels = static_cast<size_t>(d.channel_last_channels);
  const size_t per_channel = channels > 0 ? elements / channels : elements;
  for (size_t e = 0; e < elements; ++e) {
    const size_t from = channels > 0 ? (e % per_channel) * channels + e / per_channel : e;
    const uint8_t* src = acc.data() + from * acc_bytes;
    uint8_t* dst = out.data() + e * out_bytes;
    if (int_acc) {
      store_element_int(
          dst, m_params.input_type,
          requantize(load_element_int(src, m_params.accumulator_type), d.requant_shift, m_params.input_type));
    } else {
      store_element_float(dst, m_params.input_type, load_element_float(src, m_params.accumulator_type));
    }
  }
}

}  // namespace systole::hw
