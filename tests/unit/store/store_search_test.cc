// Search semantics on both backends: references, chained identifiers, tokens, dates with
// prefixes and partial precision, _lastUpdated, paging, _sort and _include.
#include "adapter/store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "adapter/store/bundle.h"
#include "tests/unit/store/store_fixture.h"

namespace workwell::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class SearchTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Put(R"({"resourceType":"Patient","id":"p1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Smith","given":["Jane"]}],"birthDate":"1980-03-04"})");
    Put(R"({"resourceType":"Patient","id":"p2","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765870"},{"value":"local-7"}],"name":[{"family":"Jones"}]})");
    Put(R"({"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://snomed.info/sct","code":"225399009"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-03-10T09:30:00Z","valueQuantity":{"value":1.50}})");
    Put(R"({"resourceType":"Observation","id":"o2","status":"preliminary","code":{"coding":[{"system":"http://snomed.info/sct","code":"1"}]},"subject":{"reference":"https://gw.example/fhir/Patient/p1/_history/1"},"effectivePeriod":{"start":"2024-04-01","end":"2024-04-30"}})");
    Put(R"({"resourceType":"Observation","id":"o3","status":"final","subject":{"reference":"Patient/p2"},"effectiveDateTime":"2024-05"})");
    Put(R"({"resourceType":"Observation","id":"o4","status":"cancelled","subject":{"reference":"Group/g1"},"effectiveDateTime":"2023-12-31"})");
    Put(R"({"resourceType":"CarePlan","id":"c1","status":"active","intent":"plan","subject":{"reference":"Patient/p1"},"period":{"start":"2024-05-01"}})");
    Put(R"({"resourceType":"CarePlan","id":"c2","status":"completed","intent":"plan","subject":{"reference":"Patient/p2"},"period":{"start":"2024-01-01","end":"2024-02-26"}})");
    Put(R"({"resourceType":"ServiceRequest","id":"s1","status":"active","intent":"order","subject":{"reference":"Patient/p1"},"authoredOn":"2024-05-02T10:00:00+01:00"})");
    Put(R"({"resourceType":"ServiceRequest","id":"s2","status":"draft","intent":"order","subject":{"reference":"Patient/p2"},"authoredOn":"2024-05-03"})");
  }

  void Put(std::string_view text) {
    json::Document doc = Json(text);
    auto r = store().Update(doc.root());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // The ids matched by `params` (all pages), in result order.
  std::vector<std::string> Ids(std::string_view type, QueryParams params) {
    auto page = store().Search(type, SearchRequest{std::move(params)});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> ids;
    if (!page.ok()) return ids;
    for (const auto& v : page->matches) ids.push_back(v.id);
    return ids;
  }

  StoreCode Error(std::string_view type, QueryParams params) {
    return store().Search(type, SearchRequest{std::move(params)}).status().code();
  }
};

TEST_P(SearchTest, PatientReferenceInAllForms) {
  EXPECT_THAT(Ids("Observation", {{"patient", "p1"}}), UnorderedElementsAre("o1", "o2"));
  EXPECT_THAT(Ids("Observation", {{"patient", "Patient/p1"}}), UnorderedElementsAre("o1", "o2"));
  EXPECT_THAT(Ids("Observation", {{"patient", "https://other.example/fhir/Patient/p1"}}), UnorderedElementsAre("o1", "o2"));
  EXPECT_THAT(Ids("Observation", {{"subject", "Group/g1"}}), ElementsAre("o4"));
  EXPECT_THAT(Ids("Observation", {{"subject:Patient", "p2"}}), ElementsAre("o3"));
  EXPECT_THAT(Ids("Observation", {{"subject", "g1"}}), ElementsAre("o4"));
  EXPECT_THAT(Ids("Observation", {{"patient", "p1,p2"}}), UnorderedElementsAre("o1", "o2", "o3"));
  EXPECT_THAT(Ids("CarePlan", {{"patient", "p2"}}), ElementsAre("c2"));
}

TEST_P(SearchTest, ChainedNhsNumber) {
  const std::string nhs = "https://fhir.nhs.uk/Id/nhs-number|9434765919";
  EXPECT_THAT(Ids("Observation", {{"patient.identifier", nhs}}), UnorderedElementsAre("o1", "o2"));
  EXPECT_THAT(Ids("Observation", {{"subject:Patient.identifier", nhs}}), UnorderedElementsAre("o1", "o2"));
  EXPECT_THAT(Ids("ServiceRequest", {{"patient.identifier", nhs}}), ElementsAre("s1"));
  EXPECT_THAT(Ids("CarePlan", {{"subject:Patient.identifier", "9434765870"}}), ElementsAre("c2"));
  EXPECT_THAT(Ids("CarePlan", {{"patient.identifier", "https://fhir.nhs.uk/Id/nhs-number|0000000000"}}), ElementsAre());
  EXPECT_EQ(Error("Observation", {{"subject.identifier", nhs}}), StoreCode::kInvalid);  // ambiguous target
  EXPECT_EQ(Error("Observation", {{"status.identifier", nhs}}), StoreCode::kInvalid);
}

TEST_P(SearchTest, TokenForms) {
  EXPECT_THAT(Ids("Observation", {{"status", "final"}}), UnorderedElementsAre("o1", "o3"));
  EXPECT_THAT(Ids("Observation", {{"status", "final,preliminary"}}), UnorderedElementsAre("o1", "o2", "o3"));
  EXPECT_THAT(Ids("Observation", {{"status", "final"}, {"patient", "p1"}}), ElementsAre("o1"));
  EXPECT_THAT(Ids("Observation", {{"code", "http://snomed.info/sct|225399009"}}), ElementsAre("o1"));
  EXPECT_THAT(Ids("Patient", {{"identifier", "https://fhir.nhs.uk/Id/nhs-number|9434765919"}}), ElementsAre("p1"));
  EXPECT_THAT(Ids("Patient", {{"identifier", "9434765919"}}), ElementsAre("p1"));
  EXPECT_THAT(Ids("Patient", {{"identifier", "|local-7"}}), ElementsAre("p2"));
  EXPECT_THAT(Ids("Patient", {{"identifier", "|9434765919"}}), ElementsAre());
  EXPECT_THAT(Ids("Patient", {{"identifier", "https://fhir.nhs.uk/Id/nhs-number|"}}), UnorderedElementsAre("p1", "p2"));
  EXPECT_THAT(Ids("Patient", {{"_id", "p2"}}), ElementsAre("p2"));
  EXPECT_THAT(Ids("Patient", {{"name", "smi"}}), ElementsAre("p1"));
  EXPECT_THAT(Ids("Patient", {{"name", "JANE"}}), ElementsAre("p1"));
  EXPECT_THAT(Ids("Patient", {{"name:contains", "one"}}), ElementsAre("p2"));
}

TEST_P(SearchTest, DatePrefixesAndPrecision) {
  // o1 2024-03-10T09:30Z, o2 April 2024 (period), o3 May 2024 (month precision), o4 2023-12-31.
  EXPECT_THAT(Ids("Observation", {{"date", "2024"}}), UnorderedElementsAre("o1", "o2", "o3"));
  EXPECT_THAT(Ids("Observation", {{"date", "2024-03"}}), ElementsAre("o1"));
  EXPECT_THAT(Ids("Observation", {{"date", "eq2024-03-10"}}), ElementsAre("o1"));
  EXPECT_THAT(Ids("Observation", {{"date", "2024-05-15"}}), ElementsAre());  // o3's month is wider
  EXPECT_THAT(Ids("Observation", {{"date", "ne2024"}}), ElementsAre("o4"));
  EXPECT_THAT(Ids("Observation", {{"date", "gt2024-03-31"}}), UnorderedElementsAre("o2", "o3"));
  EXPECT_THAT(Ids("Observation", {{"date", "lt2024-03-10"}}), UnorderedElementsAre("o4"));
  EXPECT_THAT(Ids("Observation", {{"date", "ge2024-03-10"}}), UnorderedElementsAre("o1", "o2", "o3"));
  EXPECT_THAT(Ids("Observation", {{"date", "le2024-03-10"}}), UnorderedElementsAre("o1", "o4"));
  EXPECT_THAT(Ids("Observation", {{"date", "sa2024-03-31"}}), UnorderedElementsAre("o2", "o3"));
  EXPECT_THAT(Ids("Observation", {{"date", "eb2024-04-01"}}), UnorderedElementsAre("o1", "o4"));
  EXPECT_THAT(Ids("Observation", {{"date", "ge2024-01-01"}, {"date", "lt2024-04-15"}}), UnorderedElementsAre("o1", "o2"));
  EXPECT_THAT(Ids("Observation", {{"date", "2024-03-10T09:30"}}), ElementsAre("o1"));
  EXPECT_THAT(Ids("Observation", {{"date", "2024-03-10T10:30:00+01:00"}}), ElementsAre("o1"));
  EXPECT_EQ(Error("Observation", {{"date", "ap2024"}}), StoreCode::kInvalid);
  EXPECT_EQ(Error("Observation", {{"date", "2024-13"}}), StoreCode::kInvalid);
}

TEST_P(SearchTest, ResourceDatesOfPlansAndRequests) {
  // c1 runs from 2024-05-01 with no end; c2 covers 2024-01-01..2024-02-26.
  EXPECT_THAT(Ids("CarePlan", {{"date", "ge2024-06-01"}}), ElementsAre("c1"));
  EXPECT_THAT(Ids("CarePlan", {{"date", "eb2024-03-01"}}), ElementsAre("c2"));
  EXPECT_THAT(Ids("CarePlan", {{"date", "le2024-02-01"}}), ElementsAre("c2"));
  EXPECT_THAT(Ids("CarePlan", {{"date", "2024-02"}}), ElementsAre());  // c2 is wider than February
  EXPECT_THAT(Ids("CarePlan", {{"date", "2024"}}), ElementsAre("c2"));  // c1 never ends
  // s1 was authored at 09:00Z on 2024-05-02.
  EXPECT_THAT(Ids("ServiceRequest", {{"authored", "2024-05-02"}}), ElementsAre("s1"));
  EXPECT_THAT(Ids("ServiceRequest", {{"authored", "gt2024-05-02T09:00:00Z"}}), ElementsAre("s2"));
  EXPECT_THAT(Ids("ServiceRequest", {{"authored", "ge2024-05-02T09:00:00Z"}}), UnorderedElementsAre("s1", "s2"));
  EXPECT_THAT(Ids("ServiceRequest", {{"status", "active"}, {"patient", "p1"}}), ElementsAre("s1"));
}

TEST_P(SearchTest, LastUpdated) {
  clock_.Set(1735689600000000);  // 2025-01-01T00:00:00Z
  Put(R"({"resourceType":"Observation","id":"late","status":"final"})");
  EXPECT_THAT(Ids("Observation", {{"_lastUpdated", "ge2025-01-01"}}), ElementsAre("late"));
  EXPECT_THAT(Ids("Observation", {{"_lastUpdated", "2025"}}), ElementsAre("late"));
  EXPECT_THAT(Ids("Observation", {{"_lastUpdated", "lt2025"}}), UnorderedElementsAre("o1", "o2", "o3", "o4"));
}

TEST_P(SearchTest, PagingIsStableAndLinked) {
  auto page = store().Search("Observation", SearchRequest{{{"_count", "3"}, {"_sort", "date"}}});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->total, 4);
  ASSERT_EQ(page->matches.size(), 3u);
  EXPECT_EQ(page->matches[0].id, "o4");
  EXPECT_EQ(page->matches[1].id, "o1");
  EXPECT_EQ(page->matches[2].id, "o2");
  EXPECT_EQ(page->self_query, "_count=3&_sort=date");
  ASSERT_TRUE(page->next_query);
  EXPECT_EQ(*page->next_query, "_count=3&_sort=date&_offset=3");
  EXPECT_FALSE(page->prev_query);

  auto params = ParseQueryString(*page->next_query);
  ASSERT_TRUE(params.ok());
  auto next = store().Search("Observation", SearchRequest{*params});
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->matches.size(), 1u);
  EXPECT_EQ(next->matches[0].id, "o3");
  EXPECT_FALSE(next->next_query);
  ASSERT_TRUE(next->prev_query);
  EXPECT_EQ(*next->prev_query, "_count=3&_sort=date");

  const std::string bundle = RenderSearchBundle(*next, "https://gw.example/fhir", "Observation");
  json::Document doc = Json(bundle);
  EXPECT_THAT(bundle, HasSubstr(R"("total":4)"));
  EXPECT_THAT(bundle, HasSubstr(R"({"relation":"previous","url":"https://gw.example/fhir/Observation?_count=3&_sort=date"})"));
  EXPECT_THAT(bundle, HasSubstr(R"("fullUrl":"https://gw.example/fhir/Observation/o3")"));
}

TEST_P(SearchTest, SortDescendingAndByLastUpdated) {
  EXPECT_THAT(Ids("Observation", {{"_sort", "-date"}}), ElementsAre("o3", "o2", "o1", "o4"));
  EXPECT_THAT(Ids("ServiceRequest", {{"_sort", "-authored"}}), ElementsAre("s2", "s1"));
  EXPECT_THAT(Ids("Patient", {{"_sort", "-_lastUpdated"}}), ElementsAre("p2", "p1"));
  EXPECT_THAT(Ids("Patient", {{"_sort", "_lastUpdated"}}), ElementsAre("p1", "p2"));
  EXPECT_EQ(Error("Patient", {{"_sort", "name"}}), StoreCode::kInvalid);
}

TEST_P(SearchTest, IncludeThePatient) {
  auto page = store().Search("Observation", SearchRequest{{{"status", "final"}, {"_include", "Observation:patient"}}});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> included;
  for (const auto& v : page->includes) included.push_back(v.type + "/" + v.id);
  EXPECT_THAT(included, UnorderedElementsAre("Patient/p1", "Patient/p2"));

  auto subject = store().Search("Observation", SearchRequest{{{"_include", "Observation:subject"}}});
  ASSERT_TRUE(subject.ok());
  EXPECT_EQ(subject->includes.size(), 2u);  // Group/g1 is not stored

  const std::string bundle = RenderSearchBundle(*page, "https://gw.example/fhir", "Observation");
  EXPECT_THAT(bundle, HasSubstr(R"("search":{"mode":"include"})"));
  EXPECT_THAT(bundle, HasSubstr(R"("valueQuantity":{"value":1.50})"));
  Json(bundle);
  EXPECT_EQ(Error("Observation", {{"_include", "Observation:status"}}), StoreCode::kInvalid);
}

TEST_P(SearchTest, UnknownParametersStrictOrLenient) {
  EXPECT_EQ(Error("Observation", {{"colour", "red"}}), StoreCode::kInvalid);
  auto lenient = store().Search("Observation", SearchRequest{{{"colour", "red"}, {"status", "final"}}, false});
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->total, 2);
  EXPECT_THAT(lenient->ignored, ElementsAre("colour"));
  EXPECT_EQ(lenient->self_query, "status=final");
  EXPECT_EQ(Error("Observation", {{"status:missing", "true"}}), StoreCode::kInvalid);
  EXPECT_EQ(Error("Observation", {{"_count", "x"}}), StoreCode::kInvalid);
}

TEST_P(SearchTest, UpdatesReplaceIndexEntries) {
  Put(R"({"resourceType":"Observation","id":"o1","status":"amended","subject":{"reference":"Patient/p2"}})");
  EXPECT_THAT(Ids("Observation", {{"status", "final"}}), ElementsAre("o3"));
  EXPECT_THAT(Ids("Observation", {{"status", "amended"}}), ElementsAre("o1"));
  EXPECT_THAT(Ids("Observation", {{"patient", "p1"}}), ElementsAre("o2"));
}

TEST_P(SearchTest, CountZeroGivesOnlyTheTotal) {
  auto page = store().Search("Observation", SearchRequest{{{"_count", "0"}}});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 4);
  EXPECT_TRUE(page->matches.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace workwell::store
