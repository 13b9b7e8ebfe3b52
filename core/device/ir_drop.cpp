#include "core/device/ir_drop.h"

namespace xbg {

std::vector<double> bitline_attenuation(int pairs, double wire_resistance_ohm, double load_conductance_s) {
  std::vector<double> a(pairs > 0 ? pairs : 0, 1.0);
  const double rg = 2.0 * wire_resistance_ohm * load_conductance_s;
  if (pairs <= 0 || rg <= 0.0) return a;
  // Thomas algorithm: sub- and super-diagonal are -1, diagonal d_j, right side rg.
  std::vector<double> c_prime(pairs), d_prime(pairs);
  for (int j = 0; j < pairs; ++j) {
    const double diag = 1.0 + (j > 0 ? 1.0 : 0.0) + rg;
    const double sub = j > 0 ? -1.0 : 0.0;
    const double super = j < pairs - 1 ? -1.0 : 0.0;
    const double denom = diag - sub * (j > 0 ? c_prime[j - 1] : 0.0);
    c_prime[j] = super / denom;
    d_prime[j] = (rg - sub * (j > 0 ? d_prime[j - 1] : 0.0)) / denom;
  }
  std::vector<double> u(pairs);
  u[pairs - 1] = d_prime[pairs - 1];
  for (int j = pairs - 2; j >= 0; --j) u[j] = d_prime[j] - c_prime[j] * u[j + 1];
  for (int j = 0; j < pairs; ++j) a[j] = 1.0 - u[j];
  return a;
}

}  // namespace xbg
