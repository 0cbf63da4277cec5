#include "adapter/validation/conformance.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace workwell::validation {

using common::Status;

namespace {

std::string_view Text(const json::Value* v) { return v != nullptr && v->IsString() ? v->text() : std::string_view(); }

}  // namespace

void ConformanceIndex::Add(std::shared_ptr<json::Document> doc, const json::Value& resource, std::string_view origin) {
  if (doc != nullptr && (docs_.empty() || docs_.back() != doc)) docs_.push_back(doc);
  const std::string type(Text(resource.Find("resourceType")));
  if (type.empty()) return;
  if (type == "Bundle") {
    if (const json::Value* entries = resource.Find("entry")) {
      for (const json::Value& e : entries->items()) {
        if (const json::Value* r = e.Find("resource")) Add(nullptr, *r, origin);
      }
    }
  }
  const size_t index = order_.size();
  order_.push_back({&resource, type, std::string(origin)});
  const std::string_view url = Text(resource.Find("url"));
  const std::string_view id = Text(resource.Find("id"));
  if (!url.empty()) {
    by_url_[std::string(url)] = index;
    const std::string_view version = Text(resource.Find("version"));
    if (!version.empty()) by_url_[std::string(url) + "|" + std::string(version)] = index;
  }
  if (!id.empty()) by_url_[type + "/" + std::string(id)] = index;
}

Status ConformanceIndex::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::NotFound("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = std::make_shared<json::Document>();
  json::ParseError err;
  json::Limits limits;
  limits.max_bytes = 256u << 20;
  limits.max_array_items = 1u << 24;
  if (!json::Parse(ss.str(), limits, *doc, err)) {
    return common::InvalidArgument(path + ": " + err.message + " at byte " + std::to_string(err.offset));
  }
  if (!doc->root().IsObject() || doc->root().Find("resourceType") == nullptr) {
    return common::InvalidArgument(path + ": not a FHIR resource");
  }
  Add(doc, doc->root(), path);
  return Status::Ok();
}

Status ConformanceIndex::LoadDirectory(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return common::NotFound("no directory " + dir);
  std::vector<std::string> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    if (Status s = LoadFile(f); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ConformanceIndex::LoadCoreDefinitions(const std::string& r4_dir) {
  for (const char* file : {"profiles-types.json", "profiles-resources.json", "profiles-others.json",
                           "extension-definitions.json", "valuesets.json", "v3-codesystems.json", "v2-tables.json"}) {
    if (Status s = LoadFile(r4_dir + "/" + file); !s.ok()) return s;
  }
  return Status::Ok();
}

const json::Value* ConformanceIndex::Find(std::string_view url) const {
  auto it = by_url_.find(url);
  if (it != by_url_.end()) return order_[it->second].resource;
  // A canonical with a version we do not hold: fall back to the unversioned one.
  if (size_t bar = url.find('|'); bar != std::string_view::npos) {
    it = by_url_.find(url.substr(0, bar));
    if (it != by_url_.end()) return order_[it->second].resource;
  }
  return nullptr;
}

const json::Value* ConformanceIndex::Find(std::string_view resource_type, std::string_view url) const {
  const json::Value* r = Find(url);
  return r != nullptr && Text(r->Find("resourceType")) == resource_type ? r : nullptr;
}

std::string_view ConformanceIndex::OriginOf(const json::Value* resource) const {
  for (const Entry& e : order_) {
    if (e.resource == resource) return e.origin;
  }
  return {};
}

std::vector<const json::Value*> ConformanceIndex::All(std::string_view resource_type) const {
  std::vector<const json::Value*> out;
  for (const Entry& e : order_) {
    if (e.resource_type == resource_type) out.push_back(e.resource);
  }
  return out;
}

}  // namespace workwell::validation
