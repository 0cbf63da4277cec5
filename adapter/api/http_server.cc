#include "adapter/api/http_server.h"

// <utility> first: Asio's coroutine support on g++ 12 expects it (see STYLE.md).
#include <utility>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "adapter/api/access_log.h"
#include "adapter/api/dispatcher.h"
#include "adapter/api/request_id.h"
#include "adapter/api/response.h"
#include "adapter/security/tls.h"

namespace workwell::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

// After a response that closes the connection, unread request bytes are drained for at most this
// long (and this many bytes) so the close does not reset the connection before the client has
// read the response.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr size_t kLingerBytes = 1 << 20;
// Pause before accepting again after an accept error (e.g. out of file descriptors).
constexpr std::chrono::milliseconds kAcceptRetry{50};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool SafeHeaderText(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string PeerName(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const std::string addr = ep.address().to_string();
  const std::string port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + addr + "]:" + port : addr + ":" + port;
}

bool IsHttpParseError(const error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_method).category();
}

}  // namespace

// What the server needs of a connection, whatever its stream (plain TCP or TLS).
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Start() = 0;
  // Asks the connection to close once its current request (if any) is answered.
  virtual void RequestShutdown() = 0;
  // Closes the connection now, whatever it is doing.
  virtual void ForceClose() = 0;
};

// Everything the server owns; HttpServer::Impl is this under the header's private name.
struct ServerCore {
  ServerCore(ServerConfig c, Router& r, LogSink l)
      : config(std::move(c)), router(r), dispatcher(r), access_log(std::move(l)) {}

  common::Result<uint16_t> Start();
  void Stop();
  void Accept();
  void OnAccept(const error_code& ec, tcp::socket socket);
  // Adds a session to the registry; false when the server is stopping (the session is dropped).
  bool Register(const std::shared_ptr<SessionBase>& session);
  void Unregister(SessionBase* session);
  std::vector<std::shared_ptr<SessionBase>> LiveSessions();
  // Builds a TLS context from config.tls and makes new connections use it.
  common::Status LoadTls();
  std::shared_ptr<ssl::context> TlsContext();

  ServerConfig config;
  Router& router;
  Dispatcher dispatcher;
  LogSink access_log;

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> accept_retry;
  size_t next_context = 0;  // touched only on the acceptor's strand

  std::mutex mu;
  std::condition_variable drained;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;  // guarded by mu
  std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls_context;  // guarded by tls_mu; null for plain HTTP
  std::atomic<bool> stopping{false};
  bool started = false;
  bool stopped = false;
};

