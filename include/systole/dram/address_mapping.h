// Physical address <-> DRAM coordinates for one device (config/dram_spec.h describes the three
// field orders). Every field size is a power of two (load_dram_preset checks it), so decoding is
// shifts and masks. Addresses wrap at the device capacity: the atom index is taken modulo the
// number of atoms of the device.
#pragma once

#include <cstdint>

#include "systole/config/dram_spec.h"
#include "systole/dram/memory_system.h"

namespace systole::dram {

class AddressMapping {
 public:
  // Throws InternalError when a field size is not a power of two.
  AddressMapping(const DramDeviceSpec& device, DramAddressMapping kind);

  Coordinates decode(uint64_t address) const;
  // The byte address of the atom at `c` (the inverse of decode for aligned addresses below
  // capacity_bytes()). Throws InternalError for a coordinate out of range.
  uint64_t encode(const Coordinates& c) const;

  uint64_t atom_bytes() const { return m_atom_bytes; }
  uint64_t capacity_bytes() const { return m_atom_bytes << m_total_bits; }
  int64_t atoms_per_row() const { return int64_t{1} << m_bits[kCol]; }
  DramAddressMapping kind() const { return m_kind; }

 private:
  enum Field { kCh, kRa, kBg, kBa, kRow, kCol, kFieldCount };
  DramAddressMapping m_kind;
  uint64_t m_atom_bytes = 0;
  int m_atom_shift = 0;
  int m_total_bits = 0;
  int m_bits[kFieldCount] = {};
  int m_shift[kFieldCount] = {};  // bit position of each field in the atom index
};

}  // namespace systole::dram
