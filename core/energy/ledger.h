#pragma once
// The one place every block reports its activity (docs/design.md §5).
// Blocks register themselves and their event kinds once at elaboration and
// then only bump counters, so reporting costs an array increment in the hot
// path. Energies per event and
// data-dependent energies (crossbar currents) come from the power model
// (core/energy/power_model.h), applied to the counts after the run; the event
// energies stored here stay zero unless a caller sets them.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace xbg {

class EnergyLedger {
 public:
  using BlockId = int;
  using EventId = int;

  // `name` is unique ("fc1.crossbar"); `kind` groups blocks in breakdowns ("crossbar").
  BlockId add_block(const std::string& name, const std::string& kind);
  EventId add_event(BlockId block, const std::string& event, double energy_per_event_j = 0.0);
  void set_event_energy(EventId event, double energy_per_event_j);

  void count(EventId event, uint64_t n = 1) { events_[event].count += n; }
  void add_energy_j(BlockId block, double energy_j) { blocks_[block].direct_energy_j += energy_j; }
  void add_busy_cycles(BlockId block, uint64_t cycles) {
    blocks_[block].busy_cycles += cycles;
    if (tracing_) trace_busy(block, cycles);
  }
  // The trace stops when the first image past its limit gets busy, not when the
  // last traced image completes, so the result read-out that follows an
  // inference stays in that inference's trace.
  void add_inference() { ++inferences_; }

  // Phase mark: the testbench marks the start of inference (after programming),
  // so that reports can tell programming from inference activity.
  struct Snapshot {
    std::vector<uint64_t> event_counts, busy_cycles;
    std::vector<double> direct_energy_j;
    uint64_t inferences = 0;
  };
  Snapshot snapshot() const;
  void mark_inference_start() { mark_ = snapshot(); has_mark_ = true; }
  bool has_inference_mark() const { return has_mark_; }
  const Snapshot& inference_mark() const { return mark_; }
  // Second mark of a chip boot (after the inference mark): activity between the
  // two marks (helper-data transfer, PUF read, key unit) is boot energy.
  void mark_boot_end() { boot_mark_ = snapshot(); has_boot_mark_ = true; }
  bool has_boot_end_mark() const { return has_boot_mark_; }
  const Snapshot& boot_end_mark() const { return boot_mark_; }

  // Activity trace for per-cycle power. Blocks work one after another in the
  // sequential (non-pipelined) datapath and charge every cycle through
  // add_busy_cycles(), so a running cursor advanced by each call is the cycle
  // at which the block's busy period starts. Events counted around a busy
  // period (before or after the add_busy_cycles call of the same transaction)
  // are attached to that block's latest segment when the next block starts;
  // a block that never reports busy cycles gets zero-length segments. Counts,
  // not energies, are recorded, so the power model applies later.
  struct TraceSegment {
    BlockId block;
    uint64_t start_cycle, cycles;
    uint64_t inference;  // images completed before this segment started
    std::vector<std::pair<EventId, uint64_t>> event_counts;
    double direct_energy_j = 0.0;
  };
  // Records until `images` more inferences have completed (0: until stop_trace()).
  void start_trace(uint64_t images = 0);
  void stop_trace();
  bool tracing() const { return tracing_; }
  const std::vector<TraceSegment>& trace() const { return trace_; }
  uint64_t trace_cycles() const { return trace_cursor_; }

  int num_events() const { return static_cast<int>(events_.size()); }
  BlockId event_block(EventId e) const { return events_.at(e).block; }
  const std::string& event_name(EventId e) const { return events_.at(e).name; }
  uint64_t event_count(EventId e) const { return events_.at(e).count; }
  double event_energy_j(EventId e) const { return events_.at(e).energy_j; }
  double direct_energy_j(BlockId b) const { return blocks_.at(b).direct_energy_j; }

  int num_blocks() const { return static_cast<int>(blocks_.size()); }
  const std::string& block_name(BlockId b) const { return blocks_[b].name; }
  const std::string& block_kind(BlockId b) const { return blocks_[b].kind; }
  BlockId find_block(const std::string& name) const;  // -1 if absent
  uint64_t busy_cycles(BlockId b) const { return blocks_[b].busy_cycles; }
  uint64_t event_count(BlockId b, const std::string& event) const;  // 0 if never registered
  uint64_t inferences() const { return inferences_; }

  double block_energy_j(BlockId b) const;
  double total_energy_j() const;
  std::map<std::string, double> energy_by_kind_j() const;

  // Zeroes counts, cycles and energies; registrations stay.
  void reset();
  // {"inferences": N, "blocks": {name: {"kind", "busy_cycles", "energy_j", "events": {event: count}}}}
  nlohmann::json to_json() const;

 private:
  struct Block {
    std::string name, kind;
    uint64_t busy_cycles = 0;
    double direct_energy_j = 0.0;
    std::vector<EventId> events;
  };
  struct Event {
    BlockId block;
    std::string name;
    double energy_j;
    uint64_t count = 0;
  };
  void trace_busy(BlockId block, uint64_t cycles);
  void flush_trace();

  std::vector<Block> blocks_;
  std::vector<Event> events_;
  uint64_t inferences_ = 0;
  Snapshot mark_, boot_mark_;
  bool has_mark_ = false, has_boot_mark_ = false;
  bool tracing_ = false;
  uint64_t trace_until_inferences_ = UINT64_MAX;
  uint64_t trace_cursor_ = 0;
  std::vector<TraceSegment> trace_;
  std::vector<int> last_segment_;           // per block, index into trace_ or -1
  std::vector<uint64_t> traced_counts_;     // event counts already attributed
  std::vector<double> traced_direct_j_;
};

}  // namespace xbg