// One connection over a plain TCP stream (kTls false) or TLS over it (kTls true). All members
// are touched only on the connection's strand, except server_ (thread-safe parts) and the
// executor (immutable). A TLS session holds its context, so a reload never pulls it away.
template <bool kTls>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  Session(ServerCore& server, tcp::socket socket) requires(!kTls)
      : server_(server), peer_(PeerName(socket)), stream_(std::move(socket)) {}
  Session(ServerCore& server, tcp::socket socket, std::shared_ptr<ssl::context> context) requires(kTls)
      : server_(server), peer_(PeerName(socket)), tls_context_(std::move(context)),
        stream_(std::move(socket), *tls_context_) {}
  ~Session() override { server_.Unregister(this); }

  void Start() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->AwaitRequest();
      }
    });
  }
  void RequestShutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->OnShutdown(); });
  }
  void ForceClose() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

 private:
  enum class State { kHandshake, kIdle, kReadingHeader, kReadingBody, kHandling, kWriting, kClosing };

  const ServerConfig& config() const { return server_.config; }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }
  std::shared_ptr<Session> Self() { return this->shared_from_this(); }

  // TLS only: the handshake must finish within the handshake timeout; a failed one is logged
  // (without request data: there is none yet) and the connection closed.
  void Handshake() {
    state_ = State::kHandshake;
    Tcp().expires_after(config().handshake_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server, [self = Self()](const error_code& ec) {
        if (ec) {
          self->server_.access_log(FormatLogLine(std::chrono::system_clock::now(), "warning", "tls_handshake_failed",
                                                 {{"peer", self->peer_}, {"error", ec.message()}}));
          self->Close();
          return;
        }
        if (auto cert = security::VerifiedPeerCertificate(self->stream_.native_handle())) {
          self->client_cert_sha256_ = std::move(cert->sha256);
          self->client_cert_subject_ = std::move(cert->subject);
        }
        self->AwaitRequest();
      });
    }
  }

  void AwaitRequest() {
    if (shutdown_requested_ || server_.stopping.load()) {
      Close();
      return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(config().max_header_bytes));
    parser_->body_limit(config().max_body_bytes);
    bytes_in_ = 0;
    close_after_response_ = false;
    method_.clear();
    target_.clear();
    request_id_.clear();
    correlation_id_.clear();
    client_id_.clear();
    if (buffer_.size() > 0) {  // a pipelined request is already buffered
      ReadHeader();
      return;
    }
    state_ = State::kIdle;
    Tcp().expires_after(first_request_ ? config().idle_timeout : config().keep_alive_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = Self()](const error_code& ec, size_t n) {
                              self->OnFirstBytes(ec, n);
                            });
  }

  void OnFirstBytes(const error_code& ec, size_t n) {
    if (ec) {  // idle timeout, client closed, or shutdown: nothing of a request was received
      Close();
      return;
    }
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    state_ = State::kReadingHeader;
    started_ = Clock::now();
    started_wall_ = std::chrono::system_clock::now();
    Tcp().expires_after(config().header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](const error_code& ec, size_t n) {
                              self->OnHeader(ec, n);
                            });
  }

  // Captures what the log and the error responses need from the (possibly partial) header.
  void CaptureHeader() {
    const auto& h = parser_->get();
    method_ = std::string(h.method_string());
    target_ = std::string(h.target());
    const auto header = [&h](std::string_view name) -> std::optional<std::string_view> {
      const auto it = h.find(beast::string_view(name.data(), name.size()));
      if (it == h.end()) return std::nullopt;
      return std::string_view(it->value().data(), it->value().size());
    };
    request_id_ = EchoOrGenerateId(header(kRequestIdHeader));
    correlation_id_ = EchoOrGenerateId(header(kCorrelationIdHeader));
    request_keep_alive_ = h.keep_alive();
    request_version_ = h.version() == 10 ? 10 : 11;
  }

  void OnHeader(const error_code& ec, size_t n) {
    bytes_in_ += n;
    CaptureHeader();
    if (ec) {
      OnReadError(ec);
      return;
    }
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      // https://www.rfc-editor.org/rfc/rfc9110#section-10.1.1
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      Tcp().expires_after(config().write_timeout);
      http::async_write(stream_, *cont,
                        [self = Self(), cont](const error_code& wec, size_t) {
                          if (wec) {
                            self->Close();
                            return;
                          }
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    state_ = State::kReadingBody;
    Tcp().expires_after(config().body_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = Self()](const error_code& ec, size_t n) {
      self->bytes_in_ += n;
      if (ec) {
        self->OnReadError(ec);
        return;
      }
      self->Dispatch();
    });
  }

  void OnReadError(const error_code& ec) {
    if (ec == http::error::body_limit) {
      SendError(413, "too-costly",
                "request body exceeds the limit of " + std::to_string(config().max_body_bytes) + " bytes");
    } else if (ec == http::error::header_limit) {
      SendError(431, "too-costly",
                "request header exceeds the limit of " + std::to_string(config().max_header_bytes) +
                    " bytes");
    } else if (ec == beast::error::timeout) {
      // The stream has closed the socket; nothing can be sent. Record why the connection went.
      server_.access_log(FormatLogLine(
          std::chrono::system_clock::now(), "warning", "http_timeout",
          {{"phase", state_ == State::kReadingBody ? "body" : "header"},
           {"requestId", request_id_},
           {"bytesIn", static_cast<int64_t>(bytes_in_)},
           {"peer", peer_}}));
      Close();
    } else if (ec != http::error::end_of_stream && ec != http::error::partial_message &&
               IsHttpParseError(ec)) {
      SendError(400, "structure", "malformed HTTP request: " + ec.message());
    } else {
      Close();  // client went away, reset, or the server cancelled the read
    }
  }

  void SendError(int status, std::string_view code, std::string_view text) {
    close_after_response_ = true;
    Response r = Response::Outcome(status, fhir::Severity::kError, code, text);
    r.content_type = kFhirJson;
    Write(std::move(r));
  }

  void Dispatch() {
    state_ = State::kHandling;
    Request request;
    http::request<http::string_body> msg = parser_->release();
    request.method = method_;
    request.target = target_;
    if (common::Status s = ParseTarget(target_, request.path, request.query); !s.ok()) {
      SendError(400, "structure", s.message());
      return;
    }
    request.headers.reserve(std::distance(msg.begin(), msg.end()));
    for (const auto& field : msg) {
      request.headers.emplace_back(Lower(std::string_view(field.name_string().data(), field.name_string().size())),
                                   std::string(field.value()));
    }
    request.body = std::move(msg.body());
    request.request_id = request_id_;
    request.correlation_id = correlation_id_;
    request.peer = peer_;
    request.client_cert_sha256 = client_cert_sha256_;
    request.client_cert_subject = client_cert_subject_;
    asio::post(*server_.workers, [self = Self(), request = std::move(request)]() mutable {
      Response response = self->server_.dispatcher.Handle(request);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
  }

  void Write(Response r) {
    if (state_ == State::kClosing) return;  // cut while the handler ran
    state_ = State::kWriting;
    const bool keep_alive = request_keep_alive_ && !close_after_response_ && !shutdown_requested_ &&
                            !server_.stopping.load();
    response_ = {};
    response_.version(request_version_);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(http::field::server, "workwell-gateway");
    response_.set(http::field::content_type, r.content_type.empty() ? std::string(kFhirJson) : r.content_type);
    response_.set(beast::string_view(kRequestIdHeader.data(), kRequestIdHeader.size()), request_id_);
    response_.set(beast::string_view(kCorrelationIdHeader.data(), kCorrelationIdHeader.size()), correlation_id_);
    for (const auto& [name, value] : r.headers) {
      if (name.empty() || !SafeHeaderText(name) || !SafeHeaderText(value)) continue;
      response_.insert(name, value);
    }
    const bool bodiless = r.status < 200 || r.status == 204 || r.status == 304 || method_ == "HEAD";
    if (!bodiless) response_.body() = std::move(r.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    status_ = r.status;
    client_id_ = std::move(r.client_id);
    Tcp().expires_after(config().write_timeout);
    http::async_write(stream_, response_, [self = Self()](const error_code& ec, size_t n) {
      self->OnWrite(ec, n);
    });
  }

  void OnWrite(const error_code& ec, size_t n) {
    AccessLogEntry entry;
    entry.time = started_wall_;
    entry.request_id = request_id_;
    entry.correlation_id = correlation_id_;
    entry.method = method_;
    entry.target = target_;
    entry.status = status_;
    entry.bytes_in = bytes_in_;
    entry.bytes_out = n;
    entry.duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
    entry.peer = peer_;
    entry.client_id = client_id_;
    server_.access_log(FormatAccessLog(entry));
    if (ec) {
      Close();
      return;
    }
    const bool close = response_.need_eof();
    response_ = {};
    if (close) {
      LingerClose();
      return;
    }
    first_request_ = false;
    AwaitRequest();
  }

  // Half-closes, then drains what the client still sends for a bounded time before closing.
  void LingerClose() {
    state_ = State::kClosing;
    error_code ec;
    if constexpr (kTls) {
      // close_notify, then close; bounded like the plain linger.
      Tcp().expires_after(std::min<Clock::duration>(kLingerTime, config().write_timeout));
      stream_.async_shutdown([self = Self()](const error_code&) { self->Close(); });
      return;
    }
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      Close();
      return;
    }
    Tcp().expires_after(std::min<Clock::duration>(kLingerTime, config().write_timeout));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_), [self = Self()](const error_code& ec, size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kLingerBytes) {
        self->Close();
        return;
      }
      self->Drain();
    });
  }

  void Close() {
    state_ = State::kClosing;
    error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();
  }

  void OnShutdown() {
    shutdown_requested_ = true;
    // The pending first-byte read (or TLS handshake) ends; we close.
    if (state_ == State::kIdle || state_ == State::kHandshake) Tcp().cancel();
  }

  ServerCore& server_;
  const std::string peer_;
  std::shared_ptr<ssl::context> tls_context_;  // TLS only; outlives stream_
  Stream stream_;
  std::string client_cert_sha256_;  // TLS only: the verified client certificate
  std::string client_cert_subject_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::array<char, 4096> drain_{};
  State state_ = State::kIdle;
  bool first_request_ = true;
  bool shutdown_requested_ = false;
  bool close_after_response_ = false;
  bool request_keep_alive_ = false;
  unsigned request_version_ = 11;
  int status_ = 0;
  size_t lingered_ = 0;
  // The current request, for the access log and error responses.
  Clock::time_point started_;
  std::chrono::system_clock::time_point started_wall_;
  uint64_t bytes_in_ = 0;
  std::string method_;
  std::string target_;
  std::string request_id_;
  std::string correlation_id_;
  std::string client_id_;  // the authenticated client of the current request, for the log
};

