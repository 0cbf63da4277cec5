#include "adapter/mapping/engine/concept_map.h"

#include "adapter/mapping/engine/transforms.h"

namespace workwell::mapping {
namespace {

std::string_view Text(const json::Value* v) { return v != nullptr && v->IsString() ? v->text() : std::string_view(); }

}  // namespace

std::string LooseCode(std::string_view code) { return ToLower(CollapseSpaces(code)); }

common::Result<ConceptMapTable> ConceptMapTable::Build(const json::Value& concept_map) {
  ConceptMapTable table;
  table.url_ = std::string(Text(concept_map.Find("url")));
  table.version_ = std::string(Text(concept_map.Find("version")));
  if (table.url_.empty()) return common::InvalidArgument("a ConceptMap without a url cannot be used");
  if (const json::Value* groups = concept_map.Find("group")) {
    for (const json::Value& group : groups->items()) {
      const std::string source(Text(group.Find("source")));
      const std::string target_system(Text(group.Find("target")));
      table.sources_.push_back(source);
      const json::Value* elements = group.Find("element");
      if (elements == nullptr) continue;
      for (const json::Value& element : elements->items()) {
        const std::string_view code = Text(element.Find("code"));
        const json::Value* targets = element.Find("target");
        if (code.empty() || targets == nullptr) continue;
        for (const json::Value& t : targets->items()) {
          const std::string_view eq = Text(t.Find("equivalence"));
          if (eq == "unmatched" || eq == "disjoint" || Text(t.Find("code")).empty()) continue;
          const std::string key = source.empty() ? LooseCode(code) : std::string(code);
          table.targets_.try_emplace(std::string(Text(t.Find("code"))),
                                     ConceptTarget{target_system, std::string(Text(t.Find("code"))), {}});
          table.entries_.try_emplace({source, key}, ConceptTarget{target_system, std::string(Text(t.Find("code"))),
                                                                  std::string(Text(t.Find("display")))});
          break;
        }
      }
    }
  }
  return table;
}

std::optional<ConceptTarget> ConceptMapTable::Translate(std::string_view source_system, std::string_view code) const {
  const std::string key = source_system.empty() ? LooseCode(code) : std::string(Trim(code));
  auto it = entries_.find(std::pair<std::string, std::string>(std::string(source_system), key));
  if (it != entries_.end()) return it->second;
  auto same = targets_.find(Trim(code));
  if (same != targets_.end()) return same->second;
  return std::nullopt;
}

bool ConceptMapTable::HasSource(std::string_view source_system) const {
  for (const std::string& s : sources_) {
    if (s == source_system) return true;
  }
  return false;
}

common::Result<ConceptMapRegistry> ConceptMapRegistry::Build(const std::vector<const json::Value*>& maps) {
  ConceptMapRegistry registry;
  for (const json::Value* m : maps) {
    auto table = ConceptMapTable::Build(*m);
    if (!table.ok()) return table.status();
    std::string url = table->url();
    registry.by_url_[url] = std::make_shared<const ConceptMapTable>(std::move(table).value());
  }
  return registry;
}

const ConceptMapTable* ConceptMapRegistry::Find(std::string_view url) const {
  auto it = by_url_.find(url);
  return it == by_url_.end() ? nullptr : it->second.get();
}

}  // namespace workwell::mapping
