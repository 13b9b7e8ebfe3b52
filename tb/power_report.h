#pragma once
// Testbench glue between a run and the power model (core/energy/power_model.h):
// the energy report of a finished run, the unprotected reference run behind
// protection_overhead_pct, and per-cycle power traces.
#include <optional>
#include <vector>

#include "core/energy/power_model.h"
#include "tb/run.h"

namespace xbg {

PowerModel power_model_for(const SimConfig& cfg, const ProvisionedModel& model);

// The run's energy report; protection overhead left unset.
EnergyReport energy_report(const SimConfig& cfg, const ProvisionedModel& model, const RunResult& run);

// Energy per inference of the same images on the same devices with no
// protection (scheme none, no PUF, no pre/post units). Needs the plain model;
// nullopt for a file that was protected elsewhere.
std::optional<double> unprotected_energy_per_inference(const SimConfig& cfg, const ProvisionedModel& model,
                                                       const std::vector<BitVec>& images);

// Sets protection_overhead_pct from the unprotected reference run (docs/design.md §5).
void add_protection_overhead(EnergyReport& report, const SimConfig& cfg, const ProvisionedModel& model,
                             const std::vector<BitVec>& images);

// Per-cycle power per block of a run made with RunOptions::power_trace.
PowerTrace power_trace(const SimConfig& cfg, const ProvisionedModel& model, const RunResult& run);

// One image through a fresh accelerator with the trace on: per-cycle power per
// block (boot and key load excluded from the cycles, images only), e.g. for
// sc_trace of real-valued power signals or a TVLA trace set.
PowerTrace image_power_trace(const SimConfig& cfg, const ProvisionedModel& model, const BitVec& image);

}  // namespace xbg
