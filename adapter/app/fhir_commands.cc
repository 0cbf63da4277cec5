// The FHIR command-line tools: `validate` (and `translate`, which arrives with the mapping
// engine).

#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <sstream>

#include "adapter/app/commands.h"
#include "adapter/app/conformance_setup.h"
#include "adapter/fhir/issue.h"
#include "adapter/fhir/model.h"
#include "adapter/validation/validator.h"

namespace workwell::app {
namespace {

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// The canonical URL of the StructureDefinition in `path`, or empty.
std::string UrlOfFile(const std::string& path) {
  std::string text;
  if (!ReadFile(path, text)) return {};
  json::Document doc;
  json::ParseError err;
  json::Limits limits;
  limits.max_bytes = 64u << 20;
  if (!json::Parse(text, limits, doc, err)) return {};
  const json::Value* url = doc.root().Find("url");
  return url != nullptr && url->IsString() ? std::string(url->text()) : std::string();
}

}  // namespace

std::string_view ValidateUsage() {
  return "usage: workwell-gateway validate [--profile URL|FILE]... [--load FILE|DIR]... [--definitions DIR]\n"
         "                                 [--pretty] FILE|-\n"
         "  Validates one FHIR R4 JSON resource against its base definition, the profiles it claims in\n"
         "  meta.profile, the profiles given with --profile, and the project's own and UK Core profiles.\n"
         "  --profile URL|FILE  also validate against this profile (a canonical URL, or a file holding a\n"
         "                      StructureDefinition, which is loaded too); may repeat\n"
         "  --load FILE|DIR     load more conformance resources (StructureDefinition, ValueSet,\n"
         "                      CodeSystem, Questionnaire, Bundles of them); may repeat\n"
         "  --definitions DIR   the unpacked R4 definitions (default: $WORKWELL_FHIR_DIR/r4)\n"
         "  --pretty            indent the OperationOutcome\n"
         "  Prints an OperationOutcome on stdout. Exit status: 0 valid, 1 invalid, 2 usage or load error.\n";
}

std::string_view TranslateUsage() {
  return "usage: workwell-gateway translate --format F FILE|-\n"
         "  Translates a source record into FHIR. Not yet available in this build: the mapping engine\n"
         "  is still to come; the command exits with status 2.\n";
}

int RunValidate(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  validation::LoadOptions load = DefaultLoadOptions();
  std::vector<std::string> profiles;
  std::string file;
  bool pretty = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& target) {
      if (i + 1 >= args.size()) {
        err << "workwell-gateway validate: " << a << " needs a value\n";
        return false;
      }
      target = args[++i];
      return true;
    };
    std::string v;
    if (a == "--profile") {
      if (!value(v)) return kExitUsage;
      if (std::filesystem::is_regular_file(v)) {
        load.files.push_back(v);
        const std::string url = UrlOfFile(v);
        if (url.empty()) {
          err << "workwell-gateway validate: " << v << " holds no StructureDefinition url\n";
          return kExitUsage;
        }
        profiles.push_back(url);
      } else {
        profiles.push_back(v);
      }
    } else if (a == "--load") {
      if (!value(v)) return kExitUsage;
      if (std::filesystem::is_directory(v)) {
        load.directories.push_back(v);
      } else {
        load.files.push_back(v);
      }
    } else if (a == "--definitions") {
      if (!value(v)) return kExitUsage;
      load.r4_dir = v;
    } else if (a == "--pretty") {
      pretty = true;
    } else if (a == "--help" || a == "-h") {
      out << ValidateUsage();
      return kExitOk;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      err << "workwell-gateway validate: unknown option '" << a << "'\n" << ValidateUsage();
      return kExitUsage;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "workwell-gateway validate: one FILE at a time\n";
      return kExitUsage;
    }
  }
  if (file.empty()) {
    err << ValidateUsage();
    return kExitUsage;
  }
  std::string text;
  if (file == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else if (!ReadFile(file, text)) {
    err << "workwell-gateway validate: cannot read " << file << "\n";
    return kExitUsage;
  }
  std::vector<std::string> warnings;
  auto validator = validation::Validator::Load(load, &warnings);
  if (!validator.ok()) {
    err << "workwell-gateway validate: " << validator.status().message() << "\n";
    return kExitUsage;
  }
  fhir::IssueSink sink;
  fhir::ParseOptions options;
  options.limits.max_bytes = 64u << 20;
  const bool valid = validator.value()->ValidateJson(text, profiles, sink, options);
  out << fhir::RenderOperationOutcome(sink.issues(), pretty) << "\n";
  return valid ? kExitOk : kExitFailure;
}

int RunTranslate(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  err << "workwell-gateway translate: not yet available in this build (the mapping engine is still to come)\n";
  return kExitUsage;
}

}  // namespace workwell::app
