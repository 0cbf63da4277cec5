#include "adapter/api/content_negotiation.h"

#include <charconv>

#include "adapter/api/request.h"
#include "adapter/api/response.h"

namespace workwell::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One parsed media range from an Accept header.
struct MediaRange {
  std::string_view type;  // "application/fhir+json", "*/*", "json", ...
  double q = 1.0;
  bool version_ok = true;  // false when a fhirVersion parameter names another version
};

MediaRange ParseRange(std::string_view text) {
  MediaRange r;
  size_t semi = text.find(';');
  r.type = Trim(text.substr(0, semi));
  while (semi != std::string_view::npos) {
    text.remove_prefix(semi + 1);
    semi = text.find(';');
    const std::string_view param = Trim(text.substr(0, semi));
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = Trim(param.substr(0, eq));
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (EqualsIgnoreCase(name, "q")) {
      double q = 1.0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
      if (ec == std::errc() && end == value.data() + value.size() && q >= 0 && q <= 1) r.q = q;
    } else if (EqualsIgnoreCase(name, "fhirVersion")) {
      r.version_ok = value == "4.0" || value == "4.0.1";
    }
  }
  return r;
}

// How specifically `range` matches the concrete `type`: 0 none, 1 */*, 2 application/*, 3 exact.
int Specificity(std::string_view range, std::string_view type) {
  if (range == "*/*" || range == "*") return 1;
  if (EqualsIgnoreCase(range, "application/*")) return 2;
  if (EqualsIgnoreCase(range, type)) return 3;
  // FHIR's short forms, and the form "+" takes after query-string decoding.
  if (type == "application/fhir+json" &&
      (EqualsIgnoreCase(range, "json") || EqualsIgnoreCase(range, "application/fhir json"))) {
    return 3;
  }
  return 0;
}

// The q-value the ranges give `type`: the most specific matching range decides.
double QualityOf(const std::vector<MediaRange>& ranges, std::string_view type) {
  int best = 0;
  double q = 0;
  for (const MediaRange& r : ranges) {
    const int s = r.version_ok ? Specificity(r.type, type) : 0;
    if (s > best) {
      best = s;
      q = r.q;
    }
  }
  return q;
}

}  // namespace

std::optional<std::string_view> NegotiateResponseType(std::optional<std::string_view> accept,
                                                      std::optional<std::string_view> format) {
  std::vector<MediaRange> ranges;
  if (format.has_value()) {
    ranges.push_back(ParseRange(*format));  // _format names one type and overrides Accept
  } else if (accept.has_value() && !Trim(*accept).empty()) {
    std::string_view rest = *accept;
    while (true) {
      const size_t comma = rest.find(',');
      const std::string_view item = Trim(rest.substr(0, comma));
      if (!item.empty()) ranges.push_back(ParseRange(item));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  } else {
    return kFhirJson;
  }
  const double fhir = QualityOf(ranges, "application/fhir+json");
  const double plain = QualityOf(ranges, "application/json");
  if (fhir <= 0 && plain <= 0) return std::nullopt;
  return fhir >= plain ? kFhirJson : kPlainJson;
}

std::string MediaTypeOf(std::string_view content_type) {
  const std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
  std::string out(type);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsAllowedMediaType(std::string_view content_type, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return true;
  const std::string type = MediaTypeOf(content_type);
  for (const std::string& a : allowed) {
    if (EqualsIgnoreCase(type, a)) return true;
  }
  return false;
}

}  // namespace workwell::api
