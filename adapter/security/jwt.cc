#include "adapter/security/jwt.h"

#include <algorithm>
#include <charconv>

#include "adapter/common/json/json.h"
#include "adapter/security/base64url.h"

namespace workwell::security {
namespace {

using common::InvalidArgument;
using common::Status;

// The largest NumericDate accepted (year 9999), so arithmetic on it cannot overflow.
constexpr UnixSeconds kMaxNumericDate = 253402300799;

Status ParseJsonObject(std::string_view part, std::string_view text, const JwtLimits& limits, json::Document& doc) {
  json::Limits jl;
  jl.max_bytes = limits.max_token_bytes;
  jl.max_depth = limits.max_json_depth;
  jl.max_array_items = 100;
  jl.max_object_members = 100;
  json::ParseError error;
  if (!json::Parse(text, jl, doc, error)) {
    return InvalidArgument(std::string(part) + " is not valid JSON: " + error.message);
  }
  if (!doc.root().IsObject()) return InvalidArgument(std::string(part) + " is not a JSON object");
  const auto members = doc.root().members();
  for (size_t i = 0; i < members.size(); ++i) {
    for (size_t j = i + 1; j < members.size(); ++j) {
      if (members[i].key == members[j].key) {
        return InvalidArgument(std::string(part) + " has a duplicate member \"" + std::string(members[i].key) + "\"");
      }
    }
  }
  return Status::Ok();
}

Status OptionalString(std::string_view part, const json::Value& obj, std::string_view key,
                      std::optional<std::string>& out) {
  const json::Value* v = obj.Find(key);
  if (v == nullptr) return Status::Ok();
  if (!v->IsString())
    return InvalidArgument(std::string(part) + " member \"" + std::string(key) + "\" is not a string");
  out = std::string(v->text());
  return Status::Ok();
}

// NumericDate: a non-negative JSON number; a fraction is allowed and dropped, an exponent is not.
Status OptionalDate(const json::Value& obj, std::string_view key, std::optional<UnixSeconds>& out) {
  const json::Value* v = obj.Find(key);
  if (v == nullptr) return Status::Ok();
  const std::string what = "claim \"" + std::string(key) + "\" ";
  if (!v->IsNumber()) return InvalidArgument(what + "is not a number");
  std::string_view text = v->text();
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  if (dot != std::string_view::npos) {
    const std::string_view frac = text.substr(dot + 1);
    if (frac.empty() || !std::all_of(frac.begin(), frac.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return InvalidArgument(what + "is not a NumericDate");
    }
  }
  if (whole.empty() || whole.size() > 15 ||
      !std::all_of(whole.begin(), whole.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgument(what + "is not a non-negative NumericDate");
  }
  UnixSeconds n = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), n);
  if (n > kMaxNumericDate) return InvalidArgument(what + "is out of range");
  out = n;
  return Status::Ok();
}

Status ReadHeader(const json::Value& h, JwsHeader& out) {
  const json::Value* alg = h.Find("alg");
  if (alg == nullptr) return InvalidArgument("header has no \"alg\"");
  if (!alg->IsString() || alg->text().empty()) return InvalidArgument("header \"alg\" is not a non-empty string");
  out.alg = std::string(alg->text());
  if (Status s = OptionalString("header", h, "kid", out.kid); !s.ok()) return s;
  if (Status s = OptionalString("header", h, "typ", out.typ); !s.ok()) return s;
  // No extension is understood, so any "crit" must be refused (RFC 7515 section 4.1.11).
  if (h.Find("crit") != nullptr)
    return InvalidArgument("header \"crit\" names extensions this server does not support");
  return Status::Ok();
}

Status ReadClaims(const json::Value& c, JwtClaims& out) {
  if (Status s = OptionalString("claims", c, "iss", out.iss); !s.ok()) return s;
  if (Status s = OptionalString("claims", c, "sub", out.sub); !s.ok()) return s;
  if (Status s = OptionalString("claims", c, "jti", out.jti); !s.ok()) return s;
  if (Status s = OptionalString("claims", c, "scope", out.scope); !s.ok()) return s;
  if (const json::Value* aud = c.Find("aud")) {
    out.has_aud = true;
    if (aud->IsString()) {
      out.aud.emplace_back(aud->text());
    } else if (aud->IsArray()) {
      for (const json::Value& item : aud->items()) {
        if (!item.IsString()) return InvalidArgument("claim \"aud\" holds a value that is not a string");
        out.aud.emplace_back(item.text());
      }
    } else {
      return InvalidArgument("claim \"aud\" is neither a string nor an array of strings");
    }
  }
  if (Status s = OptionalDate(c, "exp", out.exp); !s.ok()) return s;
  if (Status s = OptionalDate(c, "nbf", out.nbf); !s.ok()) return s;
  if (Status s = OptionalDate(c, "iat", out.iat); !s.ok()) return s;
  return Status::Ok();
}

}  // namespace

common::Result<Jwt> ParseJwt(std::string_view token, const JwtLimits& limits) {
  if (token.empty()) return InvalidArgument("token is empty");
  if (token.size() > limits.max_token_bytes) {
    return common::ResourceExhausted("token exceeds " + std::to_string(limits.max_token_bytes) + " bytes");
  }
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return InvalidArgument("token is not three dot-separated parts");
  }
  const std::string_view header_b64 = token.substr(0, first);
  const std::string_view payload_b64 = token.substr(first + 1, second - first - 1);
  const std::string_view signature_b64 = token.substr(second + 1);
  if (header_b64.empty()) return InvalidArgument("header part is empty");
  if (payload_b64.empty()) return InvalidArgument("claims part is empty");

  const std::optional<std::string> header_text = Base64UrlDecode(header_b64);
  if (!header_text) return InvalidArgument("header is not base64url");
  const std::optional<std::string> payload_text = Base64UrlDecode(payload_b64);
  if (!payload_text) return InvalidArgument("claims are not base64url");
  std::optional<std::string> signature = Base64UrlDecode(signature_b64);
  if (!signature) return InvalidArgument("signature is not base64url");

  Jwt jwt;
  json::Document header_doc;
  if (Status s = ParseJsonObject("header", *header_text, limits, header_doc); !s.ok()) return s;
  if (Status s = ReadHeader(header_doc.root(), jwt.header); !s.ok()) return s;
  json::Document claims_doc;
  if (Status s = ParseJsonObject("claims", *payload_text, limits, claims_doc); !s.ok()) return s;
  if (Status s = ReadClaims(claims_doc.root(), jwt.claims); !s.ok()) return s;
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

}  // namespace workwell::security
