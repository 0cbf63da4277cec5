#include "examples/workwell-service/workwell_service.h"

#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>

#include "adapter/common/json/json.h"

namespace workwell::examples {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct WorkWellService::State {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  mutable std::mutex mutex;
  Behaviour behaviour;
  ServiceStats stats;
  std::map<std::string, std::string> responses;  // request Bundle id -> the response sent
  std::map<std::string, int> processed;
  int64_t response_counter = 0;
  int64_t concurrent = 0;  // $process-message requests read and not yet answered
};

namespace {

constexpr std::string_view kEvents = "https://fhir.nhs.uk/CodeSystem/message-events-bars";

std::string Outcome(std::string_view code, std::string_view diagnostics) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject().Key("resourceType").String("OperationOutcome").Key("issue").StartArray().StartObject();
  b.Key("severity").String("error").Key("code").String(code).Key("diagnostics").String(diagnostics);
  b.EndObject().EndArray().EndObject();
  b.Finish();
  return json::Write(doc.root());
}

std::string_view Text(const json::Value* v) { return v != nullptr && v->IsString() ? v->text() : std::string_view(); }

// The request Bundle's id, or a description of what is wrong with its shape.
bool CheckBundle(std::string_view body, std::string& id, std::string& problem) {
  json::Document doc;
  json::ParseError error;
  if (!json::Parse(body, json::Limits{}, doc, error)) {
    problem = "the body is not JSON: " + error.message;
    return false;
  }
  const json::Value& root = doc.root();
  if (Text(root.Find("resourceType")) != "Bundle") {
    problem = "expected a Bundle";
    return false;
  }
  if (Text(root.Find("type")) != "message") {
    problem = "Bundle.type must be message";
    return false;
  }
  id = std::string(Text(root.Find("id")));
  if (id.empty()) {
    problem = "Bundle.id is required: it identifies the message";
    return false;
  }
  const json::Value* entries = root.Find("entry");
  if (entries == nullptr || entries->items().empty()) {
    problem = "Bundle.entry is empty";
    return false;
  }
  const json::Value* header = entries->items()[0].Find("resource");
  if (header == nullptr || Text(header->Find("resourceType")) != "MessageHeader") {
    problem = "the first entry must be a MessageHeader";
    return false;
  }
  const json::Value* event = header->Find("eventCoding");
  if (event == nullptr || Text(event->Find("system")) != kEvents ||
      Text(event->Find("code")) != "servicerequest-request") {
    problem = "MessageHeader.eventCoding must be " + std::string(kEvents) + "|servicerequest-request";
    return false;
  }
  const json::Value* focus = header->Find("focus");
  if (focus == nullptr || focus->items().empty()) {
    problem = "MessageHeader.focus must name the ServiceRequest";
    return false;
  }
  return true;
}

std::string ResponseMessage(const std::string& request_id, int64_t n) {
  std::string id = "resp-" + std::to_string(n);
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("resourceType").String("Bundle").Key("id").String(id).Key("type").String("message");
  b.Key("entry").StartArray().StartObject();
  b.Key("fullUrl").String("urn:uuid:" + id + "-header");
  b.Key("resource").StartObject();
  b.Key("resourceType").String("MessageHeader").Key("id").String(id + "-header");
  b.Key("eventCoding").StartObject().Key("system").String(kEvents).Key("code").String("servicerequest-response").EndObject();
  b.Key("source").StartObject().Key("endpoint").String("urn:workwell-service").EndObject();
  b.Key("response").StartObject().Key("identifier").String(request_id).Key("code").String("ok").EndObject();
  b.EndObject().EndObject().EndArray().EndObject();
  b.Finish();
  return json::Write(doc.root());
}

int Int(const json::Value& object, std::string_view key, int fallback) {
  const json::Value* v = object.Find(key);
  if (v == nullptr || !v->IsNumber()) return fallback;
  return static_cast<int>(std::strtol(std::string(v->text()).c_str(), nullptr, 10));
}

// What to do with one request.
struct Action {
  bool counted = false;  // counted in State::concurrent until answered or dropped
  bool drop = false;
  int delay_ms = 0;
  http::status status = http::status::ok;
  std::string body;
};

Action Handle(WorkWellService::State& s, const http::request<http::string_body>& req) {
  std::lock_guard lock(s.mutex);
  Action a;
  std::string_view target(req.target().data(), req.target().size());
  if (target == "/_stats" && req.method() == http::verb::get) {
    json::Document doc;
    json::Builder b(doc);
    b.StartObject().Key("received").Int(s.stats.received).Key("processed").Int(s.stats.processed);
    b.Key("duplicates").Int(s.stats.duplicates).Key("rejected").Int(s.stats.rejected);
    b.Key("injectedFailures").Int(s.stats.injected_failures).Key("dropped").Int(s.stats.dropped);
    b.Key("maxConcurrent").Int(s.stats.max_concurrent).EndObject();
    b.Finish();
    a.body = json::Write(doc.root());
    return a;
  }
  if (target == "/_control" && req.method() == http::verb::post) {
    json::Document doc;
    json::ParseError error;
    if (!json::Parse(req.body(), json::Limits{}, doc, error) || !doc.root().IsObject()) {
      a.status = http::status::bad_request;
      a.body = Outcome("invalid", "expected a JSON object");
      return a;
    }
    Behaviour& b = s.behaviour;
    b.fail_status = Int(doc.root(), "failStatus", b.fail_status);
    b.fail_count = Int(doc.root(), "failCount", b.fail_count);
    b.delay_ms = Int(doc.root(), "delayMs", b.delay_ms);
    b.drop_count = Int(doc.root(), "dropCount", b.drop_count);
    b.drop_after_process_count = Int(doc.root(), "dropAfterProcessCount", b.drop_after_process_count);
    a.body = "{}";
    return a;
  }
  constexpr std::string_view kOperation = "/$process-message";
  bool is_process = target.size() >= kOperation.size() &&
                    target.substr(target.size() - kOperation.size()) == kOperation;
  if (!is_process || req.method() != http::verb::post) {
    a.status = http::status::not_found;
    a.body = Outcome("not-supported", "only POST [base]/$process-message is served here");
    return a;
  }
  ++s.stats.received;
  a.counted = true;
  s.stats.max_concurrent = std::max(s.stats.max_concurrent, ++s.concurrent);
  Behaviour& b = s.behaviour;
  if (b.drop_count > 0) {
    --b.drop_count;
    ++s.stats.dropped;
    a.drop = true;
    return a;
  }
  if (b.fail_count != 0) {
    if (b.fail_count > 0) --b.fail_count;
    ++s.stats.injected_failures;
    a.status = static_cast<http::status>(b.fail_status);
    a.body = Outcome(b.fail_status >= 500 ? "transient" : "business-rule", "failure injected for testing");
    return a;
  }
  if (req.find("X-Request-Id") == req.end() || req.find("X-Correlation-Id") == req.end()) {
    ++s.stats.rejected;
    a.status = http::status::bad_request;
    a.body = Outcome("required", "X-Request-Id and X-Correlation-Id headers are required");
    return a;
  }
  std::string id, problem;
  if (!CheckBundle(req.body(), id, problem)) {
    ++s.stats.rejected;
    a.status = http::status::bad_request;
    a.body = Outcome("structure", problem);
    return a;
  }
  a.delay_ms = b.delay_ms;
  if (auto it = s.responses.find(id); it != s.responses.end()) {
    ++s.stats.duplicates;
    a.body = it->second;
    return a;
  }
  ++s.stats.processed;
  ++s.processed[id];
  a.body = ResponseMessage(id, ++s.response_counter);
  s.responses.emplace(id, a.body);
  if (b.drop_after_process_count > 0) {
    --b.drop_after_process_count;
    ++s.stats.dropped;
    a.drop = true;
  }
  return a;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<WorkWellService::State> state)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), state_(std::move(state)) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(1u << 20);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec) return Close();
    http::request<http::string_body> req = parser_->release();
    Action action = Handle(*state_, req);
    counted_ = action.counted;
    if (action.drop) return Close();
    response_ = {};
    response_.version(req.version());
    response_.result(action.status);
    response_.keep_alive(req.keep_alive());
    response_.set(http::field::content_type, "application/fhir+json");
    for (const char* name : {"X-Request-Id", "X-Correlation-Id"}) {
      if (auto it = req.find(name); it != req.end()) response_.set(name, it->value());
    }
    response_.body() = std::move(action.body);
    response_.prepare_payload();
    if (action.delay_ms > 0) {
      timer_.expires_after(std::chrono::milliseconds(action.delay_ms));
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Write(); });
      return;
    }
    Write();
  }

  void Write() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->Uncount();
      if (ec || !self->response_.keep_alive()) return self->Close();
      self->Read();
    });
  }

  void Uncount() {
    if (!counted_) return;
    counted_ = false;
    std::lock_guard lock(state_->mutex);
    --state_->concurrent;
  }

  void Close() {
    Uncount();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::shared_ptr<WorkWellService::State> state_;
  bool counted_ = false;
};

