#pragma once
// HKDF-SHA256 (RFC 5869) and SHA-256 through OpenSSL 3. Used for the per-layer
// protection keys (docs/design.md §2.6) and, by the PUF key unit, for expanding the
// corrected PUF response.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace xbg {

using Bytes = std::vector<uint8_t>;

// Extract-then-expand, `length` bytes of output keying material (<= 255 * 32).
// Throws std::runtime_error if OpenSSL fails (never for valid lengths).
Bytes hkdf_sha256(const Bytes& ikm, const Bytes& salt, const Bytes& info, size_t length);
// The two halves on their own (RFC 5869 §2.2 / §2.3), for tests and for a
// hardware model that keeps the PRK in a register.
std::array<uint8_t, 32> hkdf_sha256_extract(const Bytes& ikm, const Bytes& salt);
Bytes hkdf_sha256_expand(const std::array<uint8_t, 32>& prk, const Bytes& info, size_t length);

std::array<uint8_t, 32> sha256(const Bytes& data);

Bytes bytes_of(const std::string& s);
std::string bytes_to_hex(const uint8_t* data, size_t size);
Bytes bytes_from_hex(const std::string& hex);  // throws std::invalid_argument

}  // namespace xbg
