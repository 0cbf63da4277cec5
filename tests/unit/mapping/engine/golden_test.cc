// Golden files: tests/golden/mapping/<mapping>/<case>.input.<ext> beside <case>.expected.json
// (the Bundle, or the OperationOutcome of a rejected record). One parameterised test discovers
// them all. WORKWELL_UPDATE_GOLDEN=1 rewrites the expected files; review the diff.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "adapter/mapping/engine/translator.h"
#include "tests/unit/mapping/engine/test_support.h"

namespace workwell::mapping {
namespace {

namespace fs = std::filesystem;

struct GoldenCase {
  std::string mapping;
  fs::path input;
  fs::path expected;
};

std::vector<GoldenCase> Discover() {
  std::vector<GoldenCase> cases;
  const fs::path root = WORKWELL_GOLDEN_DIR;
  if (!fs::is_directory(root)) return cases;
  for (const fs::directory_entry& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const fs::directory_entry& f : fs::directory_iterator(dir.path())) {
      const std::string name = f.path().filename().string();
      const size_t at = name.find(".input.");
      if (at == std::string::npos) continue;
      cases.push_back({dir.path().filename().string(), f.path(), dir.path() / (name.substr(0, at) + ".expected.json")});
    }
  }
  std::sort(cases.begin(), cases.end(), [](const GoldenCase& a, const GoldenCase& b) { return a.input < b.input; });
  return cases;
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, MatchesExpected) {
  const GoldenCase& c = GetParam();
  TranslateOptions options;
  options.pretty = true;
  options.now = "2026-12-01T09:00:00+00:00";
  const TranslateResult r = testing::SharedTranslator().Translate(c.mapping, testing::ReadFile(c.input.string()), options);
  const std::string actual = (r.ok ? r.bundle : r.Outcome(true)) + "\n";
  const char* update = std::getenv("WORKWELL_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(c.expected, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(c.expected)) << c.expected << " is missing: run with WORKWELL_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, testing::ReadFile(c.expected.string())) << c.input;
}

INSTANTIATE_TEST_SUITE_P(Mappings, Golden, ::testing::ValuesIn(Discover()), [](const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.mapping + "_" + info.param.input.filename().string();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
});

}  // namespace
}  // namespace workwell::mapping
