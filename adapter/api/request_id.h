#pragma once
// X-Request-Id and X-Correlation-Id: echoed back when the client sends a usable value, generated
// (random UUID v4) otherwise, and written to the access log. Thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace workwell::api {

// Header names, as sent on responses.
inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";
inline constexpr std::string_view kCorrelationIdHeader = "X-Correlation-Id";

// A random version-4 UUID in lower-case 8-4-4-4-12 form (RFC 9562 section 5.4). Uses a per-thread
// generator seeded from std::random_device: unique enough for tracing, not for secrets.
std::string NewUuidV4();

// True when a client-supplied id may be echoed and logged: 1 to 128 characters from
// [A-Za-z0-9] and "-._:/+=@". Anything else (control characters, quotes, spaces) is replaced.
bool IsUsableId(std::string_view id);

// The header value when it is usable, else a new UUID v4.
std::string EchoOrGenerateId(std::optional<std::string_view> header_value);

}  // namespace workwell::api
