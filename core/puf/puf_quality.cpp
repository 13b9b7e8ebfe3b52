#include "core/puf/puf_quality.h"

#include <algorithm>
#include <cmath>

#include "core/puf/helper_data.h"
#include "core/puf/puf_model.h"

namespace xbg {

Summary Summary::of(const std::vector<double>& x) {
  Summary s;
  if (x.empty()) return s;
  double sum = 0.0, sq = 0.0;
  s.min = s.max = x[0];
  for (double v : x) {
    sum += v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
  s.mean = sum / x.size();
  for (double v : x) sq += (v - s.mean) * (v - s.mean);
  s.std = x.size() > 1 ? std::sqrt(sq / (x.size() - 1)) : 0.0;
  return s;
}

namespace {

int masked_distance(const BitVec& a, const BitVec& b, const BitVec& mask) {
  int d = 0;
  for (int i = 0; i < a.num_words(); ++i) d += __builtin_popcountll((a.data()[i] ^ b.data()[i]) & mask.data()[i]);
  return d;
}

double min_entropy_of(double p) { return -std::log2(std::max(p, 1.0 - p)); }

}  // namespace

PufQuality evaluate_puf_population(const PufConfig& cfg, const PufQualityOptions& opt,
                                   const std::function<void(int64_t)>& progress) {
  const std::vector<PufCorner> corners = cfg.corners();
  const int n = cfg.cells;
  PufQuality q;
  q.chips = opt.chips;
  q.reads = opt.reads;
  q.response_bits = n;
  q.code_bits = cfg.code_bits();
  q.message_bits = cfg.message_bits();
  q.max_ber_for_target = max_bit_error_rate(cfg.ecc, cfg.target_key_failure);

  // The corner closest to nominal supplies the "nominal" intra-chip histogram.
  int nominal_idx = 0;
  for (size_t c = 0; c < corners.size(); ++c)
    if (cfg.noise_sigma(corners[c]) < cfg.noise_sigma(corners[nominal_idx])) nominal_idx = static_cast<int>(c);

  std::vector<BitVec> refs;
  std::vector<double> uniformity, stable;
  std::vector<int64_t> ones_per_bit(n, 0);
  std::vector<int64_t> key_errors(corners.size(), 0);
  std::vector<std::vector<double>> intra(corners.size()), intra_key(corners.size());
  q.corners.resize(corners.size());

  for (int chip = 0; chip < opt.chips; ++chip) {
    const uint64_t seed = opt.first_chip_seed + static_cast<uint64_t>(chip);
    const auto puf = PufArray::create(cfg, seed);
    const EnrollmentMeasurement meas = puf->enroll();
    const Enrollment e = enroll_chip(seed, cfg);
    BitVec mask;
    {
      std::string why;
      HelperData h;
      helper_from_json(e.helper_data, h, why);
      mask = h.mask;
    }
    uniformity.push_back(static_cast<double>(meas.response.popcount()) / n);
    stable.push_back(static_cast<double>(meas.stable.popcount()) / n);
    for (int i = 0; i < n; ++i) ones_per_bit[i] += meas.response.get(i);
    if (progress) progress(1);

    for (size_t c = 0; c < corners.size(); ++c) {
      CornerQuality& cq = q.corners[c];
      for (int r = 0; r < opt.reads; ++r) {
        const BitVec resp = puf->read(corners[c], static_cast<uint64_t>(r));
        intra[c].push_back(static_cast<double>(hamming_distance(resp, meas.response)) / n);
        const int key_distance = masked_distance(resp, meas.response, mask);
        key_errors[c] += key_distance;
        intra_key[c].push_back(static_cast<double>(key_distance) / q.code_bits);
        BootResult b = reconstruct_key(resp, e.helper_data, cfg);
        ++cq.boots;
        if (!b.ok()) ++cq.failures;
        else if (b.key != e.key) ++cq.wrong_key_accepted;
        if (chip == 0 && r == 0 && static_cast<int>(c) == nominal_idx) {
          b.stats.puf_bits_read = cfg.cells_read_per_boot();
          q.boot_work = b.stats;
        }
      }
      if (progress) progress(opt.reads);
    }
    refs.push_back(meas.response);
  }
  q.puf_bits_read_per_boot = q.boot_work.puf_bits_read;

  q.uniformity = Summary::of(uniformity);
  q.stable_fraction = Summary::of(stable);
  for (int a = 0; a < opt.chips; ++a)
    for (int b = a + 1; b < opt.chips; ++b)
      q.inter.push_back(static_cast<double>(hamming_distance(refs[a], refs[b])) / n);
  q.uniqueness = Summary::of(q.inter);

  std::vector<double> aliasing(n);
  double h_sum = 0.0, ones_total = 0.0;
  for (int i = 0; i < n; ++i) {
    aliasing[i] = static_cast<double>(ones_per_bit[i]) / opt.chips;
    h_sum += min_entropy_of(aliasing[i]);
    ones_total += ones_per_bit[i];
  }
  q.bit_aliasing = Summary::of(aliasing);
  q.min_entropy_per_bit = h_sum / n;
  q.min_entropy_ideal_reference = ideal_min_entropy_estimate(opt.chips);
  q.min_entropy_global = min_entropy_of(ones_total / (static_cast<double>(n) * opt.chips));
  q.residual_entropy_bits = q.message_bits - q.code_bits * (1.0 - q.min_entropy_global);

  double worst_ber = -1.0;
  for (size_t c = 0; c < corners.size(); ++c) {
    CornerQuality& cq = q.corners[c];
    cq.corner = corners[c];
    cq.noise_sigma = cfg.noise_sigma(corners[c]);
    cq.intra_hd = Summary::of(intra[c]);
    const double bits = static_cast<double>(opt.chips) * opt.reads * q.code_bits;
    cq.key_ber = bits > 0 ? key_errors[c] / bits : 0.0;
    const int64_t trials = static_cast<int64_t>(opt.chips) * q.code_bits;
    cq.key_ber_ci = clopper_pearson(std::llround(cq.key_ber * trials), trials);
    double p_est = cq.key_ber, p_hi = cq.key_ber_ci.hi;
    if (cfg.kind == "sram") {
      cq.model_ber = sram_model_bit_error_rate(cfg, corners[c]);
      p_est = cq.model_ber;
      p_hi = std::max(p_hi, cq.model_ber);
    }
    cq.key_failure_estimate = key_failure_probability(cfg.ecc, p_est);
    cq.key_failure_bound = key_failure_probability(cfg.ecc, p_hi);
    cq.failure_ci = clopper_pearson(cq.failures, cq.boots);
    if (cq.key_ber > worst_ber) {
      worst_ber = cq.key_ber;
      q.worst_corner = static_cast<int>(c);
    }
  }
  q.intra_nominal = intra[nominal_idx];
  q.intra_worst = intra[q.worst_corner];
  q.key_bits_worst = intra_key[q.worst_corner];
  return q;
}

namespace {
nlohmann::json summary_json(const Summary& s) {
  return {{"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"max", s.max}};
}
nlohmann::json interval_json(const Interval& i) { return nlohmann::json::array({i.lo, i.hi}); }
}  // namespace

nlohmann::json to_json(const PufQuality& q) {
  nlohmann::json j;
  j["chips"] = q.chips;
  j["reads_per_corner"] = q.reads;
  j["response_bits"] = q.response_bits;
  j["code_bits"] = q.code_bits;
  j["message_bits"] = q.message_bits;
  j["key_bits"] = 256;
  j["puf_bits_per_key_bit"] = q.code_bits / 256.0;
  j["puf_bits_read_per_key_bit"] = static_cast<double>(q.puf_bits_read_per_boot) / 256.0;
  j["uniformity"] = summary_json(q.uniformity);
  j["uniqueness"] = summary_json(q.uniqueness);
  j["bit_aliasing"] = summary_json(q.bit_aliasing);
  j["stable_fraction"] = summary_json(q.stable_fraction);
  j["min_entropy"] = {{"per_bit_estimate", q.min_entropy_per_bit},
                      {"ideal_puf_reference", q.min_entropy_ideal_reference},
                      {"global_bias", q.min_entropy_global},
                      {"residual_key_entropy_bits", q.residual_entropy_bits}};
  j["code_limit_ber"] = q.max_ber_for_target;
  j["boot_work"] = {{"puf_bits_read", q.boot_work.puf_bits_read},
                    {"repetition_votes", q.boot_work.repetition_votes},
                    {"bch_blocks", q.boot_work.bch_blocks},
                    {"bch_gf_mults", q.boot_work.bch_gf_mults},
                    {"bch_errors_corrected", q.boot_work.bch_errors_corrected},
                    {"sha256_compressions", q.boot_work.sha256_compressions}};
  j["worst_corner"] = q.corners.empty() ? "" : q.corners[q.worst_corner].corner.name();
  for (const CornerQuality& c : q.corners) {
    nlohmann::json cj;
    cj["temperature_c"] = c.corner.temperature_c;
    cj["voltage_v"] = c.corner.voltage_v;
    cj["noise_sigma"] = c.noise_sigma;
    cj["intra_hd"] = summary_json(c.intra_hd);
    cj["reliability"] = 1.0 - c.intra_hd.mean;
    cj["key_ber"] = c.key_ber;
    cj["key_ber_ci95"] = interval_json(c.key_ber_ci);
    if (c.model_ber >= 0) cj["model_ber"] = c.model_ber;
    cj["key_failure_analytic"] = c.key_failure_estimate;
    cj["key_failure_analytic_bound"] = c.key_failure_bound;
    cj["mc_boots"] = c.boots;
    cj["mc_failures"] = c.failures;
    cj["mc_wrong_key_accepted"] = c.wrong_key_accepted;
    cj["mc_failure_rate"] = c.boots ? static_cast<double>(c.failures) / c.boots : 0.0;
    cj["mc_failure_ci95"] = interval_json(c.failure_ci);
    j["corners"].push_back(cj);
  }
  return j;
}

}  // namespace xbg
