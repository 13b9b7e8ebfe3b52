// xbg_fuzz_replay TARGET PATH...: runs every file under each PATH (a file or
// a folder, recursively) through fuzz target TARGET, as the libFuzzer binary
// would, so the checked-in corpus and every crasher found stay regression
// tests in a build without clang. Exit 0 if every input passed.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: xbg_fuzz_replay TARGET PATH...\ntargets:");
    for (const auto& n : xbg::fuzz::target_names()) std::fprintf(stderr, " %s", n.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  const xbg::fuzz::TargetFn target = xbg::fuzz::find_target(argv[1]);
  if (!target) {
    std::fprintf(stderr, "xbg_fuzz_replay: unknown target '%s'\n", argv[1]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    const fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "xbg_fuzz_replay: %s: not a file or folder\n", p.c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  // An empty corpus would make the test pass while testing nothing.
  if (files.empty()) {
    std::fprintf(stderr, "xbg_fuzz_replay: no input files\n");
    return 1;
  }
  int failed = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      target(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "xbg_fuzz_replay: %s: %s escaped the target: %s\n", f.c_str(), argv[1], e.what());
      ++failed;
    }
  }
  std::printf("%s: %zu inputs, %d failed\n", argv[1], files.size(), failed);
  return failed ? 1 : 0;
}
