#include "adapter/validation/terminology.h"

#include <functional>

namespace workwell::validation {
namespace {

std::string_view Text(const json::Value* v) { return v != nullptr && v->IsString() ? v->text() : std::string_view(); }

std::string_view StripVersion(std::string_view url) {
  size_t bar = url.find('|');
  return bar == std::string_view::npos ? url : url.substr(0, bar);
}

}  // namespace

const Terminology::CodeSystemInfo* Terminology::CodeSystem(std::string_view url) const {
  const std::string_view stripped = StripVersion(url);
  auto it = code_systems_.find(stripped);
  if (it != code_systems_.end()) return it->second.get();
  const std::string key(stripped);
  const json::Value* cs = index_.Find("CodeSystem", key);
  std::unique_ptr<CodeSystemInfo> info;
  if (cs != nullptr) {
    info = std::make_unique<CodeSystemInfo>();
    const std::string_view content = Text(cs->Find("content"));
    info->complete = content == "complete" || content.empty();
    std::function<void(const json::Value&, const std::string&)> walk = [&](const json::Value& concepts,
                                                                           const std::string& parent) {
      for (const json::Value& c : concepts.items()) {
        const std::string code(Text(c.Find("code")));
        if (code.empty()) continue;
        info->display[code] = std::string(Text(c.Find("display")));
        if (!parent.empty()) info->children[parent].push_back(code);
        if (const json::Value* nested = c.Find("concept")) walk(*nested, code);
      }
    };
    if (const json::Value* concepts = cs->Find("concept")) walk(*concepts, "");
    if (info->display.empty()) info->complete = false;
  }
  const CodeSystemInfo* result = info.get();
  code_systems_[key] = std::move(info);
  return result;
}

void Terminology::Include(const json::Value& include, Expansion& out, bool exclude, int depth) const {
  const std::string system(Text(include.Find("system")));
  const json::Value* concepts = include.Find("concept");
  const json::Value* filters = include.Find("filter");
  const json::Value* value_sets = include.Find("valueSet");
  if (system.empty()) {
    if (value_sets == nullptr) return;
    for (const json::Value& vs : value_sets->items()) {
      const Expansion* sub = Expand(vs.text(), depth + 1);
      if (sub == nullptr) {
        out.complete = false;
        continue;
      }
      if (!sub->complete) out.complete = false;
      for (const auto& [sys, codes] : sub->systems) {
        auto found = out.systems.find(sys);
        if (exclude) {
          if (found != out.systems.end() && found->second && codes) {
            for (const std::string& c : *codes) found->second->erase(c);
          }
        } else if (found == out.systems.end()) {
          out.systems.emplace(sys, codes);
        } else if (!codes) {
          found->second.reset();
        } else if (found->second) {
          found->second->insert(codes->begin(), codes->end());
        }
      }
    }
    return;
  }
  const CodeSystemInfo* cs = CodeSystem(system);
  std::set<std::string, std::less<>> codes;
  bool known = true;
  if (concepts != nullptr) {
    for (const json::Value& c : concepts->items()) codes.insert(std::string(Text(c.Find("code"))));
  } else if (filters != nullptr) {
    if (cs == nullptr || !cs->complete) {
      known = false;
    } else {
      for (const json::Value& f : filters->items()) {
        const std::string_view op = Text(f.Find("op"));
        const std::string_view prop = Text(f.Find("property"));
        const std::string value(Text(f.Find("value")));
        if ((op == "is-a" || op == "descendent-of") && (prop == "concept" || prop == "code")) {
          std::function<void(const std::string&)> add = [&](const std::string& code) {
            auto it = cs->children.find(code);
            if (it == cs->children.end()) return;
            for (const std::string& child : it->second) {
              codes.insert(child);
              add(child);
            }
          };
          if (op == "is-a") codes.insert(value);
          add(value);
        } else if (op == "=" && (prop == "concept" || prop == "code")) {
          codes.insert(value);
        } else {
          known = false;
        }
      }
    }
  } else if (cs != nullptr && cs->complete) {
    for (const auto& [code, display] : cs->display) codes.insert(code);
  } else {
    known = false;
  }
  if (exclude) {
    auto it = out.systems.find(system);
    if (it != out.systems.end() && it->second && known) {
      for (const std::string& c : codes) it->second->erase(c);
    }
    return;
  }
  auto [it, inserted] = out.systems.try_emplace(system, std::set<std::string, std::less<>>());
  if (!known) {
    it->second.reset();
    out.complete = false;
  } else if (it->second) {
    it->second->insert(codes.begin(), codes.end());
  }
}

const Terminology::Expansion* Terminology::Expand(std::string_view url, int depth) const {
  auto it = expansions_.find(url);
  if (it != expansions_.end()) return it->second.get();
  const std::string key(url);
  if (depth > 8) return nullptr;
  const json::Value* vs = index_.Find("ValueSet", url);
  if (vs == nullptr) {
    expansions_[key] = nullptr;
    return nullptr;
  }
  auto exp = std::make_unique<Expansion>();
  if (const json::Value* compose = vs->Find("compose")) {
    if (const json::Value* includes = compose->Find("include")) {
      for (const json::Value& inc : includes->items()) Include(inc, *exp, false, depth);
    }
    if (const json::Value* excludes = compose->Find("exclude")) {
      for (const json::Value& exc : excludes->items()) Include(exc, *exp, true, depth);
    }
  } else if (const json::Value* expansion = vs->Find("expansion")) {
    std::function<void(const json::Value&)> walk = [&](const json::Value& contains) {
      for (const json::Value& c : contains.items()) {
        const std::string system(Text(c.Find("system")));
        const std::string code(Text(c.Find("code")));
        if (!system.empty() && !code.empty()) {
          auto& set = exp->systems[system];
          if (!set) set.emplace();
          set->insert(code);
        }
        if (const json::Value* nested = c.Find("contains")) walk(*nested);
      }
    };
    if (const json::Value* contains = expansion->Find("contains")) walk(*contains);
  } else {
    exp->complete = false;
  }
  const Expansion* result = exp.get();
  expansions_[key] = std::move(exp);
  return result;
}

Membership Terminology::InValueSet(std::string_view value_set_url, std::string_view system, std::string_view code) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Expansion* exp = Expand(value_set_url, 0);
  if (exp == nullptr) return Membership::kUnknown;
  bool unknown = !exp->complete;
  for (const auto& [sys, codes] : exp->systems) {
    if (!system.empty() && sys != system) continue;
    if (!codes) {
      unknown = true;
      continue;
    }
    if (codes->find(code) != codes->end()) return Membership::kYes;
  }
  if (!system.empty() && exp->systems.find(system) == exp->systems.end()) {
    // A system the value set does not name at all is outside it, unless part of the value set
    // could not be expanded.
    return unknown ? Membership::kUnknown : Membership::kNo;
  }
  return unknown ? Membership::kUnknown : Membership::kNo;
}

Membership Terminology::InCodeSystem(std::string_view system, std::string_view code) const {
  std::lock_guard<std::mutex> lock(mu_);
  const CodeSystemInfo* cs = CodeSystem(system);
  if (cs == nullptr || !cs->complete) return Membership::kUnknown;
  return cs->display.find(code) != cs->display.end() ? Membership::kYes : Membership::kNo;
}

std::optional<std::string> Terminology::Display(std::string_view system, std::string_view code) const {
  std::lock_guard<std::mutex> lock(mu_);
  const CodeSystemInfo* cs = CodeSystem(system);
  if (cs == nullptr) return std::nullopt;
  auto it = cs->display.find(code);
  if (it == cs->display.end()) return std::nullopt;
  return it->second;
}

bool Terminology::KnowsValueSet(std::string_view url) const { return index_.Find("ValueSet", url) != nullptr; }

}  // namespace workwell::validation
