// Where each operand role's double buffer lies in its scratchpad for one layer. The ISA addresses
// scratchpads by role (isa.h Buffer) and the core routes each role to the scratchpad
// core.operands places it in (config/arch_spec.h ScratchpadsParams), so the compiler decides
// which bytes of a shared scratchpad each role uses:
// - a role alone in its scratchpad has all of it: halves of capacity / 2 at 0 and capacity / 2;
// - roles sharing a scratchpad get disjoint regions of it, each two halves, in role order
//   (ifmap, weight, ofmap) from address 0. A half is a multiple of the scratchpad's bank row
//   (banks x bank_width_bytes), so that every region starts in bank 0 like a scratchpad of its own.
//   GEMM layers size the halves to their largest tile (fits / for_tiles); layers that stream
//   chunks (vector, pooling, copies, gathers) split the scratchpad equally between the roles they
//   use in it (for_chunks).
// Regions differ from layer to layer, so a layer using a shared scratchpad starts only after the
// previous layer's SYNC (lowering.h StreamBuilder::fence_layers). No SystemC here.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "systole/config/arch_spec.h"
#include "systole/isa/isa.h"

namespace systole::lowering {

// One role's double buffer: slot s (0 = A, 1 = B) is [base + s * half, base + (s + 1) * half).
struct OperandRegion {
  int64_t base = 0;
  int64_t half = 0;
  uint64_t addr(int slot) const { return static_cast<uint64_t>(base + slot * half); }
};

// Per role, indexed by index_of(OperandRole).
using RoleBytes = std::array<int64_t, kOperandRoleCount>;
using RoleRegions = std::array<OperandRegion, kOperandRoleCount>;

class BufferPlan {
 public:
  explicit BufferPlan(const ArchSpec& arch);

  // True when some scratchpad holds more than one role.
  bool any_shared() const { return m_any_shared; }
  bool shared(Buffer r) const { return m_role[index_of(r)].shared; }
  // Capacity of role r's scratchpad, bytes, and the key that sets it.
  int64_t capacity_bytes(Buffer r) const { return m_role[index_of(r)].capacity; }
  int64_t capacity_kib(Buffer r) const { return m_spm.of(r).capacity_kib; }
  std::string capacity_key(Buffer r) const;
  // "ifmap scratchpad" or, when shared, "'unified' scratchpad (shared with weight, ofmap)".
  std::string describe(Buffer r) const;

  // The bytes role r's double buffer takes for halves of `need` bytes: 2 x need alone, 2 x need
  // rounded up to the bank row when shared.
  int64_t double_buffer_bytes(Buffer r, int64_t need) const;
  // Bytes role r's scratchpad lacks for halves of `need` bytes per role (every role sharing it
  // counted); 0 when they fit. Saturates instead of overflowing.
  int64_t shortfall(Buffer r, const RoleBytes& need) const;
  bool fits(const RoleBytes& need) const;
  // "ifmap 128 B + weight 2048 B + ofmap 256 B": what each role in r's scratchpad takes of it for
  // halves of `need` (double_buffer_bytes), for messages.
  std::string usage(Buffer r, const RoleBytes& need) const;
  // The regions of a GEMM layer whose largest tile needs `need` bytes per role (fits(need) holds).
  RoleRegions for_tiles(const RoleBytes& need) const;
  // The regions of a layer that streams chunks through the roles in `used`.
  RoleRegions for_chunks(std::initializer_list<Buffer> used) const;

 private:
  // Roles o and r live in the same scratchpad.
  bool together(Buffer o, Buffer r) const { return m_role[index_of(o)].spm == m_role[index_of(r)].spm; }

  ScratchpadsParams m_spm;  // a copy: a plan may outlive the spec it was made from
  // Per role, worked out once (the tiler asks fits() for every candidate tile).
  struct Role {
    int spm = 0;  // its scratchpad's position in ScratchpadsParams::named()
    bool shared = false;
    int64_t capacity = 0, bank_row = 1;
  };
  Role m_role[kOperandRoleCount];
  bool m_any_shared = false;
};

}  // namespace systole::lowering
