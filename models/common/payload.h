#pragma once
// Bit vectors travel bit-packed in the generic payload's data array: bit i of
// the vector is bit i%8 of byte i/8 (the BitVec word layout on a little-endian
// host), data_length = ceil(bits / 8). One payload per layer phase, never one
// per column.
#include <cstring>

#include <tlm>

#include "core/bnn/bitvec.h"

namespace xbg {

inline unsigned bytes_for_bits(int bits) { return static_cast<unsigned>((bits + 7) / 8); }

// Points `p` at a word buffer that can hold `capacity_bits`; the payload's
// data pointer must stay 8-byte aligned because blocks read whole words.
inline void payload_bind_words(tlm::tlm_generic_payload& p, uint64_t* words) {
  p.set_data_ptr(reinterpret_cast<unsigned char*>(words));
  p.set_streaming_width(0);
  p.set_byte_enable_ptr(nullptr);
  p.set_dmi_allowed(false);
}

// Copies the payload's bits into `out` (whose size says how many bits are
// expected). False (and a burst-error response) if the length does not match.
inline bool payload_to_bits(tlm::tlm_generic_payload& p, BitVec& out) {
  if (p.get_data_length() != bytes_for_bits(out.size())) {
    p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  std::memcpy(out.data(), p.get_data_ptr(), p.get_data_length());
  if (out.size() % 64) out.data()[out.num_words() - 1] &= (uint64_t{1} << (out.size() % 64)) - 1;
  return true;
}

inline void bits_to_payload(const BitVec& bits, tlm::tlm_generic_payload& p) {
  std::memcpy(p.get_data_ptr(), bits.data(), bytes_for_bits(bits.size()));
  p.set_data_length(bytes_for_bits(bits.size()));
}

// Forwards `p` downstream and reports whether it came back OK.
template <class Socket>
inline bool forward(Socket& out, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  out->b_transport(p, delay);
  return !p.is_response_error();
}

}  // namespace xbg
