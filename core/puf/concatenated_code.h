#pragma once
// The fuzzy extractor's code: `bch_blocks` outer BCH codewords whose every bit
// is repeated `repetition` times (inner code). A concatenated code is the
// usual answer to PUF bit-error rates of 10-15 %: the repetition code brings
// the rate down cheaply, the BCH code removes what is left (Boesch et al.,
// CHES 2008; Maes et al., PUFKY, CHES 2012).
#include <cstdint>

#include "core/bnn/bitvec.h"
#include "core/puf/bch.h"
#include "core/puf/puf_config.h"

namespace xbg {

struct CodeDecodeStats {
  int64_t repetition_votes = 0;   // bits entering the majority voters
  int64_t bch_blocks = 0;
  int64_t gf_mults = 0;
  int64_t errors_corrected = 0;   // by the outer code
};

class ConcatenatedCode {
 public:
  explicit ConcatenatedCode(const EccConfig& ecc);

  int message_bits() const { return blocks_ * outer_.k(); }
  int code_bits() const { return blocks_ * outer_.n() * repetition_; }
  int repetition() const { return repetition_; }
  int blocks() const { return blocks_; }
  const BchCode& outer() const { return outer_; }

  // Bit (b * n + j) * repetition + c holds copy c of bit j of BCH block b.
  BitVec encode(const BitVec& message) const;

  struct Decoded {
    bool ok = false;   // every outer block decoded
    BitVec codeword;   // the corrected codeword (code_bits), best effort if !ok
    BitVec message;    // message_bits
  };
  Decoded decode(const BitVec& received, CodeDecodeStats* stats = nullptr) const;

 private:
  int repetition_, blocks_;
  BchCode outer_;
};

}  // namespace xbg
