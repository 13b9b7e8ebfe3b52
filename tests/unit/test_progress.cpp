// Progress without a terminal: plain lines a batch log can show, and none
// at all for a loop that ends before the first line is due.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/common/progress.h"

namespace xbg {
namespace {

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(Progress, LinesModePrintsSelfContainedLinesAndADoneLine) {
  testing::internal::CaptureStderr();
  {
    // Interval 0: every step is due, so the test does not depend on the clock.
    ProgressBar bar("tables", 3, ProgressBar::Mode::lines, 0.0);
    for (int i = 0; i < 3; ++i) bar.advance();
  }
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(count_lines(err), 4) << err;
  EXPECT_NE(err.find("tables: 1/3 (33.3 %)"), std::string::npos) << err;
  EXPECT_NE(err.find("tables: 3/3 (100.0 %)"), std::string::npos) << err;
  EXPECT_NE(err.find("tables: done, 3 in "), std::string::npos) << err;
  EXPECT_EQ(err.find('\r'), std::string::npos) << "a log line must not rely on carriage returns";
}

TEST(Progress, LinesModeIsSilentForALoopShorterThanTheInterval) {
  testing::internal::CaptureStderr();
  {
    ProgressBar bar("run", 100, ProgressBar::Mode::lines, 3600.0);
    for (int i = 0; i < 100; ++i) bar.advance();
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(Progress, OffModePrintsNothing) {
  testing::internal::CaptureStderr();
  {
    ProgressBar bar("run", 2, ProgressBar::Mode::off, 0.0);
    bar.advance(2);
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(Progress, EnvironmentChoosesTheMode) {
  const char* saved = std::getenv("XBG_PROGRESS");
  const std::string keep = saved ? saved : "";
  setenv("XBG_PROGRESS", "0", 1);
  EXPECT_EQ(ProgressBar::env_mode(), ProgressBar::Mode::off);
  setenv("XBG_PROGRESS", "lines", 1);
  EXPECT_EQ(ProgressBar::env_mode(), ProgressBar::Mode::lines);
  setenv("XBG_PROGRESS", "1", 1);
  EXPECT_EQ(ProgressBar::env_mode(), ProgressBar::Mode::bar);
  EXPECT_TRUE(ProgressBar::enabled());
  if (saved) setenv("XBG_PROGRESS", keep.c_str(), 1);
  else unsetenv("XBG_PROGRESS");
}

}  // namespace
}  // namespace xbg
