// Fuzz target: report.json as `systole energy` reads it (src/cli/energy_command.cpp): parse the
// JSON (a parse error is the user's), price_report it with the shipped 45nm table, then
// energy_summary, and dump the re-priced report as `--out` writes it. Contract: only UserError
// escapes; pricing is deterministic (the same report priced twice gives the same report and
// power.csv) and idempotent (re-pricing the re-priced report, written and read back, changes
// nothing).
#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "systole/energy/energy_table.h"
#include "systole/report/energy_report.h"

namespace {

using Json = nlohmann::ordered_json;

const systole::energy::EnergyTable& table() {
  static const systole::energy::EnergyTable kTable =
      systole::energy::load_energy_table(std::string(SYSTOLE_SOURCE_DIR) + "/arch/energy/45nm.yaml");
  return kTable;
}

// What `systole energy` does after reading the file: re-price, summarise, write.
struct Priced {
  std::string report;  // report.dump(2): what --out writes
  std::string csv;     // power.csv
  std::string summary;
};

Priced price(Json report) {
  Priced p;
  p.csv = systole::price_report(report, table(), "45nm", "fuzz/report.json");
  p.summary = systole::energy_summary(report);
  p.report = report.dump(2) + "\n";
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  table();  // outside the contract: the shipped table must load
  const std::string text(reinterpret_cast<const char*>(data), size);
  Json report;
  try {
    report = Json::parse(text);
  } catch (const nlohmann::json::exception&) {
    // energy_command.cpp's read_report turns any json exception of parse (parse_error, or
    // out_of_range for a number like 1e400) into a UserError ("not JSON"); keep the two alike.
    return 0;
  }
  Priced once;
  if (!fuzz::accepts("price_report", [&] { once = price(report); })) return 0;
  fuzz::holds("determinism and idempotence", [&] {
    const Priced twice = price(report);
    FUZZ_CHECK(once.report == twice.report && once.csv == twice.csv && once.summary == twice.summary,
               "the same report.json priced twice differs");
    const Priced again = price(Json::parse(once.report));
    FUZZ_CHECK(once.report == again.report, "re-pricing a re-priced report.json changes it:\nfirst:\n" +
                                                once.report + "\nagain:\n" + again.report);
    FUZZ_CHECK(once.csv == again.csv, "re-pricing a re-priced report.json changes power.csv");
  });
  return 0;
}
