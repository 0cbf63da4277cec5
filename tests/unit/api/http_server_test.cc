#include "adapter/api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

namespace workwell::api {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kDeadline{5000};
constexpr milliseconds kPollStep{5};

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` on `fd` and reads until the peer closes or a complete Content-Length response
// has arrived; returns what was read ("" on timeout).
std::string Exchange(int fd, const std::string& request) {
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string in;
  const auto deadline = Clock::now() + kDeadline;
  while (Clock::now() < deadline) {
    const size_t end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      const size_t cl = in.find("Content-Length: ");
      if (cl != std::string::npos && cl < end &&
          in.size() >= end + 4 + std::stoul(in.substr(cl + 16))) {
        return in;
      }
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return in;
    in.append(buf, static_cast<size_t>(n));
  }
  return "";
}

// A server with GET /slow (blocks until released) and GET /fast, on an ephemeral port with one
// I/O thread, so a blocked handler on that thread would stall everything.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Route slow;
    slow.method = "GET";
    slow.pattern = "/slow";
    slow.handler = [this](const Request&) {
      entered_.store(true);
      release_.wait();
      return Response::Resource(200, "done");
    };
    ASSERT_TRUE(router_.Add(std::move(slow)).ok());
    Route fast;
    fast.method = "GET";
    fast.pattern = "/fast";
    fast.handler = [](const Request&) { return Response::Resource(200, "fast"); };
    ASSERT_TRUE(router_.Add(std::move(fast)).ok());

    ServerConfig config;
    config.port = 0;
    config.io_threads = 1;
    config.worker_threads = 2;
    config.shutdown_timeout = milliseconds(kDeadline);
    server_ = std::make_unique<HttpServer>(config, router_, [](std::string_view) {});
    const common::Result<uint16_t> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }

  void TearDown() override {
    Release();
    server_->Stop();
  }

  // Lets every /slow handler return. Idempotent.
  void Release() {
    if (!released_.exchange(true)) release_promise_.set_value();
  }

  bool WaitEntered() {
    const auto deadline = Clock::now() + kDeadline;
    while (!entered_.load() && Clock::now() < deadline) std::this_thread::sleep_for(kPollStep);
    return entered_.load();
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<bool> entered_{false};
  std::atomic<bool> released_{false};
  std::promise<void> release_promise_;
  std::shared_future<void> release_ = release_promise_.get_future().share();
};

TEST_F(HttpServerTest, BlockedHandlerDoesNotBlockTheIoThread) {
  const int slow = Connect(port_);
  ASSERT_GE(slow, 0);
  ::send(slow, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 31, MSG_NOSIGNAL);
  ASSERT_TRUE(WaitEntered());
  const int fast = Connect(port_);
  ASSERT_GE(fast, 0);
  const std::string reply = Exchange(fast, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(reply.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(reply.find("fast"), std::string::npos);
  ::close(fast);
  ::close(slow);
}

TEST_F(HttpServerTest, StopFinishesTheInFlightRequest) {
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::future<std::string> reply = std::async(std::launch::async, [fd] {
    return Exchange(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  });
  ASSERT_TRUE(WaitEntered());
  std::thread stopper([this] { server_->Stop(); });
  // The listener closes while the request is still being handled.
  const auto deadline = Clock::now() + kDeadline;
  int probe = -1;
  while (Clock::now() < deadline && (probe = Connect(port_)) >= 0) {
    ::close(probe);
    std::this_thread::sleep_for(kPollStep);
  }
  EXPECT_LT(probe, 0) << "still accepting during shutdown";
  Release();
  const std::string text = reply.get();
  ::close(fd);
  stopper.join();
  EXPECT_NE(text.find("HTTP/1.1 200"), std::string::npos) << text;
  EXPECT_NE(text.find("Connection: close"), std::string::npos) << text;
  EXPECT_NE(text.find("done"), std::string::npos);
}

TEST(HttpServerStartTest, BindFailureIsUnavailable) {
  Router router;
  ServerConfig config;
  config.port = 0;
  HttpServer first(config, router, [](std::string_view) {});
  const common::Result<uint16_t> port = first.Start();
  ASSERT_TRUE(port.ok());
  Router other;
  config.port = *port;
  HttpServer second(config, other, [](std::string_view) {});
  const common::Result<uint16_t> again = second.Start();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), common::StatusCode::kUnavailable);
  EXPECT_NE(again.status().message().find(std::to_string(*port)), std::string::npos);
}

}  // namespace
}  // namespace workwell::api
