#include "models/common/sc_context.h"

#include <systemc>

namespace xbg::sc {

void fresh_simcontext() {
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

}  // namespace xbg::sc
