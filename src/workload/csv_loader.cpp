// SCALE-Sim v2 topology CSV -> Network. Two formats, told apart by the header row:
//   conv: "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,
//   Strides," GEMM: "Layer, M, N, K," (SCALE-Sim also writes "Layer Name, M, N, K,")
// Header cells are compared trimmed and case-insensitively; one trailing comma (an empty last cell)
// is tolerated on every row, as SCALE-Sim writes it. SCALE-Sim layers are independent, so each row
// gets its own network input. GEMM rows: [M, K] x weights [K, N] (SCALE-Sim's own mapping of an
// M, N, K row onto its conv form).
//
// Conv rows: ifmap as written, and the ofmap extent SCALE-Sim v2 gives it, not PyTorch's. SCALE-Sim
// (topology_utils.py, topo_calc_hyperparams) sizes the ofmap as ceil((H - Fh + S) / S) and counts
// MACs = Eh * Ew * Fh * Fw * C * N on it; its ifmap operand matrix (operand_matrix.py,
// calc_ifmap_elem_addr) starts ofmap row i at ifmap row i * S and marks a window pixel at row >= H
// (or column >= W) as padding (address -1). When (H - Fh) % S != 0 that is one ofmap row more
// than PyTorch's floor((H - Fh) / S) + 1, and the window of that extra row runs S - (H - Fh) % S
// rows past the ifmap's bottom edge (columns likewise, on the right). The loader writes exactly that as
// padding -- pad_bottom (pad_right) = (S - (H - Fh) % S) % S, top and left 0 -- so that shape inference's
// PyTorch rule floor((H + pad_bottom - Fh) / S) + 1 yields SCALE-Sim's extent, and the MACs, the operand
// matrices (padding is zeros, never fetched) and the compute cycles follow. The CSV format has no
// padding column, so any padding on a CSV conv layer is this implicit padding. Systole YAML keeps
// PyTorch's rule: its padding is only what the file states.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/workload/loader.h"
#include "systole/workload/network.h"

