#pragma once
// Evaluating a compiled FHIRPath expression against a Node tree.
// https://hl7.org/fhirpath/N1/ with the FHIR additions of https://hl7.org/fhir/R4/fhirpath.html

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "adapter/common/status.h"
#include "adapter/fhir/fhirpath/expression.h"
#include "adapter/fhir/fhirpath/node.h"
#include "adapter/fhir/fhirpath/value.h"

namespace workwell::fhir::fhirpath {

// Resolves a reference for resolve() (https://hl7.org/fhir/R4/fhirpath.html#functions).
// Implementations must be thread-safe when the environment is shared.
class Resolver {
 public:
  virtual ~Resolver() = default;
  // The resource `reference` (a Reference.reference or canonical text) points to, as seen from
  // `from` (the Reference or canonical node); nullptr when unknown. The returned node must
  // outlive the evaluation.
  virtual const Node* Resolve(std::string_view reference, const Node& from) const = 0;
};

// Terminology and profile checks for memberOf() and conformsTo(). Either may answer "unknown",
// which the engine turns into an empty result.
class ExternalChecks {
 public:
  virtual ~ExternalChecks() = default;
  // Whether the code, Coding or CodeableConcept `coded` is in the value set `value_set_url`.
  virtual std::optional<bool> MemberOf(const Value& coded, std::string_view value_set_url) const = 0;
  // Whether `node` conforms to the StructureDefinition `profile_url`.
  virtual std::optional<bool> ConformsTo(const Node& node, std::string_view profile_url) const = 0;
};

// Receives trace() output. Must be thread-safe when the environment is shared.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // Called with the trace name and the traced collection.
  virtual void Trace(std::string_view name, const Collection& values) const = 0;
};

// Everything an evaluation may consult besides the context node. All pointers are optional
// and borrowed; the environment may be shared by concurrent evaluations when its hooks are.
struct EvalEnv {
  const TypeOracle* types = nullptr;        // null: type names match exactly only
  const Node* resource = nullptr;           // %resource; null: the context when it is a resource
  const Node* root_resource = nullptr;      // %rootResource; null: %resource
  const Resolver* resolver = nullptr;       // null: resolve() returns empty
  const ExternalChecks* checks = nullptr;   // null: memberOf()/conformsTo() return empty
  const TraceSink* trace = nullptr;         // null: trace() output is dropped
  // Extra %name constants (string valued), in addition to %ucum, %sct, %loinc, %vs-*, %ext-*.
  std::map<std::string, std::string, std::less<>> constants;
  // Fixed "now" for now()/today()/timeOfDay(); null: the system clock, read once per evaluation.
  std::optional<Temporal> now;
  // Safety limit on the size of any intermediate collection; exceeding it is ResourceExhausted.
  size_t max_collection_size = 1'000'000;
};

// Evaluates `expr` with `context` as %context and initial $this. Returns the result collection,
// or a Status: InvalidArgument for type errors the spec calls errors (a singleton expected and
// several found, a non-boolean where a boolean is required, unknown %constant) and
// ResourceExhausted when a limit is hit. Thread-safe for a shared Expression and tree.
common::Result<Collection> Evaluate(const Expression& expr, const Node& context, const EvalEnv& env);

// Evaluates `expr` on an explicit input collection (which may be empty or hold System values).
common::Result<Collection> EvaluateOn(const Expression& expr, const Collection& input, const EvalEnv& env);

// Evaluates `expr` and reduces the result to a boolean for invariants: empty is nullopt, a single
// boolean is its value, a single non-boolean item is true; more items is InvalidArgument.
common::Result<std::optional<bool>> EvaluateBoolean(const Expression& expr, const Node& context, const EvalEnv& env);

// The conservative XHTML check behind htmlChecks(): only the elements and attributes the FHIR
// Narrative allows, no script, no event-handler attributes, no javascript: URLs.
// https://hl7.org/fhir/R4/narrative.html#xhtml. Returns true when the fragment passes.
bool HtmlChecks(std::string_view xhtml);

}  // namespace workwell::fhir::fhirpath
