#pragma once
#include <string>

#include "core/bnn/network.h"

namespace xbg {

// Model file format (docs/formats.md): JSON, format "xbarguard-model" version 1.
constexpr int kModelFormatVersion = 1;

nlohmann::json network_to_json(const Network& net);
Network network_from_json(const nlohmann::json& j, const std::string& where);

void save_network(const Network& net, const std::string& path);
// Throws UserError "<path>: <field>: <problem>" on any malformed content.
Network load_network(const std::string& path);

}  // namespace xbg
