#pragma once
// QuestionnaireResponse validation against its Questionnaire: the semantics the base
// StructureDefinition checks cannot express (linkId structure, required and enabled items,
// answer types, answer options and value sets, and the value-constraint extensions).
// https://hl7.org/fhir/R4/questionnaireresponse.html and https://hl7.org/fhir/R4/questionnaire.html
//
// Problems in the data become issues in the sink; the calls themselves cannot fail. The library
// keeps no state: every function is thread-safe as long as the hooks are. Callers run the
// structural checks (cardinality, types, invariants) separately; nothing here repeats them.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "adapter/common/json/json.h"
#include "adapter/fhir/issue.h"
#include "adapter/fhir/model.h"

namespace workwell::validation::questionnaire {

// What the validator needs from its host. Every member may be left empty; a missing hook means
// "cannot tell", which never produces an error.
struct Hooks {
  // Whether `system`|`code` is in the value set with canonical `value_set_url` (which may carry a
  // |version). nullopt when the host cannot tell (unknown value set, code system not available
  // offline such as SNOMED CT): no issue is raised then.
  std::function<std::optional<bool>(std::string_view value_set_url, std::string_view system, std::string_view code)>
      code_in_value_set;
  // The resource (Questionnaire, ValueSet) with this canonical URL, which may carry a |version;
  // nullptr when unknown. The returned value must outlive the validation call.
  std::function<const json::Value*(std::string_view canonical)> resolve_canonical;
  // The R4 type model, used to check the resource type named by reference answers. Not owned;
  // when null that check is skipped.
  const fhir::Model* model = nullptr;
};

// Switches for checks that overlap with what a host may already run elsewhere.
struct Options {
  // Check urn:uuid: and urn:oid: forms of url answers. A host that checks every uri primitive
  // itself turns this off to avoid reporting the same problem twice.
  bool check_uri_forms = true;
  // Check the syntax of Reference.reference in reference answers (same consideration).
  bool check_reference_syntax = true;
};

// Finds the Questionnaire a response names in QuestionnaireResponse.questionnaire: a contained
// resource for "#id", otherwise hooks.resolve_canonical (with its |version, then without).
// Returns nullptr, after adding the issue the reference validator gives (information when no
// questionnaire is named or it is an example.org URL, otherwise a warning), when none is found.
// The result points into `response` or into the host's storage.
const json::Value* FindQuestionnaire(const json::Value& response, const Hooks& hooks, std::string_view base_path,
                                     fhir::IssueSink& sink);

// Validates `response` (a QuestionnaireResponse JSON object) against `questionnaire`. Issue
// expressions start with `base_path` ("QuestionnaireResponse", "Bundle.entry[2].resource").
void ValidateResponse(const json::Value& response, const json::Value& questionnaire, const Hooks& hooks,
                      std::string_view base_path, fhir::IssueSink& sink, const Options& options = {});

// FindQuestionnaire, then ValidateResponse when one was found.
void ValidateResponse(const json::Value& response, const Hooks& hooks, std::string_view base_path,
                      fhir::IssueSink& sink, const Options& options = {});

}  // namespace workwell::validation::questionnaire
