// The SystemC test binary: libsystemc owns main() and calls this.
#include <gtest/gtest.h>
#include <systemc>

#include <cstdlib>

namespace {
// Keeps the SystemC banner out of test logs and gtest's test discovery;
// static initialisation runs before libsystemc's main() prints it.
const bool kBannerOff = [] { return setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0) == 0; }();
}  // namespace

int sc_main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
