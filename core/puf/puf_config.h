#pragma once
// Configuration of the PUF block and its key unit (docs/design.md §4). One struct,
// parsed with the shared framework (core/common/config.h); in a full simulator
// config it is the "puf" section. Defaults and their sources: docs/puf.md.
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/config.h"
#include "core/device/rram_device.h"

namespace xbg {

// An operating point. Reads anywhere; enrollment happens at nominal.
struct PufCorner {
  double temperature_c = 25.0;
  double voltage_v = 1.0;
  std::string name() const;  // e.g. "125C/0.90V"
};

// SRAM power-up PUF: cell i of a chip powers up to sign(skew_i + noise), with
// skew_i ~ N(skew_mean, 1) fixed per chip and fresh noise ~ N(0, sigma(T, V))
// per read (the model of pypuf and of Maes, "Physically Unclonable Functions",
// Springer 2013, ch. 4); noise is in units of the skew's standard deviation.
struct SramPufParams {
  double skew_mean = 0.0;
  double noise_sigma = 0.075;
  double noise_growth_per_c = 0.042;
  double noise_growth_per_supply_fraction = 5.0;
  template <class V> void visit(V& v) {
    v.field("skew_mean", skew_mean, "global bias of the cell skew, in skew sigmas (0 = unbiased)", -3.0, 3.0);
    v.field("noise_sigma", noise_sigma, "read-noise sigma at nominal T and V, in skew sigmas", 0.0, 10.0);
    v.field("noise_growth_per_c", noise_growth_per_c, "relative noise growth per degree C away from nominal", 0.0, 1.0);
    v.field("noise_growth_per_supply_fraction", noise_growth_per_supply_fraction,
            "relative noise growth per unit of abs(V - Vnom) / Vnom", 0.0, 100.0);
  }
};

// RRAM PUF: bit i compares the conductances of cells 2i and 2i+1, both in
// `pair_state`, drawn from the shared device model; each read multiplies every
// conductance by exp(N(0, sigma_read(T, V))). Enrollment keeps only pairs whose
// measured |ln(Ga/Gb)| clears `mask_margin_log` (the mask is public helper data).
struct RramPufParams {
  RramDeviceParams device;
  std::string pair_state = "hrs";
  double read_noise_sigma_log = 0.02;
  double noise_growth_per_c = 0.01;
  double noise_growth_per_supply_fraction = 2.0;
  double mask_margin_log = 0.15;
  template <class V> void visit(V& v) {
    v.section("device", device, "RRAM device model (shared with the crossbar)");
    v.choice("pair_state", pair_state, "state both cells of a pair are programmed to", {"hrs", "lrs"});
    v.field("read_noise_sigma_log", read_noise_sigma_log, "per-read sigma of ln(G) at nominal T and V", 0.0, 2.0);
    v.field("noise_growth_per_c", noise_growth_per_c, "relative read-noise growth per degree C away from nominal", 0.0, 1.0);
    v.field("noise_growth_per_supply_fraction", noise_growth_per_supply_fraction,
            "relative read-noise growth per unit of abs(V - Vnom) / Vnom", 0.0, 100.0);
    v.field("mask_margin_log", mask_margin_log, "enrollment keeps pairs with abs(ln(Ga/Gb)) >= this (0 keeps all)", 0.0, 10.0);
  }
};

// Concatenated code of the fuzzy extractor: each bit of `bch_blocks` BCH(2^m-1,
// k, t) codewords is repeated `repetition` times (inner code, majority vote).
struct EccConfig {
  int repetition = 7;
  int bch_m = 8;
  int bch_t = 13;
  int bch_blocks = 2;
  template <class V> void visit(V& v) {
    v.field("repetition", repetition, "inner repetition length (odd)", 1, 63);
    v.field("bch_m", bch_m, "outer BCH code over GF(2^m), n = 2^m - 1", 3, 12);
    v.field("bch_t", bch_t, "errors the outer BCH code corrects per block", 1, 1000);
    v.field("bch_blocks", bch_blocks, "outer BCH codewords per key", 1, 64);
  }
  bool operator==(const EccConfig& o) const {
    return repetition == o.repetition && bch_m == o.bch_m && bch_t == o.bch_t && bch_blocks == o.bch_blocks;
  }
};

struct PufConfig {
  std::string kind = "sram";
  int cells = 4096;  // SRAM cells, or RRAM cell pairs (response bits either way)
  double nominal_temperature_c = 25.0;
  double nominal_voltage_v = 1.0;
  // Corners are the cross product of these lists (industrial range, +-10 % supply).
  std::vector<double> corner_temperatures_c = {-40.0, 25.0, 85.0, 125.0};
  std::vector<double> corner_voltages_v = {0.9, 1.0, 1.1};
  int enrollment_reads = 1;
  double target_key_failure = 1e-6;
  SramPufParams sram;
  RramPufParams rram;
  EccConfig ecc;

  template <class V> void visit(V& v) {
    v.choice("kind", kind, "PUF type", {"sram", "rram"});
    v.field("cells", cells, "response bits per chip: SRAM cells or RRAM cell pairs", 1, 1 << 24);
    v.field("nominal_temperature_c", nominal_temperature_c, "enrollment temperature [C]", -273.0, 500.0);
    v.field("nominal_voltage_v", nominal_voltage_v, "nominal supply voltage [V]", 1e-3, 100.0);
    v.field("corner_temperatures_c", corner_temperatures_c, "corner temperatures [C] (crossed with voltages)", -273.0, 500.0);
    v.field("corner_voltages_v", corner_voltages_v, "corner supply voltages [V] (crossed with temperatures)", 1e-3, 100.0);
    v.field("enrollment_reads", enrollment_reads, "reads averaged (majority) at enrollment, odd", 1, 1001);
    v.field("target_key_failure", target_key_failure, "key failure probability per boot the code must meet", 0.0, 1.0);
    v.section("sram", sram, "SRAM PUF model");
    v.section("rram", rram, "RRAM PUF model");
    v.section("ecc", ecc, "fuzzy extractor code");
  }

  // Cross-field checks the per-field ranges cannot express (odd repetition,
  // a BCH code that exists, enough cells). UserError "<file>: puf.<field>: ...".
  void validate(const std::string& file, const std::string& path = "puf") const;

  std::vector<PufCorner> corners() const;
  PufCorner nominal() const { return {nominal_temperature_c, nominal_voltage_v}; }
  // Noise sigma at a corner: sigma0 * (1 + g_T |T - Tnom| + g_V |V - Vnom| / Vnom).
  double noise_sigma(const PufCorner& c) const;
  int code_bits() const;     // PUF bits the fuzzy extractor consumes
  int message_bits() const;  // BCH message bits over all blocks
  int64_t cells_read_per_boot() const { return kind == "rram" ? 2 * int64_t{cells} : cells; }
};

// The `xbarguard puf` config file: {"puf": {...}}, so paths match the
// simulator config's "puf" section (--set puf.ecc.bch_t=14).
struct PufFileConfig {
  PufConfig puf;
  template <class V> void visit(V& v) { v.section("puf", puf, "PUF block and key unit"); }
};

}  // namespace xbg
