// Activations passed core to core on chip under layer pipelining (compiler/pipeline.h;
// docs/multicore.md "On-chip activations").
//
// A link is a tensor that one stage writes and only the next stage reads: every STORE into it
// belongs to a layer of stage s, every LOAD from it (through views too) to a layer of stage
// s + 1, at least one LOAD, none indexed. Its STOREs then cross the NoC into the tensor store of
// core s + 1 (isa.h DmaDescriptor::store_core) and its LOADs read it there: it never touches DRAM.
// Core s + 1 keeps two slots for its incoming links (step b in slot b mod 2) in a region at the top
// of its tensor-store scratchpad that the compiler's working buffers then do without; core s
// writes step b's slot only once core s + 1 has finished step b - 2 (a credit signal back), so no
// slot is overwritten while it is read.
//
// The step programs are single-core programs, whose own residency (compiler.residency auto) may
// keep a tensor in the core's store: that holds for a tensor one stage alone writes and reads
// (its lifetime lies within a step on one core), and a resident tensor that crosses stages goes
// to DRAM instead, unless it is a link (transfer_of).
//
// Choice, per boundary: the candidates in address order, each kept while the receiving stage's two
// slots fit in half of its tensor-store scratchpad (offsets aligned as the residency planner's:
// the store's bank row and 64 B); a candidate that does not fit stays in DRAM, with the reason.
// No SystemC here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "systole/compiler/program.h"

namespace systole::lowering {

struct StageLink {
  std::string tensor;
  size_t from = 0;      // the stage that writes it; stage from + 1 reads it
  uint64_t bytes = 0;   // one step's
  uint64_t offset = 0;  // from the start of its receiving stage's slot
};

struct LinkPlan {
  std::vector<StageLink> links;
  std::vector<uint64_t> slot_bytes;  // per stage: one slot of its incoming links (0: it receives none)
  // Per tensor that one stage writes and a later stage reads: whether it passes on chip, or why not.
  std::map<std::string, std::string> reasons;
  // Every tensor that more than one stage writes or reads (the links among them): such a tensor
  // cannot live in one core's own tensor store, so a resident one goes to DRAM unless it is a link.
  std::set<std::string> crossing;
  bool empty() const { return links.empty(); }
};

// What plan_links needs of each stage (index = stage).
struct LinkStage {
  const Program* program = nullptr;  // the step program of the stage's core class
  size_t first = 0, last = 0;        // its layers
  int64_t store_capacity = 0;        // bytes of its core's tensor-store scratchpad
  int64_t align = 64;                // its store's alignment (bank row, at least 64 B)
};

LinkPlan plan_links(const std::vector<LinkStage>& stages);

// The bytes a descriptor's DRAM side spans from dram_addr: (planes - 1) x plane stride + (rows - 1)
// x row stride + row_bytes.
uint64_t dma_extent(const DmaDescriptor& d);

// The links and crossing tensors of a plan by address in one step program's tensors.
class LinkIndex {
 public:
  LinkIndex(const LinkPlan& plan, const std::vector<TensorPlacement>& tensors);
  // The link whose tensor holds [addr, addr + extent) and addr's offset in it; nullopt when none
  // does. InternalError when the range starts in a link and leaves it.
  std::optional<std::pair<size_t, uint64_t>> find(uint64_t addr, uint64_t extent) const;
  // Whether addr lies in a tensor of plan.crossing.
  bool crosses(uint64_t addr) const;

 private:
  struct Range {
    uint64_t bytes = 0;
    size_t link = 0;
  };
  std::map<uint64_t, Range> m_by_addr;
  std::map<uint64_t, uint64_t> m_crossing;  // home -> bytes
};

// A step program's transfer as the stage that runs it does it under a plan: into a link's slot,
// demoted to DRAM (a resident tensor of the single-core program that crosses stages), or as
// compiled. `link` and `offset` (addr's in the link's tensor) for kLink.
struct Transfer {
  enum class Kind { kAsCompiled, kDram, kLink } kind = Kind::kAsCompiled;
  size_t link = 0;
  uint64_t offset = 0;
};
Transfer transfer_of(const LinkIndex& index, const DmaDescriptor& d);

}  // namespace systole::lowering
