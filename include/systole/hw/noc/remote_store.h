// A write into another core's tensor store across the NoC (layer pipelining; isa.h
// DmaDescriptor::store_core). The DMA attaches this extension to each burst of such a STORE and
// submits it to its NoC port like a DRAM write, with the payload's address in the target core's
// tensor-store scratchpad; the fabric (hw/noc/noc_fabric.h) carries it to that core's node,
// writes it there and answers with a one-flit acknowledgement, whose completion reports the
// scratchpad's bank word accesses in `accesses`. The DMA owns the extension and clears it before
// the payload is reused.
#pragma once

#include <cstdint>

#include <tlm>

namespace systole::hw {

struct RemoteStoreExtension : tlm::tlm_extension<RemoteStoreExtension> {
  int core = -1;  // the core whose tensor store the burst writes
  tlm::tlm_extension_base* clone() const override { return new RemoteStoreExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& e) override {
    core = static_cast<const RemoteStoreExtension&>(e).core;
  }
};

}  // namespace systole::hw
