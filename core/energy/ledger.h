#pragma once
// The one place every block reports its activity (DESIGN §5, STYLE "one energy
// ledger every block reports into"). Blocks register themselves and their
// event kinds once at elaboration and then only bump counters, so reporting
// costs an array increment in the hot path. Energies per event and
// data-dependent energies (crossbar currents) are filled in by the power model;
// until then every event energy is zero and only counts and cycles are real.
#include <cstdint>
#include <map>
#include <string>
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
  void add_busy_cycles(BlockId block, uint64_t cycles) { blocks_[block].busy_cycles += cycles; }
  void add_inference() { ++inferences_; }

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
  std::vector<Block> blocks_;
  std::vector<Event> events_;
  uint64_t inferences_ = 0;
};

}  // namespace xbg
