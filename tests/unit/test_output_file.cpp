#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/report.h"

namespace xbg {
namespace {

namespace fs = std::filesystem;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// A fresh, empty folder per test: leftovers of a write show up in its listing.
fs::path scratch_dir(const std::string& name) {
  const fs::path d = fs::path(::testing::TempDir()) / ("xbg_output_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(OutputFile, WritesTheWholeTextAndLeavesNoTemporaryFile) {
  const fs::path dir = scratch_dir("whole");
  const std::string path = (dir / "out.csv").string();
  write_file_atomic(path, "a,b\n1,2\n");
  EXPECT_EQ(read_all(path), "a,b\n1,2\n");
  write_file_atomic(path, "replaced\n");
  EXPECT_EQ(read_all(path), "replaced\n");
  EXPECT_EQ(entries(dir), 1u);
}

TEST(OutputFile, AnAbandonedWriteLeavesTheOldFileUntouched) {
  const fs::path dir = scratch_dir("abandoned");
  const std::string path = (dir / "report.json").string();
  write_file_atomic(path, "old\n");
  {
    OutputFile f(path);
    f.stream() << "half a fi";
    // no commit(): an exception or early return in the writer
  }
  EXPECT_EQ(read_all(path), "old\n");
  EXPECT_EQ(entries(dir), 1u);
}

// /dev/full accepts open() and fails every write with ENOSPC, as a full disk does.
TEST(OutputFile, AFailedWriteIsAUserErrorNamingTheFile) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  try {
    write_file_atomic("/dev/full", std::string(100000, 'x'));
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/full: write failed: No space left on device");
  }
  Report r("test", 0, nullptr);
  EXPECT_THROW(r.write("/dev/full"), UserError);
}

TEST(OutputFile, TargetsThatAreNotRegularFilesAreWrittenInPlace) {
  if (!fs::exists("/dev/null")) GTEST_SKIP() << "no /dev/null";
  EXPECT_NO_THROW(write_file_atomic("/dev/null", "discarded\n"));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  // Through a symbolic link: the link stays, its target gets the text.
  const fs::path dir = scratch_dir("link");
  write_file_atomic((dir / "real.txt").string(), "before\n");
  fs::create_symlink(dir / "real.txt", dir / "link.txt");
  write_file_atomic((dir / "link.txt").string(), "after\n");
  EXPECT_TRUE(fs::is_symlink(dir / "link.txt"));
  EXPECT_EQ(read_all((dir / "real.txt").string()), "after\n");
}

TEST(OutputFile, UnwritablePlacesFailBeforeAnyWork) {
  const fs::path dir = scratch_dir("missing");
  const std::string in_missing = (dir / "no-such-folder" / "out.json").string();
  try {
    check_output_path(in_missing);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), in_missing + ": cannot write: folder " + (dir / "no-such-folder").string() + " does not exist");
  }
  EXPECT_THROW(check_output_path(dir.string()), UserError);  // a folder
  check_output_path((dir / "fine.json").string());
  EXPECT_FALSE(fs::exists(dir / "fine.json"));  // the check creates nothing
  EXPECT_EQ(entries(dir), 0u);
}

TEST(OutputFile, PngCompletenessNeedsSignatureAndIendChunk) {
  const fs::path dir = scratch_dir("png");
  const std::string sig("\x89PNG\r\n\x1a\n", 8), iend("\0\0\0\0IEND\xae\x42\x60\x82", 12);
  write_file_atomic((dir / "ok.png").string(), sig + std::string(40, 'x') + iend);
  write_file_atomic((dir / "cut.png").string(), sig + std::string(40, 'x'));
  EXPECT_TRUE(png_complete((dir / "ok.png").string()));
  EXPECT_FALSE(png_complete((dir / "cut.png").string()));
  EXPECT_FALSE(png_complete((dir / "absent.png").string()));
}

}  // namespace
}  // namespace xbg
