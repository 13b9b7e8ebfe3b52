#pragma once
// RRAM device model shared by the RRAM PUF and the crossbar (docs/design.md §4.1): each
// cell's conductance in each state is drawn once per chip from a lognormal
// distribution (device-to-device variation), deterministically from the chip
// seed, so a chip is reproducible from its seed and a cell can be looked up on
// its own. Read noise, drift, faults and temperature belong to the crossbar's
// extension of this model (core/device/device_array.h); the PUF adds its own read noise.
//
// Default values and their sources are tabulated in docs/puf.md ("Device model").
#include <cstdint>
#include <vector>

#include "core/common/config.h"

namespace xbg {

enum class RramState : uint8_t { kLrs = 0, kHrs = 1 };

struct RramDeviceParams {
  // Medians of the lognormal conductance distributions. HfOx filamentary RRAM
  // is usually read at tens of kOhm in LRS and hundreds of kOhm to MOhm in HRS
  // (Wong et al., "Metal-Oxide RRAM", Proc. IEEE 100(6), 2012): 50 uS = 20 kOhm,
  // 1 uS = 1 MOhm, an on/off ratio of 50.
  double g_lrs_median_us = 50.0;
  double g_hrs_median_us = 1.0;
  // Standard deviation of ln(G). HRS spreads more than LRS because the gap
  // left in the filament varies more than the filament itself (Ambrogio et al.,
  // IEEE TED 61(8), 2014, part I; Fantini et al., IMW 2013).
  double sigma_log_lrs = 0.10;
  double sigma_log_hrs = 0.30;

  template <class V> void visit(V& v) {
    v.field("g_lrs_median_us", g_lrs_median_us, "median LRS conductance [uS] (lognormal)", 1e-3, 1e6);
    v.field("g_hrs_median_us", g_hrs_median_us, "median HRS conductance [uS] (lognormal)", 1e-6, 1e6);
    v.field("sigma_log_lrs", sigma_log_lrs, "device-to-device sigma of ln(G) in LRS", 0.0, 3.0);
    v.field("sigma_log_hrs", sigma_log_hrs, "device-to-device sigma of ln(G) in HRS", 0.0, 3.0);
  }
  // Throws UserError "<file>: <path>.g_hrs_median_us: ..." if HRS is not below LRS.
  void validate(const std::string& file, const std::string& path) const;
};

class RramDeviceModel {
 public:
  RramDeviceModel(const RramDeviceParams& params, uint64_t chip_seed);

  // Conductance of one cell in one state. `array_id` separates physical
  // arrays on the chip (each crossbar tile, the PUF array), so two arrays
  // never share draws; `cell` is any index inside the array.
  double conductance_us(uint64_t array_id, uint64_t cell, RramState state) const;
  double conductance_s(uint64_t array_id, uint64_t cell, RramState state) const {
    return 1e-6 * conductance_us(array_id, cell, state);
  }
  // ln(G / 1 uS) of cells [first, first + count): the same values as
  // conductance_us, drawn two at a time.
  std::vector<double> log_conductances(uint64_t array_id, uint64_t first, size_t count, RramState state) const;
  std::vector<double> conductances_us(uint64_t array_id, uint64_t first, size_t count, RramState state) const;

  // Distribution moments. A replica reference tracking variation must say
  // which one it uses: mean = median * exp(sigma^2 / 2) (docs/design.md §3.3).
  double median_us(RramState state) const;
  double mean_us(RramState state) const;
  double sigma_log(RramState state) const;

  const RramDeviceParams& params() const { return params_; }
  uint64_t chip_seed() const { return chip_seed_; }

 private:
  uint64_t stream(uint64_t array_id, RramState state) const;
  RramDeviceParams params_;
  uint64_t chip_seed_;
};

}  // namespace xbg
