#pragma once
// The StructureDefinition-driven validator: checks a parsed resource against its R4 base
// definition, the profiles it claims in meta.profile and any profiles the caller names —
// cardinality, types and choices, fixed and pattern values, bindings, slicing, extensions,
// reference targets, Bundle rules and the FHIRPath invariants of every element.
// Built once at start-up; immutable and safe to use from many threads.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/fhir/issue.h"
#include "adapter/fhir/json_format.h"
#include "adapter/fhir/model.h"
#include "adapter/validation/conformance.h"
#include "adapter/validation/profile.h"
#include "adapter/validation/terminology.h"

namespace workwell::validation {

struct LoadOptions {
  std::string r4_dir;                     // the unpacked R4 definitions (…/r4)
  std::vector<std::string> directories;   // more conformance resources (e.g. fhir-profiles/)
  std::vector<std::string> files;         // single files or Bundles of conformance resources
  json::Limits parse_limits;              // limits for resources parsed through ValidateJson / format()
};

class Validator {
 public:
  // Loads the definitions and compiles every profile. Problems with single definitions are
  // reported in `warnings` and skipped; unreadable inputs are an error Status.
  static common::Result<std::shared_ptr<const Validator>> Load(const LoadOptions& options,
                                                               std::vector<std::string>* warnings);

  // Validates `resource` (already accepted by JsonFormat) against its base definition, its
  // meta.profile claims and `profiles` (canonical URLs). Issues go to `sink`.
  void Validate(const fhir::Resource& resource, const std::vector<std::string>& profiles, fhir::IssueSink& sink) const;

  // Parses and validates JSON text in one step (parse issues are reported the same way).
  // Returns true when there were no errors.
  bool ValidateJson(std::string_view text, const std::vector<std::string>& profiles, fhir::IssueSink& sink) const;
  bool ValidateJson(std::string_view text, const std::vector<std::string>& profiles, fhir::IssueSink& sink,
                    const fhir::ParseOptions& options) const;

  const fhir::Model& model() const { return *model_; }
  std::shared_ptr<const fhir::Model> shared_model() const { return model_; }
  const fhir::JsonFormat& format() const { return format_; }
  // Parse options carrying the configured JSON limits; start from these for request bodies.
  const fhir::ParseOptions& parse_options() const { return parse_options_; }
  const ProfileSet& profiles() const { return *profiles_; }
  const ConformanceIndex& index() const { return *index_; }
  const Terminology& terminology() const { return *terminology_; }
  // Profiles that loaded ImplementationGuides declare global for resources of `type`.
  std::vector<std::string> GlobalProfiles(std::string_view type) const;
  bool HasGlobalProfiles() const { return !global_profiles_.empty(); }

  Validator(std::shared_ptr<const fhir::Model> model, std::unique_ptr<ConformanceIndex> index,
            std::shared_ptr<const ProfileSet> profiles);

 private:
  std::shared_ptr<const fhir::Model> model_;
  std::unique_ptr<ConformanceIndex> index_;
  std::shared_ptr<const ProfileSet> profiles_;
  std::unique_ptr<Terminology> terminology_;
  fhir::JsonFormat format_;
  fhir::ParseOptions parse_options_;
  std::unordered_map<std::string, std::vector<std::string>> global_profiles_;  // type -> profiles
};

}  // namespace workwell::validation
