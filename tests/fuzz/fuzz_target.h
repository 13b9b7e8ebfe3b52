#pragma once
// One source per input parser, built two ways (docs/reliability.md):
//  - with clang and XBG_FUZZ=ON as a libFuzzer binary (fuzz_<name>), where
//    XBG_FUZZ_TARGET defines LLVMFuzzerTestOneInput;
//  - with any compiler into xbg_fuzz_replay, which runs every file of
//    tests/fuzz/corpus/<name>/ through the same function under ctest.
// A target returns normally for accepted input and for a UserError (the
// one-line error every bad input must end in); anything else escaping it
// (another exception, a crash, a sanitizer report) is a bug.
//
// Inputs that need several files (config + --set values, images + labels,
// sweep record + point reports) hold them one after another, separated by
// kPartSeparator, so the seeds stay readable text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace xbg::fuzz {

using TargetFn = int (*)(const uint8_t* data, size_t size);

// Registers a replay target (static initialisation in xbg_fuzz_replay).
bool register_target(const char* name, TargetFn fn);
// The registered target of that name, or nullptr.
TargetFn find_target(const std::string& name);
std::vector<std::string> target_names();

constexpr const char* kPartSeparator = "\n#----#\n";
// The input split at every kPartSeparator (always at least one part).
std::vector<std::string> split_parts(const uint8_t* data, size_t size);

// A private scratch folder for this process, created on first use and
// removed at exit; write() puts `bytes` at `name` inside it (subfolders made).
std::string scratch_dir();
std::string write_scratch(const std::string& name, const std::string& bytes);

}  // namespace xbg::fuzz

#ifdef XBG_LIBFUZZER
#define XBG_FUZZ_TARGET(name)                                                    \
  static int xbg_fuzz_##name(const uint8_t*, size_t);                            \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {      \
    return xbg_fuzz_##name(data, size);                                          \
  }                                                                              \
  static int xbg_fuzz_##name(const uint8_t* data, size_t size)
#else
#define XBG_FUZZ_TARGET(name)                                                    \
  static int xbg_fuzz_##name(const uint8_t*, size_t);                            \
  [[maybe_unused]] static const bool xbg_fuzz_registered_##name =                \
      xbg::fuzz::register_target(#name, &xbg_fuzz_##name);                       \
  static int xbg_fuzz_##name(const uint8_t* data, size_t size)
#endif
