// Starts the real workwell-gateway binary on an ephemeral port and speaks HTTP/1.1 to it over
// loopback with plain sockets. Every wait is a deadline loop on a condition, never a fixed sleep.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapter/common/json/json.h"

extern char** environ;

namespace workwell {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStartDeadline{15000};
constexpr milliseconds kIoDeadline{5000};
// How often deadline loops re-check their condition.
constexpr milliseconds kPollStep{10};

// A config with short timeouts and a small body limit, so the limits are cheap to hit.
constexpr char kTestConfig[] = R"({
  "server": {
    "listen": {"address": "127.0.0.1", "port": 0},
    "threads": {"io": 2, "workers": 2},
    "limits": {"maxHeaderBytes": 4096, "maxBodyBytes": 1024},
    "timeouts": {"idleMs": 1000, "keepAliveMs": 1000, "headerMs": 300, "bodyMs": 300,
                 "writeMs": 2000, "shutdownMs": 3000}
  },
  "security": {"authentication": "disabled-insecure"}
})";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One parsed HTTP response.
struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;

  std::optional<std::string> Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == Lower(name)) return v;
    }
    return std::nullopt;
  }
};

// A client connection with deadline-bounded reads.
class Connection {
 public:
  explicit Connection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response framed by Content-Length. nullopt on timeout, close or garbage.
  std::optional<HttpResponse> ReadResponse(milliseconds timeout = kIoDeadline) {
    const auto deadline = Clock::now() + timeout;
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    HttpResponse r;
    std::istringstream head(buffer_.substr(0, header_end));
    std::string line;
    std::getline(head, line);
    if (line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    r.status = std::atoi(line.c_str() + 9);
    size_t length = 0;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = Lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") length = std::stoul(value);
      r.headers.emplace_back(std::move(name), std::move(value));
    }
    buffer_.erase(0, header_end + 4);
    while (buffer_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // True when the server closes the connection within `timeout` (any data before that is kept).
  bool WaitClosed(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (!Fill(deadline)) return !timed_out_;
    }
    return false;
  }

 private:
  // Appends what arrives before `deadline`; false on close, error or timeout (timed_out_ tells).
  bool Fill(Clock::time_point deadline) {
    timed_out_ = false;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out_ = true;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready == 0) {
      timed_out_ = true;
      return false;
    }
    if (ready < 0) return false;
    char chunk[8192];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool timed_out_ = false;
  std::string buffer_;
};

// A running gateway process with its own temporary directory.
class Gateway {
 public:
  // Writes `config` to a temporary directory and, when `serve`, starts `workwell-gateway serve`
  // with it and a port file.
  explicit Gateway(const std::string& config, bool serve = true) {
    char pattern[] = "/tmp/ww-gateway-test-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    config_path_ = dir_ / "gateway.json";
    std::ofstream(config_path_) << config;
    port_file_ = dir_ / "port";
    stderr_path_ = dir_ / "stderr.log";
    if (serve) pid_ = Spawn({"serve", "--config", config_path_.string(), "--port-file", port_file_.string()});
  }
  ~Gateway() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Waits for the port file; fails the test if the process exits or the deadline passes.
  uint16_t WaitForPort() {
    const auto deadline = Clock::now() + kStartDeadline;
    while (Clock::now() < deadline) {
      const std::string text = ReadFile(port_file_);
      if (!text.empty() && text.back() == '\n') {
        port_ = static_cast<uint16_t>(std::stoi(text));
        return port_;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ADD_FAILURE() << "gateway exited during start-up: " << Stderr();
        return 0;
      }
      std::this_thread::sleep_for(kPollStep);
    }
    ADD_FAILURE() << "no port file within the deadline: " << Stderr();
    return 0;
  }

  // Sends `signal` and returns the exit code, or -1 if the process did not exit normally in time.
  int Signal(int signal, milliseconds deadline_after = kStartDeadline) {
    ::kill(pid_, signal);
    return WaitExit(deadline_after);
  }

  // Waits for the process to exit; its exit code, or -1 (killed by a signal or still running).
  int WaitExit(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(kPollStep);
    }
    return -1;
  }

  // Waits until stderr contains `needle`.
  bool WaitForLog(const std::string& needle, milliseconds timeout = kIoDeadline) const {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (Stderr().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(kPollStep);
    }
    return false;
  }

