// Which layers are views in a network (workload/layout.h).
#include "systole/workload/layout.h"

namespace systole {

LayoutView layout_of(const Network& net, const Layer& l) {
  const LayoutView own = operator_of(l.kind).layout();
  if (own != LayoutView::kStrided) return own;
  for (const Layer& reader : net.layers) {
    if (operator_of(reader.kind).reads_strided()) continue;
    for (const std::string& in : reader.inputs) {
      if (in == l.name) return LayoutView::kNone;  // materialised for this reader
    }
  }
  return own;
}

}  // namespace systole
