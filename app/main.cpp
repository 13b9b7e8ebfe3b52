// xbarguard: one program, many subcommands (app/cmd_*.cpp register themselves).
// libsystemc provides main(), which calls sc_main.
#include <systemc>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "app/cli.h"
#include "core/common/error.h"
#include "core/common/version.h"

namespace {

// The SystemC banner would precede every table and JSON dump on stdout/stderr;
// static initialisation runs before libsystemc's main() prints it.
const bool kBannerOff = [] { return setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0) == 0; }();

void print_usage() {
  auto cmds = xbg::cli::commands();
  std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::cout << "xbarguard: cycle-level simulator of a PUF-keyed RRAM crossbar BNN accelerator\n\n"
            << "usage: xbarguard <command> [options]   (xbarguard <command> --help for details)\n"
            << "       xbarguard --version\n\ncommands:\n";
  for (const auto& c : cmds) std::cout << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ') << c.summary << "\n";
}

}  // namespace

// Sanitizer build: SystemC 2.3.4 never frees its kernel context, so leak
// checking at exit would fail every command; and LeakSanitizer's stop-the-world
// (ptrace) fails at random when sweep points run side by side in this sandbox.
// Leaks stay checked where no SystemC kernel runs: the plain C++ unit tests.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }

int sc_main(int argc, char* argv[]) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << xbg::version_line() << "\n";
    return 0;
  }
  const std::string name = argv[1];
  for (const auto& c : xbg::cli::commands()) {
    if (c.name != name) continue;
    try {
      const int status = c.run(argc - 1, argv + 1);
      // Tables and reports printed to a full disk or /dev/full must not end in 0.
      errno = 0;
      std::cout.flush();
      if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout)
        throw xbg::UserError(std::string("standard output: write failed: ") + (errno ? std::strerror(errno) : "I/O error"));
      return status;
    } catch (const xbg::UserError& e) {
      std::cerr << "xbarguard: error: " << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "xbarguard: internal error: " << e.what() << "\n";
      return 3;
    }
  }
  std::cerr << "xbarguard: error: unknown command '" << name << "' (see xbarguard --help)\n";
  return 2;
}
