// UTF-8 validation, the bounded excerpt diagnostics echo, and reading input files with limits.
#include "systole/common/text.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "systole/common/error.h"
#include "systole/common/input_file.h"

namespace systole {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("conv1"));
  EXPECT_TRUE(is_valid_utf8("r\xc3\xa9seau \xe2\x82\xac \xf0\x9f\x98\x80"));  // é, €, an emoji
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));                             // U+10FFFF
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_EQ(first_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(first_invalid_utf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(first_invalid_utf8("x\xe0\x80\x80"), 1u);     // overlong 3-byte
  EXPECT_EQ(first_invalid_utf8("\xed\xa0\x80"), 0u);      // a surrogate
  EXPECT_EQ(first_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("ok\xc3"), 2u);            // truncated sequence
  EXPECT_EQ(first_invalid_utf8("\x80"), 0u);              // a lone continuation byte
}

TEST(ControlChars, TabsAndNewlinesAreText) {
  EXPECT_EQ(first_control_char("a\tb\r\nc"), std::string_view::npos);
  EXPECT_EQ(first_control_char(std::string("a\0b", 3)), 1u);
  EXPECT_EQ(first_control_char("a\x1b[31m"), 1u);
  EXPECT_EQ(first_control_char("a\x7f"), 1u);
}

TEST(PrintableExcerpt, EscapesAndBounds) {
  EXPECT_EQ(printable_excerpt("rows"), "rows");
  EXPECT_EQ(printable_excerpt(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable_excerpt("a\nb\tc"), "a\\nb\\tc");
  EXPECT_EQ(printable_excerpt("x\xff"), "x\\xff");
  EXPECT_EQ(printable_excerpt("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9");  // valid UTF-8 kept
  const std::string big(4096, 'z');
  EXPECT_EQ(printable_excerpt(big, 10), "zzzzzzzzzz... (4096 bytes)");
  // Never cuts a character in half.
  EXPECT_EQ(printable_excerpt("ab\xe2\x82\xac", 3), "ab... (5 bytes)");
}

TEST(PrintableExcerpt, DiagnosticsUseIt) {
  const Diagnostic d{std::string("f\0.yaml", 7), 3, "name", "a\xff" + std::string(500, 'b'), "must be UTF-8"};
  const std::string s = d.str();
  EXPECT_NE(s.find("f\\x00.yaml:3: name = 'a\\xff"), std::string::npos) << s;
  EXPECT_NE(s.find("... (502 bytes)"), std::string::npos) << s;
  EXPECT_LT(s.size(), 300u);
}

TEST(PositionOf, LineAndColumn) {
  const std::string t = "ab\ncd\nef";
  EXPECT_EQ(position_of(t, 0).line, 1);
  EXPECT_EQ(position_of(t, 4).line, 2);
  EXPECT_EQ(position_of(t, 4).column, 2);
  Diagnostic bad;
  EXPECT_FALSE(check_input_text("ok\nx\xff", "f.yaml", &bad));
  EXPECT_EQ(bad.line, 2);
  EXPECT_NE(bad.rule.find("column 2: byte 0xff is not valid UTF-8"), std::string::npos) << bad.rule;
  EXPECT_TRUE(check_input_text("fine\ttext\n", "f.yaml", &bad));
}

std::filesystem::path scratch(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("systole_text_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

TEST(InputFile, ReadsRegularFilesWithinTheLimit) {
  const auto p = scratch("ok.yaml");
  std::ofstream(p) << "name: x\n";
  EXPECT_EQ(read_input_file(p.string(), "config file", 100), "name: x\n");
}

TEST(InputFile, RefusesWhatIsNotASmallRegularFile) {
  const auto big = scratch("big.yaml");
  std::ofstream(big) << std::string(101, 'x');
  const auto fifo = scratch("fifo");
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::pair<std::string, std::string> cases[] = {
      {big.string(), "more than the 100 bytes limit for a config file"},
      {big.parent_path().string(), "it is a directory"},
      {"/dev/zero", "not a regular file"},
      {fifo.string(), "not a regular file"},  // never blocks waiting for a writer
      {"/nonexistent/x.yaml", "cannot open the config file: No such file"},
      {"", "the path is empty"},
  };
  for (const auto& [path, expected] : cases) {
    std::string text, problem;
    EXPECT_FALSE(try_read_input_file(path, "config file", 100, &text, &problem)) << path;
    EXPECT_NE(problem.find(expected), std::string::npos) << path << ": " << problem;
  }
  try {
    read_input_file_as<ConfigError>("/dev/zero", "config file", 100);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].file, "/dev/zero");
  }
}

}  // namespace
}  // namespace systole
