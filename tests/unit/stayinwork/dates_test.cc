#include "adapter/stayinwork/dates.h"

#include <gtest/gtest.h>

namespace workwell::stayinwork {
namespace {

TEST(StayInWorkDatesTest, DayNumbersCountCalendarDays) {
  EXPECT_EQ(DayNumber("1970-01-01"), 0);
  EXPECT_EQ(*DayNumber("2027-01-11") - *DayNumber("2026-11-16"), 56);
  EXPECT_EQ(*DayNumber("2028-03-01") - *DayNumber("2028-02-28"), 2);  // leap year
  EXPECT_EQ(*DayNumber("2027-03-01") - *DayNumber("2027-02-28"), 1);
  EXPECT_EQ(DayNumber("2026-11-16T23:30:00+01:00"), DayNumber("2026-11-16"));
}

TEST(StayInWorkDatesTest, RejectsPartialAndMalformedDates) {
  EXPECT_FALSE(DayNumber("2026-11"));
  EXPECT_FALSE(DayNumber("2026"));
  EXPECT_FALSE(DayNumber("2026-02-30"));
  EXPECT_FALSE(DayNumber("2026-13-01"));
  EXPECT_FALSE(DayNumber("2026-11-16 10:00"));
  EXPECT_FALSE(DayNumber(""));
}

TEST(StayInWorkDatesTest, FormatsWhatItParses) {
  for (const char* d : {"2026-11-16", "2028-02-29", "1999-12-31", "2027-01-01"}) {
    EXPECT_EQ(FormatDay(*DayNumber(d)), d);
  }
}

TEST(StayInWorkDatesTest, InstantsNeedSecondsAndAnOffset) {
  EXPECT_TRUE(IsInstant("2026-11-18T10:00:00+00:00"));
  EXPECT_TRUE(IsInstant("2026-11-18T10:00:00.123Z"));
  EXPECT_FALSE(IsInstant("2026-11-18T10:00:00"));
  EXPECT_FALSE(IsInstant("2026-11-18T10:00+00:00"));
  EXPECT_FALSE(IsInstant("2026-11-18"));
  EXPECT_FALSE(IsInstant("2026-11-18T25:00:00Z"));
}

}  // namespace
}  // namespace workwell::stayinwork
