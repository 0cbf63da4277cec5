#include "adapter/app/conformance_setup.h"

#include <cstdlib>

#include "adapter/fhir/model.h"

namespace workwell::app {

validation::LoadOptions DefaultLoadOptions() {
  validation::LoadOptions options;
  options.r4_dir = fhir::Model::DefaultDirectory();
  const char* env = std::getenv("WORKWELL_PROFILES_DIR");
  const std::string base = env != nullptr && *env != '\0' ? env : WORKWELL_SOURCE_DIR "/fhir-profiles";
  options.directories = {base + "/ukcore", base + "/workwell"};
  return options;
}

}  // namespace workwell::app
