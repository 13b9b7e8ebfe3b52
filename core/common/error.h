#pragma once
#include <stdexcept>
#include <string>

namespace xbg {

// Every user-facing failure (bad file, bad field, bad flag) is one of these:
// the CLI prints what() on one line and exits non-zero. The message names the
// file and the field, e.g. "configs/x.json: crossbar.rows: must be >= 2".
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace xbg
