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

// Exit statuses beyond 0-3 (docs/reliability.md): `run` on a chip that booted
// but refused its image, so scripts (and sweeps) can tell it from success.
constexpr int kExitKeyError = 4;        // the PUF key could not be rebuilt (a clone, changed helper data)
constexpr int kExitIntegrityError = 5;  // the key is right, the stored model does not match its MAC

}  // namespace xbg
