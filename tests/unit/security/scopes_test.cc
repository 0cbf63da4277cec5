#include "adapter/security/scopes.h"

#include <gtest/gtest.h>

namespace workwell::security {
namespace {

Scope S(std::string_view text) {
  common::Result<Scope> s = ParseScope(text);
  EXPECT_TRUE(s.ok()) << text << ": " << s.status().message();
  return s.ok() ? *s : Scope{};
}

TEST(ScopesTest, V1Forms) {
  const Scope read = S("system/Patient.read");
  EXPECT_EQ(read.resource_type, "Patient");
  EXPECT_TRUE(read.Allows("Patient", Permission::kRead));
  EXPECT_TRUE(read.Allows("Patient", Permission::kSearch));
  EXPECT_FALSE(read.Allows("Patient", Permission::kCreate));
  EXPECT_FALSE(read.Allows("Observation", Permission::kRead));
  const Scope write = S("system/Observation.write");
  EXPECT_TRUE(write.Allows("Observation", Permission::kCreate));
  EXPECT_TRUE(write.Allows("Observation", Permission::kUpdate));
  EXPECT_TRUE(write.Allows("Observation", Permission::kDelete));
  EXPECT_FALSE(write.Allows("Observation", Permission::kRead));
  const Scope all = S("system/*.*");
  EXPECT_TRUE(all.Allows("Task", Permission::kDelete));
  EXPECT_TRUE(all.Allows("*", Permission::kCreate));
}

TEST(ScopesTest, V2Letters) {
  const Scope rs = S("system/Patient.rs");
  EXPECT_TRUE(rs.Allows("Patient", Permission::kRead));
  EXPECT_TRUE(rs.Allows("Patient", Permission::kSearch));
  EXPECT_FALSE(rs.Allows("Patient", Permission::kUpdate));
  const Scope c = S("system/Task.c");
  EXPECT_TRUE(c.Allows("Task", Permission::kCreate));
  EXPECT_FALSE(c.Allows("Task", Permission::kUpdate));
  EXPECT_EQ(S("system/*.cruds").permissions, S("system/*.*").permissions);
}

TEST(ScopesTest, RefusesOtherForms) {
  for (std::string_view bad : {"patient/Patient.read", "user/*.read", "system/Patient", "system/Patient.",
                               "system/patient.read", "system/Patient.sr", "system/Patient.rr", "system/Patient.x",
                               "system/Patient.rs?category=a", "system/.read", "system/Pa-tient.read", "openid", ""}) {
    EXPECT_FALSE(ParseScope(bad).ok()) << bad;
  }
}

TEST(ScopesTest, ListsAndGranting) {
  EXPECT_TRUE(ParseScopeList("").ok());
  EXPECT_TRUE(ParseScopeList("")->empty());
  EXPECT_FALSE(ParseScopeList("system/*.read  system/*.write").ok());
  EXPECT_FALSE(ParseScopeList(" system/*.read").ok());
  EXPECT_FALSE(ParseScopeList("system/*.read ").ok());
  const auto requested = ParseScopeList("system/Patient.read system/Task.write system/Patient.rs system/Patient.read");
  ASSERT_TRUE(requested.ok());
  const std::vector<Scope> allowed = {S("system/Patient.read"), S("system/Observation.*")};
  const std::vector<Scope> granted = GrantScopes(*requested, allowed);
  EXPECT_EQ(JoinScopes(granted), "system/Patient.read system/Patient.rs");
  EXPECT_EQ(JoinScopes(GrantScopes({}, allowed)), "system/Patient.read system/Observation.*");
  EXPECT_TRUE(GrantScopes({S("system/*.read")}, allowed).empty());  // a wildcard is more than Patient
  EXPECT_TRUE(ScopesAllow(granted, "Patient", Permission::kSearch));
  EXPECT_FALSE(ScopesAllow(granted, "Task", Permission::kCreate));
  EXPECT_FALSE(ScopesAllow(granted, "*", Permission::kRead));
}

}  // namespace
}  // namespace workwell::security
