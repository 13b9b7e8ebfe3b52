#pragma once
// Energy, power and area from the ledger's event counts (docs/design.md §5). Plain
// C++: the SystemC blocks only count; this file turns counts into joules with
// the `energy` config section, the crossbar's read voltage and time, and the
// network topology. Defaults and their sources: docs/energy-model.md.
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/energy/ledger.h"
#include "core/protection/transforms.h"
#include "core/sim/sim_config.h"

namespace xbg {

// What the model needs to know about the chip besides the config.
struct ChipShape {
  std::vector<int> topology;  // layer widths, input first, classes last
};

class PowerModel {
 public:
  PowerModel(const SimConfig& cfg, ChipShape shape);

  // Energy of one event of `event` of `block` (the ledger's registration names).
  double event_energy_j(const EnergyLedger& ledger, EnergyLedger::EventId event) const;
  // Per-busy-cycle energy of a block (controller FSM; 0 elsewhere).
  double busy_cycle_energy_j(const EnergyLedger& ledger, EnergyLedger::BlockId block) const;
  double leakage_w(const EnergyLedger& ledger, EnergyLedger::BlockId block) const;
  double area_mm2(const EnergyLedger& ledger, EnergyLedger::BlockId block) const;
  // Blocks that exist in hardware for this config (pre/post units only on
  // protected layers whose scheme has them; PUF and key unit only when protected).
  bool block_present(const EnergyLedger& ledger, EnergyLedger::BlockId block) const;

  // Dynamic energy of a block from event counts, busy cycles and direct energy.
  double dynamic_energy_j(const EnergyLedger& ledger, EnergyLedger::BlockId block, const std::vector<uint64_t>& counts,
                          uint64_t busy_cycles, double direct_j) const;

  const SimConfig& config() const { return cfg_; }
  double period_s() const { return cfg_.clock.period_ns * 1e-9; }

 private:
  int layer_of(const std::string& block_name) const;  // 0-based index into topology, -1 if none
  int adc_bits(const std::string& block_name) const;
  int unit_bits(const std::string& block_name, bool pre_unit) const;  // m (pre) or n (post) of the unit's layer
  int adc_count(const std::string& block_name) const;
  int column_tiles(const std::string& block_name) const;  // 1 for blocks of no layer
  double logic_ge(const EnergyLedger& ledger, EnergyLedger::BlockId block) const;
  // Gates per bit of a protection unit for this scheme on a vector of len bits
  // (its pieces' XORs and MUXes; a permutation network's depend on len).
  double slice_ge(bool pre_unit, int len) const;

  SimConfig cfg_;
  ChipShape shape_;
  Scheme scheme_;
};

// Per-block-kind figures of one run. Inference figures use only activity after
// the ledger's inference mark (programming excluded); leakage is charged for
// the inference time of every present block.
struct EnergyReport {
  int images = 0;
  double inference_time_s = 0.0;
  double energy_total_j = 0.0;  // inference: dynamic + leakage, all images
  double energy_per_inference_j = 0.0;
  double average_power_w = 0.0;
  std::map<std::string, double> energy_breakdown_j;  // per inference, by block kind (sums to energy_per_inference_j)
  std::map<std::string, double> leakage_breakdown_j;  // per inference, part of the above
  double dynamic_per_inference_j = 0.0, leakage_per_inference_j = 0.0;
  double pre_post_share_pct = 0.0;
  double boot_energy_j = 0.0;        // PUF read + fuzzy extractor + HKDF + key load, all boots of the run
  double boot_overhead_pct = 0.0;    // boot energy / inference energy of the run
  double programming_energy_j = 0.0;
  double area_mm2 = 0.0;
  std::map<std::string, double> area_breakdown_mm2;
  double area_overhead_pct = 0.0;    // (pre/post + PUF + key unit) / rest of the chip
  // Filled by the caller from an unprotected run on the same images and devices.
  double protection_overhead_pct = 0.0;
  bool has_protection_overhead = false;

  nlohmann::json to_json() const;
};

// images/inference_cycles: the run's streamed images and their summed cycles.
EnergyReport make_energy_report(const PowerModel& model, const EnergyLedger& ledger, int images, uint64_t inference_cycles);
void print_energy_report(std::ostream& os, const EnergyReport& r);

// Per-cycle power of each present block from the ledger's trace (start_trace()
// before the images, sequential datapath). power_w[block][cycle]; leakage is
// included as a constant per block. Sum over cycles of power x period equals
// the traced dynamic energy plus leakage x traced cycles.
struct PowerTrace {
  std::vector<std::string> block_names;
  std::vector<std::vector<double>> power_w;  // [block][cycle]
  std::vector<double> leakage_w;             // [block]: its constant part, also its power when idle
  std::vector<uint64_t> image;               // per cycle: image index (0-based) within the trace
  double period_s = 0.0;
  double energy_j() const;
  void write_csv(const std::string& path) const;  // cycle,time_ns,image,<blocks...>,total_w
};
// include_boot = false drops the cycles before the controller's first busy
// period (PUF read and key unit of a chip boot) and the dynamic energy of the
// PUF and key unit (boot energy in the report); their leakage stays.
PowerTrace make_power_trace(const PowerModel& model, const EnergyLedger& ledger, bool include_boot = false);

}  // namespace xbg
