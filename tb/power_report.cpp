#include "tb/power_report.h"

namespace xbg {

PowerModel power_model_for(const SimConfig& cfg, const ProvisionedModel& model) {
  return PowerModel(cfg, ChipShape{model.stored.topology()});
}

EnergyReport energy_report(const SimConfig& cfg, const ProvisionedModel& model, const RunResult& run) {
  return make_energy_report(power_model_for(cfg, model), run.ledger, run.images, run.cycles_total);
}

std::optional<double> unprotected_energy_per_inference(const SimConfig& cfg, const ProvisionedModel& model,
                                                       const std::vector<BitVec>& images) {
  if (!model.plain) return std::nullopt;
  SimConfig ref = cfg;
  ref.protection.scheme = "none";
  ref.protection.key_source = "key-seed";
  ref.simulation.check_golden = false;
  const ProvisionedModel plain = provision_model(*model.plain, ref.protection, "(unprotected reference)");
  RunOptions options;
  options.check_golden = false;
  const RunResult r = run_accelerator(ref, plain, images, nullptr, options);
  return energy_report(ref, plain, r).energy_per_inference_j;
}

void add_protection_overhead(EnergyReport& report, const SimConfig& cfg, const ProvisionedModel& model,
                             const std::vector<BitVec>& images) {
  const auto e_ref = unprotected_energy_per_inference(cfg, model, images);
  if (!e_ref || *e_ref <= 0) return;
  report.protection_overhead_pct = 100.0 * (report.energy_per_inference_j - *e_ref) / *e_ref;
  report.has_protection_overhead = true;
}

PowerTrace power_trace(const SimConfig& cfg, const ProvisionedModel& model, const RunResult& run) {
  return make_power_trace(power_model_for(cfg, model), run.ledger);
}

PowerTrace image_power_trace(const SimConfig& cfg, const ProvisionedModel& model, const BitVec& image) {
  RunOptions options;
  options.check_golden = false;
  options.power_trace = true;
  options.power_trace_images = 1;
  const RunResult r = run_accelerator(cfg, model, {image}, nullptr, options);
  return power_trace(cfg, model, r);
}

}  // namespace xbg
