#pragma once
// Loads one Validator (R4 definitions + the project's profiles) per test binary.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "adapter/fhir/model.h"
#include "adapter/validation/validator.h"

namespace workwell::validation {

class ValidatorFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (validator_ != nullptr) return;
    LoadOptions options;
    options.r4_dir = fhir::Model::DefaultDirectory();
    options.directories = {WORKWELL_PROFILES_SOURCE "/ukcore", WORKWELL_PROFILES_SOURCE "/workwell"};
    auto loaded = Validator::Load(options, nullptr);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString() << " (run scripts/setup.sh)";
    validator_ = loaded.value();
  }
  static const Validator& validator() { return *validator_; }

  // Validates JSON text; returns the issues.
  static std::vector<fhir::Issue> Check(std::string_view text, const std::vector<std::string>& profiles = {}) {
    fhir::IssueSink sink;
    validator().ValidateJson(text, profiles, sink);
    return sink.issues();
  }
  static std::vector<fhir::Issue> Errors(std::string_view text, const std::vector<std::string>& profiles = {}) {
    std::vector<fhir::Issue> out;
    for (fhir::Issue& i : Check(text, profiles)) {
      if (i.severity == fhir::Severity::kError || i.severity == fhir::Severity::kFatal) out.push_back(std::move(i));
    }
    return out;
  }

 private:
  static inline std::shared_ptr<const Validator> validator_;
};

}  // namespace workwell::validation
