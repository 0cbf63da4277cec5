#pragma once
// FHIR R4 JSON: parse any resource exactly against the type model, and write it back in the
// specification's property order. https://hl7.org/fhir/R4/json.html
//
// Parsing rejects (as error issues with a FHIRPath expression): invalid JSON or UTF-8, duplicate
// properties, unknown properties, empty objects/arrays/strings, null outside the arrays that
// pair primitive values with their extensions, the wrong JSON type for an element, an array
// where one value belongs and the reverse, and bad lexical forms of primitives. Numbers keep
// their text. Accepted input is reordered in place so that writing it yields canonical order.

#include <memory>
#include <string>
#include <string_view>

#include "adapter/common/json/json.h"
#include "adapter/fhir/issue.h"
#include "adapter/fhir/model.h"

namespace workwell::fhir {

// A parsed resource: its JSON tree in canonical order and its type. Movable, not copyable.
class Resource {
 public:
  Resource() = default;
  const json::Value& root() const { return doc_.root(); }
  json::Document& document() { return doc_; }
  const TypeInfo* type() const { return type_; }
  std::string_view resource_type() const { return type_ != nullptr ? std::string_view(type_->name) : std::string_view(); }
  // The resource's id, or empty.
  std::string_view id() const;

 private:
  friend class JsonFormat;
  json::Document doc_;
  const TypeInfo* type_ = nullptr;
};

struct ParseOptions {
  json::Limits limits;
  // When set, the resource must be of this type (e.g. the [type] of POST /[type]).
  std::string_view expected_type;
};

class JsonFormat {
 public:
  explicit JsonFormat(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

  // Parses `text` as one resource. Returns true and fills `out` when there were no errors;
  // every problem found (not just the first) is added to `sink`.
  bool Parse(std::string_view text, const ParseOptions& options, Resource& out, IssueSink& sink) const;

  // Checks and reorders a resource already held in `doc` (its root), e.g. one taken out of a
  // larger JSON document and cloned. `path_prefix` names it in issue expressions.
  bool Adopt(json::Document doc, const ParseOptions& options, Resource& out, IssueSink& sink) const;

  // Writes the resource (compact, or indented with two spaces).
  static std::string Write(const Resource& resource, bool pretty = false);

  const Model& model() const { return *model_; }

 private:
  std::shared_ptr<const Model> model_;
};

}  // namespace workwell::fhir
