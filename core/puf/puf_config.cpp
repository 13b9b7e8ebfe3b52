#include "core/puf/puf_config.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/puf/bch.h"

namespace xbg {

std::string PufCorner::name() const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%gC/%.2fV", temperature_c, voltage_v);
  return buf;
}

std::vector<PufCorner> PufConfig::corners() const {
  std::vector<PufCorner> out;
  for (double t : corner_temperatures_c)
    for (double v : corner_voltages_v) out.push_back({t, v});
  return out;
}

double PufConfig::noise_sigma(const PufCorner& c) const {
  const bool sram_kind = kind == "sram";
  const double sigma0 = sram_kind ? sram.noise_sigma : rram.read_noise_sigma_log;
  const double g_t = sram_kind ? sram.noise_growth_per_c : rram.noise_growth_per_c;
  const double g_v = sram_kind ? sram.noise_growth_per_supply_fraction : rram.noise_growth_per_supply_fraction;
  return sigma0 * (1.0 + g_t * std::fabs(c.temperature_c - nominal_temperature_c) +
                   g_v * std::fabs(c.voltage_v - nominal_voltage_v) / nominal_voltage_v);
}

int PufConfig::code_bits() const {
  return ecc.bch_blocks * ((1 << ecc.bch_m) - 1) * ecc.repetition;
}

int PufConfig::message_bits() const { return ecc.bch_blocks * BchCode(ecc.bch_m, ecc.bch_t).k(); }

void PufConfig::validate(const std::string& file, const std::string& path) const {
  auto fail = [&](const std::string& field, const std::string& msg) {
    throw UserError(file + ": " + config_detail::join(path, field) + ": " + msg);
  };
  if (ecc.repetition % 2 == 0) fail("ecc.repetition", "must be odd (majority vote), got " + std::to_string(ecc.repetition));
  if (enrollment_reads % 2 == 0) fail("enrollment_reads", "must be odd (majority vote), got " + std::to_string(enrollment_reads));
  if (corner_temperatures_c.empty()) fail("corner_temperatures_c", "needs at least one temperature");
  if (corner_voltages_v.empty()) fail("corner_voltages_v", "needs at least one voltage");
  int k = 0;
  try {
    k = BchCode(ecc.bch_m, ecc.bch_t).k();
  } catch (const std::invalid_argument&) {
    fail("ecc.bch_t", "BCH(n=" + std::to_string((1 << ecc.bch_m) - 1) + ") cannot correct " + std::to_string(ecc.bch_t) +
                          " errors (no message bits left); lower bch_t or raise bch_m");
  }
  // The key is 256 bits; the code must carry at least that many message bits
  // (the helper data leaks code_bits - message_bits of the response's entropy).
  if (ecc.bch_blocks * k < 256)
    fail("ecc.bch_blocks", std::to_string(ecc.bch_blocks) + " block(s) of BCH k=" + std::to_string(k) +
                               " carry fewer than 256 message bits; raise bch_blocks");
  if (kind == "sram" && cells < code_bits())
    fail("cells", std::to_string(cells) + " cells, but the code needs " + std::to_string(code_bits()) +
                      " (repetition x n x blocks)");
  if (kind == "rram") {
    rram.device.validate(file, config_detail::join(path, "rram.device"));
    if (cells < code_bits())
      fail("cells", std::to_string(cells) + " pairs, but the code needs " + std::to_string(code_bits()) +
                        " stable pairs after masking");
  }
}

}  // namespace xbg
