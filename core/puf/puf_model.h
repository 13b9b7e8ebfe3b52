#pragma once
// The PUF array of one chip. A chip is a seed: its fixed process variation
// (SRAM cell skew, RRAM conductances) is a pure function of the seed, and a
// read's noise is a pure function of (seed, corner, read index), so every
// experiment is reproducible and any read can be replayed.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/bnn/bitvec.h"
#include "core/puf/puf_config.h"

namespace xbg {

// What enrollment measures at the nominal corner: the reference response
// (majority / average over cfg.enrollment_reads reads) and which bits are
// stable enough to use (RRAM: |ln(Ga/Gb)| >= mask margin; SRAM: all).
struct EnrollmentMeasurement {
  BitVec response;
  BitVec stable;
};

class PufArray {
 public:
  virtual ~PufArray() = default;
  static std::unique_ptr<PufArray> create(const PufConfig& cfg, uint64_t chip_seed);

  int size() const { return cfg_.cells; }  // response bits
  uint64_t chip_seed() const { return chip_seed_; }
  const PufConfig& config() const { return cfg_; }

  // One read (power-up) at a corner. Boot reads use read_index = boot index;
  // enrollment uses its own indices (kEnrollmentReadBase + i), so a boot never
  // replays the enrollment noise.
  virtual BitVec read(const PufCorner& corner, uint64_t read_index) const = 0;
  virtual EnrollmentMeasurement enroll() const = 0;

  static constexpr uint64_t kEnrollmentReadBase = uint64_t{1} << 63;

 protected:
  PufArray(const PufConfig& cfg, uint64_t chip_seed) : cfg_(cfg), chip_seed_(chip_seed) {}
  PufConfig cfg_;
  uint64_t chip_seed_;
};

class SramPuf : public PufArray {
 public:
  SramPuf(const PufConfig& cfg, uint64_t chip_seed);
  BitVec read(const PufCorner& corner, uint64_t read_index) const override;
  EnrollmentMeasurement enroll() const override;
  const std::vector<double>& skews() const { return skew_; }

 private:
  std::vector<double> skew_;
};

class RramPuf : public PufArray {
 public:
  // The PUF's cells live in their own array of the device model.
  static constexpr uint64_t kArrayId = 0x50554641ull;  // "PUFA"

  RramPuf(const PufConfig& cfg, uint64_t chip_seed);
  BitVec read(const PufCorner& corner, uint64_t read_index) const override;
  EnrollmentMeasurement enroll() const override;
  // ln(Ga) - ln(Gb) of each pair without read noise.
  const std::vector<double>& log_ratios() const { return log_ratio_; }

 private:
  // Noisy ln(Ga/Gb) of every pair in one read.
  void noisy_log_ratios(const PufCorner& corner, uint64_t read_index, std::vector<double>& out) const;
  std::vector<double> log_ratio_;
};

// Population-average probability that a read at `corner` differs from the
// enrolled bit, for the SRAM model (numerical integral over the skew; exact
// for the model, used to check Monte Carlo). Throws std::logic_error for RRAM.
double sram_model_bit_error_rate(const PufConfig& cfg, const PufCorner& corner);

}  // namespace xbg
