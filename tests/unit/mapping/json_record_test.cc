#include "adapter/mapping/sources/json_record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace workwell::mapping {
namespace {

JsonRecord MustParse(std::string_view text, std::vector<SourceIssue>* issues_out = nullptr) {
  std::vector<SourceIssue> issues;
  common::Result<JsonRecord> r = JsonRecord::Parse(text, json::Limits{}, issues);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (issues_out != nullptr) *issues_out = issues;
  return r.ok() ? std::move(r).value() : JsonRecord(json::Document());
}

TEST(JsonPointerTest, EscapesAndSplits) {
  EXPECT_EQ(EscapePointerToken("a/b~c"), "a~1b~0c");
  std::vector<std::string> tokens;
  ASSERT_TRUE(SplitPointer("/a~1b/~0/0/", tokens));
  EXPECT_EQ(tokens, (std::vector<std::string>{"a/b", "~", "0", ""}));
  EXPECT_EQ(JoinPointer(tokens), "/a~1b/~0/0/");
  ASSERT_TRUE(SplitPointer("", tokens));
  EXPECT_TRUE(tokens.empty());
  EXPECT_FALSE(SplitPointer("a", tokens));
  EXPECT_FALSE(SplitPointer("/a~2", tokens));
  EXPECT_FALSE(SplitPointer("/a~", tokens));
  // "~01" is "~" followed by "1", not "/".
  ASSERT_TRUE(SplitPointer("/~01", tokens));
  EXPECT_EQ(tokens, (std::vector<std::string>{"~1"}));
}

TEST(JsonRecordTest, AddressesLeavesByPointer) {
  JsonRecord r = MustParse(R"({"patient":{"nhsNumber":"9990000018","name":{"given":["Jo","Ann"]}},
      "a/b":{"m~n":1.50},"flag":true,"none":null,"":"empty key","conditions":[{"code":"1"},{"text":"x"}]})");
  EXPECT_EQ(r.format(), SourceFormat::kJson);
  std::optional<SourceField> f = r.Get("/patient/nhsNumber");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value.text, "9990000018");
  EXPECT_EQ(f->value.kind, SourceValue::Kind::kText);
  EXPECT_EQ(f->location.ToString(), "/patient/nhsNumber");
  EXPECT_EQ(r.Get("/patient/name/given/1")->value.text, "Ann");
  EXPECT_EQ(r.Get("/a~1b/m~0n")->value.text, "1.50");
  EXPECT_EQ(r.Get("/a~1b/m~0n")->value.kind, SourceValue::Kind::kNumber);
  EXPECT_EQ(r.Get("/flag")->value.text, "true");
  EXPECT_EQ(r.Get("/flag")->value.kind, SourceValue::Kind::kBool);
  EXPECT_TRUE(r.Get("/none")->value.IsNull());
  EXPECT_EQ(r.Get("/")->value.text, "empty key");
  EXPECT_FALSE(r.Get("/patient"));  // an object is not a leaf
  EXPECT_FALSE(r.Get("/patient/name/given/2"));
  EXPECT_FALSE(r.Get("/patient/name/given/01"));
  EXPECT_FALSE(r.Get("/patient/name/given/-"));
  EXPECT_FALSE(r.Get("/patient/missing"));
  EXPECT_FALSE(r.Get("patient"));
  EXPECT_EQ(r.Count("/conditions"), 2u);
  EXPECT_EQ(r.Count("/patient"), 1u);
  EXPECT_EQ(r.Count("/nothing"), 0u);
  EXPECT_EQ(r.Get("/conditions/1/text")->value.text, "x");
}

TEST(JsonRecordTest, EnumeratesEveryLeafInOrder) {
  std::vector<SourceIssue> issues;
  JsonRecord r = MustParse(R"({"a":{"b":[1,{"c":"x"}],"e":{},"f":[]},"a/b":null,"d":"y","d":"dup"})", &issues);
  std::vector<std::string> paths;
  r.ForEachField([&](const SourceField& f) {
    paths.push_back(f.path);
    EXPECT_TRUE(r.Get(f.path)) << f.path;
  });
  EXPECT_EQ(paths, (std::vector<std::string>{"/a/b/0", "/a/b/1/c", "/a~1b", "/d"}));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].severity, SourceIssue::Severity::kWarning);
  EXPECT_EQ(issues[0].location.ToString(), "/d");
  EXPECT_EQ(r.Get("/d")->value.text, "y");
}

TEST(JsonRecordTest, ParseErrorsNameThePointer) {
  std::vector<SourceIssue> issues;
  common::Result<JsonRecord> r = JsonRecord::Parse(R"({"patient":{"name":[1,}]}})", json::Limits{}, issues);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kInvalidArgument);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].location.path.substr(0, 13), "/patient/name");
  json::Limits limits;
  limits.max_depth = 2;
  issues.clear();
  r = JsonRecord::Parse(R"({"a":{"b":{"c":1}}})", limits, issues);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace workwell::mapping
