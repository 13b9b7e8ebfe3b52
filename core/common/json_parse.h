#pragma once
// The one way JSON enters the tool: configs, --set values, model files (with
// their metadata and helper data), sweep specs and point reports, JSON datasets.
#include <istream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace xbg {

// Deeper nesting is refused while parsing: copying, printing and comparing a
// JSON value recurse once per level, so a file nested 100,000 deep would
// overflow the stack long after it was read. No file the tool writes or reads
// by design comes near this.
constexpr int kMaxJsonDepth = 64;

// UserError "<where>: malformed JSON: ..." (syntax, numbers such as 1e999 that
// overflow a double) or JsonTooDeep "<where>: <field>: nested deeper than 64 levels".
// J is nlohmann::json or nlohmann::ordered_json.
template <class J = nlohmann::json> J parse_json(std::istream& in, const std::string& where);
template <class J = nlohmann::json> J parse_json(const std::string& text, const std::string& where);

// The nesting error, for callers that take text that is not JSON as a plain
// string (--set bare words) but must still refuse JSON nested too deep.
class JsonTooDeep : public UserError {
 public:
  using UserError::UserError;
};

}  // namespace xbg
