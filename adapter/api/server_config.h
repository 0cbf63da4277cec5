#pragma once
// Settings of the HTTP server: the "server" section of config/gateway.json. Every field has a
// safe default; see docs/API.md for the keys.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "adapter/api/config_reader.h"
#include "adapter/common/json/json.h"
#include "adapter/security/tls.h"

namespace workwell::api {

// Immutable once loaded. Durations are milliseconds in the file.
struct ServerConfig {
  std::string address = "127.0.0.1";  // listen address (IPv4 or IPv6 literal)
  uint16_t port = 8080;               // 0 picks an ephemeral port
  unsigned io_threads = 0;            // 0: one per core (resolved by ResolveDefaults)
  unsigned worker_threads = 0;        // handler pool; 0: max(4, 2 x cores)
  uint64_t max_header_bytes = 16 * 1024;
  uint64_t max_body_bytes = 10 * 1024 * 1024;
  // A new connection must send the first byte of its first request within this.
  std::chrono::milliseconds idle_timeout{10000};
  // A kept-alive connection may wait this long for the next request's first byte.
  std::chrono::milliseconds keep_alive_timeout{30000};
  // The whole request header must arrive within this, from its first byte.
  std::chrono::milliseconds header_timeout{10000};
  // The whole body must arrive within this, from the end of the header.
  std::chrono::milliseconds body_timeout{30000};
  // Writing the whole response must finish within this.
  std::chrono::milliseconds write_timeout{30000};
  // On shutdown, in-flight requests get this long to finish before connections are cut.
  std::chrono::milliseconds shutdown_timeout{10000};
  // With TLS, the handshake must finish within this, from the accept.
  std::chrono::milliseconds handshake_timeout{10000};
  // TLS for the listener (HTTPS only); nullopt serves plain HTTP. Not read from the "server"
  // section: the app copies it from the "security" section (api::ReadSecurityConfig).
  std::optional<security::TlsSettings> tls;

  // Replaces the 0 thread counts with their per-machine defaults.
  void ResolveDefaults();
};

// Reads the "server" object found at `pointer` into a ServerConfig, starting from the defaults.
// Problems are recorded in `reader` (check reader.ok()); the result is only meaningful then.
ServerConfig ReadServerConfig(const json::Value& server, std::string_view pointer, ConfigReader& reader);

}  // namespace workwell::api
