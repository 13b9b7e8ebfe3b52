#pragma once
// Layer pipelining (docs/design.md §3.7): successive images overlap across stages
// (input load, each hidden layer, classifier + done). A stage holds its image
// until the next stage takes it (no queue between stages, only the stage's
// own activation buffer), so a stage frees when its image moves on:
//   start(i, s) = max(end(i, s-1), start(i-1, s+1)),   last stage: max(end(i, s-1), end(i-1, s)).
// Plain C++: the schedule only places the stage times the blocks charged.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace xbg {

class PipelineSchedule {
 public:
  // Every image of one batch is available at cycle 0 of the batch.
  void reset(int stages) {
    prev_start_.assign(static_cast<size_t>(stages), 0);
    prev_end_.assign(static_cast<size_t>(stages), 0);
    first_ = true;
    makespan_ = 0;
  }

  struct Placement {
    uint64_t entry = 0;  // cycle the image entered stage 0
    uint64_t exit = 0;   // cycle it left the last stage
    uint64_t latency() const { return exit - entry; }
  };

  Placement place(const std::vector<uint64_t>& stage_cycles) {
    const size_t n = prev_start_.size();
    std::vector<uint64_t>& start = start_;
    start.assign(n, 0);
    uint64_t prev_stage_end = 0;
    for (size_t s = 0; s < n; ++s) {
      uint64_t t = prev_stage_end;
      if (!first_) t = std::max(t, s + 1 < n ? prev_start_[s + 1] : prev_end_[s]);
      start[s] = t;
      prev_stage_end = t + stage_cycles[s];
      prev_end_[s] = prev_stage_end;
    }
    prev_start_ = start;
    first_ = false;
    makespan_ = std::max(makespan_, prev_stage_end);
    return {start.front(), prev_stage_end};
  }

  uint64_t makespan() const { return makespan_; }

 private:
  std::vector<uint64_t> prev_start_, prev_end_, start_;
  bool first_ = true;
  uint64_t makespan_ = 0;
};

}  // namespace xbg
