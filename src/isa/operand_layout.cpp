// Scratchpad layouts of MATMUL operands (isa.h): the element index of every (i, j) of a tile. The
// compiler's LOAD / STORE descriptors (src/compiler/gemm_lowering.cpp) and these indices describe the same
// bytes; the functional PeArray gathers and scatters through them.
#include <algorithm>

#include <fmt/format.h>

#include "systole/common/error.h"
#include "systole/isa/isa.h"

namespace systole {

void conv_input_rows(const ConvTileGeometry& g, int64_t ho0, int64_t ho1, int64_t* row0, int64_t* rows) {
  const int64_t lo = std::max<int64_t>(0, ho0 * g.sh - g.pad_top);
  const int64_t hi = std::min(g.h - 1, ho1 * g.sh - g.pad_top + (g.kh - 1) * g.dh);
  *row0 = lo;
  *rows = hi >= lo ? hi - lo + 1 : 0;
}

int64_t stride_phase_position(int64_t i, int64_t x, int64_t rows, int64_t cols, int64_t row_phases,
                              int64_t col_phases) {
  if (i < 0 || i >= rows || x < 0 || x >= cols || row_phases < 1 || col_phases < 1) {
    throw InternalError(fmt::format("stride phases ({}, {}): element ({}, {}) of a {} x {} plane", row_phases,
                                    col_phases, i, x, rows, cols));
  }
  const int64_t a = i % row_phases, b = x % col_phases;
  auto count = [](int64_t n, int64_t phase, int64_t phases) { return (n - phase + phases - 1) / phases; };
  int64_t before = 0;
  for (int64_t a2 = 0; a2 < a; ++a2) before += count(rows, a2, row_phases) * cols;
  const int64_t sub_rows = count(rows, a, row_phases);
  for (int64_t b2 = 0; b2 < b; ++b2) before += sub_rows * count(cols, b2, col_phases);
  return before + (i / row_phases) * count(cols, b, col_phases) + x / col_phases;
}

void conv_k_coords(const ConvTileGeometry& g, int64_t k, int64_t* c, int64_t* r, int64_t* s) {
  if (g.channel_last) {
    const int64_t per_block = g.block * g.kh * g.kw, in_block = k % per_block;
    *c = k / per_block * g.block + in_block % g.block;
    *r = in_block / g.block / g.kw;
    *s = in_block / g.block % g.kw;
  } else {
    const int64_t window = g.kh * g.kw;
    *c = k / window;
    *r = k % window / g.kw;
    *s = k % g.kw;
  }
}

void conv_tile_channels(const ConvTileGeometry& g, int64_t cols, int64_t* c0, int64_t* count) {
  const int64_t k1 = g.k0 + cols;
  if (!g.channel_last) {
    const int64_t window = g.kh * g.kw;
    *c0 = g.k0 / window;
    *count = (k1 - 1) / window - *c0 + 1;
  } else if (g.k0 / g.block == (k1 - 1) / g.block) {  // one tap of one block
    int64_t r = 0, s = 0;
    conv_k_coords(g, g.k0, c0, &r, &s);
    *count = cols;
  } else {
    const int64_t per_block = g.block * g.kh * g.kw;
    *c0 = g.k0 / per_block * g.block;
    *count = ((k1 - 1) / per_block + 1) * g.block - *c0;
  }
}

namespace {

// Calls f(m_begin, m_end) for each image's part [m_begin, m_end) of the global range [m0, m1).
template <typename F>
void for_each_image(const ConvTileGeometry& g, int64_t m0, int64_t m1, F f) {
  const int64_t plane = g.ho * g.wo;
  for (int64_t m = m0; m < m1;) {
    const int64_t end = std::min(m1, (m / plane + 1) * plane);
    f(m, end);
    m = end;
  }
}

void conv_ifmap(const ConvTileGeometry& g, int64_t rows, int64_t cols, std::vector<int64_t>* out) {
  const int64_t plane = g.ho * g.wo;
  if (g.channel_last && g.row_phases * g.col_phases > 1) {
    throw InternalError("conv ifmap layout: a channel-last tile in stride phases");
  }
  int64_t c0 = 0, channels = 0;
  conv_tile_channels(g, cols, &c0, &channels);
  int64_t seg_offset = 0;
  for_each_image(g, g.m0, g.m0 + rows, [&](int64_t mb, int64_t me) {
    int64_t row0 = 0, in_rows = 0;
    conv_input_rows(g, (mb % plane) / g.wo, ((me - 1) % plane) / g.wo, &row0, &in_rows);
    for (int64_t m = mb; m < me; ++m) {
      const int64_t pix = m % plane, oy = pix / g.wo, ox = pix % g.wo;
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t k = g.k0 + j;
        int64_t c = 0, r = 0, s = 0;
        conv_k_coords(g, k, &c, &r, &s);
        c -= c0;
        const int64_t y = oy * g.sh - g.pad_top + r * g.dh, x = ox * g.sw - g.pad_left + s * g.dw;
        int64_t idx = -1;
        if (y >= 0 && y < g.h && x >= 0 && x < g.w) {
          if (y < row0 || y >= row0 + in_rows) {
            throw InternalError(fmt::format(
                "conv ifmap layout: input row {} outside the loaded rows [{}, {})", y, row0, row0 + in_rows));
          }
          idx = g.channel_last
                    ? seg_offset + ((y - row0) * g.w + x) * channels + c
                    : seg_offset + c * in_rows * g.w +
                          stride_phase_position(y - row0, x, in_rows, g.w, g.row_phases, g.col_phases);
        }
        (*out)[static_cast<size_t>((m - g.m0) * cols + j)] = idx;
      }
    }
    seg_offset += channels * in_rows * g.w;
  });
}

void conv_ofmap(const ConvTileGeometry& g, int64_t rows, int64_t cols, std::vector<int64_t>* out) {
  for_each_image(g, g.m0, g.m0 + rows, [&](int64_t mb, int64_t me) {
    for (int64_t m = mb; m < me; ++m) {
      for (int64_t j = 0; j < cols; ++j) {
        (*out)[static_cast<size_t>((m - g.m0) * cols + j)] = cols * (mb - g.m0) + j * (me - mb) + (m - mb);
      }
    }
  });
}

}  // namespace

std::vector<int64_t> operand_indices(const OperandLayout& layout, int64_t rows, int64_t cols) {
  if (rows <= 0 || cols <= 0) throw InternalError(fmt::format("operand of {} x {}", rows, cols));
  std::vector<int64_t> out(static_cast<size_t>(rows * cols));
  switch (layout.kind) {
    case LayoutKind::kMatrix: {
      const bool dense = layout.row_stride == 0 && layout.col_stride == 0;
      const int64_t rs = dense ? cols : layout.row_stride, cs = dense ? 1 : layout.col_stride;
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t j = 0; j < cols; ++j) out[static_cast<size_t>(i * cols + j)] = i * rs + j * cs;
      }
      break;
    }
    case LayoutKind::kConvIfmap:
      conv_ifmap(layout.conv, rows, cols, &out);
      break;
    case LayoutKind::kConvOfmap:
      conv_ofmap(layout.conv, rows, cols, &out);
      break;
  }
  return out;
}

}  // namespace systole