void Accept(const std::shared_ptr<WorkWellService::State>& state) {
  state->acceptor.async_accept([state](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // closed by Stop
    std::make_shared<Session>(std::move(socket), state)->Read();
    Accept(state);
  });
}

}  // namespace

WorkWellService::WorkWellService(Behaviour behaviour) : state_(std::make_shared<State>()) {
  state_->behaviour = behaviour;
}

WorkWellService::~WorkWellService() { Stop(); }

common::Result<uint16_t> WorkWellService::Start(const std::string& address, uint16_t port) {
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(address, ec), port);
  if (ec) return common::InvalidArgument("bad address " + address + ": " + ec.message());
  state_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(endpoint, ec);
  if (!ec) state_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return common::Unavailable("cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  uint16_t bound = state_->acceptor.local_endpoint().port();
  Accept(state_);
  thread_ = std::thread([state = state_] { state->io.run(); });
  return bound;
}

void WorkWellService::Stop() {
  if (!thread_.joinable()) return;
  asio::post(state_->io, [state = state_] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
    state->io.stop();
  });
  thread_.join();
}

void WorkWellService::SetBehaviour(const Behaviour& behaviour) {
  std::lock_guard lock(state_->mutex);
  state_->behaviour = behaviour;
}

Behaviour WorkWellService::behaviour() const {
  std::lock_guard lock(state_->mutex);
  return state_->behaviour;
}

ServiceStats WorkWellService::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

std::map<std::string, int> WorkWellService::processed_ids() const {
  std::lock_guard lock(state_->mutex);
  return state_->processed;
}

}  // namespace workwell::examples
