#include "tests/unit/mapping/engine/test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapter/fhir/model.h"

namespace workwell::mapping::testing {

std::string SourceDir() { return WORKWELL_SOURCE_DIR; }

std::shared_ptr<const validation::Validator> SharedValidator() {
  static const std::shared_ptr<const validation::Validator> validator = [] {
    validation::LoadOptions options;
    options.r4_dir = fhir::Model::DefaultDirectory();
    options.directories = {SourceDir() + "/fhir-profiles/ukcore", SourceDir() + "/fhir-profiles/workwell"};
    std::vector<std::string> warnings;
    auto v = validation::Validator::Load(options, &warnings);
    if (!v.ok()) {
      ADD_FAILURE() << v.status().message();
      std::abort();
    }
    return v.value();
  }();
  return validator;
}

const Translator& SharedTranslator() {
  static const std::shared_ptr<const Translator> translator = [] {
    Translator::Options options;
    options.mappings_dir = SourceDir() + "/mappings";
    options.root_dir = SourceDir();
    auto t = Translator::Load(SharedValidator(), options);
    if (!t.ok()) {
      ADD_FAILURE() << t.status().message();
      std::abort();
    }
    return t.value();
  }();
  return *translator;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace workwell::mapping::testing