namespace {

void RunLoop(asio::io_context& context) {
  while (true) {
    try {
      context.run();
      return;
    } catch (const std::exception& e) {
      LogEvent("error", "io_thread_exception", {{"what", e.what()}});
    } catch (...) {
      LogEvent("error", "io_thread_exception", {{"what", "unknown"}});
    }
  }
}

}  // namespace

common::Result<uint16_t> ServerCore::Start() {
  if (started) return common::FailedPrecondition("server already started");
  config.ResolveDefaults();
  error_code ec;
  const asio::ip::address address = asio::ip::make_address(config.address, ec);
  if (ec) return common::InvalidArgument("bad listen address '" + config.address + "'");
  const tcp::endpoint endpoint(address, config.port);
  if (config.tls.has_value()) {
    if (common::Status s = LoadTls(); !s.ok()) return s;
  }
  const std::string where = "listen " + config.address + ":" + std::to_string(config.port) + ": ";
  try {
    for (unsigned i = 0; i < config.io_threads; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
      guards.push_back(asio::make_work_guard(*contexts.back()));
    }
    acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(*contexts.front()));
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      const std::string message = where + ec.message();
      acceptor.reset();
      guards.clear();
      contexts.clear();
      return common::Unavailable(message);
    }
    const uint16_t port = acceptor->local_endpoint(ec).port();
    router.Freeze();
    workers = std::make_unique<asio::thread_pool>(config.worker_threads);
    accept_retry = std::make_unique<asio::steady_timer>(acceptor->get_executor());
    asio::post(acceptor->get_executor(), [this] { Accept(); });
    for (auto& context : contexts) {
      threads.emplace_back([ctx = context.get()] { RunLoop(*ctx); });
    }
    started = true;
    return port;
  } catch (const std::exception& e) {
    return common::Internal(where + e.what());
  }
}

