// The output rule of every command that writes files (docs/output-safety.md):
//
//   1. The target (--out, --dump-tensors) is checked right after argument parsing, before anything
//      expensive: not empty, not the root or a folder holding the current directory, its nearest
//      existing ancestor a writable folder, and if it exists, something this command may replace:
//      an empty folder or one holding this command's own output (for `run`: a report.json written
//      by systole), or, for a single file, a file of the kind written (a PNG/SVG image, the
//      configuration reference). Anything else is refused (exit 2) unless --force.
//   2. Everything is written into a hidden staging folder (or file) beside the target, in the
//      same parent: ".<name>.systole-tmp-<pid>".
//   3. Only when every file is complete, commit() swaps it in: the old target is renamed aside
//      (".<name>.systole-old-<pid>"), the staging renamed to the target, the old one removed. A
//      failing rename puts the old target back: the target is always either the whole old
//      output or the whole new one, never a mix, and no file of an earlier run survives beside
//      a new report.
//   4. On an error or a signal the destructor removes the staging. Temporaries left by a process
//      that died (SIGKILL, power loss) are hidden, carry its pid, and are removed by the next
//      command that stages beside them once that pid is no longer alive.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace systole::cli {

// What may be replaced without --force, and how it is named in messages.
struct OutputKind {
  bool folder = true;  // a folder (run, plots, tensors) or a single file (chart, config-doc)
  std::string what;    // "a Systole run (a report.json written by systole)"
  // True when the existing folder or file is this command's own output.
  std::function<bool(const std::filesystem::path&)> recognise;
};

// A `systole run` or `systole energy` folder: holds a report.json written by systole.
OutputKind run_folder_kind();
// A `systole serve` folder: holds a serve.json written by systole, its CSVs and steps/.
OutputKind serve_folder_kind();
// A --dump-tensors folder: only .npy files.
OutputKind tensor_folder_kind();
// A `systole plot` folder: only pictures named in `names` (e.g. "roofline.png").
OutputKind plot_folder_kind(std::vector<std::string> names);
// A `systole chart` picture: an existing PNG or SVG file.
OutputKind image_file_kind();
// A file whose first line is `first_line` (config-doc: "# Configuration reference").
OutputKind text_file_kind(std::string first_line, std::string what);

class OutputTarget {
 public:
  // Checks the target (rule 1); UserError naming `flag` and `path` when it is refused.
  OutputTarget(std::string flag, const std::string& path, OutputKind kind, bool force);
  ~OutputTarget();  // removes the staging unless committed
  OutputTarget(const OutputTarget&) = delete;
  OutputTarget& operator=(const OutputTarget&) = delete;

  // Creates the parent folders and the staging folder (for a file target: names the staging
  // file); removes stale temporaries of dead processes beside it. Returns the staging path.
  const std::filesystem::path& stage();
  const std::filesystem::path& staging() const { return m_staging; }
  // The target as an absolute, normalised path, and as the user wrote it.
  const std::filesystem::path& target() const { return m_target; }
  const std::string& display() const { return m_display; }

  // Rule 3. UserError naming the path and the OS's reason when a rename fails (the old target is
  // then back in place).
  void commit();

 private:
  std::string m_flag;
  std::string m_display;
  std::filesystem::path m_target;
  OutputKind m_kind;
  std::filesystem::path m_staging;
  bool m_committed = false;
};

// Writes `text` to `path` (a staging file) completely. UserError "<flag> = '<display>': cannot
// write '<path>': <the OS's reason>" when it cannot (a full disk, a file size limit).
void write_text_file(const std::filesystem::path& path, const std::string& text, const std::string& flag,
                     const std::string& display);

// Removes hidden temporaries ".<name>.systole-tmp-<pid>" / ".systole-old-<pid>" in `dir` whose
// pid is not a live process (never this process's). Errors are ignored: this is tidying.
void remove_stale_temporaries(const std::filesystem::path& dir);

// True when `inner` is `outer` or lies inside it (absolute, normalised paths).
bool path_within(const std::filesystem::path& inner, const std::filesystem::path& outer);

// The absolute, normalised form of a user's path, without a trailing separator.
std::filesystem::path normalised(const std::string& path);

}  // namespace systole::cli