  std::string Stderr() const { return ReadFile(stderr_path_); }
  uint16_t port() const { return port_; }
  const fs::path& config_path() const { return config_path_; }

  // Runs the binary with `args` to completion (stdout and stderr to files in the temp dir);
  // returns the exit code and fills `err`.
  int RunToExit(std::vector<std::string> args, std::string& err) {
    const pid_t pid = Spawn(std::move(args), "run");
    int status = 0;
    ::waitpid(pid, &status, 0);
    err = ReadFile(dir_ / "run.stderr");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t Spawn(std::vector<std::string> args, const std::string& log_prefix = "") {
    args.insert(args.begin(), WORKWELL_GATEWAY_BINARY);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const fs::path err_path = log_prefix.empty() ? stderr_path_ : dir_ / (log_prefix + ".stderr");
    const fs::path out_path = dir_ / (log_prefix.empty() ? "stdout.log" : log_prefix + ".stdout");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
    return pid;
  }

  fs::path dir_;
  fs::path config_path_;
  fs::path port_file_;
  fs::path stderr_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

std::string Request(std::string_view method, std::string_view target, std::string extra_headers = "",
                    std::string_view body = "") {
  std::string r = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n";
  r += extra_headers;
  if (!body.empty() || method == "POST") r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r += "\r\n";
  r += body;
  return r;
}

json::Document ParseJson(const std::string& text) {
  json::Document doc;
  json::ParseError error;
  EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message << " in " << text;
  return doc;
}

bool IsOperationOutcome(const HttpResponse& r) {
  json::Document doc = ParseJson(r.body);
  const json::Value* type = doc.root().Find("resourceType");
  const json::Value* issues = doc.root().Find("issue");
  return type != nullptr && type->text() == "OperationOutcome" && issues != nullptr && issues->size() > 0;
}

bool IsUuidV4(const std::string& s) {
  return s.size() == 36 && s[8] == '-' && s[13] == '-' && s[14] == '4' && s[18] == '-' && s[23] == '-';
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gateway_ = std::make_unique<Gateway>(kTestConfig);
    port_ = gateway_->WaitForPort();
    ASSERT_NE(port_, 0);
  }

  // Sends one request on a fresh connection and reads the response.
  HttpResponse Exchange(const std::string& request) {
    Connection c(port_);
    EXPECT_TRUE(c.connected());
    EXPECT_TRUE(c.Send(request));
    std::optional<HttpResponse> r = c.ReadResponse();
    EXPECT_TRUE(r.has_value()) << "no response to " << request;
    return r.value_or(HttpResponse{});
  }

  std::unique_ptr<Gateway> gateway_;
  uint16_t port_ = 0;
};

TEST_F(GatewayTest, MetadataIsACapabilityStatement) {
  const HttpResponse r = Exchange(Request("GET", "/metadata"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/fhir+json; charset=utf-8");
  json::Document doc = ParseJson(r.body);
  const json::Value& cs = doc.root();
  EXPECT_EQ(cs.Find("resourceType")->text(), "CapabilityStatement");
  EXPECT_EQ(cs.Find("fhirVersion")->text(), "4.0.1");
  EXPECT_EQ(cs.Find("status")->text(), "active");
  EXPECT_EQ(cs.Find("kind")->text(), "instance");
  EXPECT_EQ(cs.Find("software")->Find("version")->text(), WORKWELL_VERSION);
  EXPECT_NE(cs.Find("implementation"), nullptr);
  EXPECT_NE(cs.Find("date"), nullptr);
  EXPECT_EQ(cs.Find("format")->items()[0].text(), "application/fhir+json");
  EXPECT_EQ(cs.Find("rest")->items()[0].Find("mode")->text(), "server");
}

TEST_F(GatewayTest, MetadataListsTheRegisteredRoutesAndEveryListedOneIsServed) {
  json::Document doc = ParseJson(Exchange(Request("GET", "/metadata")).body);
  const json::Value& rest = doc.root().Find("rest")->items()[0];
  // $versions is registered by the binary: it must be advertised...
  const json::Value* ops = rest.Find("operation");
  ASSERT_NE(ops, nullptr);
  bool versions = false;
  for (const json::Value& op : ops->items()) {
    versions = versions || op.Find("name")->text() == "versions";
    // ...and everything advertised must be routed (anything but 404).
    const std::string target = "/$" + std::string(op.Find("name")->text());
    EXPECT_NE(Exchange(Request("POST", target, "Content-Type: application/fhir+json\r\n")).status, 404)
        << target;
  }
  EXPECT_TRUE(versions);
  if (const json::Value* resources = rest.Find("resource")) {
    for (const json::Value& res : resources->items()) {
      const std::string type(res.Find("type")->text());
      if (const json::Value* type_ops = res.Find("operation")) {
        for (const json::Value& op : type_ops->items()) {
          // A type-level operation (/Type/$op) or an instance-level one (/Type/[id]/$op, probed
          // with an id nothing has): either way the router must know the path, so the answer is
          // never the router's "no route" 404 (a handler's 404 for the unknown id is fine).
          const std::string name(op.Find("name")->text());
          const HttpResponse type_level =
              Exchange(Request("POST", "/" + type + "/$" + name, "Content-Type: application/fhir+json\r\n"));
          const HttpResponse instance_level = Exchange(
              Request("POST", "/" + type + "/no-such-id/$" + name, "Content-Type: application/fhir+json\r\n"));
          const bool routed = type_level.status != 404 || instance_level.status != 404 ||
                              instance_level.body.find("no route") == std::string::npos;
          EXPECT_TRUE(routed) << type << " $" << name << ": " << instance_level.body;
        }
      }
    }
  }
  // Health checks are routes but not FHIR capabilities.
  const std::string capability = json::Write(rest);
  EXPECT_EQ(capability.find("healthz"), std::string::npos);
  EXPECT_EQ(capability.find("readyz"), std::string::npos);
}

TEST_F(GatewayTest, VersionsOperationAnswersParameters) {
  const HttpResponse r = Exchange(Request("GET", "/$versions"));
  EXPECT_EQ(r.status, 200);
  json::Document doc = ParseJson(r.body);
  EXPECT_EQ(doc.root().Find("resourceType")->text(), "Parameters");
}

TEST_F(GatewayTest, UnknownRouteIs404Outcome) {
  const HttpResponse r = Exchange(Request("GET", "/NoSuchThing/1"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("Content-Type"), "application/fhir+json; charset=utf-8");
  EXPECT_TRUE(IsOperationOutcome(r));
}

TEST_F(GatewayTest, WrongMethodIs405OutcomeWithAllow) {
  const HttpResponse r = Exchange(Request("DELETE", "/metadata"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "GET");
  EXPECT_TRUE(IsOperationOutcome(r));
}

TEST_F(GatewayTest, XmlIs406Outcome) {
  HttpResponse r = Exchange(Request("GET", "/metadata", "Accept: application/fhir+xml\r\n"));
  EXPECT_EQ(r.status, 406);
  EXPECT_TRUE(IsOperationOutcome(r));
  r = Exchange(Request("GET", "/metadata?_format=xml"));
  EXPECT_EQ(r.status, 406);
  EXPECT_TRUE(IsOperationOutcome(r));
  r = Exchange(Request("GET", "/metadata", "Accept: application/fhir+json; fhirVersion=4.0\r\n"));
  EXPECT_EQ(r.status, 200);
  r = Exchange(Request("GET", "/metadata?_format=json", "Accept: application/xml\r\n"));
  EXPECT_EQ(r.status, 200);
}

TEST_F(GatewayTest, NonJsonBodyIs415Outcome) {
  const HttpResponse r = Exchange(
      Request("POST", "/$versions", "Content-Type: application/fhir+xml\r\n", "<Parameters/>"));
  EXPECT_EQ(r.status, 415);
  EXPECT_TRUE(IsOperationOutcome(r));
  const HttpResponse ok = Exchange(Request("POST", "/$versions", "Content-Type: application/fhir+json\r\n",
                                           R"({"resourceType":"Parameters"})"));
  EXPECT_EQ(ok.status, 200);
}

TEST_F(GatewayTest, OverLimitBodyIs413OutcomeWithoutReadingIt) {
  Connection c(port_);
  // Announce 5000 bytes (limit 1024) and send none: the answer must come from the header alone.
  ASSERT_TRUE(c.Send("POST /$versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\n"
                     "Content-Length: 5000\r\n\r\n"));
  std::optional<HttpResponse> r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(IsOperationOutcome(*r));
  EXPECT_TRUE(c.WaitClosed(kIoDeadline));
}

TEST_F(GatewayTest, OverLimitChunkedBodyIs413Outcome) {
  Connection c(port_);
  ASSERT_TRUE(c.Send("POST /$versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n800\r\n" + std::string(0x800, ' ') + "\r\n"));
  std::optional<HttpResponse> r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(IsOperationOutcome(*r));
}

TEST_F(GatewayTest, OverLimitHeaderIs431Outcome) {
  const HttpResponse r = Exchange(Request("GET", "/metadata", "X-Big: " + std::string(5000, 'a') + "\r\n"));
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(IsOperationOutcome(r));
}

TEST_F(GatewayTest, MalformedRequestIs400Outcome) {
  const HttpResponse r = Exchange("GET /metadata HTTP/1.1\r\nHost x\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(IsOperationOutcome(r));
}

TEST_F(GatewayTest, HealthAndReadiness) {
  HttpResponse r = Exchange(Request("GET", "/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(ParseJson(r.body).root().Find("status")->text(), "pass");
  r = Exchange(Request("GET", "/readyz"));
  EXPECT_EQ(r.status, 200);
  json::Document doc = ParseJson(r.body);
  EXPECT_EQ(doc.root().Find("status")->text(), "pass");
  EXPECT_TRUE(doc.root().Find("ready")->AsBool());
}

TEST_F(GatewayTest, RequestIdsAreEchoed) {
  const HttpResponse r =
      Exchange(Request("GET", "/metadata", "X-Request-Id: req-42\r\nX-Correlation-Id: corr-7\r\n"));
  EXPECT_EQ(r.Header("X-Request-Id"), "req-42");
  EXPECT_EQ(r.Header("X-Correlation-Id"), "corr-7");
  EXPECT_TRUE(gateway_->WaitForLog(R"("requestId":"req-42","correlationId":"corr-7")"));
}

TEST_F(GatewayTest, RequestIdsAreGeneratedWhenAbsent) {
  const HttpResponse a = Exchange(Request("GET", "/metadata"));
  const HttpResponse b = Exchange(Request("GET", "/metadata"));
  ASSERT_TRUE(a.Header("X-Request-Id").has_value());
  ASSERT_TRUE(a.Header("X-Correlation-Id").has_value());
  EXPECT_TRUE(IsUuidV4(*a.Header("X-Request-Id")));
  EXPECT_TRUE(IsUuidV4(*a.Header("X-Correlation-Id")));
  EXPECT_NE(a.Header("X-Request-Id"), b.Header("X-Request-Id"));
  EXPECT_TRUE(gateway_->WaitForLog(*a.Header("X-Request-Id")));
}

TEST_F(GatewayTest, AccessLogHasOneLinePerRequestWithoutBodiesOrQueryValues) {
  const HttpResponse r = Exchange(Request("POST", "/$versions?secret=NHS9434765919",
                                          "Content-Type: application/fhir+json\r\nX-Request-Id: log-1\r\n",
                                          R"({"resourceType":"Parameters","id":"BODY-MARKER"})"));
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(gateway_->WaitForLog(R"("requestId":"log-1")"));
  const std::string log = gateway_->Stderr();
  EXPECT_EQ(log.find("BODY-MARKER"), std::string::npos);
  EXPECT_EQ(log.find("NHS9434765919"), std::string::npos);
  std::istringstream lines(log);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    if (line.find(R"("requestId":"log-1")") == std::string::npos) continue;
    ++count;
    json::Document doc = ParseJson(line);
    const json::Value& e = doc.root();
    EXPECT_EQ(e.Find("method")->text(), "POST");
    EXPECT_EQ(e.Find("path")->text(), "/$versions?secret=");
    EXPECT_EQ(e.Find("status")->text(), "200");
    EXPECT_NE(e.Find("time")->text().find('Z'), std::string::npos);
    EXPECT_NE(e.Find("bytesIn"), nullptr);
    EXPECT_NE(e.Find("bytesOut"), nullptr);
    EXPECT_NE(e.Find("durationUs"), nullptr);
    EXPECT_EQ(e.Find("peer")->text().rfind("127.0.0.1:", 0), 0u);
  }
  EXPECT_EQ(count, 1);
}

TEST_F(GatewayTest, SlowHeaderIsCutAfterTheHeaderTimeout) {
  Connection c(port_);
  ASSERT_TRUE(c.Send("GET /metadata HTTP/1.1\r\nHost: loc"));
  const auto start = Clock::now();
  EXPECT_TRUE(c.WaitClosed(kIoDeadline)) << "connection still open";
  EXPECT_GE(Clock::now() - start, milliseconds(250)) << "closed before the 300 ms header timeout";
  EXPECT_TRUE(gateway_->WaitForLog(R"("event":"http_timeout","phase":"header")"));
}

TEST_F(GatewayTest, SlowBodyIsCutAfterTheBodyTimeout) {
  Connection c(port_);
  ASSERT_TRUE(c.Send("POST /$versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\n"
                     "Content-Length: 100\r\n\r\n{\"resourceType\""));
  EXPECT_TRUE(c.WaitClosed(kIoDeadline));
}

TEST_F(GatewayTest, SilentConnectionIsClosedAfterTheIdleTimeout) {
  Connection c(port_);
  const auto start = Clock::now();
  EXPECT_TRUE(c.WaitClosed(kIoDeadline));
  EXPECT_GE(Clock::now() - start, milliseconds(900)) << "closed before the 1000 ms idle timeout";
}

TEST_F(GatewayTest, IdleKeptAliveConnectionIsClosedAfterTheKeepAliveTimeout) {
  Connection c(port_);
  ASSERT_TRUE(c.Send(Request("GET", "/healthz")));
  ASSERT_TRUE(c.ReadResponse().has_value());
  const auto start = Clock::now();
  EXPECT_TRUE(c.WaitClosed(kIoDeadline));
  EXPECT_GE(Clock::now() - start, milliseconds(900)) << "closed before the 1000 ms keep-alive timeout";
}

TEST_F(GatewayTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Connection c(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(Request("GET", "/healthz", "X-Request-Id: ka-" + std::to_string(i) + "\r\n")));
    std::optional<HttpResponse> r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("X-Request-Id"), "ka-" + std::to_string(i));
  }
  // Two pipelined requests in one write are answered in order.
  ASSERT_TRUE(c.Send(Request("GET", "/metadata") + Request("GET", "/NotHere")));
  std::optional<HttpResponse> first = c.ReadResponse();
  std::optional<HttpResponse> second = c.ReadResponse();
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 404);
}

TEST_F(GatewayTest, SigtermWithAnIdleKeepAliveConnectionExitsZero) {
  Connection c(port_);
  ASSERT_TRUE(c.Send(Request("GET", "/healthz")));
  ASSERT_TRUE(c.ReadResponse().has_value());
  // The connection is idle and kept alive; shutdown must close it rather than wait for it.
  EXPECT_EQ(gateway_->Signal(SIGTERM), 0) << gateway_->Stderr();
  EXPECT_TRUE(c.WaitClosed(kIoDeadline));
  EXPECT_NE(gateway_->Stderr().find(R"("event":"stopped")"), std::string::npos);
  Connection after(port_);
  EXPECT_FALSE(after.connected()) << "still accepting after shutdown";
}

TEST_F(GatewayTest, SigintExitsZero) { EXPECT_EQ(gateway_->Signal(SIGINT), 0) << gateway_->Stderr(); }

TEST(GatewayConfigTest, RefusesToStartWithABadConfig) {
  Gateway gateway(R"({"server":{"limits":{"maxBodyBytes":"10"}}})");
  EXPECT_EQ(gateway.WaitExit(kStartDeadline), 1);
  EXPECT_NE(gateway.Stderr().find(gateway.config_path().string() +
                                  ": /server/limits/maxBodyBytes: expected a positive integer"),
            std::string::npos)
      << gateway.Stderr();
}

TEST(GatewayConfigTest, RefusesUnknownKeysAndBrokenJson) {
  Gateway unknown(R"({"server":{"listen":{"port":0}},"sever":{}})");
  EXPECT_EQ(unknown.WaitExit(kStartDeadline), 1);
  EXPECT_NE(unknown.Stderr().find(": /sever: unknown key"), std::string::npos) << unknown.Stderr();
  Gateway broken(R"({"server":{"listen":{"port":0,}}})");
  EXPECT_EQ(broken.WaitExit(kStartDeadline), 1);
  EXPECT_NE(broken.Stderr().find("invalid JSON"), std::string::npos) << broken.Stderr();
}

TEST(GatewayConfigTest, ShippedConfigIsValid) {
  Gateway gateway(kTestConfig, /*serve=*/false);
  std::string err;
  EXPECT_EQ(gateway.RunToExit({"check-config", "--config", WORKWELL_SOURCE_DIR "/config/gateway.json"}, err), 0)
      << err;
  EXPECT_EQ(gateway.RunToExit({"check-config", "--config", gateway.config_path().string()}, err), 0) << err;
}

TEST(GatewayCommandTest, HelpVersionAndUsageErrors) {
  Gateway gateway(kTestConfig, /*serve=*/false);
  std::string err;
  EXPECT_EQ(gateway.RunToExit({"--version"}, err), 0);
  EXPECT_EQ(gateway.RunToExit({"--help"}, err), 0);
  EXPECT_EQ(gateway.RunToExit({"help", "serve"}, err), 0);
  EXPECT_EQ(gateway.RunToExit({"no-such-command"}, err), 2);
  EXPECT_EQ(gateway.RunToExit({"serve", "--bogus"}, err), 2);
}

}  // namespace
}  // namespace workwell

namespace workwell {
namespace {

// $validate: a validation that ran answers 200 with its OperationOutcome, whatever it found;
// a body that cannot be read as the requested resource answers 400.
TEST_F(GatewayTest, ValidateOperationAnswersWithAnOutcome) {
  const std::string json_type = "Content-Type: application/fhir+json\r\n";
  HttpResponse ok = Exchange(Request("POST", "/Patient/$validate", json_type, R"({"resourceType":"Patient","active":true})"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body.find("\"error\""), std::string::npos) << ok.body;

  HttpResponse bad = Exchange(Request("POST", "/$validate", json_type, R"({"resourceType":"Observation","status":"final"})"));
  EXPECT_EQ(bad.status, 200);
  EXPECT_NE(bad.body.find("Observation.code: minimum required = 1"), std::string::npos) << bad.body;

  const std::string parameters =
      R"({"resourceType":"Parameters","parameter":[{"name":"resource","resource":{"resourceType":"Patient",)"
      R"("meta":{"profile":["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]},"identifier":[)"
      R"({"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"},{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765870"}]}}]})";
  HttpResponse sliced = Exchange(Request("POST", "/Patient/$validate", json_type, parameters));
  EXPECT_EQ(sliced.status, 200);
  EXPECT_NE(sliced.body.find("nhsNumber"), std::string::npos) << sliced.body;

  HttpResponse wrong_type = Exchange(Request("POST", "/Patient/$validate", json_type, R"({"resourceType":"Observation"})"));
  EXPECT_EQ(wrong_type.status, 400);
  HttpResponse broken = Exchange(Request("POST", "/$validate", json_type, R"({"resourceType":)"));
  EXPECT_EQ(broken.status, 400);
  EXPECT_NE(broken.body.find("OperationOutcome"), std::string::npos);
}

}  // namespace
}  // namespace workwell

