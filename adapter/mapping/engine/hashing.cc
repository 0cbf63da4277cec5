#include "adapter/mapping/engine/hashing.h"

#include <openssl/sha.h>

#include <array>
#include <cstdint>

namespace workwell::mapping {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::array<uint8_t, SHA256_DIGEST_LENGTH> Digest(std::string_view data) {
  std::array<uint8_t, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  const auto digest = Digest(data);
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (uint8_t b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 0xF]);
  }
  return hex;
}

std::string DeterministicUuid(std::string_view source_system, std::string_view record_id, std::string_view role) {
  // Length-prefixed parts, so ("a|b", "c") and ("a", "b|c") never collide.
  std::string key;
  key.reserve(source_system.size() + record_id.size() + role.size() + 48);
  for (std::string_view part : {source_system, record_id, role}) {
    key += std::to_string(part.size());
    key.push_back(':');
    key.append(part);
  }
  auto digest = Digest(key);
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0F) | 0x80);  // version 8
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3F) | 0x80);  // RFC 9562 variant
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

}  // namespace workwell::mapping
