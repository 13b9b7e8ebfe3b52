#include "core/common/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace xbg {

ProgressBar::Mode ProgressBar::env_mode() {
  const char* force = std::getenv("XBG_PROGRESS");
  if (force) {
    if (std::strcmp(force, "0") == 0) return Mode::off;
    if (std::strcmp(force, "lines") == 0) return Mode::lines;
    return Mode::bar;
  }
  return isatty(STDERR_FILENO) ? Mode::bar : Mode::lines;
}

ProgressBar::ProgressBar(std::string label, int64_t total, Mode mode, double line_interval_s)
    : label_(std::move(label)), total_(total), mode_(mode), line_interval_s_(line_interval_s),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (!finished_) finish();
}

void ProgressBar::advance(int64_t n) { set(done_ + n); }

void ProgressBar::set(int64_t done) {
  done_ = done;
  draw(false);
}

static std::string format_seconds(double s) {
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.1fs", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, (static_cast<int>(s) / 60) % 60);
  return buf;
}

void ProgressBar::draw(bool force) {
  if (mode_ == Mode::off) return;
  const auto now = std::chrono::steady_clock::now();
  if (mode_ == Mode::lines) {
    if (now - last_draw_ < std::chrono::duration<double>(line_interval_s_)) return;
    last_draw_ = now;
    line(false);
    return;
  }
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double frac = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const int width = 30, filled = static_cast<int>(frac * width + 0.5);
  std::string bar(filled > width ? width : filled, '#');
  bar.resize(width, '.');
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  std::fprintf(stderr, "\r%s [%s] %lld/%lld %5.1f%% %.0f/s ETA %s   ", label_.c_str(), bar.c_str(),
               static_cast<long long>(done_), static_cast<long long>(total_), 100.0 * frac, rate,
               format_seconds(eta).c_str());
  std::fflush(stderr);
}

// One self-contained line (no carriage return), so a log read later or
// tailed while it grows shows where the loop is.
void ProgressBar::line(bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (final) {
    std::fprintf(stderr, "%s: done, %lld in %s\n", label_.c_str(), static_cast<long long>(done_),
                 format_seconds(elapsed).c_str());
  } else {
    const double frac = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
    const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
    const std::string eta = rate > 0 ? format_seconds(static_cast<double>(total_ - done_) / rate) : "?";
    std::fprintf(stderr, "%s: %lld/%lld (%.1f %%), %.*f/s, %s elapsed, ETA %s\n", label_.c_str(),
                 static_cast<long long>(done_), static_cast<long long>(total_), 100.0 * frac, rate >= 10 ? 0 : 2, rate,
                 format_seconds(elapsed).c_str(), eta.c_str());
  }
  std::fflush(stderr);
  lines_printed_ = true;
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (mode_ == Mode::lines) {
    if (lines_printed_) line(true);
    return;
  }
  if (mode_ == Mode::off) return;
  draw(true);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r%s done: %lld in %s%40s\n", label_.c_str(), static_cast<long long>(done_),
               format_seconds(elapsed).c_str(), "");
}

}  // namespace xbg
