#pragma once
// The conformance resources the validator knows: StructureDefinitions, ValueSets, CodeSystems,
// Questionnaires and the rest, from the R4 definitions, fhir-profiles/ and files named on the
// command line. Loaded once, then read-only (safe for concurrent reads).

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/fhir/model.h"

namespace workwell::validation {

class ConformanceIndex {
 public:
  ConformanceIndex() = default;
  ConformanceIndex(const ConformanceIndex&) = delete;
  ConformanceIndex& operator=(const ConformanceIndex&) = delete;

  // Loads a JSON file holding one conformance resource or a Bundle of them. Resources without
  // a url are indexed by "ResourceType/id" only.
  common::Status LoadFile(const std::string& path);
  // Loads every *.json file below `dir` (recursively, in sorted order).
  common::Status LoadDirectory(const std::string& dir);
  // Loads the R4 definitions this validator needs from the unpacked package directory (r4/).
  common::Status LoadCoreDefinitions(const std::string& r4_dir);
  // Adds an already-parsed resource (the document is kept alive by the index).
  void Add(std::shared_ptr<json::Document> doc, const json::Value& resource, std::string_view origin);

  // The resource with canonical `url` (an optional "|version" suffix selects a version; without
  // one, the last loaded version wins). Returns nullptr when unknown.
  const json::Value* Find(std::string_view url) const;
  // As Find, but only when the resource has the given resourceType.
  const json::Value* Find(std::string_view resource_type, std::string_view url) const;
  // Where a resource came from (file path), for messages.
  std::string_view OriginOf(const json::Value* resource) const;
  // Every loaded resource of a type, in load order.
  std::vector<const json::Value*> All(std::string_view resource_type) const;
  size_t size() const { return order_.size(); }

 private:
  struct Entry {
    const json::Value* resource;
    std::string resource_type;
    std::string origin;
  };
  std::vector<std::shared_ptr<json::Document>> docs_;
  std::vector<Entry> order_;
  std::unordered_map<std::string, size_t, fhir::StringHash, std::equal_to<>> by_url_;
};

}  // namespace workwell::validation
