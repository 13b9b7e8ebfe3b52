#include "core/puf/bch.h"

#include <stdexcept>
#include <string>

namespace xbg {

unsigned BchCode::primitive_polynomial(int m) {
  // Lowest-weight primitive polynomials (Lin & Costello, table 2.7); the
  // constructor verifies primitivity anyway.
  switch (m) {
    case 3: return 0x00B;   // x^3 + x + 1
    case 4: return 0x013;   // x^4 + x + 1
    case 5: return 0x025;   // x^5 + x^2 + 1
    case 6: return 0x043;   // x^6 + x + 1
    case 7: return 0x089;   // x^7 + x^3 + 1
    case 8: return 0x11D;   // x^8 + x^4 + x^3 + x^2 + 1
    case 9: return 0x211;   // x^9 + x^4 + 1
    case 10: return 0x409;  // x^10 + x^3 + 1
    case 11: return 0x805;  // x^11 + x^2 + 1
    case 12: return 0x1053; // x^12 + x^6 + x^4 + x + 1
    default: throw std::invalid_argument("BCH: m must be in [3, 12], got " + std::to_string(m));
  }
}

BchCode::BchCode(int m, int t) : m_(m), n_((1 << m) - 1), t_(t) {
  const unsigned poly = primitive_polynomial(m);
  if (t < 1) throw std::invalid_argument("BCH: t must be >= 1");
  exp_.assign(2 * n_, 0);
  log_.assign(n_ + 1, -1);
  unsigned x = 1;
  for (int i = 0; i < n_; ++i) {
    if (i > 0 && x == 1) throw std::logic_error("BCH: polynomial for m=" + std::to_string(m) + " is not primitive");
    exp_[i] = exp_[i + n_] = static_cast<int>(x);
    log_[x] = i;
    x <<= 1;
    if (x & (1u << m)) x ^= poly;
  }

  // g(x) = lcm of the minimal polynomials of alpha^1 .. alpha^2t: multiply the
  // minimal polynomial of each new cyclotomic coset once.
  std::vector<int> g = {1};  // GF(2^m) coefficients, lowest degree first
  std::vector<bool> used(n_, false);
  for (int i = 1; i <= 2 * t; ++i) {
    const int rep = i % n_;
    if (used[rep]) continue;
    std::vector<int> coset;
    for (int j = rep; !used[j]; j = (2 * j) % n_) {
      used[j] = true;
      coset.push_back(j);
    }
    std::vector<int> mp = {1};  // prod over the coset of (x + alpha^j)
    for (int j : coset) {
      std::vector<int> next(mp.size() + 1, 0);
      for (size_t d = 0; d < mp.size(); ++d) {
        next[d + 1] ^= mp[d];
        next[d] ^= gf_mul(mp[d], exp_[j]);
      }
      mp = std::move(next);
    }
    std::vector<int> prod(g.size() + mp.size() - 1, 0);
    for (size_t a = 0; a < g.size(); ++a)
      for (size_t b = 0; b < mp.size(); ++b) prod[a + b] ^= gf_mul(g[a], mp[b]);
    g = std::move(prod);
  }
  const int degree = static_cast<int>(g.size()) - 1;
  if (degree >= n_)
    throw std::invalid_argument("BCH: t=" + std::to_string(t) + " leaves no message bits for n=" + std::to_string(n_));
  k_ = n_ - degree;
  g_.resize(g.size());
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i] > 1) throw std::logic_error("BCH: generator coefficient outside GF(2)");
    g_[i] = static_cast<uint8_t>(g[i]);
  }
}

int BchCode::gf_mul(int a, int b) const {
  if (a == 0 || b == 0) return 0;
  return exp_[log_[a] + log_[b]];
}

