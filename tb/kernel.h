#pragma once
#include <systemc>

namespace xbg {

// Starts a new SystemC kernel context so one process can elaborate and run
// many simulations (docs/design.md §6). Old contexts are never freed: SystemC 2.3.4
// cannot tear one down safely.
inline void fresh_sc_kernel() {
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

}  // namespace xbg
