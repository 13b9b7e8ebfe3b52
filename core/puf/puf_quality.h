#pragma once
// PUF quality over a chip population, with the figures of the PUF literature
// (Maiti, Gunreddy & Schaumont, "A Systematic Method to Evaluate and Compare
// the Performance of PUFs", 2011; Maes 2013): uniformity, uniqueness
// (inter-chip HD), reliability (intra-chip HD per corner), bit-aliasing,
// min-entropy, raw bit-error rate per corner and key failure after the
// fuzzy extractor, by Monte Carlo boots and analytically.
#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/puf/key_failure.h"
#include "core/puf/provisioning.h"
#include "core/puf/puf_config.h"

namespace xbg {

struct PufQualityOptions {
  int chips = 100;
  int reads = 20;  // boots per chip per corner
  uint64_t first_chip_seed = 1;
};
// Documented upper bounds (docs/reliability.md): uniqueness compares every
// pair of chips, so time and the stored distances grow as chips^2 (2,000
// chips: 2.0 M pairs); reads grow time linearly.
constexpr int kMaxPufChips = 2000;
constexpr int kMaxPufReads = 1000;

// Mean, standard deviation, min and max of fractions (0..1).
struct Summary {
  double mean = 0.0, std = 0.0, min = 0.0, max = 0.0;
  static Summary of(const std::vector<double>& x);
};

struct CornerQuality {
  PufCorner corner;
  double noise_sigma = 0.0;
  Summary intra_hd;             // all response bits against the enrolled response, per read
  double key_ber = 0.0;         // bit errors among the bits that feed the code
  // Interval with chips x code bits as trials: reads of one chip are not
  // independent (its unstable cells stay unstable), so the total read count
  // would overstate the precision.
  Interval key_ber_ci;
  double model_ber = -1.0;      // SRAM: the model's exact population BER; -1 for RRAM
  double key_failure_estimate = 0.0;  // analytic at key_ber (model_ber for SRAM)
  double key_failure_bound = 0.0;     // analytic at key_ber_ci.hi (and model_ber for SRAM)
  int64_t boots = 0, failures = 0;
  int64_t wrong_key_accepted = 0;     // must stay 0: status ok with a key other than the enrolled one
  Interval failure_ci;
};

struct PufQuality {
  int chips = 0, reads = 0, response_bits = 0, code_bits = 0, message_bits = 0;
  int64_t puf_bits_read_per_boot = 0;
  Summary uniformity, uniqueness, bit_aliasing;
  Summary stable_fraction;                 // RRAM: pairs passing the enrollment mask
  double min_entropy_per_bit = 0.0;        // mean over bits of -log2 max(p_i, 1 - p_i), p_i over chips
  double min_entropy_ideal_reference = 0.0;  // what a perfect PUF shows with this many chips
  double min_entropy_global = 0.0;         // -log2 max(p, 1 - p) of the overall bias
  double residual_entropy_bits = 0.0;      // message_bits - code_bits * (1 - h_global)
  double max_ber_for_target = 0.0;         // the code's limit at cfg.target_key_failure
  BootStats boot_work;                     // one boot at nominal
  std::vector<CornerQuality> corners;
  int worst_corner = 0;                    // index of the largest key BER
  // Distances (fractions) for the histogram.
  std::vector<double> intra_nominal, intra_worst, inter;
  std::vector<double> key_bits_worst;  // distance over the bits that feed the code, worst corner
};

PufQuality evaluate_puf_population(const PufConfig& cfg, const PufQualityOptions& opt,
                                   const std::function<void(int64_t)>& progress = {});
nlohmann::json to_json(const PufQuality& q);

}  // namespace xbg
