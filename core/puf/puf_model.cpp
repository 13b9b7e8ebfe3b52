#include "core/puf/puf_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/beta.hpp>

#include "core/device/counter_rng.h"

namespace xbg {
namespace {

constexpr uint64_t kSkewStream = 0x534B4557ull;   // "SKEW"
constexpr uint64_t kNoiseStream = 0x4E4F4953ull;  // "NOIS"

// Each (read, corner) gets its own draw, so corners are independent experiments.
CounterRng noise_rng(uint64_t chip_seed, uint64_t read_index, const PufCorner& corner) {
  uint64_t t, v;
  std::memcpy(&t, &corner.temperature_c, sizeof t);
  std::memcpy(&v, &corner.voltage_v, sizeof v);
  return CounterRng(chip_seed, kNoiseStream ^ mix64(read_index ^ mix64(t ^ mix64(v))));
}

// P(at least (r+1)/2 of r independent reads are 1), each read 1 with prob q.
double majority_probability(int r, double q) {
  if (r == 1) return q;
  const int need = (r + 1) / 2;
  if (q <= 0.0) return 0.0;
  if (q >= 1.0) return 1.0;
  return boost::math::ibeta(need, r - need + 1, q);  // P(Binomial(r, q) >= need)
}

}  // namespace

std::unique_ptr<PufArray> PufArray::create(const PufConfig& cfg, uint64_t chip_seed) {
  if (cfg.kind == "sram") return std::make_unique<SramPuf>(cfg, chip_seed);
  if (cfg.kind == "rram") return std::make_unique<RramPuf>(cfg, chip_seed);
  throw std::invalid_argument("PufArray: unknown kind '" + cfg.kind + "'");
}

// ---------------------------------------------------------------- SRAM

SramPuf::SramPuf(const PufConfig& cfg, uint64_t chip_seed) : PufArray(cfg, chip_seed), skew_(cfg.cells) {
  const CounterRng rng(chip_seed, kSkewStream);
  const int n = cfg.cells;
  for (int i = 0; i + 1 < n; i += 2) {
    double z0, z1;
    rng.normal_pair(static_cast<uint64_t>(i) >> 1, z0, z1);
    skew_[i] = cfg.sram.skew_mean + z0;
    skew_[i + 1] = cfg.sram.skew_mean + z1;
  }
  if (n % 2) skew_[n - 1] = cfg.sram.skew_mean + rng.normal(n - 1);
}

BitVec SramPuf::read(const PufCorner& corner, uint64_t read_index) const {
  const double sigma = cfg_.noise_sigma(corner);
  const CounterRng rng = noise_rng(chip_seed_, read_index, corner);
  const int n = size();
  BitVec out(n);
  uint64_t* w = out.data();
  for (int i = 0; i + 1 < n; i += 2) {
    double z0, z1;
    rng.normal_pair(static_cast<uint64_t>(i) >> 1, z0, z1);
    // sign(0) = +1 as everywhere in the project; a tie has probability zero anyway.
    if (skew_[i] + sigma * z0 >= 0.0) w[i >> 6] |= uint64_t{1} << (i & 63);
    if (skew_[i + 1] + sigma * z1 >= 0.0) w[(i + 1) >> 6] |= uint64_t{1} << ((i + 1) & 63);
  }
  if (n % 2 && skew_[n - 1] + sigma * rng.normal(n - 1) >= 0.0) out.set(n - 1, true);
  return out;
}

EnrollmentMeasurement SramPuf::enroll() const {
  const int n = size(), reads = cfg_.enrollment_reads;
  std::vector<int> ones(n, 0);
  for (int r = 0; r < reads; ++r) {
    const BitVec b = read(cfg_.nominal(), kEnrollmentReadBase + r);
    for (int i = 0; i < n; ++i) ones[i] += b.get(i);
  }
  EnrollmentMeasurement m{BitVec(n), BitVec(n)};
  for (int i = 0; i < n; ++i) {
    m.response.set(i, 2 * ones[i] > reads);
    m.stable.set(i, true);
  }
  return m;
}

// ---------------------------------------------------------------- RRAM

RramPuf::RramPuf(const PufConfig& cfg, uint64_t chip_seed) : PufArray(cfg, chip_seed), log_ratio_(cfg.cells) {
  const RramDeviceModel dev(cfg.rram.device, chip_seed);
  const RramState state = cfg.rram.pair_state == "lrs" ? RramState::kLrs : RramState::kHrs;
  const std::vector<double> lg = dev.log_conductances(kArrayId, 0, 2 * static_cast<size_t>(cfg.cells), state);
  for (int i = 0; i < cfg.cells; ++i) log_ratio_[i] = lg[2 * i] - lg[2 * i + 1];
}

void RramPuf::noisy_log_ratios(const PufCorner& corner, uint64_t read_index, std::vector<double>& out) const {
  const double sigma = cfg_.noise_sigma(corner);
  const CounterRng rng = noise_rng(chip_seed_, read_index, corner);
  out.resize(log_ratio_.size());
  for (size_t i = 0; i < log_ratio_.size(); ++i) {
    double za, zb;  // one draw per cell of the pair
    rng.normal_pair(i, za, zb);
    out[i] = log_ratio_[i] + sigma * (za - zb);
  }
}

BitVec RramPuf::read(const PufCorner& corner, uint64_t read_index) const {
  std::vector<double> x;
  noisy_log_ratios(corner, read_index, x);
  BitVec out(size());
  for (int i = 0; i < size(); ++i)
    if (x[i] >= 0.0) out.set(i, true);
  return out;
}

EnrollmentMeasurement RramPuf::enroll() const {
  // The tester reads the differential current, so enrollment sees the analog
  // margin: average the log ratio over the enrollment reads.
  const int n = size(), reads = cfg_.enrollment_reads;
  std::vector<double> sum(n, 0.0), x;
  for (int r = 0; r < reads; ++r) {
    noisy_log_ratios(cfg_.nominal(), kEnrollmentReadBase + r, x);
    for (int i = 0; i < n; ++i) sum[i] += x[i];
  }
  EnrollmentMeasurement m{BitVec(n), BitVec(n)};
  for (int i = 0; i < n; ++i) {
    const double mean = sum[i] / reads;
    m.response.set(i, mean >= 0.0);
    m.stable.set(i, std::fabs(mean) >= cfg_.rram.mask_margin_log);
  }
  return m;
}

// ---------------------------------------------------------------- analysis

double sram_model_bit_error_rate(const PufConfig& cfg, const PufCorner& corner) {
  if (cfg.kind != "sram") throw std::logic_error("sram_model_bit_error_rate: config kind is " + cfg.kind);
  const double se = cfg.noise_sigma(cfg.nominal()), sb = cfg.noise_sigma(corner);
  const double mu = cfg.sram.skew_mean;
  const int reads = cfg.enrollment_reads;
  const boost::math::normal unit;
  auto phi_ratio = [&](double s, double sigma) {  // P(s + sigma z >= 0)
    if (sigma <= 0.0) return s >= 0.0 ? 1.0 : 0.0;
    return boost::math::cdf(unit, s / sigma);
  };
  auto integrand = [&](double s) {
    const double a = majority_probability(reads, phi_ratio(s, se));  // enrolled 1
    const double b = phi_ratio(s, sb);                                // read 1
    return (a * (1.0 - b) + (1.0 - a) * b) * boost::math::pdf(unit, s - mu);
  };
  // The integrand is sharp only within a few noise sigmas of s = 0: split there.
  using Q = boost::math::quadrature::gauss_kronrod<double, 61>;
  const double lo = mu - 12.0, hi = mu + 12.0;
  double total = 0.0;
  const double cuts[] = {lo, -1.0, -0.1, 0.0, 0.1, 1.0, hi};
  for (int i = 0; i + 1 < 7; ++i) {
    const double a = std::max(lo, cuts[i]), b = std::min(hi, cuts[i + 1]);
    if (b > a) total += Q::integrate(integrand, a, b, 15, 1e-13);
  }
  return total;
}

}  // namespace xbg
