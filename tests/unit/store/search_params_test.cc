// The parts of the store that need no database: date ranges, index extraction, query strings,
// ETags, search compilation and resource stamping.
#include "adapter/store/search_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapter/store/resource_json.h"
#include "adapter/store/search_sql.h"
#include "adapter/store/store.h"

namespace workwell::store {
namespace {

using ::testing::ElementsAre;

json::Document Json(std::string_view text) {
  json::Document doc;
  json::ParseError error;
  EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message;
  return doc;
}

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t k2024 = 1704067200000000;  // 2024-01-01T00:00:00Z

TEST(DateRangeTest, EachPrecisionCoversItsWholeSpan) {
  EXPECT_EQ(ParseDateRange("2024")->low, k2024);
  EXPECT_EQ(ParseDateRange("2024")->high, k2024 + 366 * kDay);
  EXPECT_EQ(ParseDateRange("2024-02")->low, k2024 + 31 * kDay);
  EXPECT_EQ(ParseDateRange("2024-02")->high, k2024 + 60 * kDay);
  EXPECT_EQ(ParseDateRange("2024-12")->high, k2024 + 366 * kDay);
  EXPECT_EQ(ParseDateRange("2024-01-02")->low, k2024 + kDay);
  EXPECT_EQ(ParseDateRange("2024-01-02")->high, k2024 + 2 * kDay);
  EXPECT_EQ(ParseDateRange("2024-01-01T10:00")->high - ParseDateRange("2024-01-01T10:00")->low, 60'000'000);
  EXPECT_EQ(ParseDateRange("2024-01-01T10:00:00Z")->high - ParseDateRange("2024-01-01T10:00:00Z")->low, 1'000'000);
  EXPECT_EQ(ParseDateRange("2024-01-01T10:00:00.5Z")->high - ParseDateRange("2024-01-01T10:00:00.5Z")->low, 100'000);
  EXPECT_EQ(ParseDateRange("2024-01-01T10:00:00.123Z")->low, k2024 + 36'000'123'000);
  EXPECT_EQ(ParseDateRange("2024-01-01T11:00:00+01:00")->low, ParseDateRange("2024-01-01T10:00:00Z")->low);
  EXPECT_EQ(ParseDateRange("2024-01-01T09:00:00-01:00")->low, ParseDateRange("2024-01-01T10:00:00Z")->low);
  EXPECT_EQ(ParseDateRange("1969-12-31")->low, -kDay);
}

TEST(DateRangeTest, RejectsMalformedDates) {
  for (std::string_view bad : {"", "24", "2024-1", "2024-13", "2023-02-29", "2024-01-01T25:00", "2024-01-01T10",
                               "2024-01-01T10:00:00+1", "2024-01-01X", "2024-01-01T10:00:00.Z"}) {
    EXPECT_FALSE(ParseDateRange(bad)) << bad;
  }
  EXPECT_TRUE(ParseDateRange("2024-02-29"));
}

TEST(DateRangeTest, FormatsInstants) {
  EXPECT_EQ(FormatInstant(k2024 + 36'000'123'456), "2024-01-01T10:00:00.123Z");
  EXPECT_EQ(FormatInstant(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatInstant(-1000), "1969-12-31T23:59:59.999Z");
}

TEST(ExtractIndexTest, TokensReferencesDatesAndStrings) {
  json::Document doc = Json(R"({"resourceType":"Observation","status":"final",
    "code":{"coding":[{"system":"http://snomed.info/sct","code":"1"},{"code":"2"}]},
    "subject":{"reference":"http://x/fhir/Patient/9/_history/3"},
    "effectivePeriod":{"start":"2024-01-01"},
    "identifier":[{"system":"urn:s","value":"v"}]})");
  std::vector<std::string> rows;
  for (const IndexEntry& e : ExtractIndex("Observation", doc.root())) {
    rows.push_back(e.param + "|" + e.system + "|" + e.value + "|" + (e.low == 0 ? "" : std::to_string(e.low)) + "|" +
                   (e.high == kMaxTime ? "max" : e.high == 0 ? "" : std::to_string(e.high)));
  }
  EXPECT_THAT(rows, ElementsAre("patient||Patient/9||", "subject||Patient/9||", "status||final||",
                                "code|http://snomed.info/sct|1||", "code||2||",
                                "date|||" + std::to_string(k2024) + "|max", "identifier|urn:s|v||"));
}

TEST(ExtractIndexTest, PatientTargetSkipsOtherTypes) {
  json::Document doc = Json(R"({"resourceType":"Observation","subject":{"reference":"Group/1"}})");
  const auto rows = ExtractIndex("Observation", doc.root());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].param, "subject");
}

TEST(ExtractIndexTest, DeclaredParametersAreListed) {
  EXPECT_NE(FindSearchParam("CarePlan", "date"), nullptr);
  EXPECT_NE(FindSearchParam("ServiceRequest", "authored"), nullptr);
  EXPECT_NE(FindSearchParam("Anything", "_lastUpdated"), nullptr);
  EXPECT_EQ(FindSearchParam("Patient", "nonsense"), nullptr);
  EXPECT_EQ(std::string(ParamTypeCode(FindSearchParam("Observation", "patient")->type)), "reference");
  EXPECT_FALSE(IndexedResourceTypes().empty());
  for (std::string_view type : IndexedResourceTypes()) {
    for (const SearchParamDef& def : SearchParamsFor(type)) {
      EXPECT_FALSE(def.expression.empty()) << type << "." << def.name;
      EXPECT_FALSE(def.paths[0].empty()) << type << "." << def.name;
    }
  }
}

TEST(QueryStringTest, DecodesAndEncodes) {
  auto q = ParseQueryString("?patient.identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C943&_count=2&name=a+b");
  ASSERT_TRUE(q.ok());
  EXPECT_THAT(*q, ElementsAre(std::pair<std::string, std::string>("patient.identifier", "https://fhir.nhs.uk/Id/nhs-number|943"),
                              std::pair<std::string, std::string>("_count", "2"),
                              std::pair<std::string, std::string>("name", "a b")));
  EXPECT_EQ(EncodeQueryString(*q), "patient.identifier=https://fhir.nhs.uk/Id/nhs-number|943&_count=2&name=a%20b");
  EXPECT_FALSE(ParseQueryString("a=%2").ok());
  EXPECT_FALSE(ParseQueryString("a=%zz").ok());
}

TEST(ETagTest, ParsesWeakAndStrongForms) {
  EXPECT_EQ(ParseETag("W/\"3\""), 3);
  EXPECT_EQ(ParseETag("\"12\""), 12);
  EXPECT_EQ(ParseETag("7"), 7);
  EXPECT_FALSE(ParseETag("W/\"x\""));
  EXPECT_FALSE(ParseETag(""));
  EXPECT_FALSE(ParseETag("0"));
  EXPECT_EQ(MakeETag(4), "W/\"4\"");
}

TEST(IdTest, ValidatesAndGenerates) {
  EXPECT_TRUE(IsValidId("a-B.9"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("a_b"));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  const std::string id = NewResourceId();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(id, NewResourceId());
}

TEST(CompileSearchTest, ReportsBadParameters) {
  auto bad = [](QueryParams p) { return CompileSearch("Observation", SearchRequest{std::move(p)}).status().code(); };
  EXPECT_EQ(bad({{"nope", "1"}}), StoreCode::kInvalid);
  EXPECT_EQ(bad({{"status:exact", "final"}}), StoreCode::kInvalid);
  EXPECT_EQ(bad({{"date", "xx2024"}}), StoreCode::kInvalid);
  EXPECT_EQ(bad({{"status", ""}}), StoreCode::kInvalid);
  EXPECT_EQ(bad({{"patient.identifier.system", "x"}}), StoreCode::kInvalid);
  EXPECT_EQ(bad({{"_include", "Patient:organization"}}), StoreCode::kInvalid);
  EXPECT_EQ(bad({{"subject:Patient", "Group/1"}}), StoreCode::kInvalid);
  auto ok = CompileSearch("Observation", SearchRequest{{{"_count", "5000"}, {"_offset", "40"}}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->count, kMaxCount);
  EXPECT_EQ(ok->offset, 40u);
  EXPECT_EQ(ok->canonical.size(), 1u);
}

TEST(CompileSearchTest, EscapedCommasAndBarsAreValues) {
  auto c = CompileSearch("Patient", SearchRequest{{{"identifier", R"(urn:a\|b|c\,d)"}}});
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->where_params.size(), 4u);
  EXPECT_EQ(std::get<std::string>(c->where_params[2]), "urn:a|b");
  EXPECT_EQ(std::get<std::string>(c->where_params[3]), "c,d");
}

TEST(ConditionKeyTest, IgnoresParameterOrder) {
  EXPECT_EQ(ConditionKey("Patient", {{"a", "1"}, {"b", "2"}}), ConditionKey("Patient", {{"b", "2"}, {"a", "1"}}));
  EXPECT_NE(ConditionKey("Patient", {{"a", "1"}}), ConditionKey("Patient", {{"a", "2"}}));
  EXPECT_NE(ConditionKey("Patient", {{"a", "1"}}), ConditionKey("Observation", {{"a", "1"}}));
}

TEST(StampResourceTest, SetsIdAndMetaInFhirOrderAndRewritesReferences) {
  json::Document in = Json(R"({"resourceType":"CarePlan","meta":{"tag":[{"code":"t"}],"extension":[{"url":"u","valueDecimal":0.10}],"lastUpdated":"x","_lastUpdated":{"id":"q"}},"subject":{"reference":"urn:uuid:1"},"note":[{"text":"1.0"}]})");
  json::Document out;
  ReferenceMap map{{"urn:uuid:1", "Patient/abc"}};
  StampResource(in.root(), "cp1", 3, "2024-01-01T00:00:00.000Z", &map, out);
  EXPECT_EQ(json::Write(out.root()),
            R"({"resourceType":"CarePlan","id":"cp1","meta":{"extension":[{"url":"u","valueDecimal":0.10}],"versionId":"3","lastUpdated":"2024-01-01T00:00:00.000Z","tag":[{"code":"t"}]},"subject":{"reference":"Patient/abc"},"note":[{"text":"1.0"}]})");
}

}  // namespace
}  // namespace workwell::store
