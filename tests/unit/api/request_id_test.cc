#include "adapter/api/request_id.h"

#include <gtest/gtest.h>

#include <set>

#include "adapter/api/access_log.h"
#include "adapter/api/log.h"
#include "adapter/api/request.h"

namespace workwell::api {
namespace {

bool LooksLikeUuidV4(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i])) || std::isupper(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

TEST(RequestIdTest, GeneratesDistinctVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuidV4();
    EXPECT_TRUE(LooksLikeUuidV4(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestIdTest, EchoesUsableIds) {
  EXPECT_EQ(EchoOrGenerateId("abc-123"), "abc-123");
  EXPECT_EQ(EchoOrGenerateId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(EchoOrGenerateId("urn:uuid:6f1c2d3e-0000-4000-8000-000000000000"),
            "urn:uuid:6f1c2d3e-0000-4000-8000-000000000000");
}

TEST(RequestIdTest, ReplacesMissingOrUnsafeIds) {
  EXPECT_TRUE(LooksLikeUuidV4(EchoOrGenerateId(std::nullopt)));
  for (std::string_view bad : {"", "has space", "quote\"", "new\nline", "{\"json\":1}"}) {
    EXPECT_TRUE(LooksLikeUuidV4(EchoOrGenerateId(bad))) << bad;
  }
  EXPECT_TRUE(LooksLikeUuidV4(EchoOrGenerateId(std::string(129, 'a'))));
  EXPECT_EQ(EchoOrGenerateId(std::string(128, 'a')), std::string(128, 'a'));
}

TEST(AccessLogTest, DropsQueryValuesButKeepsNames) {
  EXPECT_EQ(RedactQueryValues("/Patient"), "/Patient");
  EXPECT_EQ(RedactQueryValues("/Patient?identifier=9434765919&_count=5"), "/Patient?identifier=&_count=");
  EXPECT_EQ(RedactQueryValues("/x?flag&&y=1"), "/x?flag&y=");
}

TEST(AccessLogTest, FormatsOneJsonLineWithoutBodies) {
  AccessLogEntry e;
  e.time = std::chrono::system_clock::time_point(std::chrono::microseconds(1735689600123456));
  e.request_id = "r1";
  e.correlation_id = "c1";
  e.method = "POST";
  e.target = "/Patient/$validate?profile=secret";
  e.status = 200;
  e.bytes_in = 10;
  e.bytes_out = 20;
  e.duration_us = 30;
  e.peer = "127.0.0.1:5000";
  EXPECT_EQ(FormatAccessLog(e),
            R"({"time":"2025-01-01T00:00:00.123456Z","level":"info","event":"http_request",)"
            R"("requestId":"r1","correlationId":"c1","method":"POST","path":"/Patient/$validate?profile=",)"
            R"("status":200,"bytesIn":10,"bytesOut":20,"durationUs":30,"peer":"127.0.0.1:5000"})");
}

TEST(LogRedactionTest, ReplacesNhsNumbersAndQuotedValues) {
  EXPECT_EQ(RedactPersonalData("no patient 9434765919 here"), "no patient [nhs-number] here");
  EXPECT_EQ(RedactPersonalData("nhs 943 476 5919, 943-476-5919."), "nhs [nhs-number], [nhs-number].");
  // Not NHS-number shaped: longer or shorter runs, mixed separators.
  EXPECT_EQ(RedactPersonalData("id 94347659190 or 943476591 or 943 476-5919 or ab9434765919"),
            "id 94347659190 or 943476591 or 943 476-5919 or ab9434765919");
  EXPECT_EQ(RedactPersonalData("family 'Smith' given \"Ann\" empty ''"),
            "family '[redacted]' given \"[redacted]\" empty ''");
  // An apostrophe inside a word opens no quote; an unclosed quote is left as it is.
  EXPECT_EQ(RedactPersonalData("the client's 'Jones"), "the client's 'Jones");
}

TEST(LogRedactionTest, LogLinesAreRedactedUnlessTheDebugSwitchIsOn) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::microseconds(1735689600123456));
  ASSERT_FALSE(LogPersonalData());
  EXPECT_EQ(FormatLogLine(t, "error", "store_error", {{"message", "Patient 'Ann Smith' 9434765919"}, {"n", int64_t{9434765919}}}),
            R"({"time":"2025-01-01T00:00:00.123456Z","level":"error","event":"store_error",)"
            R"("message":"Patient '[redacted]' [nhs-number]","n":9434765919})");
  SetLogPersonalData(true);
  const std::string debug = FormatLogLine(t, "error", "store_error", {{"message", "Patient 'Ann Smith' 9434765919"}});
  SetLogPersonalData(false);
  EXPECT_NE(debug.find("'Ann Smith' 9434765919"), std::string::npos) << debug;
}

TEST(RequestTargetTest, SplitsAndDecodes) {
  std::string path;
  Fields query;
  ASSERT_TRUE(ParseTarget("/Patient/a%20b?name=J%C3%B3+Smith&_format=application/fhir+json&flag", path, query).ok());
  EXPECT_EQ(path, "/Patient/a b");
  ASSERT_EQ(query.size(), 3u);
  EXPECT_EQ(query[0], (std::pair<std::string, std::string>{"name", "J\xC3\xB3 Smith"}));
  EXPECT_EQ(query[1].second, "application/fhir json");
  EXPECT_EQ(query[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_FALSE(ParseTarget("http://host/x", path, query).ok());
  EXPECT_FALSE(ParseTarget("/x%2", path, query).ok());
  EXPECT_FALSE(ParseTarget("/x?y=%zz", path, query).ok());
}

}  // namespace
}  // namespace workwell::api
