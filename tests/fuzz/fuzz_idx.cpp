// IDX image and label files (Fashion-MNIST's format), plain or gzip: part 1
// the images, part 2 the labels.
#include "core/common/error.h"
#include "core/data/dataset.h"
#include "tests/fuzz/fuzz_target.h"

XBG_FUZZ_TARGET(idx) {
  const auto parts = xbg::fuzz::split_parts(data, size);
  const std::string images = xbg::fuzz::write_scratch("images-idx3-ubyte", parts[0]);
  const std::string labels = xbg::fuzz::write_scratch("labels-idx1-ubyte", parts.size() > 1 ? parts[1] : std::string());
  try {
    (void)xbg::load_idx(images, labels);
  } catch (const xbg::UserError&) {
  }
  return 0;
}
