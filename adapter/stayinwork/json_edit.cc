#include "adapter/stayinwork/json_edit.h"

#include <algorithm>

#include "adapter/common/check.h"

namespace workwell::stayinwork::internal {

std::string_view StringAt(const json::Value* obj, std::string_view key) {
  if (obj == nullptr) return {};
  const json::Value* v = obj->Find(key);
  return v != nullptr && v->IsString() ? v->text() : std::string_view();
}

std::span<const json::Value> ItemsAt(const json::Value* obj, std::string_view key) {
  if (obj == nullptr) return {};
  const json::Value* v = obj->Find(key);
  return v != nullptr ? v->items() : std::span<const json::Value>();
}

const json::Value* FindExtension(const json::Value* obj, std::string_view url, size_t* index) {
  const auto items = ItemsAt(obj, "extension");
  for (size_t i = 0; i < items.size(); ++i) {
    if (StringAt(&items[i], "url") == url) {
      if (index != nullptr) *index = i;
      return &items[i];
    }
  }
  return nullptr;
}

const json::Value* SubValue(const json::Value* ext, std::string_view name, std::string_view kind) {
  const json::Value* sub = FindExtension(ext, name);
  if (sub == nullptr) return nullptr;
  std::string key = "value";
  key += kind;
  return sub->Find(key);
}

bool HasCoding(const json::Value* cc, std::string_view system, std::string_view code) {
  for (const json::Value& c : ItemsAt(cc, "coding")) {
    if (StringAt(&c, "system") == system && StringAt(&c, "code") == code) return true;
  }
  return false;
}

std::string_view CodeIn(const json::Value* cc, std::string_view system) {
  for (const json::Value& c : ItemsAt(cc, "coding")) {
    if (StringAt(&c, "system") == system) return StringAt(&c, "code");
  }
  return {};
}

json::Value Build(json::Document& doc, const std::function<void(json::Builder&)>& build) {
  json::Document scratch;
  {
    json::Builder b(scratch);
    build(b);
    b.Finish();
  }
  return json::Clone(scratch.root(), doc);
}

void SetMember(json::Document& doc, json::Value& obj, std::string_view key, json::Value value,
               std::span<const std::string_view> before) {
  WW_CHECK(obj.IsObject());
  if (json::Value* existing = obj.Find(key)) {
    *existing = value;
    return;
  }
  const auto members = obj.members();
  size_t at = members.size();
  for (size_t i = 0; i < members.size(); ++i) {
    if (std::find(before.begin(), before.end(), members[i].key) != before.end()) {
      at = i;
      break;
    }
  }
  const auto n = static_cast<uint32_t>(members.size() + 1);
  json::Member* out = doc.AllocateMembers(n);
  for (size_t i = 0, j = 0; i < n; ++i) {
    if (i == at) {
      out[i] = {doc.CopyString(key), value};
    } else {
      out[i] = members[j++];
    }
  }
  obj = json::Value::Object(out, n);
}

void AppendItem(json::Document& doc, json::Value& obj, std::string_view key, json::Value item,
                std::span<const std::string_view> before) {
  const json::Value* existing = obj.Find(key);
  const auto items = existing != nullptr ? existing->items() : std::span<const json::Value>();
  const auto n = static_cast<uint32_t>(items.size() + 1);
  json::Value* out = doc.AllocateValues(n);
  std::copy(items.begin(), items.end(), out);
  out[n - 1] = item;
  SetMember(doc, obj, key, json::Value::Array(out, n), before);
}

void RemoveItem(json::Document& doc, json::Value& obj, std::string_view key, size_t index) {
  json::Value* existing = obj.Find(key);
  WW_CHECK(existing != nullptr && index < existing->size());
  const auto items = existing->items();
  const auto n = static_cast<uint32_t>(items.size() - 1);
  if (n == 0) {  // FHIR JSON has no empty arrays: the member goes
    const auto members = obj.members();
    json::Member* out = doc.AllocateMembers(static_cast<uint32_t>(members.size() - 1));
    for (size_t i = 0, j = 0; i < members.size(); ++i) {
      if (members[i].key != key) out[j++] = members[i];
    }
    obj = json::Value::Object(out, static_cast<uint32_t>(members.size() - 1));
    return;
  }
  json::Value* out = doc.AllocateValues(n);
  for (size_t i = 0, j = 0; i < items.size(); ++i) {
    if (i != index) out[j++] = items[i];
  }
  *existing = json::Value::Array(out, n);
}

}  // namespace workwell::stayinwork::internal
