#pragma once
// The gateway's config file (config/gateway.json), loaded strictly: unknown keys, wrong types and
// out-of-range values are errors naming the file and the JSON pointer. The binary refuses to start
// on any of them. Sections: "server" (api::ServerConfig). See docs/API.md.

#include <string>
#include <string_view>

#include "adapter/api/server_config.h"
#include "adapter/common/status.h"

namespace workwell::app {

// Everything the config file configures. Immutable once loaded.
struct GatewayConfig {
  api::ServerConfig server;
};

// Parses config text; `source` names it in messages. InvalidArgument lists every problem, one
// per line, as "<source>: <pointer>: <message>".
common::Result<GatewayConfig> ParseGatewayConfig(std::string_view text, std::string_view source);

// Reads and parses the file at `path`. NotFound when it cannot be read; otherwise as
// ParseGatewayConfig with the path as source.
common::Result<GatewayConfig> LoadGatewayConfig(const std::string& path);

}  // namespace workwell::app
