// The binarized dataset cache (docs/formats.md): the input is the cache file
// of a tiny fixed dataset. Whatever it holds, the images and labels that come
// back are the dataset's own: a cache that does not check out is rebuilt,
// never believed.
#include <cstdlib>
#include <string>

#include "core/common/error.h"
#include "core/data/dataset_cache.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

// 3 x 3 images (7 padding bits each), no source files: the fingerprint is
// the same in every process, so a seed can be a valid cache.
xbg::DatasetSource tiny_source() {
  xbg::DatasetSource s;
  s.name = "tiny";
  s.folder = "tiny";
  s.load = [] {
    xbg::Dataset d;
    for (xbg::ImageSet* set : {&d.train, &d.test}) {
      set->rows = set->cols = 3;
      set->pixels = {0.9f, 0.1f, 0.5f, 0.4f, 1.0f, 0.0f, 0.6f, 0.2f, 0.7f,
                     0.0f, 0.8f, 0.3f, 0.5f, 0.2f, 0.9f, 0.1f, 0.6f, 0.4f};
      set->labels = {3, 7};
    }
    return d;
  };
  return s;
}

}  // namespace

XBG_FUZZ_TARGET(dataset_cache) {
  static const xbg::DatasetSource source = tiny_source();
  static const xbg::BinarizedSet expected = xbg::binarize_set(source.load().test, 0.5);
  const std::string cache = xbg::fuzz::scratch_dir() + "/cache";
  const std::string path = xbg::dataset_cache_path(source, cache, "test", 0.5);
  xbg::fuzz::write_scratch(path.substr(xbg::fuzz::scratch_dir().size() + 1),
                           std::string(reinterpret_cast<const char*>(data), size));
  try {
    const xbg::BinarizedSet got = xbg::load_binarized(source, cache, "test", 0.5);
    if (got.images != expected.images || got.labels != expected.labels || got.rows != 3 || got.cols != 3) std::abort();
  } catch (const xbg::UserError&) {
  }
  return 0;
}
