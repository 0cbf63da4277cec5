#pragma once
// Small helpers over the json:: tree for reading FHIR elements and editing a resource in place
// without touching anything else: replaced and inserted members keep the order and the text of
// every other member. Internal to the module.

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "adapter/common/json/json.h"

namespace workwell::stayinwork::internal {

// The string at `obj[key]`, or empty.
std::string_view StringAt(const json::Value* obj, std::string_view key);
// The items of the array at `obj[key]` (empty when absent or not an array).
std::span<const json::Value> ItemsAt(const json::Value* obj, std::string_view key);
// The first item of `obj.extension` with this url (nullptr if none), and its index.
const json::Value* FindExtension(const json::Value* obj, std::string_view url, size_t* index = nullptr);
// The value[x] of a sub-extension `name` inside a complex extension (nullptr if absent); `kind` is
// the type suffix ("Coding", "Reference", "DateTime", ...).
const json::Value* SubValue(const json::Value* ext, std::string_view name, std::string_view kind);
// True when some coding of the CodeableConcept `cc` has this system and code.
bool HasCoding(const json::Value* cc, std::string_view system, std::string_view code);
// The code of the first coding of `cc` in `system`, or empty.
std::string_view CodeIn(const json::Value* cc, std::string_view system);

// A value built with a json::Builder in its own Document, then copied into `doc`.
json::Value Build(json::Document& doc, const std::function<void(json::Builder&)>& build);

// Sets `obj[key]` to `value`: replaces the member where it is, or inserts it before the first
// member whose key is in `before` (its position in R4 definition order), or at the end.
void SetMember(json::Document& doc, json::Value& obj, std::string_view key, json::Value value,
               std::span<const std::string_view> before = {});
// Appends `item` to the array `obj[key]`, creating it as SetMember would.
void AppendItem(json::Document& doc, json::Value& obj, std::string_view key, json::Value item,
                std::span<const std::string_view> before = {});
// Removes item `index` of the array `obj[key]` (which must exist and be long enough); an array
// left empty is removed with its member.
void RemoveItem(json::Document& doc, json::Value& obj, std::string_view key, size_t index);

// The R4 CarePlan members that follow `extension` / `supportingInfo`, for SetMember's `before`.
inline constexpr std::string_view kAfterCarePlanExtension[] = {
    "modifierExtension", "identifier", "instantiatesCanonical", "instantiatesUri", "basedOn", "replaces",
    "partOf", "status", "intent", "category", "title", "description", "subject", "encounter", "period",
    "created", "author", "contributor", "careTeam", "addresses", "supportingInfo", "goal", "activity", "note"};
inline constexpr std::string_view kAfterCarePlanSupportingInfo[] = {"goal", "activity", "note"};

}  // namespace workwell::stayinwork::internal
