#include "adapter/store/bundle.h"

#include <unordered_set>

#include "adapter/store/resource_json.h"

namespace workwell::store {

namespace {

StoreStatus Invalid(std::string m) { return StoreStatus(StoreCode::kInvalid, std::move(m)); }

// `s` as a JSON string literal.
std::string Quote(std::string_view s) { return json::Write(json::Value::String(s)); }

std::string_view Str(const json::Value* v, std::string_view key) {
  if (v == nullptr) return {};
  const json::Value* m = v->Find(key);
  return m != nullptr && m->IsString() ? m->text() : std::string_view();
}

enum class Method { kPost, kPut, kDelete };

struct Entry {
  size_t index = 0;
  Method method = Method::kPost;
  const json::Value* resource = nullptr;
  std::string type;
  std::string id;  // PUT/DELETE: from the url; POST: assigned
  std::string full_url;
  std::string if_none_exist;
  std::optional<int64_t> if_match;
};

std::string EntryPath(size_t i) { return "Bundle.entry[" + std::to_string(i) + "]"; }

StoreStatus EntryError(size_t i, const StoreStatus& st) { return StoreStatus(st.code(), EntryPath(i) + ": " + st.message()); }

// Splits "Type/id" (with an optional leading '/'); false when it is not of that form.
bool SplitTypeId(std::string_view url, std::string& type, std::string& id) {
  if (url.starts_with("/")) url.remove_prefix(1);
  const size_t slash = url.find('/');
  if (slash == std::string_view::npos || url.find('?') != std::string_view::npos) return false;
  type = std::string(url.substr(0, slash));
  id = std::string(url.substr(slash + 1));
  return !type.empty() && IsValidId(id);
}

StoreResult<std::vector<Entry>> ReadEntries(const json::Value& bundle) {
  if (Str(&bundle, "resourceType") != "Bundle") return Invalid("not a Bundle");
  if (Str(&bundle, "type") != "transaction") return Invalid("Bundle.type must be 'transaction'");
  std::vector<Entry> out;
  std::unordered_set<std::string> full_urls;
  const json::Value* entries = bundle.Find("entry");
  if (entries == nullptr) return out;
  for (size_t i = 0; i < entries->items().size(); ++i) {
    const json::Value& e = entries->items()[i];
    const json::Value* request = e.Find("request");
    Entry entry;
    entry.index = i;
    entry.resource = e.Find("resource");
    entry.full_url = std::string(Str(&e, "fullUrl"));
    const std::string_view method = Str(request, "method");
    const std::string_view url = Str(request, "url");
    if (request == nullptr || method.empty() || url.empty()) {
      return Invalid(EntryPath(i) + ": request.method and request.url are required");
    }
    if (!entry.full_url.empty() && !full_urls.insert(entry.full_url).second) {
      return Invalid(EntryPath(i) + ": fullUrl " + entry.full_url + " appears twice");
    }
    if (const std::string_view m = Str(request, "ifMatch"); !m.empty()) {
      entry.if_match = ParseETag(m);
      if (!entry.if_match) return Invalid(EntryPath(i) + ": ifMatch '" + std::string(m) + "' is not an ETag");
    }
    if (method == "POST") {
      entry.method = Method::kPost;
      if (entry.resource == nullptr || !entry.resource->IsObject()) return Invalid(EntryPath(i) + ": POST needs a resource");
      entry.type = std::string(ResourceTypeOf(*entry.resource));
      std::string_view u = url;
      if (u.starts_with("/")) u.remove_prefix(1);
      if (u != entry.type) return Invalid(EntryPath(i) + ": POST url '" + std::string(url) + "' must be the resource type");
      entry.if_none_exist = std::string(Str(request, "ifNoneExist"));
      entry.id = NewResourceId();
    } else if (method == "PUT" || method == "DELETE") {
      entry.method = method == "PUT" ? Method::kPut : Method::kDelete;
      if (!SplitTypeId(url, entry.type, entry.id)) {
        return Invalid(EntryPath(i) + ": " + std::string(method) + " url '" + std::string(url) +
                       "' must be Type/id (conditional " + std::string(method) + " is not supported)");
      }
      if (entry.method == Method::kPut) {
        if (entry.resource == nullptr || !entry.resource->IsObject()) return Invalid(EntryPath(i) + ": PUT needs a resource");
        if (ResourceTypeOf(*entry.resource) != entry.type || ResourceIdOf(*entry.resource) != entry.id) {
          return Invalid(EntryPath(i) + ": the resource's type and id must match the url '" + std::string(url) + "'");
        }
      }
    } else {
      return Invalid(EntryPath(i) + ": method " + std::string(method) + " is not supported in a transaction");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

BundleEntryResponse ResponseFor(const ResourceVersion& v, std::string status) {
  BundleEntryResponse r;
  r.status = std::move(status);
  if (!v.deleted) {
    r.location = v.VersionedLocation();
    r.resource_json = v.json;
  }
  r.etag = v.ETag();
  r.last_modified = v.last_updated;
  return r;
}

void AppendLink(std::string& out, bool& first, std::string_view relation, std::string_view url) {
  out += first ? "" : ",";
  first = false;
  out += "{\"relation\":" + Quote(relation) + ",\"url\":" + Quote(url) + "}";
}

}  // namespace

namespace {

// Runs the entries of a checked transaction Bundle inside `tx`, filling `response`.
StoreStatus ApplyEntries(Transaction& tx, std::vector<Entry>& entries, TransactionResponse& response) {
  response.entries.assign(entries.size(), {});
  ReferenceMap rewrites;
  // Conditional creates that find their match point at it instead of a new resource.
  std::vector<bool> matched(entries.size(), false);
  for (Entry& e : entries) {
    if (e.method != Method::kPost) continue;
    std::string target = e.type + "/" + e.id;
    if (!e.if_none_exist.empty()) {
      auto params = ParseQueryString(e.if_none_exist);
      if (!params.ok()) return EntryError(e.index, params.status());
      auto found = tx.Search(e.type, SearchRequest{*params, true});
      if (!found.ok()) return EntryError(e.index, found.status());
      if (found->total > 1) {
        return EntryError(e.index, StoreStatus(StoreCode::kMultipleMatches, "ifNoneExist matches more than one resource"));
      }
      if (found->total == 1) {
        matched[e.index] = true;
        target = e.type + "/" + found->matches.front().id;
      }
    }
    if (e.full_url.starts_with("urn:uuid:") || e.full_url.starts_with("urn:oid:")) rewrites[e.full_url] = target;
  }
  for (const Entry& e : entries) {
    if (e.method == Method::kPut && e.full_url.starts_with("urn:")) rewrites[e.full_url] = e.type + "/" + e.id;
  }
  for (const Entry& e : entries) {
    if (e.method != Method::kDelete) continue;
    auto r = tx.Delete(e.type, e.id, DeleteOptions{e.if_match});
    if (!r.ok() && r.status().code() != StoreCode::kNotFound) return EntryError(e.index, r.status());
    BundleEntryResponse resp;
    resp.status = "204 No Content";
    if (r.ok()) {
      resp.etag = r->ETag();
      resp.last_modified = r->last_updated;
    }
    response.entries[e.index] = std::move(resp);
  }
  for (const Entry& e : entries) {
    if (e.method != Method::kPost) continue;
    json::Document doc;
    RewriteReferences(*e.resource, rewrites, doc);
    CreateOptions options;
    options.if_none_exist = e.if_none_exist;
    options.assigned_id = e.id;
    auto r = tx.Create(doc.root(), options);
    if (!r.ok()) return EntryError(e.index, r.status());
    if (r->created == matched[e.index]) {
      // A concurrent transaction created (or removed) the match between our search and the
      // write: run the whole Bundle again so references point at the right resource.
      return StoreStatus(StoreCode::kConflict, EntryPath(e.index) + ": the conditional create's match changed");
    }
    response.entries[e.index] = ResponseFor(r->resource, r->created ? "201 Created" : "200 OK");
  }
  for (const Entry& e : entries) {
    if (e.method != Method::kPut) continue;
    json::Document doc;
    RewriteReferences(*e.resource, rewrites, doc);
    auto r = tx.Update(doc.root(), UpdateOptions{e.if_match});
    if (!r.ok()) return EntryError(e.index, r.status());
    response.entries[e.index] = ResponseFor(r->resource, r->created ? "201 Created" : "200 OK");
  }
  return StoreStatus::Ok();
}

}  // namespace

StoreResult<TransactionResponse> ProcessTransaction(Store& store, const json::Value& bundle) {
  auto read = ReadEntries(bundle);
  if (!read.ok()) return read.status();
  std::vector<Entry>& entries = *read;
  TransactionResponse response;
  StoreStatus st = store.RunInTransaction([&](Transaction& tx) { return ApplyEntries(tx, entries, response); });
  if (!st.ok()) return st;
  return response;
}

StoreResult<TransactionResponse> ApplyTransaction(Transaction& tx, const json::Value& bundle) {
  auto read = ReadEntries(bundle);
  if (!read.ok()) return read.status();
  TransactionResponse response;
  StoreStatus st = ApplyEntries(tx, *read, response);
  if (!st.ok()) return st;
  return response;
}

std::string RenderTransactionResponse(const TransactionResponse& response) {
  std::string out = "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":[";
  for (size_t i = 0; i < response.entries.size(); ++i) {
    const BundleEntryResponse& e = response.entries[i];
    if (i > 0) out += ",";
    out += "{";
    if (!e.resource_json.empty()) out += "\"resource\":" + e.resource_json + ",";
    out += "\"response\":{\"status\":" + Quote(e.status);
    if (!e.location.empty()) out += ",\"location\":" + Quote(e.location);
    if (!e.etag.empty()) out += ",\"etag\":" + Quote(e.etag);
    if (!e.last_modified.empty()) out += ",\"lastModified\":" + Quote(e.last_modified);
    out += "}}";
  }
  out += "]}";
  return out;
}

std::string RenderSearchBundle(const SearchPage& page, std::string_view base_url, std::string_view type) {
  const std::string base = std::string(base_url) + "/";
  const std::string search = base + std::string(type) + "?";
  std::string out = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":" + std::to_string(page.total) +
                    ",\"link\":[";
  bool first = true;
  AppendLink(out, first, "self", search + page.self_query);
  if (page.next_query) AppendLink(out, first, "next", search + *page.next_query);
  if (page.prev_query) AppendLink(out, first, "previous", search + *page.prev_query);
  out += "]";
  bool first_entry = true;
  auto add = [&](const ResourceVersion& v, std::string_view mode) {
    out += first_entry ? ",\"entry\":[" : ",";
    first_entry = false;
    out += "{\"fullUrl\":" + Quote(base + v.type + "/" + v.id) + ",\"resource\":" + v.json +
           ",\"search\":{\"mode\":" + Quote(mode) + "}}";
  };
  for (const ResourceVersion& v : page.matches) add(v, "match");
  for (const ResourceVersion& v : page.includes) add(v, "include");
  if (!first_entry) out += "]";
  out += "}";
  return out;
}

std::string RenderHistoryBundle(const HistoryPage& page, std::string_view base_url, std::string_view type,
                                std::string_view id) {
  const std::string base = std::string(base_url) + "/";
  const std::string self = base + std::string(type) + "/" + std::string(id) + "/_history";
  std::string out = "{\"resourceType\":\"Bundle\",\"type\":\"history\",\"total\":" + std::to_string(page.total) +
                    ",\"link\":[";
  bool first = true;
  const size_t count = page.versions.empty() ? 0 : page.versions.size();
  AppendLink(out, first, "self", self);
  if (page.next_offset) {
    AppendLink(out, first, "next", self + "?_count=" + std::to_string(count) + "&_offset=" + std::to_string(*page.next_offset));
  }
  if (page.prev_offset) {
    AppendLink(out, first, "previous", self + "?_count=" + std::to_string(count) + "&_offset=" + std::to_string(*page.prev_offset));
  }
  out += "]";
  bool first_entry = true;
  for (const ResourceVersion& v : page.versions) {
    out += first_entry ? ",\"entry\":[" : ",";
    first_entry = false;
    out += "{\"fullUrl\":" + Quote(base + v.type + "/" + v.id);
    if (!v.deleted) out += ",\"resource\":" + v.json;
    const std::string url = v.method == "POST" ? v.type : v.type + "/" + v.id;
    const std::string status = v.deleted ? "204 No Content" : v.method == "POST" ? "201 Created" : "200 OK";
    out += ",\"request\":{\"method\":" + Quote(v.method) + ",\"url\":" + Quote(url) + "}";
    out += ",\"response\":{\"status\":" + Quote(status) + ",\"etag\":" + Quote(v.ETag()) +
           ",\"lastModified\":" + Quote(v.last_updated) + "}}";
  }
  if (!first_entry) out += "]";
  out += "}";
  return out;
}

}  // namespace workwell::store
