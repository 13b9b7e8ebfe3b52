#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace xbg {

// Progress of a long loop on stderr, in one of three modes:
//   bar    a one-line bar with rate and ETA, redrawn in place (stderr is a terminal);
//   lines  a plain line every few seconds and one at the end, for batch logs,
//          CI and pipes; a loop that ends before the first line prints nothing,
//          so short commands (and one-line errors) stay clean;
//   off    nothing.
// XBG_PROGRESS chooses: 0 off, lines, 1 (or anything else) bar; unset: bar on
// a terminal, lines otherwise.
class ProgressBar {
 public:
  enum class Mode { off, bar, lines };
  static constexpr double kLineIntervalS = 5.0;

  ProgressBar(std::string label, int64_t total, Mode mode = env_mode(), double line_interval_s = kLineIntervalS);
  ~ProgressBar();
  void advance(int64_t n = 1);
  void set(int64_t done);
  void finish();  // final line with total time
  static Mode env_mode();
  // True when the interactive bar is drawn (callers that print their own
  // per-item lines otherwise, like the sweep, ask this).
  static bool enabled() { return env_mode() == Mode::bar; }

 private:
  void draw(bool force);
  void line(bool final);
  std::string label_;
  int64_t total_, done_ = 0;
  Mode mode_;
  double line_interval_s_;
  bool finished_ = false, lines_printed_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace xbg
