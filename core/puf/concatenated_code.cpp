#include "core/puf/concatenated_code.h"

#include <stdexcept>

namespace xbg {

ConcatenatedCode::ConcatenatedCode(const EccConfig& ecc)
    : repetition_(ecc.repetition), blocks_(ecc.bch_blocks), outer_(ecc.bch_m, ecc.bch_t) {
  if (repetition_ < 1 || repetition_ % 2 == 0) throw std::invalid_argument("repetition must be odd and >= 1");
  if (blocks_ < 1) throw std::invalid_argument("bch_blocks must be >= 1");
}

BitVec ConcatenatedCode::encode(const BitVec& message) const {
  if (message.size() != message_bits()) throw std::invalid_argument("ConcatenatedCode::encode: wrong message length");
  const int n = outer_.n(), k = outer_.k();
  BitVec out(code_bits());
  std::vector<uint8_t> msg(k);
  for (int b = 0; b < blocks_; ++b) {
    for (int j = 0; j < k; ++j) msg[j] = message.get(b * k + j);
    const std::vector<uint8_t> cw = outer_.encode(msg);
    for (int j = 0; j < n; ++j)
      if (cw[j])
        for (int c = 0; c < repetition_; ++c) out.set((b * n + j) * repetition_ + c, true);
  }
  return out;
}

ConcatenatedCode::Decoded ConcatenatedCode::decode(const BitVec& received, CodeDecodeStats* stats) const {
  if (received.size() != code_bits()) throw std::invalid_argument("ConcatenatedCode::decode: wrong length");
  const int n = outer_.n(), k = outer_.k();
  Decoded d;
  d.ok = true;
  d.codeword = BitVec(code_bits());
  d.message = BitVec(message_bits());
  std::vector<uint8_t> word(n);
  for (int b = 0; b < blocks_; ++b) {
    for (int j = 0; j < n; ++j) {
      int ones = 0;
      for (int c = 0; c < repetition_; ++c) ones += received.get((b * n + j) * repetition_ + c);
      word[j] = 2 * ones > repetition_;
    }
    BchDecodeStats bs;
    if (!outer_.decode(word, &bs)) d.ok = false;
    if (stats) {
      stats->repetition_votes += static_cast<int64_t>(n) * repetition_;
      stats->bch_blocks += 1;
      stats->gf_mults += bs.gf_mults;
      stats->errors_corrected += bs.errors_corrected;
    }
    for (int j = 0; j < n; ++j)
      if (word[j])
        for (int c = 0; c < repetition_; ++c) d.codeword.set((b * n + j) * repetition_ + c, true);
    for (int j = 0; j < k; ++j) d.message.set(b * k + j, word[n - k + j]);
  }
  return d;
}

}  // namespace xbg
