#pragma once

namespace xbg::sc {

// Replaces the SystemC kernel context with a fresh one so several simulations
// can elaborate and run in one process (docs/design.md §6). The old context is leaked
// on purpose: SystemC 2.3 cannot free a context safely, which is why the
// sanitizer build runs SystemC tests with ASAN_OPTIONS=detect_leaks=0.
void fresh_simcontext();

}  // namespace xbg::sc
