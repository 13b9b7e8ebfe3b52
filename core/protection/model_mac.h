#pragma once
// Integrity of a stored model: an HMAC-SHA256 that binds what the chip holds
// (W*, B*, every hidden layer's shape, scheme id and single-key flag, the
// classifier's weights and affine parameters) to the chip's key. Without it
// an altered image, or one made for another chip, boots "key ok" and runs at
// chance; with it the key unit refuses to load keys (integrity error).
//
//   MAC key = HKDF-SHA256(master key, salt empty, info "xbarguard/v1/model-mac", 32)
//   MAC     = HMAC-SHA256(MAC key, model_mac_message(stored))
//
// The MAC key comes from the PUF-derived master key, which never leaves the
// chip, so nobody without the chip can make a changed image pass. `protect
// --chip` stores the MAC as provisioning.puf.model_mac (64 hex digits) beside
// the helper data; the key unit recomputes it at every boot (docs/design.md §4.4).
#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bnn/network.h"
#include "core/protection/hkdf.h"
#include "core/protection/transforms.h"

namespace xbg {

using ModelMac = std::array<uint8_t, 32>;

extern const char* const kModelMacInfo;  // "xbarguard/v1/model-mac"

// The bytes the MAC covers, in the order the chip reads its layer windows.
// For each hidden layer FC l: the text "FC<l>/m=<m>/n=<n>/scheme=<id>/single=<0|1>\n",
// then n columns of ceil(m/8) bytes (bit i of column k is bit i%8 of byte
// i/8, set = +1; padding bits 0), then n int32 B* little-endian. Then
// "classifier/m=<m>/n=<n>\n", its columns the same way, and n pairs of
// IEEE-754 doubles (a_c, b_c) little-endian. Every length follows from the
// text before it, so two different models never give the same bytes. Name,
// dataset, input threshold, metadata and provisioning are not on the chip and
// are not covered.
Bytes model_mac_message(const Network& stored);

ModelMac model_mac_key(const MasterKey& master);
ModelMac compute_model_mac(const Bytes& message, const MasterKey& master);
ModelMac compute_model_mac(const Network& stored, const MasterKey& master);
bool model_macs_equal(const ModelMac& a, const ModelMac& b);  // constant time

// `protect --chip`: writes provisioning.puf.model_mac for `stored`, whose
// provisioning.puf record (helper data) must already be in place.
void attach_model_mac(Network& stored, const MasterKey& master);

// The MAC stored in a provisioning.puf record. UserError
// "<file>: provisioning.puf.model_mac: <problem>" when missing or malformed
// (images protected before the MAC existed have none: protect them again).
ModelMac model_mac_of_record(const nlohmann::json& puf_record, const std::string& file);

}  // namespace xbg
