#include "adapter/store/store.h"

#include <charconv>
#include <chrono>
#include <random>

namespace workwell::store {

std::string MakeETag(int64_t version) { return "W/\"" + std::to_string(version) + "\""; }

std::string ResourceVersion::ETag() const { return MakeETag(version); }

std::string ResourceVersion::VersionedLocation() const {
  return type + "/" + id + "/_history/" + std::to_string(version);
}

std::optional<int64_t> ParseETag(std::string_view h) {
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  if (h.starts_with("W/")) h.remove_prefix(2);
  if (h.size() >= 2 && h.front() == '"' && h.back() == '"') h = h.substr(1, h.size() - 2);
  if (h.empty()) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(h.data(), h.data() + h.size(), v);
  if (ec != std::errc() || ptr != h.data() + h.size() || v < 1) return std::nullopt;
  return v;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string NewResourceId() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  uint8_t b[16];
  const uint64_t hi = rng(), lo = rng();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(hi >> (8 * i));
    b[8 + i] = static_cast<uint8_t>(lo >> (8 * i));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xF]);
  }
  return out;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int h = HexValue(in[i + 1]), l = HexValue(in[i + 2]);
      if (h < 0 || l < 0) return false;
      out.push_back(static_cast<char>(h * 16 + l));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return true;
}

void Encode(std::string_view in, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : in) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~' || c == ':' || c == '|' || c == ',' || c == '/';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
}

}  // namespace

StoreResult<QueryParams> ParseQueryString(std::string_view query) {
  if (query.starts_with("?")) query.remove_prefix(1);
  QueryParams out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    std::string name, value;
    if (!Decode(part.substr(0, eq), name) ||
        !Decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), value)) {
      return StoreStatus(StoreCode::kInvalid, "malformed %-escape in query parameter '" + std::string(part) + "'");
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

std::string EncodeQueryString(const QueryParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    Encode(name, out);
    out.push_back('=');
    Encode(value, out);
  }
  return out;
}

int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// Runs one call in its own transaction and hands back its result.
template <typename T, typename F>
StoreResult<T> RunOne(Store& store, Access access, F&& f) {
  std::optional<T> out;
  StoreStatus st = store.RunInTransaction(
      [&](Transaction& tx) -> StoreStatus {
        out.reset();
        StoreResult<T> r = f(tx);
        if (!r.ok()) return r.status();
        out.emplace(std::move(r).value());
        return StoreStatus::Ok();
      },
      access);
  if (!st.ok()) return st;
  return std::move(*out);
}

}  // namespace

StoreResult<WriteOutcome> Store::Create(const json::Value& resource, const CreateOptions& options) {
  return RunOne<WriteOutcome>(*this, Access::kWrite, [&](Transaction& tx) { return tx.Create(resource, options); });
}

StoreResult<WriteOutcome> Store::Update(const json::Value& resource, const UpdateOptions& options) {
  return RunOne<WriteOutcome>(*this, Access::kWrite, [&](Transaction& tx) { return tx.Update(resource, options); });
}

StoreResult<ResourceVersion> Store::Delete(std::string_view type, std::string_view id, const DeleteOptions& options) {
  return RunOne<ResourceVersion>(*this, Access::kWrite, [&](Transaction& tx) { return tx.Delete(type, id, options); });
}

StoreResult<ResourceVersion> Store::Read(std::string_view type, std::string_view id) {
  return RunOne<ResourceVersion>(*this, Access::kRead, [&](Transaction& tx) { return tx.Read(type, id); });
}

StoreResult<ResourceVersion> Store::VRead(std::string_view type, std::string_view id, int64_t version) {
  return RunOne<ResourceVersion>(*this, Access::kRead, [&](Transaction& tx) { return tx.VRead(type, id, version); });
}

StoreResult<HistoryPage> Store::History(std::string_view type, std::string_view id, const HistoryRequest& request) {
  return RunOne<HistoryPage>(*this, Access::kRead, [&](Transaction& tx) { return tx.History(type, id, request); });
}

StoreResult<SearchPage> Store::Search(std::string_view type, const SearchRequest& request) {
  return RunOne<SearchPage>(*this, Access::kRead, [&](Transaction& tx) { return tx.Search(type, request); });
}

}  // namespace workwell::store
