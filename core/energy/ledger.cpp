#include "core/energy/ledger.h"

#include <stdexcept>

namespace xbg {

EnergyLedger::BlockId EnergyLedger::add_block(const std::string& name, const std::string& kind) {
  if (find_block(name) >= 0) throw std::logic_error("EnergyLedger: block '" + name + "' registered twice");
  blocks_.push_back({name, kind, 0, 0.0, {}});
  return num_blocks() - 1;
}

EnergyLedger::EventId EnergyLedger::add_event(BlockId block, const std::string& event, double energy_per_event_j) {
  for (EventId e : blocks_.at(block).events)
    if (events_[e].name == event) throw std::logic_error("EnergyLedger: event '" + event + "' of '" + blocks_[block].name + "' registered twice");
  events_.push_back({block, event, energy_per_event_j, 0});
  const EventId id = static_cast<EventId>(events_.size()) - 1;
  blocks_[block].events.push_back(id);
  return id;
}

void EnergyLedger::set_event_energy(EventId event, double energy_per_event_j) { events_.at(event).energy_j = energy_per_event_j; }

EnergyLedger::BlockId EnergyLedger::find_block(const std::string& name) const {
  for (size_t i = 0; i < blocks_.size(); ++i)
    if (blocks_[i].name == name) return static_cast<BlockId>(i);
  return -1;
}

uint64_t EnergyLedger::event_count(BlockId b, const std::string& event) const {
  for (EventId e : blocks_.at(b).events)
    if (events_[e].name == event) return events_[e].count;
  return 0;
}

double EnergyLedger::block_energy_j(BlockId b) const {
  double e = blocks_.at(b).direct_energy_j;
  for (EventId id : blocks_[b].events) e += events_[id].energy_j * static_cast<double>(events_[id].count);
  return e;
}

double EnergyLedger::total_energy_j() const {
  double e = 0.0;
  for (BlockId b = 0; b < num_blocks(); ++b) e += block_energy_j(b);
  return e;
}

std::map<std::string, double> EnergyLedger::energy_by_kind_j() const {
  std::map<std::string, double> out;
  for (BlockId b = 0; b < num_blocks(); ++b) out[blocks_[b].kind] += block_energy_j(b);
  return out;
}

EnergyLedger::Snapshot EnergyLedger::snapshot() const {
  Snapshot s;
  for (const auto& e : events_) s.event_counts.push_back(e.count);
  for (const auto& b : blocks_) {
    s.busy_cycles.push_back(b.busy_cycles);
    s.direct_energy_j.push_back(b.direct_energy_j);
  }
  s.inferences = inferences_;
  return s;
}

void EnergyLedger::start_trace(uint64_t images) {
  trace_.clear();
  trace_cursor_ = 0;
  last_segment_.assign(blocks_.size(), -1);
  traced_counts_.clear();
  for (const auto& e : events_) traced_counts_.push_back(e.count);
  traced_direct_j_.clear();
  for (const auto& b : blocks_) traced_direct_j_.push_back(b.direct_energy_j);
  trace_until_inferences_ = images ? inferences_ + images : UINT64_MAX;
  tracing_ = true;
}

void EnergyLedger::flush_trace() {
  // Attribute everything counted since the last flush to each block's latest segment.
  for (EventId e = 0; e < num_events(); ++e) {
    const uint64_t delta = events_[e].count - traced_counts_[e];
    if (!delta) continue;
    const BlockId b = events_[e].block;
    if (last_segment_[b] < 0) {
      trace_.push_back({b, trace_cursor_, 0, inferences_, {}, 0.0});
      last_segment_[b] = static_cast<int>(trace_.size()) - 1;
    }
    trace_[last_segment_[b]].event_counts.emplace_back(e, delta);
    traced_counts_[e] = events_[e].count;
  }
  for (BlockId b = 0; b < num_blocks(); ++b) {
    const double delta = blocks_[b].direct_energy_j - traced_direct_j_[b];
    if (delta == 0.0) continue;
    if (last_segment_[b] < 0) {
      trace_.push_back({b, trace_cursor_, 0, inferences_, {}, 0.0});
      last_segment_[b] = static_cast<int>(trace_.size()) - 1;
    }
    trace_[last_segment_[b]].direct_energy_j += delta;
    traced_direct_j_[b] = blocks_[b].direct_energy_j;
  }
}

void EnergyLedger::trace_busy(BlockId block, uint64_t cycles) {
  if (inferences_ >= trace_until_inferences_) {
    stop_trace();
    return;
  }
  flush_trace();
  int current = last_segment_[block];
  if (current >= 0 && trace_[current].cycles == 0 && trace_[current].start_cycle == trace_cursor_) {
    trace_[current].cycles = cycles;  // the counts of this very transaction, counted before its cycles
  } else {
    trace_.push_back({block, trace_cursor_, cycles, inferences_, {}, 0.0});
    current = static_cast<int>(trace_.size()) - 1;
  }
  trace_cursor_ += cycles;
  // Blocks without busy cycles of their own start fresh at the cursor.
  for (auto& s : last_segment_) s = -1;
  last_segment_[block] = current;
}

void EnergyLedger::stop_trace() {
  if (!tracing_) return;
  flush_trace();
  tracing_ = false;
}

void EnergyLedger::reset() {
  for (auto& b : blocks_) {
    b.busy_cycles = 0;
    b.direct_energy_j = 0.0;
  }
  for (auto& e : events_) e.count = 0;
  inferences_ = 0;
}

nlohmann::json EnergyLedger::to_json() const {
  nlohmann::json blocks = nlohmann::json::object();
  for (BlockId b = 0; b < num_blocks(); ++b) {
    nlohmann::json events = nlohmann::json::object();
    for (EventId id : blocks_[b].events) events[events_[id].name] = events_[id].count;
    blocks[blocks_[b].name] = {{"kind", blocks_[b].kind},
                               {"busy_cycles", blocks_[b].busy_cycles},
                               {"energy_j", block_energy_j(b)},
                               {"events", events}};
  }
  return {{"inferences", inferences_}, {"blocks", blocks}};
}

}  // namespace xbg
