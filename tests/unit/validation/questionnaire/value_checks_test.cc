#include "adapter/validation/questionnaire/value_checks.h"

#include <gtest/gtest.h>

#include "adapter/common/json/json.h"

namespace workwell::validation::questionnaire {
namespace {

TEST(CompareDecimalTest, ComparesExactlyOnText) {
  EXPECT_EQ(CompareDecimal("1.50", "1.5"), 0);
  EXPECT_EQ(CompareDecimal("10", "9.999"), 1);
  EXPECT_EQ(CompareDecimal("-2", "1"), -1);
  EXPECT_EQ(CompareDecimal("-2", "-3"), 1);
  EXPECT_EQ(CompareDecimal("0.0", "-0"), 0);
  EXPECT_EQ(CompareDecimal("3e2", "300"), 0);
  EXPECT_EQ(CompareDecimal("0.1000000000000000000001", "0.1"), 1);
  EXPECT_FALSE(CompareDecimal("abc", "1").has_value());
}

TEST(DecimalPlacesTest, CountsWrittenFractionDigits) {
  EXPECT_EQ(DecimalPlaces("1.666"), 3);
  EXPECT_EQ(DecimalPlaces("1.50"), 2);
  EXPECT_EQ(DecimalPlaces("7"), 0);
  EXPECT_EQ(DecimalPlaces("1.25e1"), 1);
}

TEST(ComparePartialDateTimeTest, ComparesOnSharedPrecision) {
  EXPECT_EQ(ComparePartialDateTime("2021-12-12", "2021-12-11"), 1);
  EXPECT_EQ(ComparePartialDateTime("2021-12", "2021-12-11"), 0);
  EXPECT_EQ(ComparePartialDateTime("2021-12-11T10:00:00Z", "2021-12-11"), 0);
  EXPECT_EQ(ComparePartialDateTime("09:30:00", "10:00:00"), -1);
  EXPECT_FALSE(ComparePartialDateTime("soon", "2021").has_value());
}

TEST(UcumTest, ConvertsSimpleUnits) {
  auto m = ToCanonicalUcum("10000", "m");
  auto km = ToCanonicalUcum("5", "km");
  ASSERT_TRUE(m && km);
  EXPECT_EQ(m->dimension, km->dimension);
  EXPECT_GT(m->value, km->value);
  EXPECT_NE(ToCanonicalUcum("1", "kg")->dimension, m->dimension);
  EXPECT_FALSE(ToCanonicalUcum("1", "mmol/L").has_value());
}

TEST(UriFormTest, ChecksUuidAndOid) {
  EXPECT_TRUE(IsValidUuidUrn("urn:uuid:c757873d-ec9a-4326-a141-556f43239520"));
  EXPECT_FALSE(IsValidUuidUrn("urn:uuid:c757873d-ec9a-4326-a141-556f43239520asdf"));
  EXPECT_FALSE(IsValidUuidUrn("urn:uuid:C757873D-EC9A-4326-A141-556F43239520"));
  EXPECT_TRUE(IsValidOidUrn("urn:oid:1.2.840.10008"));
  EXPECT_FALSE(IsValidOidUrn("urn:oid:1.02"));
  EXPECT_FALSE(IsValidOidUrn("urn:oid:5.1"));
}

TEST(ReferenceTest, SyntaxAndType) {
  EXPECT_TRUE(IsValidReferenceSyntax("Patient/example"));
  EXPECT_TRUE(IsValidReferenceSyntax("https://example.org/Patient/example"));
  EXPECT_TRUE(IsValidReferenceSyntax("#p1"));
  EXPECT_TRUE(IsValidReferenceSyntax("urn:uuid:c757873d-ec9a-4326-a141-556f43239520"));
  EXPECT_FALSE(IsValidReferenceSyntax("ht sdtps://example.org/Chicken/example"));
  EXPECT_FALSE(IsValidReferenceSyntax("Patient"));
  EXPECT_EQ(ReferenceResourceType("https://example.org/Chicken/example"), "Chicken");
  EXPECT_EQ(ReferenceResourceType("Patient/1/_history/2"), "Patient");
  EXPECT_EQ(ReferenceResourceType("https://example.org/fhir"), "");
  EXPECT_EQ(ReferenceResourceType("#p1"), "");
}

TEST(EnumeratedValueSetTest, DecidesOnlyWhatIsListed) {
  json::Document doc;
  json::ParseError error;
  ASSERT_TRUE(json::Parse(R"({"resourceType":"ValueSet","compose":{"include":[
      {"system":"http://loinc.org","concept":[{"code":"LA33-6"}]},
      {"system":"urn:iso:std:iso:3166"}]}})",
                          json::Limits{}, doc, error));
  EXPECT_EQ(EnumeratedValueSetContains(doc.root(), "http://loinc.org", "LA33-6"), true);
  EXPECT_EQ(EnumeratedValueSetContains(doc.root(), "http://loinc.org", "LA32-8"), false);
  EXPECT_EQ(EnumeratedValueSetContains(doc.root(), "urn:iso:std:iso:3166", "AU"), true);
  ASSERT_TRUE(json::Parse(R"({"compose":{"include":[{"system":"http://snomed.info/sct","filter":[{}]}]}})",
                          json::Limits{}, doc, error));
  EXPECT_FALSE(EnumeratedValueSetContains(doc.root(), "http://snomed.info/sct", "1").has_value());
}

}  // namespace
}  // namespace workwell::validation::questionnaire