namespace systole {
namespace {

const std::vector<std::string> kConvHeader = {"layer name",   "ifmap height", "ifmap width", "filter height",
                                              "filter width", "channels",     "num filter",  "strides"};
const std::vector<std::string> kGemmColumns = {"m", "n", "k"};

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Splits on commas, trims every cell, and drops one empty trailing cell (the trailing comma).
std::vector<std::string> split_row(const std::string& line) {
  std::vector<std::string> cells;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    cells.push_back(trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (cells.size() > 1 && cells.back().empty()) cells.pop_back();
  return cells;
}

bool parse_positive(const std::string& cell, int64_t* out) {
  if (cell.empty() || !std::all_of(cell.begin(), cell.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  errno = 0;
  long long v = std::strtoll(cell.c_str(), nullptr, 10);
  if (errno == ERANGE) return false;
  *out = v;
  return true;
}

enum class Format { kConv, kGemm };

// The implicit bottom (right) padding that makes PyTorch's floor((in + pad - filter) / stride) + 1
// equal SCALE-Sim's ceil((in - filter + stride) / stride): the rows SCALE-Sim's last window reads
// past the ifmap. 0 when (in - filter) is a multiple of the stride.
int64_t scalesim_trailing_pad(int64_t in, int64_t filter, int64_t stride) {
  return (stride - (in - filter) % stride) % stride;
}

}  // namespace

Network load_csv_network(const std::string& text, const std::string& source_name) {
  Network net;
  net.source_path = source_name;
  size_t slash = source_name.find_last_of('/');
  std::string stem = slash == std::string::npos ? source_name : source_name.substr(slash + 1);
  net.name = stem.substr(0, stem.rfind('.'));

  DiagnosticList diags;
  std::vector<std::pair<int, std::string>> lines;  // (1-based line number, text) of non-blank lines
  {
    size_t start = 0;
    int number = 1;
    while (start <= text.size()) {
      size_t nl = text.find('\n', start);
      std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!trim(line).empty()) lines.emplace_back(number, line);
      if (nl == std::string::npos) break;
      start = nl + 1;
      ++number;
    }
  }
  if (lines.empty())
    throw WorkloadError(Diagnostic{source_name, 0, "", "", "empty topology CSV: no header row"});

  const std::vector<std::string> header = split_row(lines[0].second);
  std::vector<std::string> header_lc;
  for (const auto& h : header) header_lc.push_back(lower(h));
  Format format;
  const bool first_is_layer = !header_lc.empty() && (header_lc[0] == "layer" || header_lc[0] == "layer name");
  std::vector<std::string> conv_rest(kConvHeader.begin() + 1, kConvHeader.end());
  if (first_is_layer && std::vector<std::string>(header_lc.begin() + 1, header_lc.end()) == conv_rest) {
    format = Format::kConv;
    net.source =
        "SCALE-Sim v2 topology (conv format; ofmap ceil((H - Fh + S) / S) as SCALE-Sim sizes it, "
        "by implicit bottom/right padding)";
  } else if (first_is_layer &&
             std::vector<std::string>(header_lc.begin() + 1, header_lc.end()) == kGemmColumns) {
    format = Format::kGemm;
    net.source = "SCALE-Sim v2 topology (GEMM M, N, K format)";
  } else {
    throw WorkloadError(Diagnostic{
        source_name, lines[0].first, "header", trim(lines[0].second),
        "unknown SCALE-Sim topology header; expected 'Layer name, IFMAP Height, IFMAP Width, Filter Height, "
        "Filter Width, Channels, Num Filter, Strides,' (conv) or 'Layer, M, N, K,' (GEMM)"});
  }
  const size_t columns = header.size();
  std::set<std::string> seen;

  for (size_t r = 1; r < lines.size(); ++r) {
    const int line = lines[r].first;
    const std::vector<std::string> cells = split_row(lines[r].second);
    const std::string row_key = fmt::format("row {}", r);
    if (cells.size() != columns) {
      diags.add({source_name, line, row_key, trim(lines[r].second),
                 fmt::format("has {} columns; the header has {}", cells.size(), columns)});
      continue;
    }
    const std::string& name = cells[0];
    if (name.empty()) {
      diags.add({source_name, line, header[0], "", "layer name must not be empty"});
      continue;
    }
    if (!seen.insert(name).second) {
      diags.add({source_name, line, header[0], name, "duplicate layer name"});
      continue;
    }
    std::vector<int64_t> v(columns, 0);
    bool ok = true;
    for (size_t c = 1; c < columns; ++c) {
      const std::string key = fmt::format("{}.{}", name, header[c]);
      if (!parse_positive(cells[c], &v[c])) {
        bool negative = !cells[c].empty() && cells[c][0] == '-';
        diags.add(
            {source_name, line, key, cells[c], negative ? "must be >= 1" : "must be a positive integer"});
        ok = false;
      } else if (v[c] < 1) {
        diags.add({source_name, line, key, cells[c], "must be >= 1"});
        ok = false;
      }
    }
    if (!ok) continue;
    Layer l;
    l.name = name;
    l.source_line = line;
    l.inputs = {name + "_ifmap"};
    TensorInput in;
    in.name = l.inputs[0];
    if (format == Format::kConv) {
      const int64_t h = v[1], w = v[2], fh = v[3], fw = v[4], ch = v[5], filters = v[6], stride = v[7];
      if (fh > h || fw > w) {
        diags.add({source_name, line, fmt::format("{}.{}", name, fh > h ? header[3] : header[4]),
                   std::to_string(fh > h ? fh : fw),
                   fmt::format("filter {}x{} is larger than the ifmap {}x{}", fh, fw, h, w)});
        continue;
      }
      in.shape = {1, ch, h, w};
      Conv2dAttrs a;
      a.out_channels = filters;
      a.kernel_h = fh;
      a.kernel_w = fw;
      a.stride_h = a.stride_w = stride;
      a.pad_bottom = scalesim_trailing_pad(h, fh, stride);
      a.pad_right = scalesim_trailing_pad(w, fw, stride);
      l.kind = LayerKind::kConv2d;
      l.attrs = a;
    } else {
      const int64_t m = v[1], n = v[2], k = v[3];
      in.shape = {m, k};
      MatmulAttrs a;
      a.out_features = n;
      l.kind = LayerKind::kMatmul;
      l.attrs = a;
    }
    net.inputs.push_back(in);
    net.layers.push_back(std::move(l));
  }
  if (diags.empty() && net.layers.empty()) {
    diags.add({source_name, lines[0].first, "", "", "topology has a header but no layer rows"});
  }
  if (!diags.empty()) throw WorkloadError(diags.take());
  infer_shapes(net);
  return net;
}

}  // namespace systole
