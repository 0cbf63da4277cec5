#pragma once
// Where the gateway finds its conformance resources by default: the pinned R4 definitions and
// the project's profiles (UK Core and WorkWell) under fhir-profiles/.

#include <string>

#include "adapter/validation/validator.h"

namespace workwell::app {

// The R4 definitions directory ($WORKWELL_FHIR_DIR/r4 or the build's default) and the
// project's profile folders ($WORKWELL_PROFILES_DIR or <source>/fhir-profiles).
validation::LoadOptions DefaultLoadOptions();

}  // namespace workwell::app
