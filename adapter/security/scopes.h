#pragma once
// System scopes of SMART Backend Services: "system/<Type|*>.<read|write|*>" (SMART App Launch
// v1) and "system/<Type|*>.<cruds>" (v2, a non-empty subset of the letters c r u d s in that
// order). http://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
// Other scope forms (patient/, user/, v2 query parameters such as "?category=") are refused.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/status.h"

namespace workwell::security {

// What an interaction does to a resource type, as the v2 letters name it.
enum class Permission : uint8_t {
  kCreate = 1,
  kRead = 2,
  kUpdate = 4,
  kDelete = 8,
  kSearch = 16,
};

// One parsed scope. Immutable value.
struct Scope {
  std::string text;           // as written, e.g. "system/Patient.read"
  std::string resource_type;  // "Patient", or "*" for every type
  uint8_t permissions = 0;    // bits of Permission; v1 "read" = r|s, "write" = c|u|d, "*" = all

  bool Allows(std::string_view type, Permission p) const;
  // True when every type and permission of `other` is also granted by this scope.
  bool Covers(const Scope& other) const;
};

// Parses one scope; InvalidArgument saying what is wrong (the text is not echoed).
common::Result<Scope> ParseScope(std::string_view text);

// Parses a space-separated scope list (RFC 6749 section 3.3); empty text gives an empty list.
common::Result<std::vector<Scope>> ParseScopeList(std::string_view text);

// True when some scope in `scopes` allows `p` on `type`. A system-level interaction (no single
// resource type, such as a transaction) is checked with type "*", which only "*" scopes allow.
bool ScopesAllow(const std::vector<Scope>& scopes, std::string_view type, Permission p);

// The requested scopes that some allowed scope covers, in request order, duplicates removed.
// An empty request is granted everything allowed.
std::vector<Scope> GrantScopes(const std::vector<Scope>& requested, const std::vector<Scope>& allowed);

// The scopes' texts joined by single spaces.
std::string JoinScopes(const std::vector<Scope>& scopes);

}  // namespace workwell::security
