#pragma once
// A pass-through between two blocks' sockets, bound only in VCD runs: it
// sees every transaction at the simulated time it passes (the cycle-stepped
// time base has no pending delay) and updates trace probes around it.
#include <functional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace xbg {

class Tap : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Tap> in{"in"};
  tlm_utils::simple_initiator_socket<Tap> out{"out"};
  using Hook = std::function<void(tlm::tlm_generic_payload&)>;

  Tap(sc_core::sc_module_name name, Hook before, Hook after = {})
      : sc_module(name), before_(std::move(before)), after_(std::move(after)) {
    in.register_b_transport(this, &Tap::b_transport);
  }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    if (before_) before_(p);
    out->b_transport(p, delay);
    if (after_) after_(p);
  }
  Hook before_, after_;
};

}  // namespace xbg
