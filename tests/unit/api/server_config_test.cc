#include "adapter/api/server_config.h"

#include <gtest/gtest.h>

namespace workwell::api {
namespace {

// Parses `text` as a whole config file and reads its "server" section, returning the errors.
std::vector<std::string> Errors(std::string_view text, ServerConfig* out = nullptr) {
  json::Document doc;
  json::ParseError error;
  EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message;
  ConfigReader reader("gateway.json");
  ServerConfig c = ReadServerConfig(*doc.root().Find("server"), "/server", reader);
  if (out != nullptr) *out = c;
  return reader.errors();
}

TEST(ServerConfigTest, EmptySectionGivesSafeDefaults) {
  ServerConfig c;
  EXPECT_TRUE(Errors(R"({"server":{}})", &c).empty());
  EXPECT_EQ(c.address, "127.0.0.1");
  EXPECT_EQ(c.max_body_bytes, 10u * 1024 * 1024);
  EXPECT_GT(c.header_timeout.count(), 0);
  c.ResolveDefaults();
  EXPECT_GE(c.io_threads, 1u);
  EXPECT_GE(c.worker_threads, 4u);
}

TEST(ServerConfigTest, ReadsEveryKey) {
  ServerConfig c;
  const auto errors = Errors(R"({"server":{
      "listen":{"address":"::1","port":0},
      "threads":{"io":3,"workers":5},
      "limits":{"maxHeaderBytes":2048,"maxBodyBytes":1},
      "timeouts":{"idleMs":1,"keepAliveMs":2,"headerMs":3,"bodyMs":4,"writeMs":5,"shutdownMs":6}}})",
                             &c);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(c.address, "::1");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.io_threads, 3u);
  EXPECT_EQ(c.worker_threads, 5u);
  EXPECT_EQ(c.max_header_bytes, 2048u);
  EXPECT_EQ(c.max_body_bytes, 1u);
  EXPECT_EQ(c.idle_timeout.count(), 1);
  EXPECT_EQ(c.keep_alive_timeout.count(), 2);
  EXPECT_EQ(c.header_timeout.count(), 3);
  EXPECT_EQ(c.body_timeout.count(), 4);
  EXPECT_EQ(c.write_timeout.count(), 5);
  EXPECT_EQ(c.shutdown_timeout.count(), 6);
}

TEST(ServerConfigTest, ReportsFileAndPointer) {
  for (const char* bad : {R"("10")", "0", "-5", "1.5", "1e6", "null", "true"}) {
    const auto errors = Errors(std::string(R"({"server":{"limits":{"maxBodyBytes":)") + bad + "}}}");
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors[0], "gateway.json: /server/limits/maxBodyBytes: expected a positive integer") << bad;
  }
}

TEST(ServerConfigTest, UnknownAndDuplicateKeysAreErrors) {
  auto errors = Errors(R"({"server":{"listen":{"adress":"127.0.0.1"}}})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "gateway.json: /server/listen/adress: unknown key");
  errors = Errors(R"({"server":{"timeouts":{"headerMs":5,"headerMs":6}}})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "gateway.json: /server/timeouts/headerMs: duplicate key");
  errors = Errors(R"({"server":{"a/b~c":1}})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "gateway.json: /server/a~1b~0c: unknown key");
}

TEST(ServerConfigTest, RangesAndTypes) {
  EXPECT_EQ(Errors(R"({"server":{"listen":{"port":65536}}})").at(0),
            "gateway.json: /server/listen/port: expected an integer between 0 and 65535");
  EXPECT_EQ(Errors(R"({"server":{"listen":{"address":"localhost"}}})").at(0),
            "gateway.json: /server/listen/address: expected an IP address literal");
  EXPECT_EQ(Errors(R"({"server":{"listen":{"address":7}}})").at(0),
            "gateway.json: /server/listen/address: expected a non-empty string");
  EXPECT_EQ(Errors(R"({"server":{"threads":{"io":0}}})").at(0),
            "gateway.json: /server/threads/io: expected a positive integer");
  EXPECT_EQ(Errors(R"({"server":{"threads":{"io":1000}}})").at(0),
            "gateway.json: /server/threads/io: expected a positive integer at most 256");
  EXPECT_EQ(Errors(R"({"server":{"limits":{"maxHeaderBytes":10}}})").at(0),
            "gateway.json: /server/limits/maxHeaderBytes: expected an integer between 1024 and 1048576");
  EXPECT_EQ(Errors(R"({"server":{"timeouts":[]}})").at(0), "gateway.json: /server/timeouts: expected an object");
  EXPECT_EQ(Errors(R"({"server":[]})").at(0), "gateway.json: /server: expected an object");
}

TEST(ServerConfigTest, CollectsAllErrors) {
  const auto errors = Errors(R"({"server":{"listen":{"port":-1},"threads":{"workers":0},"x":1}})");
  EXPECT_EQ(errors.size(), 3u);
}

TEST(ConfigReaderTest, StatusJoinsErrors) {
  ConfigReader reader("f.json");
  EXPECT_TRUE(reader.status().ok());
  reader.Error("/a", "one");
  reader.Error("", "two");
  EXPECT_EQ(reader.status().message(), "f.json: /a: one\nf.json: /: two");
}

}  // namespace
}  // namespace workwell::api

namespace workwell::api {
namespace {

TEST(ServerConfigTest, HandshakeTimeoutAndNoTlsByDefault) {
  ServerConfig c;
  EXPECT_TRUE(Errors(R"({"server":{"timeouts":{"handshakeMs":250}}})", &c).empty());
  EXPECT_EQ(c.handshake_timeout.count(), 250);
  EXPECT_FALSE(c.tls.has_value());  // TLS comes from the security section, never from "server"
  EXPECT_FALSE(Errors(R"({"server":{"timeouts":{"handshakeMs":0}}})").empty());
  EXPECT_FALSE(Errors(R"({"server":{"tls":{}}})").empty());
}

}  // namespace
}  // namespace workwell::api
