#pragma once
// A test bench around one SystemC block with an `in` target and an `out`
// initiator socket: the probe drives the block and its sink records what the
// block passes on (bits, and the column currents and references of the
// analog extension).
#include <cstdint>
#include <cstring>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/bitvec.h"
#include "models/common/payload.h"

namespace xbg::test {

struct Probe : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Probe> out{"out"};
  tlm_utils::simple_target_socket<Probe> sink{"sink"};
  std::vector<double> currents;
  std::vector<double> references;
  BitVec bits;
  explicit Probe(sc_core::sc_module_name n) : sc_module(n) { sink.register_b_transport(this, &Probe::at_sink); }
  // Puts a block between the probe's initiator and its sink.
  template <class Block>
  void wire(Block& block) {
    out.bind(block.in);
    block.out.bind(sink);
  }
  void at_sink(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    ColumnCurrents* c = nullptr;
    p.get_extension(c);
    if (c) {
      currents = c->current_a;
      references = c->reference_a;
    }
    bits = BitVec(static_cast<int>(p.get_data_length()) * 8);
    std::memcpy(bits.data(), p.get_data_ptr(), p.get_data_length());
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  // Sends x (bit-packed) downstream; returns the response status.
  tlm::tlm_response_status send(const BitVec& x) {
    words.assign(64, 0);
    std::memcpy(words.data(), x.data(), sizeof(uint64_t) * x.num_words());
    tlm::tlm_generic_payload p;
    payload_bind_words(p, words.data());
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_address(0);
    p.set_data_length(bytes_for_bits(x.size()));
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    out->b_transport(p, delay);
    return p.get_response_status();
  }
  // Sends column currents (for a comparator bank) with an n-bit result buffer.
  tlm::tlm_response_status send_currents(ColumnCurrents& c, int n) {
    words.assign(static_cast<size_t>(n + 63) / 64 + 1, 0);
    tlm::tlm_generic_payload p;
    payload_bind_words(p, words.data());
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_data_length(bytes_for_bits(n));
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    p.set_extension(&c);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    out->b_transport(p, delay);
    p.clear_extension(&c);
    return p.get_response_status();
  }
  std::vector<uint64_t> words;
};

}  // namespace xbg::test
