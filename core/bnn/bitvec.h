#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xbg {

// A vector of ±1 values packed 64 per word: bit i set <=> element i is +1.
// Bits past size() in the last word are always zero, so word-wise XOR and
// popcount never see garbage.
class BitVec {
 public:
  BitVec() = default;
  explicit BitVec(int size) : size_(size), words_((size + 63) / 64, 0) {}

  int size() const { return size_; }
  int num_words() const { return static_cast<int>(words_.size()); }
  bool get(int i) const { return (words_[i >> 6] >> (i & 63)) & 1u; }
  void set(int i, bool plus_one) {
    const uint64_t mask = uint64_t{1} << (i & 63);
    if (plus_one) words_[i >> 6] |= mask; else words_[i >> 6] &= ~mask;
  }
  void flip(int i) { words_[i >> 6] ^= uint64_t{1} << (i & 63); }
  int value(int i) const { return get(i) ? 1 : -1; }  // as ±1

  const uint64_t* data() const { return words_.data(); }
  uint64_t* data() { return words_.data(); }
  const std::vector<uint64_t>& words() const { return words_; }

  int popcount() const;  // number of +1 entries
  std::string to_hex() const;  // little-endian bit order, 4 bits per hex digit
  static BitVec from_hex(const std::string& hex, int size);  // throws std::invalid_argument

  bool operator==(const BitVec& o) const { return size_ == o.size_ && words_ == o.words_; }
  bool operator!=(const BitVec& o) const { return !(*this == o); }

 private:
  int size_ = 0;
  std::vector<uint64_t> words_;
};

// Hamming distance between two equal-size vectors.
int hamming_distance(const BitVec& a, const BitVec& b);

}  // namespace xbg
