// Shape inference of one layer as an operator's infer() sees it (workload/operator.h): problems
// are reported with the file, the line, the key path ("layers[3].kernel") and the layer's name
// and kind, and collected with every other layer's. The helpers below do the overflow-checked size
// arithmetic every operator needs (docs/compiler.md "Limits": no count may wrap). No SystemC here.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "systole/common/error.h"
#include "systole/workload/network.h"

namespace systole {

class LayerCheck {
 public:
  LayerCheck(const Network& net, const Layer& layer, size_t index, DiagnosticList* out)
      : m_net(net), m_layer(layer), m_index(index), m_out(out) {}

  // A diagnostic at `key` of the layer ("" for the layer itself):
  //   layers[3].kernel = '7': layer 'c' (conv2d): <rule>
  void fail(const std::string& key, const std::string& value, const std::string& rule);
  // Checks value >= minimum ("must be an integer >= minimum" otherwise); returns whether it holds.
  bool at_least(const std::string& key, int64_t value, int64_t minimum);
  // The layer fails without a diagnostic of its own: the problem is reported elsewhere (a split's
  // sizes are checked once, by its first part).
  void fail_quietly() { m_ok = false; }
  bool ok() const { return m_ok; }
  const Network& network() const { return m_net; }

 private:
  const Network& m_net;
  const Layer& m_layer;
  size_t m_index;
  DiagnosticList* m_out;
  bool m_ok = true;
};

namespace shape_math {

// Product of non-negative factors, or -1 when it overflows int64 (the caller reports it).
int64_t product(std::initializer_list<int64_t> factors);
// Elements of a shape, or -1 when the product overflows (or a dimension is negative).
int64_t elements(const Shape& s);
// Sum of non-negative terms, or -1 when it overflows int64.
int64_t sum(int64_t a, int64_t b);

// The extent a dilated kernel covers, dilation * (kernel - 1) + 1, or -1 when it overflows.
int64_t window_extent(int64_t kernel, int64_t dilation);
// TensorFlow "same": output = ceil(in / stride); total padding
// max(effective_kernel - (in - (out - 1) * stride), 0), the odd unit after (no intermediate
// overflows: in >= 1, stride >= 1, effective_kernel >= 1).
void same_padding(int64_t in, int64_t effective_kernel, int64_t stride, int64_t* before, int64_t* after);
// Checks a window over one axis of an NCHW input and returns the output extent
// floor((in + before + after - extent) / stride) + 1, or -1 after reporting why not (`axis` is
// "height" or "width" in the message).
int64_t window_out(LayerCheck& c, const char* axis, int64_t in, int64_t kernel, int64_t dilation,
                   int64_t stride, int64_t pad_before, int64_t pad_after);
// Checks the input's rank ("needs a rank-4 input [N, C, H, W]" otherwise).
bool expect_rank(LayerCheck& c, const Shape& s, size_t rank, const char* layout);
// An axis given as -rank..rank-1 (negative counts from the end, as ONNX) resolved to 0..rank-1, or
// -1 after reporting it at `key`.
int64_t resolve_axis(LayerCheck& c, const std::string& key, int64_t axis, size_t rank);

}  // namespace shape_math
}  // namespace systole
