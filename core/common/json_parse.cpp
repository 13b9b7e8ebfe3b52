#include "core/common/json_parse.h"

#include <vector>


namespace xbg {

namespace {

struct TooDeep {
  std::string field;
};

// The first few levels of the path to the offending value, e.g. "metadata.a[][]".
std::string field_of(const std::vector<std::string>& labels) {
  constexpr size_t kShown = 4;
  std::string out = labels.empty() || labels[0] == "[]" ? "(top level)" : "";
  for (size_t i = 0; i < labels.size() && i < kShown; ++i)
    out += labels[i] == "[]" ? "[]" : (out.empty() ? "" : ".") + labels[i];
  if (labels.size() > kShown) out += "...";
  return out;
}

std::string strip_prefix(const std::string& what) {
  // nlohmann messages start with "[json.exception.parse_error.101] "; keep the useful part.
  const auto pos = what.find("] ");
  return pos == std::string::npos ? what : what.substr(pos + 2);
}

template <class J, class Input> J parse_limited(Input&& in, const std::string& where) {
  // labels[d] names the member at depth d + 1 currently being read: an object key, or "[]" inside an array.
  std::vector<std::string> labels;
  const typename J::parser_callback_t limit = [&labels](int depth, typename J::parse_event_t event, J& parsed) {
    using E = typename J::parse_event_t;
    if (event == E::object_start || event == E::array_start) {
      labels.resize(static_cast<size_t>(depth));
      if (depth >= kMaxJsonDepth) throw TooDeep{field_of(labels)};
      if (event == E::array_start) labels.push_back("[]");
    } else if (event == E::key) {
      labels.resize(static_cast<size_t>(depth));
      labels.back() = parsed.template get<std::string>();
    }
    return true;
  };
  try {
    return J::parse(std::forward<Input>(in), limit);
  } catch (const TooDeep& e) {
    throw JsonTooDeep(where + ": " + e.field + ": nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  } catch (const nlohmann::json::exception& e) {
    throw UserError(where + ": malformed JSON: " + strip_prefix(e.what()));
  }
}

}  // namespace

template <class J> J parse_json(std::istream& in, const std::string& where) { return parse_limited<J>(in, where); }
template <class J> J parse_json(const std::string& text, const std::string& where) { return parse_limited<J>(text, where); }

template nlohmann::json parse_json<nlohmann::json>(std::istream&, const std::string&);
template nlohmann::json parse_json<nlohmann::json>(const std::string&, const std::string&);
template nlohmann::ordered_json parse_json<nlohmann::ordered_json>(std::istream&, const std::string&);
template nlohmann::ordered_json parse_json<nlohmann::ordered_json>(const std::string&, const std::string&);

}  // namespace xbg
