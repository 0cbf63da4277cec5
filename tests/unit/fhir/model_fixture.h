#pragma once
// A test fixture that loads the R4 type model once per test binary.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "adapter/fhir/model.h"

namespace workwell::fhir {

class ModelFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (model_ == nullptr) {
      auto loaded = Model::LoadDefault();
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString() << " (run scripts/setup.sh)";
      model_ = loaded.value();
    }
  }
  static std::shared_ptr<const Model> model() { return model_; }
  static std::string FhirDir() {
    const char* env = std::getenv("WORKWELL_FHIR_DIR");
    return env != nullptr ? env : WORKWELL_DEFAULT_FHIR_DIR;
  }
  static std::string SharedDir() {
    const char* env = std::getenv("WORKWELL_SHARED_DIR");
    return env != nullptr ? env : WORKWELL_SOURCE_DIR "/../shared";
  }

 private:
  static inline std::shared_ptr<const Model> model_;
};

}  // namespace workwell::fhir
