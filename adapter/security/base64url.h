#pragma once
// Base64url without padding (RFC 4648 section 5), as JWS compact serialisation uses it
// (RFC 7515 section 2). Strict: no "=", no whitespace, no characters of the standard alphabet
// ("+", "/"), no impossible lengths and no stray bits in the last character.

#include <optional>
#include <string>
#include <string_view>

namespace workwell::security {

// Decodes `text`; nullopt when it is not canonical unpadded base64url.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Encodes `bytes` without padding.
std::string Base64UrlEncode(std::string_view bytes);

}  // namespace workwell::security
