#include "adapter/security/scopes.h"

#include <algorithm>

namespace workwell::security {
namespace {

constexpr uint8_t kAll = 31;

bool IsTypeName(std::string_view s) {
  // A FHIR resource type name: an upper-case letter, then letters and digits.
  if (s.empty() || s.size() > 64 || s[0] < 'A' || s[0] > 'Z') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// The v2 letters in their required order; 0 when `s` is not such a list.
uint8_t ParseLetters(std::string_view s) {
  static constexpr std::string_view kLetters = "cruds";
  uint8_t bits = 0;
  size_t next = 0;
  for (char c : s) {
    const size_t at = kLetters.find(c, next);
    if (at == std::string_view::npos) return 0;
    bits |= static_cast<uint8_t>(1u << at);
    next = at + 1;
  }
  return bits;
}

}  // namespace

bool Scope::Allows(std::string_view type, Permission p) const {
  return (resource_type == "*" || resource_type == type) && (permissions & static_cast<uint8_t>(p)) != 0;
}

bool Scope::Covers(const Scope& other) const {
  return (resource_type == "*" || resource_type == other.resource_type) && (other.permissions & ~permissions) == 0;
}

common::Result<Scope> ParseScope(std::string_view text) {
  constexpr std::string_view kPrefix = "system/";
  if (text.size() > 200) return common::InvalidArgument("scope is too long");
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return common::InvalidArgument("scope must start with \"system/\" (only system scopes are supported)");
  }
  const std::string_view rest = text.substr(kPrefix.size());
  if (rest.find('?') != std::string_view::npos) {
    return common::InvalidArgument("scope query parameters are not supported");
  }
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return common::InvalidArgument("scope has no \".<permissions>\"");
  Scope scope;
  scope.text = std::string(text);
  const std::string_view type = rest.substr(0, dot);
  const std::string_view access = rest.substr(dot + 1);
  if (type != "*" && !IsTypeName(type))
    return common::InvalidArgument("scope resource type is not a type name or \"*\"");
  scope.resource_type = std::string(type);
  if (access == "read") {
    scope.permissions = static_cast<uint8_t>(Permission::kRead) | static_cast<uint8_t>(Permission::kSearch);
  } else if (access == "write") {
    scope.permissions = static_cast<uint8_t>(Permission::kCreate) | static_cast<uint8_t>(Permission::kUpdate) |
                        static_cast<uint8_t>(Permission::kDelete);
  } else if (access == "*") {
    scope.permissions = kAll;
  } else {
    scope.permissions = ParseLetters(access);
    if (scope.permissions == 0) {
      return common::InvalidArgument("scope permissions must be read, write, * or letters of \"cruds\" in order");
    }
  }
  return scope;
}

common::Result<std::vector<Scope>> ParseScopeList(std::string_view text) {
  std::vector<Scope> out;
  if (text.size() > 8192) return common::InvalidArgument("scope list is too long");
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(pos, end - pos);
    if (item.empty()) {
      if (text.empty()) break;
      return common::InvalidArgument("scope list must be scopes separated by single spaces");
    }
    common::Result<Scope> scope = ParseScope(item);
    if (!scope.ok()) return scope.status();
    out.push_back(std::move(scope.value()));
    pos = end + 1;
  }
  return out;
}

bool ScopesAllow(const std::vector<Scope>& scopes, std::string_view type, Permission p) {
  return std::any_of(scopes.begin(), scopes.end(), [&](const Scope& s) { return s.Allows(type, p); });
}

std::vector<Scope> GrantScopes(const std::vector<Scope>& requested, const std::vector<Scope>& allowed) {
  if (requested.empty()) return allowed;
  std::vector<Scope> out;
  for (const Scope& r : requested) {
    const bool covered = std::any_of(allowed.begin(), allowed.end(), [&](const Scope& a) { return a.Covers(r); });
    const bool dup = std::any_of(out.begin(), out.end(), [&](const Scope& o) { return o.text == r.text; });
    if (covered && !dup) out.push_back(r);
  }
  return out;
}

std::string JoinScopes(const std::vector<Scope>& scopes) {
  std::string out;
  for (const Scope& s : scopes) {
    if (!out.empty()) out.push_back(' ');
    out += s.text;
  }
  return out;
}

}  // namespace workwell::security
