#pragma once
// Chip populations (`xbarguard run --chips N`): the same design on N
// chips, chip c drawn from device.chip_seed + c, summarized as architects
// compare designs: mean and sample standard deviation of the accuracy and the
// worst chip.
#include <cmath>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace xbg {

struct ChipAccuracy {
  int64_t chip_seed = 0;
  int images = 0, correct = 0;
  double accuracy = 0.0;
  double golden_agreement = -1.0;  // share of images bit-exact with the ideal network; < 0: not checked
};

struct ChipSummary {
  int chips = 0;
  double accuracy_mean = 0.0, accuracy_std = 0.0;  // std: sample (n - 1), 0 for one chip
  double accuracy_min = 0.0, accuracy_max = 0.0;
  int64_t worst_chip_seed = 0;  // lowest accuracy; the first such chip on ties
};

inline ChipSummary summarize_chips(const std::vector<ChipAccuracy>& chips) {
  ChipSummary s;
  s.chips = static_cast<int>(chips.size());
  if (chips.empty()) return s;
  s.accuracy_min = s.accuracy_max = chips[0].accuracy;
  s.worst_chip_seed = chips[0].chip_seed;
  double sum = 0.0;
  for (const auto& c : chips) {
    sum += c.accuracy;
    if (c.accuracy < s.accuracy_min) {
      s.accuracy_min = c.accuracy;
      s.worst_chip_seed = c.chip_seed;
    }
    if (c.accuracy > s.accuracy_max) s.accuracy_max = c.accuracy;
  }
  s.accuracy_mean = sum / s.chips;
  if (s.chips > 1) {
    double ss = 0.0;
    for (const auto& c : chips) ss += (c.accuracy - s.accuracy_mean) * (c.accuracy - s.accuracy_mean);
    s.accuracy_std = std::sqrt(ss / (s.chips - 1));
  }
  return s;
}

inline nlohmann::json to_json(const ChipAccuracy& c) {
  return {{"chip_seed", c.chip_seed},
          {"images", c.images},
          {"correct", c.correct},
          {"accuracy", c.accuracy},
          {"golden_agreement", c.golden_agreement >= 0 ? nlohmann::json(c.golden_agreement) : nlohmann::json(nullptr)}};
}

inline nlohmann::json to_json(const ChipSummary& s) {
  return {{"chips", s.chips},
          {"accuracy_mean", s.accuracy_mean},
          {"accuracy_std", s.accuracy_std},
          {"accuracy_min", s.accuracy_min},
          {"accuracy_max", s.accuracy_max},
          {"worst_chip_seed", s.worst_chip_seed}};
}

}  // namespace xbg
