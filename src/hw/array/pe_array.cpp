#include "systole/hw/array/pe_array.h"

#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/common/int_math.h"
#include "systole/hw/core/process_guard.h"

namespace systole::hw {
namespace {

SpmBytes spm_bytes(ISpmAccounting* spm) {
  return {spm->storage(), spm->capacity_bytes()};
}

}  // namespace

int64_t register_shift_bytes(const ArrayGeometry& g, const MatmulOp& op, int64_t input_bytes,
                             int64_t weight_bytes, int64_t accumulator_bytes) {
  const FoldShape f = fold_shape(op.dataflow, static_cast<int64_t>(op.m), static_cast<int64_t>(op.n),
                                 static_cast<int64_t>(op.k));
  const int64_t fr = row_fold_count(g, f), fc = column_fold_count(g, f);
  const int64_t last_r = f.sr - (fr - 1) * g.rows;
  // sum over row folds of r(r - 1)/2
  const int64_t tri = (fr - 1) * (g.rows * (g.rows - 1) / 2) + last_r * (last_r - 1) / 2;
  const int64_t along_rows = f.t * f.sr * (f.sc - fc);  // streamed element hops along the rows
  const int64_t down_cols = f.t * f.sc * (f.sr - fr);   // streamed element hops down the columns
  const int64_t block = f.sc * tri;                     // stationary block hops (preload / drain)
  const DataflowModel& df = dataflow_model(op.dataflow);
  auto bytes = [&](TileOperand o) {
    return o == TileOperand::kIfmap    ? input_bytes
           : o == TileOperand::kWeight ? weight_bytes
                                       : accumulator_bytes;
  };
  // The stationary block moves in before an input-stationary stream (preload) and out after an
  // output-stationary one (drain).
  const bool block_moves = df.accumulates_in_pes() ? op.stream_last : op.stream_first;
  return along_rows * bytes(df.along_rows()) + down_cols * bytes(df.down_cols()) +
         (block_moves ? block * bytes(df.stationary()) : 0);
}

PeArray::PeArray(sc_core::sc_module_name name, const PeArrayParams& params)
    : sc_core::sc_module(name),
      retire_port("retire_port"),
      ifmap_port("ifmap_port"),
      weight_port("weight_port"),
      ofmap_port("ofmap_port"),
      m_params(params) {
  if (params.geometry.rows <= 0 || params.geometry.cols <= 0) {
    throw InternalError(fmt::format("PE array of {}x{}", params.geometry.rows, params.geometry.cols));
  }
  m_model = array_model_registry().make(to_string(params.fidelity),
                                        ArrayModelParams{params.geometry, params.numerics, params.observer});
  SC_THREAD(run);
}

void PeArray::start(const Instruction& inst) {
  if (m_pending != nullptr)
    throw InternalError(fmt::format("PE array: instruction {} issued while busy", inst.id));
  m_pending = &inst;
  m_start_event.notify(sc_core::SC_ZERO_TIME);
}

void PeArray::check_tile(const MatmulOp& op) const {
  tile_timing(m_params.geometry, op);
}

void PeArray::run() {
  run_guarded(m_failure, [this] {
    while (true) {
      while (m_pending == nullptr) wait(m_start_event);
      const Instruction& inst = *m_pending;
      const InstructionRecord record = execute(inst);
      m_pending = nullptr;
      retire_port->retire(inst.id, record);
    }
  });
}

TileSpmCost PeArray::spm_cost(const MatmulOp& op, int64_t cycles) {
  const TileTraffic t = tile_traffic(m_params.geometry, op);
  TileSpmCost c;
  c.ifmap_read_bytes = t.ifmap_reads * m_params.input_bytes;
  c.weight_read_bytes = t.weight_reads * m_params.weight_bytes;
  c.ofmap_read_bytes = t.ofmap_reads * m_params.accumulator_bytes;
  c.ofmap_write_bytes = t.ofmap_writes * m_params.accumulator_bytes;
  if (!m_params.geometry.microarch.scalesim_counting) {
    // Per scratchpad, the bytes of every role it holds (a unified one serves all three tiles'
    // operands through one read and one write port).
    struct PortLoad {
      const ISpmAccounting* spm;
      int64_t read, write;
    };
    PortLoad loads[3];  // no allocation: this runs once per MATMUL
    int used = 0;
    auto add = [&](const ISpmAccounting* spm, int64_t read, int64_t write) {
      for (int i = 0; i < used; ++i) {
        if (loads[i].spm == spm) {
          loads[i].read += read, loads[i].write += write;
          return;
        }
      }
      loads[used++] = {spm, read, write};
    };
    add(ifmap_port.operator->(), c.ifmap_read_bytes, 0);
    add(weight_port.operator->(), c.weight_read_bytes, 0);
    add(ofmap_port.operator->(), c.ofmap_read_bytes, c.ofmap_write_bytes);
    int64_t need = 0;
    for (int i = 0; i < used; ++i) {
      const PortLoad& l = loads[i];
      need = std::max({need, ceil_div(l.read, l.spm->read_bytes_per_cycle()),
                       ceil_div(l.write, l.spm->write_bytes_per_cycle())});
    }
    c.stall_cycles = std::max<int64_t>(0, need - cycles);
  }
  if (!m_banks) {
    m_banks = std::make_unique<TileBankModel>(TileBankParams{
        m_params.geometry, ifmap_port->banking(), weight_port->banking(), ofmap_port->banking(),
        m_params.input_bytes, m_params.weight_bytes, m_params.accumulator_bytes, m_params.feeder,
        ifmap_port->read_bytes_per_cycle(), weight_port->read_bytes_per_cycle(),
        ofmap_port->read_bytes_per_cycle(), ofmap_port->write_bytes_per_cycle()});
  }
  c.banks = m_banks->cost(op);
  if (charges_bank_conflicts()) c.conflict_cycles = c.banks.conflict_cycles();
  return c;
}

InstructionRecord PeArray::execute(const Instruction& inst) {
  if (inst.op != Opcode::kMatmul) {
    throw InternalError(fmt::format("PE array: instruction {} is not a MATMUL", inst.id));
  }
  const MatmulOp& op = inst.matmul();
  // Operands: the scratchpads' values (functional) or zeros (a model that steps real registers
  // needs values even in a timing-only run).
  TileValues values;
  const bool with_values = m_params.functional || m_model->needs_values();
  if (m_params.functional) {
    values = gather_tile(op, m_params.numerics, spm_bytes(ifmap_port[0]), spm_bytes(weight_port[0]),
                         spm_bytes(ofmap_port[0]));
  } else if (with_values) {
    values = zero_tile(op, m_params.numerics);
  }
  const Clock& clock = m_params.clock;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const int64_t start_cycle = clock.cycle_of(now);
  const TileTiming timing = tile_timing(m_params.geometry, op);
  const TileRun run = m_model->run(op, with_values ? &values : nullptr, start_cycle);
  const int64_t cycles = run.cycles;
  m_counters.rtl_pe_cycles += run.pe_cycles;
  const TileSpmCost cost = spm_cost(op, cycles);
  const int64_t busy = cycles + cost.stall_cycles + cost.conflict_cycles;
  wait(clock.time_of(start_cycle + busy) - now);
  if (m_params.functional) scatter_tile(op, m_params.numerics, values, spm_bytes(ofmap_port[0]));

  // Conflict cycles per scratchpad (charged only with the direct feeder, never under SCALE-Sim
  // counting).
  const bool charged = charges_bank_conflicts();
  const TileBankCost& b = cost.banks;
  SpmDirectAccess ifa, wa, oa;
  ifa.read_bytes = cost.ifmap_read_bytes;
  ifa.read_accesses = b.ifmap_read.accesses;
  ifa.bank_conflict_cycles = charged ? b.ifmap_read.conflict_cycles : 0;
  wa.read_bytes = cost.weight_read_bytes;
  wa.read_accesses = b.weight_read.accesses;
  wa.bank_conflict_cycles = charged ? b.weight_read.conflict_cycles : 0;
  oa.read_bytes = cost.ofmap_read_bytes;
  oa.write_bytes = cost.ofmap_write_bytes;
  oa.read_accesses = b.ofmap_read.accesses;
  oa.write_accesses = b.ofmap_write.accesses;
  oa.bank_conflict_cycles = charged ? b.ofmap_read.conflict_cycles + b.ofmap_write.conflict_cycles : 0;
  oa.accumulator_rmw = b.accumulator_rmw;
  ifmap_port->count_direct_access(ifa);
  weight_port->count_direct_access(wa);
  ofmap_port->count_direct_access(oa);

  InstructionRecord rec;
  rec.work_start_cycle = start_cycle;
  rec.work_cycles = cycles;
  // Under SCALE-Sim counting a layer's last tile counts one cycle less, which can undercut F * T
  // on a 1 x 1 array (no skew); fill/drain is then 0.
  rec.fill_drain_cycles = std::max<int64_t>(0, cycles - timing.stream_cycles);
  rec.preload_cycles = std::min(timing.preload_cycles, rec.fill_drain_cycles);
  rec.macs = static_cast<int64_t>(op.m * op.n * op.k);
  const int64_t stream = cycles - rec.fill_drain_cycles;
  const int64_t pes = m_params.geometry.rows * m_params.geometry.cols;
  rec.underuse_cycles = stream - std::min(stream, ceil_div(rec.macs, pes));
  rec.busy_cycles = busy;
  rec.spm_stall_cycles = cost.stall_cycles;
  rec.bank_conflict_cycles = cost.conflict_cycles;
  rec.sram_read_bytes = cost.ifmap_read_bytes + cost.weight_read_bytes + cost.ofmap_read_bytes;
  rec.sram_write_bytes = cost.ofmap_write_bytes;
  rec.actions.ifmap.read_accesses = ifa.read_accesses;
  rec.actions.weight.read_accesses = wa.read_accesses;
  rec.actions.ofmap.read_accesses = oa.read_accesses;
  rec.actions.ofmap.write_accesses = oa.write_accesses;
  rec.actions.ofmap.accumulator_rmw = oa.accumulator_rmw;
  rec.actions.register_shift_bytes = register_shift_bytes(m_params.geometry, op, m_params.input_bytes,
                                                          m_params.weight_bytes, m_params.accumulator_bytes);
  m_counters.tiles += 1;
  m_counters.macs += rec.macs;
  m_counters.compute_cycles += cycles;
  m_counters.stall_cycles += cost.stall_cycles;
  m_counters.bank_conflict_cycles += cost.conflict_cycles;
  m_counters.fill_drain_cycles += rec.fill_drain_cycles;
  return rec;
}

}  // namespace systole::hw