void ServerCore::Accept() {
  asio::io_context& context = *contexts[next_context++ % contexts.size()];
  acceptor->async_accept(asio::make_strand(context), [this](const error_code& ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerCore::OnAccept(const error_code& ec, tcp::socket socket) {
  if (stopping.load()) return;  // the socket closes as it goes out of scope
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    LogEvent("warning", "accept_failed", {{"error", ec.message()}});
    accept_retry->expires_after(kAcceptRetry);
    accept_retry->async_wait([this](const error_code& wait_ec) {
      if (!wait_ec && !stopping.load()) Accept();
    });
    return;
  }
  error_code opt_ec;
  socket.set_option(tcp::no_delay(true), opt_ec);
  std::shared_ptr<SessionBase> session;
  if (config.tls.has_value()) {
    session = std::make_shared<Session<true>>(*this, std::move(socket), TlsContext());
  } else {
    session = std::make_shared<Session<false>>(*this, std::move(socket));
  }
  if (Register(session)) session->Start();
  Accept();
}

common::Status ServerCore::LoadTls() {
  if (!config.tls.has_value()) return common::FailedPrecondition("the server has no TLS settings");
  common::Result<std::shared_ptr<ssl::context>> context = security::MakeServerTlsContext(*config.tls);
  if (!context.ok()) return context.status();
  std::lock_guard<std::mutex> lock(tls_mu);
  tls_context = std::move(context.value());
  return common::Status::Ok();
}

std::shared_ptr<ssl::context> ServerCore::TlsContext() {
  std::lock_guard<std::mutex> lock(tls_mu);
  return tls_context;
}

bool ServerCore::Register(const std::shared_ptr<SessionBase>& session) {
  std::lock_guard<std::mutex> lock(mu);
  if (stopping.load()) return false;
  sessions.emplace(session.get(), session);
  return true;
}

void ServerCore::Unregister(SessionBase* session) {
  std::lock_guard<std::mutex> lock(mu);
  if (sessions.erase(session) > 0 && sessions.empty()) drained.notify_all();
}

std::vector<std::shared_ptr<SessionBase>> ServerCore::LiveSessions() {
  std::vector<std::shared_ptr<SessionBase>> out;
  std::lock_guard<std::mutex> lock(mu);
  for (auto& [ptr, weak] : sessions) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void ServerCore::Stop() {
  if (!started || stopped) return;
  stopped = true;
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping.store(true);
  }
  asio::post(acceptor->get_executor(), [this] {
    error_code ec;
    acceptor->close(ec);
    accept_retry->cancel();
  });
  for (const auto& session : LiveSessions()) session->RequestShutdown();
  {
    std::unique_lock<std::mutex> lock(mu);
    drained.wait_for(lock, config.shutdown_timeout, [this] { return sessions.empty(); });
  }
  for (const auto& session : LiveSessions()) session->ForceClose();
  {
    std::unique_lock<std::mutex> lock(mu);
    drained.wait_for(lock, std::chrono::seconds(1), [this] { return sessions.empty(); });
  }
  workers->join();  // handlers still running finish; their responses go nowhere
  guards.clear();
  for (auto& context : contexts) context->stop();
  for (std::thread& t : threads) t.join();
  threads.clear();
  accept_retry.reset();
  acceptor.reset();
  contexts.clear();  // drops any handler still queued (and the sessions it held)
}

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(ServerConfig config, Router& router, LogSink access_log)
    : impl_(std::make_unique<Impl>(std::move(config), router, std::move(access_log))) {}

HttpServer::~HttpServer() { Stop(); }

common::Result<uint16_t> HttpServer::Start() { return impl_->Start(); }

void HttpServer::Stop() { impl_->Stop(); }

common::Status HttpServer::ReloadTls() { return impl_->LoadTls(); }

const ServerConfig& HttpServer::config() const { return impl_->config; }

}  // namespace workwell::api
