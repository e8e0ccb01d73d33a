#include <gtest/gtest.h>

#include "dram_test_util.h"
#include "systole/common/error.h"
#include "systole/dram/address_mapping.h"

namespace systole::dram {
namespace {

using test::preset;
using test::shipped_presets;

TEST(AddressMapping, RoundTripsEveryPresetAndMapping) {
  for (const auto& name : shipped_presets()) {
    const DramDeviceSpec d = preset(name);
    for (auto kind : {DramAddressMapping::kRoBaRaCoCh, DramAddressMapping::kChRaBaRoCo,
                      DramAddressMapping::kRoCoBaRaCh}) {
      const AddressMapping m(d, kind);
      const uint64_t capacity = static_cast<uint64_t>(d.org.channels * d.org.ranks * d.org.banks() *
                                                      d.org.rows * d.org.columns * d.org.bus_width_bits / 8);
      EXPECT_EQ(m.capacity_bytes(), capacity) << name;
      uint64_t x = 12345;
      for (int i = 0; i < 2000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const uint64_t addr = (x >> 7) % capacity / m.atom_bytes() * m.atom_bytes();
        const Coordinates c = m.decode(addr);
        EXPECT_LT(c.channel, d.org.channels);
        EXPECT_LT(c.bank_group, d.org.bank_groups);
        EXPECT_LT(c.bank, d.org.banks_per_group);
        EXPECT_LT(c.row, d.org.rows);
        EXPECT_LT(c.column, d.org.columns / d.timing.bl);
        ASSERT_EQ(m.encode(c), addr) << name << " " << to_string(kind) << " address " << addr;
      }
      // The byte offset inside an atom does not change the coordinates; the capacity wraps.
      const Coordinates a = m.decode(5 * m.atom_bytes());
      const Coordinates b = m.decode(5 * m.atom_bytes() + m.atom_bytes() - 1);
      const Coordinates w = m.decode(capacity + 5 * m.atom_bytes());
      EXPECT_EQ(m.encode(a), m.encode(b));
      EXPECT_EQ(m.encode(a), m.encode(w));
    }
  }
}

TEST(AddressMapping, FieldOrders) {
  const DramDeviceSpec d = preset("hbm2");  // 16 channels, 4 bank groups x 4 banks, 32 atoms per row
  const uint64_t atom = static_cast<uint64_t>(d.atom_bytes());
  const int64_t atoms_per_row = d.org.columns / d.timing.bl;
  {
    const AddressMapping m(d, DramAddressMapping::kRoBaRaCoCh);  // Ch lowest, then Co
    EXPECT_EQ(m.decode(atom).channel, 1);
    EXPECT_EQ(m.decode(atom * 16).channel, 0);
    EXPECT_EQ(m.decode(atom * 16).column, 1);
    EXPECT_EQ(m.decode(atom * 16 * static_cast<uint64_t>(atoms_per_row)).bank_group, 1);  // after the columns
  }
  {
    const AddressMapping m(d, DramAddressMapping::kRoCoBaRaCh);  // Ch, then bank group, bank, then Co
    EXPECT_EQ(m.decode(atom * 16).bank_group, 1);
    EXPECT_EQ(m.decode(atom * 16 * 4).bank, 1);
    EXPECT_EQ(m.decode(atom * 16 * 16).column, 1);
  }
  {
    const AddressMapping m(d, DramAddressMapping::kChRaBaRoCo);  // Co lowest, Ch highest
    EXPECT_EQ(m.decode(atom).column, 1);
    EXPECT_EQ(m.decode(atom * static_cast<uint64_t>(atoms_per_row)).row, 1);
    EXPECT_EQ(m.decode(m.capacity_bytes() / 16).channel, 1);
  }
}

TEST(AddressMapping, RejectsOutOfRangeCoordinates) {
  const AddressMapping m(preset("ddr4-3200"), DramAddressMapping::kRoBaRaCoCh);
  Coordinates c;
  c.row = 65536;
  EXPECT_THROW(m.encode(c), InternalError);
}

}  // namespace
}  // namespace systole::dram
