#include "systole/dram/address_mapping.h"

#include <string>

#include "systole/common/error.h"

namespace systole::dram {
namespace {

int log2_exact(int64_t v, const char* what) {
  if (v <= 0 || (v & (v - 1)) != 0) {
    throw InternalError(std::string("DRAM address mapping: ") + what + " = " + std::to_string(v) +
                        " is not a power of two");
  }
  int bits = 0;
  while ((int64_t{1} << bits) < v) ++bits;
  return bits;
}

}  // namespace

AddressMapping::AddressMapping(const DramDeviceSpec& device, DramAddressMapping kind) : m_kind(kind) {
  const DramOrganization& o = device.org;
  m_atom_bytes = static_cast<uint64_t>(device.atom_bytes());
  m_atom_shift = log2_exact(device.atom_bytes(), "atom bytes");
  m_bits[kCh] = log2_exact(o.channels, "channels");
  m_bits[kRa] = log2_exact(o.ranks, "ranks");
  m_bits[kBg] = log2_exact(o.bank_groups, "bank_groups");
  m_bits[kBa] = log2_exact(o.banks_per_group, "banks_per_group");
  m_bits[kRow] = log2_exact(o.rows, "rows");
  m_bits[kCol] = log2_exact(o.columns / device.timing.bl, "atoms per row");
  // Fields from least to most significant. "Ba" is bank group (lower bits) then bank.
  Field order[kFieldCount];
  switch (kind) {
    case DramAddressMapping::kRoBaRaCoCh:
      order[0] = kCh, order[1] = kCol, order[2] = kRa, order[3] = kBg, order[4] = kBa, order[5] = kRow;
      break;
    case DramAddressMapping::kChRaBaRoCo:
      order[0] = kCol, order[1] = kRow, order[2] = kBg, order[3] = kBa, order[4] = kRa, order[5] = kCh;
      break;
    case DramAddressMapping::kRoCoBaRaCh:
    default:
      order[0] = kCh, order[1] = kRa, order[2] = kBg, order[3] = kBa, order[4] = kCol, order[5] = kRow;
      break;
  }
  int shift = 0;
  for (Field f : order) {
    m_shift[f] = shift;
    shift += m_bits[f];
  }
  m_total_bits = shift;
  if (m_total_bits + m_atom_shift > 63)
    throw InternalError("DRAM address mapping: device larger than 2^63 bytes");
}

Coordinates AddressMapping::decode(uint64_t address) const {
  const uint64_t atom = address >> m_atom_shift;
  auto field = [&](Field f) {
    return static_cast<int64_t>((atom >> m_shift[f]) & ((uint64_t{1} << m_bits[f]) - 1));
  };
  Coordinates c;
  c.channel = field(kCh);
  c.rank = field(kRa);
  c.bank_group = field(kBg);
  c.bank = field(kBa);
  c.row = field(kRow);
  c.column = field(kCol);
  return c;
}

uint64_t AddressMapping::encode(const Coordinates& c) const {
  uint64_t atom = 0;
  auto put = [&](Field f, int64_t v, const char* what) {
    if (v < 0 || v >= (int64_t{1} << m_bits[f])) {
      throw InternalError(std::string("DRAM address mapping: ") + what + " " + std::to_string(v) +
                          " out of range");
    }
    atom |= static_cast<uint64_t>(v) << m_shift[f];
  };
  put(kCh, c.channel, "channel");
  put(kRa, c.rank, "rank");
  put(kBg, c.bank_group, "bank group");
  put(kBa, c.bank, "bank");
  put(kRow, c.row, "row");
  put(kCol, c.column, "column");
  return atom << m_atom_shift;
}

}  // namespace systole::dram
