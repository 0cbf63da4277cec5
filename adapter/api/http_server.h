#pragma once
// The HTTP/1.1 server (Boost.Beast over Asio; neither appears in this header).
//
// Threading: one single-threaded io_context per I/O thread, connections spread round-robin, one
// strand per connection. Handlers run on a separate worker pool (they may block) and the response
// is posted back to the connection's strand, so no I/O thread ever waits on a handler.
// Every read and write has a deadline (idle, keep-alive, header, body, write); header and body
// sizes are limited (431 / 413 with an OperationOutcome). One access-log line per request.
// With ServerConfig::tls set the listener speaks HTTPS only (TLS 1.2+, handshake deadline
// handshake_timeout); a verified client certificate is passed to handlers on the Request.

#include <cstdint>
#include <memory>

#include "adapter/api/log.h"
#include "adapter/api/router.h"
#include "adapter/api/server_config.h"
#include "adapter/common/status.h"

namespace workwell::api {

class HttpServer {
 public:
  // `router` must outlive the server; Start freezes it. `access_log` receives one JSON line per
  // request and must be thread-safe.
  HttpServer(ServerConfig config, Router& router, LogSink access_log = WriteStderrLine);
  // Stops the server if it is running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on the configured address, then starts the I/O and worker threads.
  // Returns the bound port (useful with port 0). Unavailable when the address cannot be bound,
  // InvalidArgument for a bad address, FailedPrecondition when called twice.
  common::Result<uint16_t> Start();

  // Graceful stop: closes the listener, closes idle connections, lets in-flight requests finish
  // (their responses carry Connection: close) for up to the shutdown timeout, then cuts what is
  // left and joins all threads. Idempotent. Call from outside the server's own threads.
  void Stop();

  // Loads config().tls's certificate chain and key (and client CA file) anew; connections
  // accepted afterwards use them, existing ones keep theirs. On error the old context stays.
  // FailedPrecondition without TLS settings; InvalidArgument naming the bad file. Thread-safe;
  // callable before or after Start (e.g. from a SIGHUP handler thread).
  common::Status ReloadTls();

  // The effective configuration (thread counts resolved once started).
  const ServerConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace workwell::api
