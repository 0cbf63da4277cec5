#pragma once
// Shared helpers for the FHIRPath tests: the R4 model loaded once from WORKWELL_FHIR_DIR.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "adapter/fhir/fhirpath/json_node.h"

namespace workwell::fhir::fhirpath::testing {

// The unpacked FHIR packages directory, or empty when WORKWELL_FHIR_DIR is unset.
inline std::string FhirDir() {
  const char* env = std::getenv("WORKWELL_FHIR_DIR");
  return env != nullptr ? env : "";
}

// The R4 model, loaded on first use; nullptr when the definitions are unavailable.
inline const JsonModel* R4Model() {
  static const JsonModel* model = [] () -> const JsonModel* {
    if (FhirDir().empty()) return nullptr;
    auto loaded = JsonModel::Load(FhirDir() + "/r4");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().ToString();
      return nullptr;
    }
    return loaded.value().release();
  }();
  return model;
}

}  // namespace workwell::fhir::fhirpath::testing

// Skips the current test, visibly, when the R4 definitions are not available.
#define WW_REQUIRE_R4_MODEL()                                                              \
  if (::workwell::fhir::fhirpath::testing::R4Model() == nullptr) {                         \
    GTEST_SKIP() << "WORKWELL_FHIR_DIR is not set or lacks r4/: R4 definitions unavailable"; \
  }