namespace workwell {
namespace {

// The FHIR JSON limits come from config: a body nested deeper than /fhir/limits/maxDepth is
// refused with a located OperationOutcome, and a bad limit stops the start.
TEST(GatewayConfigTest, FhirJsonLimitsComeFromConfig) {
  Gateway bad(R"({"server":{"listen":{"port":0}},"fhir":{"limits":{"maxDepth":0}}})");
  EXPECT_EQ(bad.WaitExit(kStartDeadline), 1);
  EXPECT_NE(bad.Stderr().find("/fhir/limits/maxDepth"), std::string::npos) << bad.Stderr();

  Gateway gateway(R"({"server":{"listen":{"port":0}},"fhir":{"limits":{"maxDepth":8}},"security":{"authentication":"disabled-insecure"}})");
  const uint16_t port = gateway.WaitForPort();
  ASSERT_NE(port, 0);
  const std::string deep =
      R"({"resourceType":"Patient","name":[{"period":{"extension":[{"url":"http://example.org/a","valueCodeableConcept":{"coding":[{"system":"http://example.org/s","code":"c"}]}}]}}]})";
  Connection c(port);
  ASSERT_TRUE(c.Send(Request("POST", "/$validate", "Content-Type: application/fhir+json\r\n", deep)));
  std::optional<HttpResponse> r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("nesting deeper than 8"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace workwell
