#include "core/bnn/bitvec.h"

#include <stdexcept>

namespace xbg {

int BitVec::popcount() const {
  int c = 0;
  for (uint64_t w : words_) c += __builtin_popcountll(w);
  return c;
}

std::string BitVec::to_hex() const {
  static const char* digits = "0123456789abcdef";
  std::string out;
  const int nibbles = (size_ + 3) / 4;
  out.reserve(nibbles);
  for (int i = 0; i < nibbles; ++i) out.push_back(digits[(words_[i / 16] >> (4 * (i % 16))) & 0xF]);
  return out;
}

BitVec BitVec::from_hex(const std::string& hex, int size) {
  if (size < 0) throw std::invalid_argument("negative size");
  const int nibbles = (size + 3) / 4;
  if (static_cast<int>(hex.size()) != nibbles)
    throw std::invalid_argument("expected " + std::to_string(nibbles) + " hex digits, got " + std::to_string(hex.size()));
  BitVec v(size);
  for (int i = 0; i < nibbles; ++i) {
    const char c = hex[i];
    uint64_t d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else throw std::invalid_argument(std::string("bad hex digit '") + c + "'");
    v.words_[i / 16] |= d << (4 * (i % 16));
  }
  const int tail = size % 64;
  if (tail && (v.words_.back() >> tail) != 0) throw std::invalid_argument("bits set beyond the vector size");
  return v;
}

int hamming_distance(const BitVec& a, const BitVec& b) {
  if (a.size() != b.size()) throw std::invalid_argument("hamming_distance: size mismatch");
  int d = 0;
  for (int i = 0; i < a.num_words(); ++i) d += __builtin_popcountll(a.data()[i] ^ b.data()[i]);
  return d;
}

}  // namespace xbg
