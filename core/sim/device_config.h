#pragma once
#include <cmath>
#include <cstdint>
#include <string>

#include "core/common/error.h"

namespace xbg {

// Non-idealities of the crossbar's RRAM cells (docs/design.md §3.5). Every
// magnitude defaults to zero: the ideal devices of configs/default.json. The
// nominal conductances are crossbar.g_lrs_us / crossbar.g_hrs_us, taken as the
// MEDIANS of the lognormal device-to-device distributions (the mean is
// median * exp(sigma^2 / 2)); the on/off ratio is their quotient. Sources for
// the numbers used in configs/variation-*.json: configs/README.md ("Device
// non-idealities"). The model itself: core/device/device_array.h.
struct DeviceConfig {
  int64_t chip_seed = 1;  // signed: a negative value must be a range error, not wrap around

  // Device-to-device variation, drawn once per chip when the array is programmed.
  double sigma_log_lrs = 0.0;
  double sigma_log_hrs = 0.0;

  // Cycle-to-cycle read noise: each driven cell's read current has a fresh
  // Gaussian error of sigma = read_noise_rel * (its own mean current) per read.
  double read_noise_rel = 0.0;

  // Stuck-at faults, drawn once per chip: the cell ignores programming and
  // stays in that state (with that state's variation).
  double stuck_lrs_rate = 0.0;
  double stuck_hrs_rate = 0.0;

  // Retention drift, power law G(t) = G(t0) * (t / t0)^(-nu) for t > t0; the
  // exponent of each cell is nu_state + drift_nu_sigma * N(0,1), drawn once.
  double drift_time_s = 0.0;
  double drift_t0_s = 1.0;
  double drift_nu_lrs = 0.0;
  double drift_nu_hrs = 0.0;
  double drift_nu_sigma = 0.0;

  // Linear temperature coefficient of conductance: G(T) = G(T_ref) (1 + alpha (T - T_ref)).
  double temperature_c = 25.0;
  double reference_temperature_c = 25.0;
  double temp_coeff_lrs_per_k = 0.0;
  double temp_coeff_hrs_per_k = 0.0;

  // Bit-line IR drop: wire resistance per cell pitch along a tile's bit line
  // (uniform-load ladder, solved once per tile height; 0 = ideal wires).
  double wire_resistance_ohm = 0.0;

  // Write-verify: after the first pulse, up to this many extra pulses per cell
  // until |ln(G / G_nominal)| <= write_verify_tolerance (0 = single-pulse programming).
  int write_verify_iterations = 0;
  double write_verify_tolerance = 0.05;

  template <class V> void visit(V& v) {
    v.field("chip_seed", chip_seed,
            "seed of the simulated chip: its device draws, faults and comparator offsets (run --chips N uses "
            "chip_seed .. chip_seed+N-1)", 0, 9e18);
    v.field("sigma_log_lrs", sigma_log_lrs, "device-to-device sigma of ln(G) of LRS cells (lognormal; median = crossbar.g_lrs_us)", 0.0, 3.0);
    v.field("sigma_log_hrs", sigma_log_hrs, "device-to-device sigma of ln(G) of HRS cells (lognormal; median = crossbar.g_hrs_us)", 0.0, 3.0);
    v.field("read_noise_rel", read_noise_rel,
            "cycle-to-cycle read noise: sigma of a driven cell's read current relative to its own mean, fresh every read", 0.0, 10.0);
    v.field("stuck_lrs_rate", stuck_lrs_rate, "share of cells stuck at LRS (drawn once per chip)", 0.0, 1.0);
    v.field("stuck_hrs_rate", stuck_hrs_rate, "share of cells stuck at HRS (drawn once per chip)", 0.0, 1.0);
    v.field("drift_time_s", drift_time_s, "time since programming; drift acts when above drift_t0_s [s]", 0.0, 1e12);
    v.field("drift_t0_s", drift_t0_s, "reference time t0 of the power-law drift G(t) = G(t0) (t/t0)^-nu [s]", 1e-12, 1e12);
    v.field("drift_nu_lrs", drift_nu_lrs, "median drift exponent nu of LRS cells", -1.0, 1.0);
    v.field("drift_nu_hrs", drift_nu_hrs, "median drift exponent nu of HRS cells", -1.0, 1.0);
    v.field("drift_nu_sigma", drift_nu_sigma, "cell-to-cell sigma of the drift exponent (drawn once per cell)", 0.0, 1.0);
    v.field("temperature_c", temperature_c, "operating temperature of the array [degC]", -273.0, 1000.0);
    v.field("reference_temperature_c", reference_temperature_c, "temperature at which crossbar.g_*_us hold [degC]", -273.0, 1000.0);
    v.field("temp_coeff_lrs_per_k", temp_coeff_lrs_per_k, "relative conductance change of LRS cells per kelvin [1/K]", -1.0, 1.0);
    v.field("temp_coeff_hrs_per_k", temp_coeff_hrs_per_k, "relative conductance change of HRS cells per kelvin [1/K]", -1.0, 1.0);
    v.field("wire_resistance_ohm", wire_resistance_ohm,
            "bit-line wire resistance per cell pitch (IR drop along each tile's bit line; 0 = ideal wires) [ohm]", 0.0, 1e6);
    v.field("write_verify_iterations", write_verify_iterations,
            "extra program-and-verify pulses allowed per cell after the first (0 = single pulse, no verify)", 0, 1000);
    v.field("write_verify_tolerance", write_verify_tolerance,
            "write-verify accepts a cell when |ln(G / nominal)| is at most this", 1e-6, 10.0);
  }

  bool drifts() const { return drift_time_s > drift_t0_s && (drift_nu_lrs != 0.0 || drift_nu_hrs != 0.0 || drift_nu_sigma > 0.0); }
  bool temperature_shifts() const {
    return temperature_c != reference_temperature_c && (temp_coeff_lrs_per_k != 0.0 || temp_coeff_hrs_per_k != 0.0);
  }
  // True when any cell can differ from its nominal conductance or any read
  // from its mean: the tiles then use the device engine instead of popcounts.
  bool any_nonideal() const {
    return sigma_log_lrs > 0.0 || sigma_log_hrs > 0.0 || read_noise_rel > 0.0 || stuck_lrs_rate > 0.0 ||
           stuck_hrs_rate > 0.0 || drifts() || temperature_shifts() || wire_resistance_ohm > 0.0;
  }

  // Cross-field checks; UserError "<file>: device.<field>: <problem>".
  void validate(const std::string& file) const {
    if (stuck_lrs_rate + stuck_hrs_rate > 1.0)
      throw UserError(file + ": device.stuck_hrs_rate: stuck_lrs_rate + stuck_hrs_rate must not exceed 1");
  }
};

}  // namespace xbg
