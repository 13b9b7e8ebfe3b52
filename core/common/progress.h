#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace xbg {

// A one-line progress bar with rate and ETA on stderr. Silent when stderr is
// not a terminal (CI logs, pipes) unless XBG_PROGRESS=1, so logs stay clean.
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();
  void advance(int64_t n = 1);
  void set(int64_t done);
  void finish();  // final line with total time
  static bool enabled();

 private:
  void draw(bool force);
  std::string label_;
  int64_t total_, done_ = 0;
  bool active_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace xbg
