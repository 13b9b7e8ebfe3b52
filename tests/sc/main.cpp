// The SystemC test binary: libsystemc owns main() and calls this.
#include <gtest/gtest.h>
#include <systemc>

#include <cstdlib>

namespace {
// Keeps the SystemC banner out of test logs and gtest's test discovery;
// static initialisation runs before libsystemc's main() prints it.
const bool kBannerOff = [] { return setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0) == 0; }();
}  // namespace

// Sanitizer build: SystemC 2.3.4 cannot free its kernel contexts and every test
// elaborates in a fresh one (docs/design.md §6), so leak checking would fail every
// test. Set here because the ctest ENVIRONMENT property did not carry it.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }

int sc_main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
