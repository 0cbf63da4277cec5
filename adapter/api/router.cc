#include "adapter/api/router.h"

#include <algorithm>
#include <span>
#include <utility>

namespace workwell::api {
namespace {

enum class SegmentKind { kLiteral, kType, kId, kAny };

struct Segment {
  SegmentKind kind;
  std::string text;  // the literal, or the capture name
};

constexpr std::string_view kTypeInteractions[] = {
    "read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create",
    "search-type"};
constexpr std::string_view kSystemInteractions[] = {"transaction", "batch", "search-system",
                                                    "history-system"};

bool Contains(std::span<const std::string_view> list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// Splits "/a/b" into {"a", "b"}; "/" gives no segments. Empty segments are kept so that "/a//b"
// and "/a/" never match a pattern.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') {
    out.emplace_back();  // an empty segment never matches
    return out;
  }
  if (path == "/") return out;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsResourceTypeName(std::string_view s) {
  if (s.empty() || s.front() < 'A' || s.front() > 'Z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

bool IsFhirId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

Capability Capability::Interaction(std::string code) {
  Capability c;
  c.kind = Kind::kInteraction;
  c.name = std::move(code);
  return c;
}

Capability Capability::Operation(std::string name, std::string definition) {
  Capability c;
  c.kind = Kind::kOperation;
  c.name = std::move(name);
  c.definition = std::move(definition);
  return c;
}

struct Router::Entry {
  Route route;
  std::vector<Segment> segments;
  int literals = 0;
};

Router::Router() = default;
Router::~Router() = default;

common::Status Router::SetAuditHook(AuditHook hook) {
  if (frozen_) return common::FailedPrecondition("the router is frozen");
  audit_hook_ = std::move(hook);
  return common::Status::Ok();
}

common::Status Router::SetAuthenticator(std::shared_ptr<const Authenticator> authenticator) {
  if (frozen_) return common::FailedPrecondition("router is frozen; install the authenticator before Start");
  authenticator_ = std::move(authenticator);
  return common::Status::Ok();
}

common::Status Router::Add(Route route) {
  if (frozen_) return common::FailedPrecondition("routes cannot be added once the server runs");
  const std::string where = route.method + " " + route.pattern + ": ";
  if (!IsToken(route.method)) return common::InvalidArgument(where + "method must be upper-case letters");
  if (!route.handler) return common::InvalidArgument(where + "route has no handler");
  if (route.pattern.empty() || route.pattern.front() != '/') {
    return common::InvalidArgument(where + "pattern must start with '/'");
  }
  auto entry = std::make_unique<Entry>();
  bool has_type = false;
  for (std::string_view part : SplitPath(route.pattern)) {
    if (part.empty()) return common::InvalidArgument(where + "pattern has an empty segment");
    if (part.front() == '[') {
      if (part.size() < 3 || part.back() != ']') {
        return common::InvalidArgument(where + "bad capture segment '" + std::string(part) + "'");
      }
      const std::string name(part.substr(1, part.size() - 2));
      SegmentKind kind = SegmentKind::kAny;
      if (name == "type") {
        if (has_type) return common::InvalidArgument(where + "pattern has two [type] segments");
        kind = SegmentKind::kType;
        has_type = true;
      } else if (name == "id" || name == "vid") {
        kind = SegmentKind::kId;
      }
      entry->segments.push_back({kind, name});
    } else {
      entry->segments.push_back({SegmentKind::kLiteral, std::string(part)});
      ++entry->literals;
    }
  }
  for (const std::string& t : route.resource_types) {
    if (!IsResourceTypeName(t)) return common::InvalidArgument(where + "bad resource type '" + t + "'");
  }
  if (has_type && route.resource_types.empty()) {
    return common::InvalidArgument(where + "a [type] pattern must list its resource_types");
  }
  const Capability& cap = route.capability;
  switch (cap.kind) {
    case Capability::Kind::kNone:
      break;
    case Capability::Kind::kInteraction:
      if (Contains(kTypeInteractions, cap.name)) {
        if (route.resource_types.empty()) {
          return common::InvalidArgument(where + "interaction '" + cap.name + "' needs resource_types");
        }
      } else if (Contains(kSystemInteractions, cap.name)) {
        if (!route.resource_types.empty()) {
          return common::InvalidArgument(where + "interaction '" + cap.name + "' is system-level");
        }
      } else {
        return common::InvalidArgument(where + "unknown interaction '" + cap.name + "'");
      }
      if (!cap.search_params.empty() && cap.name != "search-type") {
        return common::InvalidArgument(where + "search parameters belong to search-type");
      }
      break;
    case Capability::Kind::kOperation:
      if (cap.name.empty() || cap.name.front() == '$') {
        return common::InvalidArgument(where + "operation name must be given without '$'");
      }
      if (cap.definition.empty()) {
        return common::InvalidArgument(where + "operation needs its OperationDefinition canonical");
      }
      break;
  }
  for (const auto& other : entries_) {
    if (other->route.method != route.method || other->route.pattern != route.pattern) continue;
    const auto& a = other->route.resource_types;
    const auto& b = route.resource_types;
    const bool overlap = (a.empty() && b.empty()) ||
                         std::any_of(a.begin(), a.end(), [&](const std::string& t) {
                           return std::find(b.begin(), b.end(), t) != b.end();
                         });
    if (overlap) return common::Status(common::StatusCode::kAlreadyExists, where + "already registered");
  }
  entry->route = std::move(route);
  entries_.push_back(std::move(entry));
  return common::Status::Ok();
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  const std::vector<std::string_view> parts = SplitPath(path);
  const Entry* best = nullptr;
  Fields best_params;
  for (const auto& entry : entries_) {
    if (entry->segments.size() != parts.size()) continue;
    Fields params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const Segment& seg = entry->segments[i];
      const std::string_view part = parts[i];
      switch (seg.kind) {
        case SegmentKind::kLiteral:
          ok = part == seg.text;
          break;
        case SegmentKind::kType: {
          const auto& types = entry->route.resource_types;
          ok = std::find(types.begin(), types.end(), part) != types.end();
          break;
        }
        case SegmentKind::kId:
          ok = IsFhirId(part);
          break;
        case SegmentKind::kAny:
          ok = !part.empty();
          break;
      }
      if (ok && seg.kind != SegmentKind::kLiteral) params.emplace_back(seg.text, std::string(part));
    }
    if (!ok) continue;
    result.allowed.push_back(entry->route.method);
    if (entry->route.method != method) continue;
    if (best == nullptr || entry->literals > best->literals) {
      best = entry.get();
      best_params = std::move(params);
    }
  }
  std::sort(result.allowed.begin(), result.allowed.end());
  result.allowed.erase(std::unique(result.allowed.begin(), result.allowed.end()), result.allowed.end());
  if (best != nullptr) {
    result.route = &best->route;
    result.params = std::move(best_params);
  }
  return result;
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(&e->route);
  return out;
}

}  // namespace workwell::api
