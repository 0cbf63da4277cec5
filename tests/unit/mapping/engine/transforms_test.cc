#include "adapter/mapping/engine/transforms.h"

#include <gtest/gtest.h>

#include "adapter/mapping/engine/hashing.h"

namespace workwell::mapping {
namespace {

TEST(LondonTime, LastSundays) {
  EXPECT_EQ(LastSunday(2026, 3), 29);
  EXPECT_EQ(LastSunday(2026, 10), 25);
  EXPECT_EQ(LastSunday(2024, 3), 31);
  EXPECT_EQ(LastSunday(2024, 10), 27);
}

TEST(LondonTime, SpringForward) {
  // 2026-03-29: clocks go forward at 01:00 GMT to 02:00 BST.
  EXPECT_EQ(LondonOffsetMinutes(2026, 3, 29, 0, 59), 0);
  bool gap = false;
  EXPECT_EQ(LondonOffsetMinutes(2026, 3, 29, 1, 30, &gap), 0);
  EXPECT_TRUE(gap);
  EXPECT_EQ(LondonOffsetMinutes(2026, 3, 29, 2, 0, &gap), 60);
  EXPECT_FALSE(gap);
  EXPECT_EQ(LondonOffsetMinutes(2026, 3, 28, 12, 0), 0);
}

TEST(LondonTime, FallBack) {
  // 2026-10-25: clocks go back at 02:00 BST to 01:00 GMT; 01:30 happens twice (first is BST).
  EXPECT_EQ(LondonOffsetMinutes(2026, 10, 25, 0, 30), 60);
  EXPECT_EQ(LondonOffsetMinutes(2026, 10, 25, 1, 30), 60);
  EXPECT_EQ(LondonOffsetMinutes(2026, 10, 25, 2, 0), 0);
  EXPECT_EQ(LondonOffsetMinutes(2026, 10, 26, 9, 0), 0);
  EXPECT_EQ(LondonOffsetMinutes(2026, 7, 1, 9, 0), 60);
}

TEST(Dates, UkIsoAndHl7) {
  EXPECT_EQ(NormaliseDate("14/07/1972", nullptr), "1972-07-14");
  EXPECT_EQ(NormaliseDate(" 2026-11-02 ", nullptr), "2026-11-02");
  EXPECT_EQ(NormaliseDate("20261119", nullptr), "2026-11-19");
  EXPECT_EQ(NormaliseDate("29/02/1988", nullptr), "1988-02-29");
  std::string why;
  EXPECT_FALSE(NormaliseDate("29/02/2026", &why));
  EXPECT_EQ(why, "not a calendar date");
  EXPECT_FALSE(NormaliseDate("07/14/1972", &why));  // US order is never accepted
  EXPECT_FALSE(NormaliseDate("1972-7-14", &why));
}

TEST(DateTimes, LocalTimesGetTheirOffset) {
  EXPECT_EQ(NormaliseDateTime("03/11/2026 10:05", nullptr), "2026-11-03T10:05:00+00:00");
  EXPECT_EQ(NormaliseDateTime("28/03/2026 23:30", nullptr), "2026-03-28T23:30:00+00:00");
  EXPECT_EQ(NormaliseDateTime("29/03/2026 02:30", nullptr), "2026-03-29T02:30:00+01:00");
  EXPECT_EQ(NormaliseDateTime("25/10/2026 00:59", nullptr), "2026-10-25T00:59:00+01:00");
  EXPECT_EQ(NormaliseDateTime("25/10/2026 02:00", nullptr), "2026-10-25T02:00:00+00:00");
  EXPECT_EQ(NormaliseDateTime("2026-06-01T09:14", nullptr), "2026-06-01T09:14:00+01:00");
  EXPECT_EQ(NormaliseDateTime("2026-11-02T09:14:00Z", nullptr), "2026-11-02T09:14:00+00:00");
  EXPECT_EQ(NormaliseDateTime("2026-11-04T12:00:00+00:00", nullptr), "2026-11-04T12:00:00+00:00");
  EXPECT_EQ(NormaliseDateTime("20261119143012+0000", nullptr), "2026-11-19T14:30:12+00:00");
  EXPECT_EQ(NormaliseDateTime("202607011430", nullptr), "2026-07-01T14:30:00+01:00");
  EXPECT_EQ(NormaliseDateTime("20261119", nullptr), "2026-11-19");
  std::string why;
  EXPECT_FALSE(NormaliseDateTime("31/04/2026 10:00", &why));
  EXPECT_FALSE(NormaliseDateTime("2026-11-02T25:00", &why));
}

TEST(NhsNumber, Modulus11) {
  EXPECT_TRUE(NhsNumberValid("9434765919"));
  EXPECT_TRUE(NhsNumberValid("9993456780"));
  EXPECT_TRUE(NhsNumberValid("9991000070"));  // 11 - remainder = 11 -> check digit 0
  EXPECT_FALSE(NhsNumberValid("9434765918"));
  // 999000000x: 11 - remainder = 10, so no check digit makes it valid.
  for (char d = '0'; d <= '9'; ++d) EXPECT_FALSE(NhsNumberValid(std::string("999000000") + d)) << d;
  for (const char* sample : {"3478526985", "7778521234", "9912003890", "4857773456"}) {
    EXPECT_FALSE(NhsNumberValid(sample)) << sample;
  }
}

TEST(NhsNumber, NormalisesSpacesAndDashes) {
  EXPECT_EQ(NormaliseNhsNumber("943 476 5919", nullptr), "9434765919");
  EXPECT_EQ(NormaliseNhsNumber("943-476-5919", nullptr), "9434765919");
  std::string why;
  EXPECT_FALSE(NormaliseNhsNumber("943476591", &why));
  EXPECT_EQ(why, "an NHS number is 10 digits");
  EXPECT_FALSE(NormaliseNhsNumber("9990000000", &why));
  EXPECT_EQ(why, "the NHS number fails the Modulus 11 check digit");
}

TEST(Identifiers, OdsAndPostcode) {
  EXPECT_EQ(NormaliseOdsCode(" m85019 ", nullptr), "M85019");
  EXPECT_FALSE(NormaliseOdsCode("M8", nullptr));
  EXPECT_FALSE(NormaliseOdsCode("M85-19", nullptr));
  EXPECT_EQ(NormalisePostcode("wv23bs", nullptr), "WV2 3BS");
  EXPECT_EQ(NormalisePostcode("M13  9AB", nullptr), "M13 9AB");
  EXPECT_FALSE(NormalisePostcode("12345", nullptr));
}

TEST(Identifiers, SystemVariantsBecomeCanonical) {
  const std::string nhs = "https://fhir.nhs.uk/Id/nhs-number";
  EXPECT_EQ(CanonicalIdentifierSystem("https://fhir.nhs.uk/Id/nhs-number"), nhs);
  EXPECT_EQ(CanonicalIdentifierSystem("http://fhir.nhs.uk/Id/nhs-number"), nhs);
  EXPECT_EQ(CanonicalIdentifierSystem("https://fhir.nhs.uk/id/nhs-number"), nhs);
  EXPECT_EQ(CanonicalIdentifierSystem("http://fhir.nhs.uk/id/nhs-number/"), nhs);
  EXPECT_EQ(CanonicalIdentifierSystem("HTTPS://FHIR.NHS.UK/ID/ODS-ORGANIZATION-CODE"),
            "https://fhir.nhs.uk/Id/ods-organization-code");
  EXPECT_EQ(CanonicalIdentifierSystem("http://fhir.hl7.org.uk/id/gmc-number"), "https://fhir.hl7.org.uk/Id/gmc-number");
  EXPECT_EQ(CanonicalIdentifierSystem("urn:oid:2.16.840.1.113883.2.1.4.1"), "urn:oid:2.16.840.1.113883.2.1.4.1");
}

TEST(Text, Normalisation) {
  EXPECT_EQ(CollapseSpaces("  Mary \t Ellen\n Jones "), "Mary Ellen Jones");
  EXPECT_EQ(ToUpper("hcpc"), "HCPC");
  EXPECT_EQ(ToLower("May Be Fit"), "may be fit");
  EXPECT_EQ(ParseBoolean(" y "), true);
  EXPECT_EQ(ParseBoolean("False"), false);
  EXPECT_EQ(ParseBoolean("maybe"), std::nullopt);
  EXPECT_EQ(SplitParts("a; b;;c", ';'), (std::vector<std::string>{"a", "b", "", "c"}));
}

TEST(Hashing, Sha256AndDeterministicUuids) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string a = DeterministicUuid("acme", "FN-1", "patient");
  EXPECT_EQ(a, DeterministicUuid("acme", "FN-1", "patient"));
  EXPECT_NE(a, DeterministicUuid("acme", "FN-1", "practice"));
  EXPECT_NE(a, DeterministicUuid("acme", "FN-2", "patient"));
  EXPECT_NE(DeterministicUuid("a|b", "c", "r"), DeterministicUuid("a", "b|c", "r"));
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '8');  // version 8
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
}

}  // namespace
}  // namespace workwell::mapping
