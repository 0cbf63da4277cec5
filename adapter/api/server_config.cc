#include "adapter/api/server_config.h"

#include <algorithm>
#include <thread>

#include <boost/asio/ip/address.hpp>

namespace workwell::api {
namespace {

constexpr uint64_t kMaxTimeoutMs = 3600 * 1000;

void ReadMs(ConfigReader& reader, const json::Value& obj, std::string_view pointer,
            std::string_view key, std::chrono::milliseconds& out) {
  uint64_t ms = static_cast<uint64_t>(out.count());
  reader.OptionalUint(obj, pointer, key, 1, kMaxTimeoutMs, ms);
  out = std::chrono::milliseconds(ms);
}

}  // namespace

void ServerConfig::ResolveDefaults() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (io_threads == 0) io_threads = cores;
  if (worker_threads == 0) worker_threads = std::max(4u, 2 * cores);
}

ServerConfig ReadServerConfig(const json::Value& server, std::string_view pointer, ConfigReader& reader) {
  ServerConfig c;
  if (!reader.ExpectObject(server, pointer, {"listen", "threads", "limits", "timeouts"})) return c;

  if (const json::Value* listen = server.Find("listen")) {
    const std::string at = ConfigReader::Child(pointer, "listen");
    if (reader.ExpectObject(*listen, at, {"address", "port"})) {
      reader.OptionalString(*listen, at, "address", c.address);
      boost::system::error_code ec;
      boost::asio::ip::make_address(c.address, ec);
      if (ec) reader.Error(ConfigReader::Child(at, "address"), "expected an IP address literal");
      uint64_t port = c.port;
      reader.OptionalUint(*listen, at, "port", 0, 65535, port);
      c.port = static_cast<uint16_t>(port);
    }
  }
  if (const json::Value* threads = server.Find("threads")) {
    const std::string at = ConfigReader::Child(pointer, "threads");
    if (reader.ExpectObject(*threads, at, {"io", "workers"})) {
      uint64_t io = c.io_threads;
      uint64_t workers = c.worker_threads;
      reader.OptionalUint(*threads, at, "io", 1, 256, io);
      reader.OptionalUint(*threads, at, "workers", 1, 1024, workers);
      c.io_threads = static_cast<unsigned>(io);
      c.worker_threads = static_cast<unsigned>(workers);
    }
  }
  if (const json::Value* limits = server.Find("limits")) {
    const std::string at = ConfigReader::Child(pointer, "limits");
    if (reader.ExpectObject(*limits, at, {"maxHeaderBytes", "maxBodyBytes"})) {
      reader.OptionalUint(*limits, at, "maxHeaderBytes", 1024, 1024 * 1024, c.max_header_bytes);
      reader.OptionalUint(*limits, at, "maxBodyBytes", 1, uint64_t{1} << 30, c.max_body_bytes);
    }
  }
  if (const json::Value* timeouts = server.Find("timeouts")) {
    const std::string at = ConfigReader::Child(pointer, "timeouts");
    if (reader.ExpectObject(*timeouts, at,
                            {"idleMs", "keepAliveMs", "headerMs", "bodyMs", "writeMs", "shutdownMs",
                             "handshakeMs"})) {
      ReadMs(reader, *timeouts, at, "idleMs", c.idle_timeout);
      ReadMs(reader, *timeouts, at, "keepAliveMs", c.keep_alive_timeout);
      ReadMs(reader, *timeouts, at, "headerMs", c.header_timeout);
      ReadMs(reader, *timeouts, at, "bodyMs", c.body_timeout);
      ReadMs(reader, *timeouts, at, "writeMs", c.write_timeout);
      ReadMs(reader, *timeouts, at, "shutdownMs", c.shutdown_timeout);
      ReadMs(reader, *timeouts, at, "handshakeMs", c.handshake_timeout);
    }
  }
  return c;
}

}  // namespace workwell::api
