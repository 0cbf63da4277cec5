#pragma once
// Shared set-up for the mapping engine tests: one validator and one translator for the whole
// binary (loading the R4 definitions takes about a second).

#include <memory>
#include <string>

#include "adapter/mapping/engine/translator.h"
#include "adapter/validation/validator.h"

namespace workwell::mapping::testing {

// The validator over R4 + fhir-profiles/ukcore + fhir-profiles/workwell; aborts the test binary
// when it cannot load.
std::shared_ptr<const validation::Validator> SharedValidator();
// The translator over mappings/ (self-checked).
const Translator& SharedTranslator();
// Reads a whole file ("" when unreadable).
std::string ReadFile(const std::string& path);
// The repository root.
std::string SourceDir();

}  // namespace workwell::mapping::testing
