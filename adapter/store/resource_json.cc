#include "adapter/store/resource_json.h"

namespace workwell::store {

namespace {

void Copy(const json::Value& v, const ReferenceMap* rewrites, json::Builder& b) {
  switch (v.kind()) {
    case json::Kind::kNull: b.Null(); return;
    case json::Kind::kFalse: b.Bool(false); return;
    case json::Kind::kTrue: b.Bool(true); return;
    case json::Kind::kNumber: b.Number(v.text()); return;
    case json::Kind::kString: b.String(v.text()); return;
    case json::Kind::kArray:
      b.StartArray();
      for (const json::Value& item : v.items()) Copy(item, rewrites, b);
      b.EndArray();
      return;
    case json::Kind::kObject:
      b.StartObject();
      for (const json::Member& m : v.members()) {
        b.Key(m.key);
        if (rewrites != nullptr && m.key == "reference" && m.value.IsString()) {
          if (auto it = rewrites->find(std::string(m.value.text())); it != rewrites->end()) {
            b.String(it->second);
            continue;
          }
        }
        Copy(m.value, rewrites, b);
      }
      b.EndObject();
      return;
  }
}

void WriteMeta(const json::Value* meta, int64_t version, std::string_view last_updated, const ReferenceMap* rewrites,
               json::Builder& b) {
  b.Key("meta").StartObject();
  // Meta's element order: id, extension, versionId, lastUpdated, source, profile, security, tag.
  if (meta != nullptr) {
    for (const json::Member& m : meta->members()) {
      if (m.key == "id" || m.key == "extension") {
        b.Key(m.key);
        Copy(m.value, rewrites, b);
      }
    }
  }
  b.Key("versionId").String(std::to_string(version));
  b.Key("lastUpdated").String(last_updated);
  if (meta != nullptr) {
    for (const json::Member& m : meta->members()) {
      if (m.key == "id" || m.key == "extension" || m.key == "versionId" || m.key == "lastUpdated" ||
          m.key == "_versionId" || m.key == "_lastUpdated") {
        continue;
      }
      b.Key(m.key);
      Copy(m.value, rewrites, b);
    }
  }
  b.EndObject();
}

}  // namespace

void StampResource(const json::Value& resource, std::string_view id, int64_t version, std::string_view last_updated,
                   const ReferenceMap* rewrites, json::Document& doc) {
  json::Builder b(doc);
  b.StartObject();
  const json::Value* meta = resource.Find("meta");
  bool stamped = false;
  auto stamp = [&] {
    b.Key("id").String(id);
    WriteMeta(meta, version, last_updated, rewrites, b);
    stamped = true;
  };
  for (const json::Member& m : resource.members()) {
    if (m.key == "id" || m.key == "meta" || m.key == "_id") continue;
    b.Key(m.key);
    Copy(m.value, rewrites, b);
    if (m.key == "resourceType" && !stamped) stamp();
  }
  if (!stamped) stamp();
  b.EndObject();
  b.Finish();
}

std::string_view ResourceTypeOf(const json::Value& resource) {
  const json::Value* rt = resource.Find("resourceType");
  return rt != nullptr && rt->IsString() ? rt->text() : std::string_view();
}

std::string_view ResourceIdOf(const json::Value& resource) {
  const json::Value* id = resource.Find("id");
  return id != nullptr && id->IsString() ? id->text() : std::string_view();
}

void RewriteReferences(const json::Value& resource, const ReferenceMap& rewrites, json::Document& doc) {
  json::Builder b(doc);
  Copy(resource, &rewrites, b);
  b.Finish();
}

}  // namespace workwell::store
