// .npy: files written by NumPy (tests/data/numeric/, regenerate with scripts/gen-npy-fixtures),
// byte-identical writing, round trips for every dtype, and malformed files.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "systole/common/error.h"
#include "systole/numeric/npy.h"
#include "systole/numeric/random.h"

namespace systole {
namespace {

std::string fixture(const std::string& name) {
  return std::string(SYSTOLE_SOURCE_DIR) + "/tests/data/numeric/" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

class TempDir {
 public:
  TempDir() {
    m_path = std::filesystem::temp_directory_path() /
             ("systole_npy_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_path);
  }
  ~TempDir() { std::filesystem::remove_all(m_path); }
  std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

// Expects read_npy to throw a UserError whose message names the file and contains `what`.
void expect_rejected(const std::string& path, const std::string& what, const DataType* expected = nullptr) {
  try {
    read_npy(path, expected);
    ADD_FAILURE() << path << ": expected a UserError containing '" << what << "'";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
  }
}

TEST(Npy, ReadsNumpyInt8) {
  const Tensor t = read_npy(fixture("int8_3x4.npy"));
  EXPECT_EQ(t.dtype, DataType::kInt8);
  EXPECT_EQ(t.shape, (Shape{3, 4}));
  for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(t.get_int(i), i - 6);
}

TEST(Npy, ReadsNumpyInt16AndInt32) {
  const Tensor a = read_npy(fixture("int16_2x3.npy"));
  EXPECT_EQ(a.dtype, DataType::kInt16);
  EXPECT_EQ(a.shape, (Shape{2, 3}));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(a.get_int(i), -300 + 100 * i);
  const Tensor b = read_npy(fixture("int32_5.npy"));
  EXPECT_EQ(b.shape, (Shape{5}));
  const int64_t want[] = {INT32_MIN, -1, 0, 1, INT32_MAX};
  for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(b.get_int(i), want[i]);
}

TEST(Npy, ReadsNumpyFloats) {
  const Tensor h = read_npy(fixture("fp16_1x5.npy"));
  EXPECT_EQ(h.dtype, DataType::kFp16);
  EXPECT_EQ(h.shape, (Shape{1, 5}));
  const float wh[] = {-2.0f, -0.5f, 0.0f, 0.5f, 65504.0f};
  for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(h.get_float(i), wh[i]);
  const Tensor f = read_npy(fixture("fp32_4.npy"));
  EXPECT_EQ(f.dtype, DataType::kFp32);
  const float wf[] = {-1.5f, 0.25f, 3.0e38f, 1e-45f};
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(f.get_float(i), wf[i]);
  const Tensor s = read_npy(fixture("fp32_scalar.npy"));
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.get_float(0), 7.5f);
}

TEST(Npy, ReadsBf16FromU2OnlyWhenExpected) {
  const DataType bf16 = DataType::kBf16;
  const Tensor t = read_npy(fixture("bf16_bits_4.npy"), &bf16);
  EXPECT_EQ(t.dtype, DataType::kBf16);
  EXPECT_EQ(t.get_float(0), 1.0f);
  EXPECT_EQ(t.get_float(1), -2.0f);
  EXPECT_TRUE(std::isinf(t.get_float(2)));
  EXPECT_EQ(t.get_float(3), 0x1p-133f);  // smallest bf16 subnormal: 2^-126 * 2^-7
  expect_rejected(fixture("bf16_bits_4.npy"), "'<u2' is read only as bfloat16");
}

TEST(Npy, ReadsVersion2) {
  const Tensor t = read_npy(fixture("int16_v2.npy"));
  EXPECT_EQ(t.shape, (Shape{3}));
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(t.get_int(i), i + 1);
}

TEST(Npy, ExpectedDtypeMustMatch) {
  const DataType want = DataType::kInt16;
  EXPECT_EQ(read_npy(fixture("int16_2x3.npy"), &want).dtype, DataType::kInt16);
  expect_rejected(fixture("int8_3x4.npy"), "int16 was expected", &want);
}

TEST(Npy, WritesExactlyWhatNumpyWrites) {
  TempDir dir;
  for (const char* name :
       {"int8_3x4.npy", "int16_2x3.npy", "int32_5.npy", "fp16_1x5.npy", "fp32_4.npy", "fp32_scalar.npy"}) {
    const Tensor t = read_npy(fixture(name));
    const std::string out = dir.file(name);
    write_npy(out, t);
    EXPECT_EQ(slurp(out), slurp(fixture(name))) << name;
  }
  const DataType bf16 = DataType::kBf16;
  write_npy(dir.file("bf16.npy"), read_npy(fixture("bf16_bits_4.npy"), &bf16));
  EXPECT_EQ(slurp(dir.file("bf16.npy")), slurp(fixture("bf16_bits_4.npy")));
}

TEST(Npy, RoundTripEveryDtype) {
  TempDir dir;
  for (DataType t : {DataType::kInt8, DataType::kInt16, DataType::kInt32, DataType::kFp16, DataType::kBf16,
                     DataType::kFp32}) {
    for (const Shape& shape : {Shape{}, Shape{7}, Shape{2, 3, 5}, Shape{1, 4, 0}}) {
      const Tensor in = random_tensor(t, shape, 42, "npy");
      const std::string path = dir.file(std::string(to_string(t)) + ".npy");
      write_npy(path, in);
      const Tensor out = read_npy(path, &t);
      EXPECT_EQ(out.dtype, t);
      EXPECT_EQ(out.shape, shape);
      EXPECT_EQ(out.bytes, in.bytes) << to_string(t) << " " << shape_str(shape);
      const std::string bytes = slurp(path);
      EXPECT_EQ((bytes.size() - in.bytes.size()) % 64, 0u) << "data starts on a 64-byte boundary";
    }
  }
}

TEST(Npy, HeaderKeysInAnyOrderWithDoubleQuotes) {
  TempDir dir;
  std::string header = "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<i2\"}";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size() & 0xff);
  file += static_cast<char>(header.size() >> 8);
  file += header;
  file += std::string("\x05\x00\xfb\xff", 4);
  const std::string path = dir.file("reordered.npy");
  std::ofstream(path, std::ios::binary) << file;
  const Tensor t = read_npy(path);
  EXPECT_EQ(t.shape, (Shape{2}));
  EXPECT_EQ(t.get_int(0), 5);
  EXPECT_EQ(t.get_int(1), -5);
}

TEST(Npy, RejectsMalformedFiles) {
  expect_rejected(fixture("bad_magic.npy"), "bad magic");
  expect_rejected(fixture("bad_fortran.npy"), "fortran_order is True");
  expect_rejected(fixture("bad_truncated.npy"), "truncated data");
  expect_rejected(fixture("bad_f8.npy"), "unsupported dtype '<f8'");
  expect_rejected(fixture("bad_big_endian.npy"), "unsupported dtype '>i2'");
  expect_rejected(fixture("does_not_exist.npy"), "cannot open");
}

TEST(Npy, RejectsBrokenHeaders) {
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& dict) {
    std::string file = std::string("\x93NUMPY\x01\x00", 8);
    file += static_cast<char>(dict.size() & 0xff);
    file += static_cast<char>(dict.size() >> 8);
    file += dict;
    const std::string path = dir.file(name);
    std::ofstream(path, std::ios::binary) << file;
    return path;
  };
  expect_rejected(write("noshape.npy", "{'descr': '<i2', 'fortran_order': False}\n"), "no 'shape' key");
  expect_rejected(write("badtuple.npy", "{'descr': '<i2', 'fortran_order': False, 'shape': (2; 3)}\n"),
                  "expected ',' or ')'");
  expect_rejected(write("struct.npy", "{'descr': [('a', '<i2')], 'fortran_order': False, 'shape': ()}\n"),
                  "structured");
  expect_rejected(write("unterminated.npy", "{'descr': '<i2"), "unterminated string");
  expect_rejected(write("version.npy", "{}"), "no 'descr' key");
  std::string v3 = std::string("\x93NUMPY\x03\x00\x00\x00\x00\x00", 12);
  std::ofstream(dir.file("v3.npy"), std::ios::binary) << v3;
  expect_rejected(dir.file("v3.npy"), "format version 3.0 is not supported");
}

TEST(Npy, WriteToMissingDirectoryIsUserError) {
  EXPECT_THROW(write_npy("/nonexistent-dir/x.npy", Tensor(DataType::kInt8, {1})), UserError);
}

}  // namespace
}  // namespace systole
