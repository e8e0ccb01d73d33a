// systole: command-line entry point. The only place that prints errors and chooses exit codes:
// 0 success, 2 the user's error (bad config, workload, arguments, files), 3 an internal error,
// 128 + the signal (130, 143) when SIGINT or SIGTERM stopped a command (docs/output-safety.md).
// Every error is printed exactly once, here.
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <boost/program_options/errors.hpp>
#include <systemc>

#include "cli/commands.h"
#include "cli/interrupt.h"
#include "systole/common/error.h"

namespace {

constexpr const char* kUsage =
    "usage: systole <command> [options]\n"
    "\n"
    "commands:\n"
    "  run        compile and simulate a workload; writes report.json, layers.csv, summary.txt\n"
    "  compile    print the instruction stream and the per-layer mapping (no simulation)\n"
    "  map        the tilings the compiler ranked best for each GEMM layer, with their estimates\n"
    "  import     turn an ONNX model into a Systole workload YAML\n"
    "  serve      run a request trace on an LLM with iteration-level batching: latency percentiles\n"
    "  sweep      expand a sweep spec into design points (--dry-run lists them, checked)\n"
    "  validate   check an arch config (and optionally a workload) and report every problem\n"
    "  memtest    drive the cycle-level DRAM model alone: bandwidth, latency, row hits, commands\n"
    "  noctest    drive the network-on-chip alone: latency and accepted throughput under traffic\n"
    "  chart      plot simulated designs on GOP/s vs W with published accelerators\n"
    "  energy     re-price a finished run's report.json with another energy table\n"
    "  plot       pictures of a run or of several runs: causes, utilisation, roofline, energy, power\n"
    "  config-doc print the configuration reference generated from the schema\n"
    "  version    print the version\n"
    "\n"
    "`systole <command> --help` describes each command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  // SystemC would print its own errors before throwing them; they are printed once, below.
  sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_THROW);
  sc_core::sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_THROW);
  try {
    if (command == "run") return systole::cli::run_command(args);
    if (command == "compile") return systole::cli::compile_command(args);
    if (command == "map") return systole::cli::map_command(args);
    if (command == "import") return systole::cli::import_command(args);
    if (command == "serve") return systole::cli::serve_command(args);
    if (command == "sweep") return systole::cli::sweep_command(args);
    if (command == "validate") return systole::cli::validate_command(args);
    if (command == "config-doc") return systole::cli::config_doc_command(args);
    if (command == "memtest") return systole::cli::memtest_command(args);
    if (command == "noctest") return systole::cli::noctest_command(args);
    if (command == "chart") return systole::cli::chart_command(args);
    if (command == "energy") return systole::cli::energy_command(args);
    if (command == "plot") return systole::cli::plot_command(args);
    if (command == "version" || command == "--version") {
      std::cout << "systole " << SYSTOLE_VERSION << "\n";
      return 0;
    }
    std::cerr << "systole: unknown command '" << command << "'\n\n" << kUsage;
    return 2;
  } catch (const systole::UserError& e) {
    std::cerr << "systole: " << e.what() << "\n";
    return 2;
  } catch (const boost::program_options::error& e) {
    std::cerr << "systole " << command << ": " << e.what() << " (see `systole " << command << " --help`)\n";
    return 2;
  } catch (const systole::cli::Interrupted& e) {
    std::cout.flush();
    std::cerr << "systole " << command << ": " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::filesystem::filesystem_error& e) {
    // A safety net: every file operation on a user's path reports its own UserError; an OS error
    // that still gets here concerns the user's files (a full disk, permissions), not a bug.
    std::cerr << "systole: " << (e.path1().empty() ? std::string() : "'" + e.path1().string() + "': ")
              << e.code().message() << "\n";
    return 2;
  } catch (const systole::InternalError& e) {
    std::cerr << "systole: " << e.what() << "\n";
    return 3;
  } catch (const std::bad_alloc&) {
    // Not a bug: a legal but very large input (docs/reliability.md) met the memory the process may
    // use. Every input that is refused by a limit is refused before it allocates.
    std::cerr << "systole " << command
              << ": out of memory: this input needs more memory than the process may use (the machine's "
                 "memory or `ulimit -v`); a smaller workload, array or fidelity needs less\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "systole: internal error (a Systole bug): " << e.what() << "\n";
    return 3;
  }
}