std::vector<uint8_t> BchCode::encode(const std::vector<uint8_t>& message) const {
  if (static_cast<int>(message.size()) != k_) throw std::invalid_argument("BCH encode: message must have k bits");
  const int nk = n_ - k_;
  // LFSR division: remainder of x^(n-k) m(x) by g(x).
  std::vector<uint8_t> reg(nk, 0);
  for (int j = k_ - 1; j >= 0; --j) {
    const uint8_t fb = (message[j] & 1) ^ reg[nk - 1];
    for (int i = nk - 1; i > 0; --i) reg[i] = reg[i - 1] ^ (fb & g_[i]);
    reg[0] = fb & g_[0];
  }
  std::vector<uint8_t> word(n_);
  for (int i = 0; i < nk; ++i) word[i] = reg[i];
  for (int j = 0; j < k_; ++j) word[nk + j] = message[j] & 1;
  return word;
}

std::vector<uint8_t> BchCode::message_of(const std::vector<uint8_t>& codeword) const {
  return std::vector<uint8_t>(codeword.begin() + (n_ - k_), codeword.begin() + n_);
}

bool BchCode::decode(std::vector<uint8_t>& word, BchDecodeStats* stats) const {
  if (static_cast<int>(word.size()) != n_) throw std::invalid_argument("BCH decode: word must have n bits");
  BchDecodeStats local;
  BchDecodeStats& st = stats ? *stats : local;
  st.errors_corrected = 0;

  // Syndromes S_1..S_2t; for a binary code S_2j = S_j^2, so only odd j are
  // evaluated (a hardware syndrome unit does n multiply-accumulates each).
  std::vector<int> s(2 * t_ + 1, 0);
  bool any = false;
  for (int j = 1; j <= 2 * t_; j += 2) {
    int acc = 0;
    for (int i = 0; i < n_; ++i)
      if (word[i]) acc ^= exp_[(static_cast<int64_t>(i) * j) % n_];
    s[j] = acc;
    st.gf_mults += n_;
    any = any || acc != 0;
  }
  if (!any) return true;
  for (int j = 2; j <= 2 * t_; j += 2) {
    s[j] = gf_mul(s[j / 2], s[j / 2]);
    ++st.gf_mults;
  }

  // Berlekamp-Massey: shortest LFSR (error locator Lambda) generating S.
  std::vector<int> c(2 * t_ + 2, 0), b(2 * t_ + 2, 0), tmp;
  c[0] = b[0] = 1;
  int l = 0, shift = 1, last_d = 1;
  for (int r = 0; r < 2 * t_; ++r) {
    int d = s[r + 1];
    for (int i = 1; i <= l; ++i) d ^= gf_mul(c[i], s[r + 1 - i]);
    st.gf_mults += l;
    if (d == 0) {
      ++shift;
      continue;
    }
    const int coef = gf_mul(d, exp_[(n_ - log_[last_d]) % n_]);  // d / last_d
    if (2 * l <= r) {
      tmp = c;
      for (size_t i = 0; i + shift < c.size(); ++i) c[i + shift] ^= gf_mul(coef, b[i]);
      l = r + 1 - l;
      b = tmp;
      last_d = d;
      shift = 1;
    } else {
      for (size_t i = 0; i + shift < c.size(); ++i) c[i + shift] ^= gf_mul(coef, b[i]);
      ++shift;
    }
    st.gf_mults += static_cast<int64_t>(c.size());
  }
  if (l > t_) return false;

  // Chien search: position i is in error iff Lambda(alpha^-i) = 0.
  std::vector<int> positions;
  for (int i = 0; i < n_; ++i) {
    int v = c[0];
    for (int j = 1; j <= l; ++j)
      if (c[j]) v ^= exp_[((log_[c[j]] - static_cast<int64_t>(i) * j) % n_ + n_) % n_];
    if (v == 0) positions.push_back(i);
  }
  st.gf_mults += static_cast<int64_t>(n_) * l;
  if (static_cast<int>(positions.size()) != l) return false;
  for (int i : positions) word[i] ^= 1;
  st.errors_corrected = l;
  return true;
}

}  // namespace xbg
