// The FHIR command-line tools. Placeholders until the validation and mapping modules are wired in.

#include <ostream>

#include "adapter/app/commands.h"

namespace workwell::app {

std::string_view ValidateUsage() {
  return "usage: workwell-gateway validate [options] FILE...\n"
         "  Validates FHIR resources against the gateway's profiles (not yet available).\n";
}

std::string_view TranslateUsage() {
  return "usage: workwell-gateway translate [options] FILE\n"
         "  Translates a source record into FHIR (not yet available).\n";
}

int RunValidate(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  err << "workwell-gateway validate: not yet available in this build\n";
  return kExitUsage;
}

int RunTranslate(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  err << "workwell-gateway translate: not yet available in this build\n";
  return kExitUsage;
}

}  // namespace workwell::app
