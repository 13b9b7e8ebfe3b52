// A sweep folder as resume, merge and the results writer read it: part 1 is
// sweep.json, part k+1 a point report stored as points/<digit k-1 twelve
// times>.json (the ids the seed records give their points).
#include <filesystem>

#include "core/common/error.h"
#include "core/sweep/sweep.h"
#include "tests/fuzz/fuzz_target.h"

XBG_FUZZ_TARGET(sweep_folder) {
  namespace fs = std::filesystem;
  const auto parts = xbg::fuzz::split_parts(data, size);
  const std::string dir = xbg::fuzz::scratch_dir() + "/sweep";
  std::error_code ec;
  fs::remove_all(dir, ec);
  xbg::fuzz::write_scratch("sweep/sweep.json", parts[0]);
  for (size_t k = 1; k < parts.size(); ++k)
    xbg::fuzz::write_scratch("sweep/points/" + std::string(12, static_cast<char>('0' + (k - 1) % 10)) + ".json", parts[k]);
  try {
    (void)xbg::sweep::write_results(dir);
    (void)xbg::sweep::point_finished(dir, std::string(12, '0'));
  } catch (const xbg::UserError&) {
  }
  return 0;
}
