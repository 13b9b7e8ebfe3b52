#include "core/device/rram_device.h"

#include <cmath>

#include "core/device/counter_rng.h"

namespace xbg {

void RramDeviceParams::validate(const std::string& file, const std::string& path) const {
  if (!(g_hrs_median_us < g_lrs_median_us))
    throw UserError(file + ": " + config_detail::join(path, "g_hrs_median_us") + ": must be below g_lrs_median_us (" +
                    std::to_string(g_lrs_median_us) + ")");
}

RramDeviceModel::RramDeviceModel(const RramDeviceParams& params, uint64_t chip_seed)
    : params_(params), chip_seed_(chip_seed) {}

uint64_t RramDeviceModel::stream(uint64_t array_id, RramState state) const {
  // One independent stream per (array, state): LRS and HRS draws of the same
  // cell are unrelated, as after a fresh SET or RESET.
  return mix64(array_id * 2 + static_cast<uint64_t>(state)) ^ 0x52524D44u;  // "RRMD"
}

double RramDeviceModel::median_us(RramState s) const {
  return s == RramState::kLrs ? params_.g_lrs_median_us : params_.g_hrs_median_us;
}
double RramDeviceModel::sigma_log(RramState s) const {
  return s == RramState::kLrs ? params_.sigma_log_lrs : params_.sigma_log_hrs;
}
double RramDeviceModel::mean_us(RramState s) const {
  const double sg = sigma_log(s);
  return median_us(s) * std::exp(0.5 * sg * sg);
}

double RramDeviceModel::conductance_us(uint64_t array_id, uint64_t cell, RramState state) const {
  const CounterRng rng(chip_seed_, stream(array_id, state));
  return median_us(state) * std::exp(sigma_log(state) * rng.normal(cell));
}

std::vector<double> RramDeviceModel::log_conductances(uint64_t array_id, uint64_t first, size_t count,
                                                      RramState state) const {
  const CounterRng rng(chip_seed_, stream(array_id, state));
  const double mu = std::log(median_us(state)), sg = sigma_log(state);
  std::vector<double> out(count);
  const uint64_t end = first + count;
  for (uint64_t i = first; i < end;) {
    if ((i & 1) == 0 && i + 1 < end) {
      double z0, z1;
      rng.normal_pair(i >> 1, z0, z1);
      out[i - first] = mu + sg * z0;
      out[i + 1 - first] = mu + sg * z1;
      i += 2;
    } else {
      out[i - first] = mu + sg * rng.normal(i);
      ++i;
    }
  }
  return out;
}

std::vector<double> RramDeviceModel::conductances_us(uint64_t array_id, uint64_t first, size_t count,
                                                     RramState state) const {
  std::vector<double> g = log_conductances(array_id, first, count, state);
  for (double& x : g) x = std::exp(x);
  return g;
}

}  // namespace xbg
