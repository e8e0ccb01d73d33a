// --dump-tensors file names (src/cli/tensor_names.h): whatever bytes a layer name holds, the file
// name stays inside the dump folder, is not hidden, fits NAME_MAX, and two names never collide.
// The loaders refuse invalid UTF-8 today; the encoder does not rely on that.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "../src/cli/tensor_names.h"

namespace systole {
namespace {

using cli::tensor_file_name;

void expect_safe(const std::string& name) {
  const std::string f = tensor_file_name(name);
  EXPECT_LE(f.size(), 255u) << f;
  EXPECT_NE(f[0], '.') << f;
  EXPECT_NE(f, "..");
  EXPECT_EQ(f.find('/'), std::string::npos) << f;
  EXPECT_EQ(f.find('\0'), std::string::npos);
  EXPECT_EQ(f.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-%~"),
            std::string::npos)
      << f;
  EXPECT_EQ(f.compare(f.size() - 4, 4, ".npy"), 0) << f;
}

TEST(CliTensorNames, ReadableNamesAreKept) {
  EXPECT_EQ(tensor_file_name("conv1"), "conv1.npy");
  EXPECT_EQ(tensor_file_name("layer1_0.conv-2"), "layer1_0.conv-2.npy");
}

TEST(CliTensorNames, PathsAndHiddenNamesAreEncoded) {
  EXPECT_EQ(tensor_file_name("../escaped"), "%2E.%2Fescaped.npy");
  EXPECT_EQ(tensor_file_name("/etc/passwd"), "%2Fetc%2Fpasswd.npy");
  EXPECT_EQ(tensor_file_name("."), "%2E.npy");
  EXPECT_EQ(tensor_file_name(".."), "%2E..npy");
  EXPECT_EQ(tensor_file_name(""), "%.npy");
  EXPECT_EQ(tensor_file_name("a b"), "a%20b.npy");
  for (const char* n : {"../escaped", "/", "..", ".", "", "a\\b", "~", "x\ny"}) expect_safe(n);
}

TEST(CliTensorNames, InvalidUtf8AndControlBytesArePercentEncoded) {
  EXPECT_EQ(tensor_file_name(std::string("f\xff\xfe")), "f%FF%FE.npy");
  EXPECT_EQ(tensor_file_name(std::string("n\0ul", 4)), "n%00ul.npy");
  EXPECT_EQ(tensor_file_name("caf\xc3\xa9"), "caf%C3%A9.npy");  // valid UTF-8 is encoded too
  expect_safe(std::string("\x80\xc0\xff", 3));
}

TEST(CliTensorNames, TheEncodingIsInjective) {
  // Names that a lossy sanitiser (e.g. '/' -> '_') would merge.
  const std::vector<std::string> names = {"a/b", "a_b", "a%2Fb", "a%b", "A",
                                          "%41", "a.b", "a..b",  ".ab", "%2Eab",
                                          "",    "%",   "~",     "%7E", std::string("\xff"),
                                          "%FF"};
  std::set<std::string> files;
  for (const auto& n : names) files.insert(tensor_file_name(n));
  EXPECT_EQ(files.size(), names.size());
}

TEST(CliTensorNames, LongNamesAreShortenedWithAHash) {
  const std::string a(300, 'L');
  const std::string b = std::string(299, 'L') + "M";
  const std::string fa = tensor_file_name(a), fb = tensor_file_name(b);
  EXPECT_NE(fa, fb);
  EXPECT_EQ(fa.rfind(std::string(200, 'L') + "~", 0), 0u) << fa;
  EXPECT_EQ(fa.size(), 200u + 1 + 16 + 4);
  expect_safe(a);
  // A cut that would fall inside a %XX backs up to its '%'.
  for (size_t pad = 195; pad < 200; ++pad) {
    const std::string n = std::string(pad, 'x') + std::string(100, '/');
    const std::string f = tensor_file_name(n);
    expect_safe(n);
    const size_t tilde = f.find('~');
    ASSERT_NE(tilde, std::string::npos) << f;
    EXPECT_TRUE(tilde == pad || (tilde - pad) % 3 == 0) << f;  // whole %2F groups only
  }
  // 251 bytes + ".npy" = 255 is kept whole; one more byte is shortened.
  EXPECT_EQ(tensor_file_name(std::string(251, 'k')), std::string(251, 'k') + ".npy");
  EXPECT_NE(tensor_file_name(std::string(252, 'k')).find('~'), std::string::npos);
}

}  // namespace
}  // namespace systole
