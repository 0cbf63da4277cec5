#include "adapter/app/gateway_config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "adapter/api/config_reader.h"
#include "adapter/common/json/json.h"

namespace workwell::app {

common::Result<GatewayConfig> ParseGatewayConfig(std::string_view text, std::string_view source) {
  json::Document doc;
  json::ParseError error;
  json::Limits limits;
  limits.max_bytes = 1 << 20;
  limits.max_depth = 20;
  if (!json::Parse(text, limits, doc, error)) {
    std::string pointer;
    for (const std::string& key : error.path) pointer = api::ConfigReader::Child(pointer, key);
    return common::InvalidArgument(std::string(source) + ": " + (pointer.empty() ? "/" : pointer) +
                                   ": invalid JSON at byte " + std::to_string(error.offset) + ": " +
                                   error.message);
  }
  api::ConfigReader reader{std::string(source)};
  GatewayConfig config;
  if (reader.ExpectObject(doc.root(), "", {"server"})) {
    if (const json::Value* server = doc.root().Find("server")) {
      config.server = api::ReadServerConfig(*server, "/server", reader);
    }
  }
  if (!reader.ok()) return reader.status();
  return config;
}

common::Result<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::NotFound(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return common::NotFound(path + ": cannot read");
  return ParseGatewayConfig(text.str(), path);
}

}  // namespace workwell::app
