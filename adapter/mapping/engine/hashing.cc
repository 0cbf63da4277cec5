#include "adapter/mapping/engine/hashing.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>

#include "adapter/common/check.h"

namespace workwell::mapping {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// SHA-256 fetched from the default provider once: the one-shot SHA256() looks the algorithm up
// again on every call, which cost about 5% of a translation (a digest per resource id and one of
// the input: twelve or so per CSV fit note).
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    WW_CHECK(fetched != nullptr);  // the default provider always has SHA-256
    return fetched;
  }();
  return md;
}

// One digest context per thread, reset by each EVP_DigestInit_ex instead of allocated per call.
struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// The digest of the concatenation of `parts`, without building it.
std::array<uint8_t, SHA256_DIGEST_LENGTH> Digest(std::initializer_list<std::string_view> parts) {
  thread_local const std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx(EVP_MD_CTX_new());
  std::array<uint8_t, SHA256_DIGEST_LENGTH> out{};
  unsigned int size = 0;
  // SHA-256 over memory fails only when memory runs out.
  WW_CHECK(ctx != nullptr);
  WW_CHECK(EVP_DigestInit_ex(ctx.get(), Sha256Md(), nullptr) == 1);
  for (std::string_view part : parts) WW_CHECK(EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1);
  WW_CHECK(EVP_DigestFinal_ex(ctx.get(), out.data(), &size) == 1 && size == out.size());
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  const auto digest = Digest({data});
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (uint8_t b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 0xF]);
  }
  return hex;
}

std::string DeterministicUuid(std::string_view source_system, std::string_view record_id, std::string_view role) {
  // Length-prefixed parts, so ("a|b", "c") and ("a", "b|c") never collide: "6:system6:record7:patient".
  // Built on the stack when it fits (it always does for real ids), and hashed in one update.
  const std::string_view parts[3] = {source_system, record_id, role};
  char stack[256];
  std::string heap;
  char* key = stack;
  const size_t most = source_system.size() + record_id.size() + role.size() + 3 * 21;
  if (most > sizeof stack) {
    heap.resize(most);
    key = heap.data();
  }
  char* end = key;
  for (std::string_view part : parts) {
    end = std::to_chars(end, end + 20, part.size()).ptr;
    *end++ = ':';
    if (!part.empty()) std::memcpy(end, part.data(), part.size());
    end += part.size();
  }
  auto digest = Digest({std::string_view(key, static_cast<size_t>(end - key))});
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
