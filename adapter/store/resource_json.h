#pragma once
// Tree edits the store makes to a resource before storing it, done by copying through
// json::Builder so that everything else (number text, extensions, member order) is kept exactly.

#include <string>
#include <string_view>
#include <unordered_map>

#include "adapter/common/json/json.h"

namespace workwell::store {

// Reference rewrites: "urn:uuid:..." (a transaction Bundle fullUrl) -> "Patient/<new id>".
using ReferenceMap = std::unordered_map<std::string, std::string>;

// Copies `resource` into `doc` with `id` set, meta.versionId = `version` and meta.lastUpdated =
// `last_updated` (other meta members kept, in FHIR order), and every `reference` string found
// in `rewrites` replaced. id and meta follow resourceType, as FHIR's JSON order has them.
void StampResource(const json::Value& resource, std::string_view id, int64_t version, std::string_view last_updated,
                   const ReferenceMap* rewrites, json::Document& doc);

// The resourceType of a resource object, or empty.
std::string_view ResourceTypeOf(const json::Value& resource);

// The id of a resource object, or empty.
std::string_view ResourceIdOf(const json::Value& resource);

// Copies `resource` into `doc` with every `reference` string found in `rewrites` replaced.
void RewriteReferences(const json::Value& resource, const ReferenceMap& rewrites, json::Document& doc);

}  // namespace workwell::store
