#include "systole/trace/events_csv_writer.h"

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include "systole/common/error.h"
#include "systole/trace/trace_sink.h"

namespace systole::trace {
namespace {

const char* unit_of(Opcode op) {
  switch (op) {
    case Opcode::kLoad:
    case Opcode::kStore:
      return "dma";
    case Opcode::kMatmul:
      return "array";
    case Opcode::kVector:
      return "vector";
    case Opcode::kSync:
      break;
  }
  return "controller";
}

// A layer name as a CSV field: quoted when it holds a comma, quote or newline.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

const char* EventsCsvWriter::header() {
  return "id,layer,opcode,unit,issue_cycle,start_cycle,end_cycle,retire_cycle,macs,sram_read_bytes,"
         "sram_write_bytes,dram_read_bytes,dram_write_bytes,dma_bursts,energy_pj";
}

EventsCsvWriter::EventsCsvWriter(const std::string& path, const ArchSpec& arch, const Program& program,
                                 const energy::EnergyTable& table, const TraceOptions& options)
    : m_out(path, std::ios::binary | std::ios::trunc),
      m_path(path),
      m_program(program),
      m_table(table),
      m_pricing(pricing_context(arch)),
      m_core_class(core_classes(arch)),
      m_options(options),
      m_multi_core(arch.cores.count > 1) {
  if (!m_out)
    throw UserError(fmt::format("{}: cannot write the event trace: {}", path, std::strerror(errno)));
  m_out << header() << (m_multi_core ? ",core" : "") << "\n";
}

void EventsCsvWriter::on_retire(const Instruction& inst, const hw::InstructionRecord& r) {
  const hw::ActiveInterval span = hw::active_interval(inst.op, r);
  if (!m_options.covers(inst.layer, span.begin, span.end)) return;
  const double energy =
      price_counts(m_pricing, m_table, hw::counts_of(r, m_core_class.at(inst.core), m_pricing.classes.size()),
                   0.0)
          .dynamic_pj;
  m_out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.9g}", inst.id,
                       csv_field(m_program.layers.at(inst.layer).name), to_string(inst.op), unit_of(inst.op),
                       r.issue_cycle, span.begin, span.end, r.retire_cycle, r.macs, r.sram_read_bytes,
                       r.sram_write_bytes, r.dram_read_bytes, r.dram_write_bytes, r.actions.dma_bursts,
                       energy);
  if (m_multi_core) m_out << ',' << inst.core;
  m_out << '\n';
}

void EventsCsvWriter::finish() {
  m_out.close();
  if (!m_out)
    throw UserError(fmt::format("{}: writing the event trace failed: {}", m_path, std::strerror(errno)));
}

void register_trace_sink_csv(TraceSinkRegistry& registry) {
  registry.add("csv", {"events.csv"}, [](const TraceSinkContext& c) -> std::unique_ptr<ITraceSink> {
    return std::make_unique<WriterSink<EventsCsvWriter>>(
        std::make_unique<EventsCsvWriter>(c.path("events.csv"), c.arch, c.program, c.table, c.options),
        std::vector<std::string>{"events.csv"}, [](EventsCsvWriter& w, const SimResult&) { w.finish(); });
  });
}

}  // namespace systole::trace
