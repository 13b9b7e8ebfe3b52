#pragma once
// Binary primitive narrow-sense BCH codes over GF(2^m), n = 2^m - 1, designed
// to correct t errors. Written here rather than taken from libitpp (GPL-3).
// Encoding is systematic; decoding is the textbook bounded-distance decoder:
// syndromes, Berlekamp-Massey, Chien search (Lin & Costello, "Error Control
// Coding", 2nd ed., ch. 6). Up to t errors are always corrected; beyond t the
// decoder either reports failure or lands on another codeword, and the key
// check value downstream catches the latter.
#include <cstdint>
#include <vector>

namespace xbg {

// Work done by one decode, for the boot energy model (GF multiply = one
// table lookup pair in hardware; counted where a product is formed).
struct BchDecodeStats {
  int64_t gf_mults = 0;
  int errors_corrected = 0;
};

class BchCode {
 public:
  // m in [3, 12]; t >= 1 with a generator of degree < n. Throws
  // std::invalid_argument otherwise (configs check first and report a UserError).
  BchCode(int m, int t);

  int m() const { return m_; }
  int n() const { return n_; }
  int k() const { return k_; }
  int t() const { return t_; }
  // Generator polynomial coefficients over GF(2), lowest degree first.
  const std::vector<uint8_t>& generator() const { return g_; }

  // message: k bits (0/1), returns n bits: n-k parity bits then the message.
  std::vector<uint8_t> encode(const std::vector<uint8_t>& message) const;
  // Corrects `word` (n bits) in place. Returns false when the decoder detects
  // more errors than it can correct (word left as received).
  bool decode(std::vector<uint8_t>& word, BchDecodeStats* stats = nullptr) const;
  // The message part of a codeword.
  std::vector<uint8_t> message_of(const std::vector<uint8_t>& codeword) const;

  // GF(2^m) arithmetic, exposed for tests.
  int gf_mul(int a, int b) const;
  int gf_pow_alpha(int e) const { return exp_[((e % n_) + n_) % n_]; }

  // Primitive polynomial used for GF(2^m) (bit i = coefficient of x^i).
  static unsigned primitive_polynomial(int m);

 private:
  int m_, n_, k_, t_;
  std::vector<int> exp_, log_;  // exp_ has 2n entries so exp_[log a + log b] needs no modulo
  std::vector<uint8_t> g_;
};

}  // namespace xbg
