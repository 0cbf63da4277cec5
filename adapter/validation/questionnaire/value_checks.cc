#include "adapter/validation/questionnaire/value_checks.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <span>
#include <vector>

namespace workwell::validation::questionnaire {
namespace {

// A decimal as sign × digits × 10^-scale, with `digits` free of leading zeros ("" for zero).
struct Decimal {
  bool negative = false;
  std::string digits;
  long scale = 0;
};

std::optional<Decimal> ParseDecimal(std::string_view s) {
  Decimal d;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    d.negative = s[i] == '-';
    ++i;
  }
  bool any_digit = false;
  long fraction_digits = 0;
  bool in_fraction = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      d.digits.push_back(c);
      any_digit = true;
      if (in_fraction) ++fraction_digits;
    } else if (c == '.' && !in_fraction) {
      in_fraction = true;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  long exponent = 0;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return std::nullopt;
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      exp_negative = s[i] == '-';
      ++i;
    }
    if (i >= s.size()) return std::nullopt;
    for (; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i])) || exponent > 100000) return std::nullopt;
      exponent = exponent * 10 + (s[i] - '0');
    }
    if (exp_negative) exponent = -exponent;
  }
  d.scale = fraction_digits - exponent;
  size_t first = d.digits.find_first_not_of('0');
  d.digits = first == std::string::npos ? std::string() : d.digits.substr(first);
  if (d.digits.empty()) d.negative = false;
  return d;
}

// Compares magnitudes of two parsed decimals.
int CompareMagnitude(const Decimal& a, const Decimal& b) {
  if (a.digits.empty() || b.digits.empty()) {
    return a.digits.empty() ? (b.digits.empty() ? 0 : -1) : 1;
  }
  long a_int = static_cast<long>(a.digits.size()) - a.scale;
  long b_int = static_cast<long>(b.digits.size()) - b.scale;
  if (a_int != b_int) return a_int < b_int ? -1 : 1;
  size_t n = std::max(a.digits.size(), b.digits.size());
  for (size_t i = 0; i < n; ++i) {
    char ca = i < a.digits.size() ? a.digits[i] : '0';
    char cb = i < b.digits.size() ? b.digits[i] : '0';
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Removes a trailing time zone ("Z", "+10:00", "-05:00") from the time part of `s`.
std::string_view StripZone(std::string_view s) {
  size_t t = s.find('T');
  size_t time_start = t != std::string_view::npos ? t + 1 : (s.find(':') != std::string_view::npos ? 0 : s.size());
  if (time_start >= s.size()) return s;
  if (s.back() == 'Z') return s.substr(0, s.size() - 1);
  size_t zone = s.find_first_of("+-", time_start);
  return zone == std::string_view::npos ? s : s.substr(0, zone);
}

struct UcumUnit {
  std::string_view code;
  std::string_view dimension;
  long double factor;
};

constexpr UcumUnit kUcumTable[] = {
    {"m", "m", 1.0L},
    {"km", "m", 1000.0L},
    {"dm", "m", 0.1L},
    {"cm", "m", 0.01L},
    {"mm", "m", 0.001L},
    {"um", "m", 1e-6L},
    {"nm", "m", 1e-9L},
    {"[in_i]", "m", 0.0254L},
    {"[ft_i]", "m", 0.3048L},
    {"[yd_i]", "m", 0.9144L},
    {"[mi_i]", "m", 1609.344L},
    {"g", "g", 1.0L},
    {"kg", "g", 1000.0L},
    {"mg", "g", 0.001L},
    {"ug", "g", 1e-6L},
    {"ng", "g", 1e-9L},
    {"t", "g", 1e6L},
    {"[lb_av]", "g", 453.59237L},
    {"[oz_av]", "g", 28.349523125L},
    {"L", "L", 1.0L},
    {"l", "L", 1.0L},
    {"dL", "L", 0.1L},
    {"cL", "L", 0.01L},
    {"mL", "L", 0.001L},
    {"ml", "L", 0.001L},
    {"uL", "L", 1e-6L},
    {"s", "s", 1.0L},
    {"ms", "s", 0.001L},
    {"min", "s", 60.0L},
    {"h", "s", 3600.0L},
    {"d", "s", 86400.0L},
    {"wk", "s", 604800.0L},
    {"mo", "s", 2629800.0L},
    {"a", "s", 31557600.0L},
};

}  // namespace

std::optional<int> CompareDecimal(std::string_view a, std::string_view b) {
  std::optional<Decimal> da = ParseDecimal(a);
  std::optional<Decimal> db = ParseDecimal(b);
  if (!da || !db) return std::nullopt;
  if (da->negative != db->negative) return da->negative ? -1 : 1;
  int magnitude = CompareMagnitude(*da, *db);
  return da->negative ? -magnitude : magnitude;
}

int DecimalPlaces(std::string_view number_text) {
  size_t exp_pos = number_text.find_first_of("eE");
  std::string_view mantissa = number_text.substr(0, exp_pos);
  size_t dot = mantissa.find('.');
  long places = dot == std::string_view::npos ? 0 : static_cast<long>(mantissa.size() - dot - 1);
  if (exp_pos != std::string_view::npos) {
    places -= std::strtol(std::string(number_text.substr(exp_pos + 1)).c_str(), nullptr, 10);
  }
  return places < 0 ? 0 : static_cast<int>(places);
}

std::optional<int> ComparePartialDateTime(std::string_view a, std::string_view b) {
  auto plausible = [](std::string_view s) {
    if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == ':' || c == 'T' || c == '.' || c == '+' ||
             c == 'Z';
    });
  };
  if (!plausible(a) || !plausible(b)) return std::nullopt;
  std::string_view sa = StripZone(a);
  std::string_view sb = StripZone(b);
  size_t n = std::min(sa.size(), sb.size());
  int c = sa.substr(0, n).compare(sb.substr(0, n));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::optional<CanonicalQuantity> ToCanonicalUcum(std::string_view number_text, std::string_view code) {
  for (const UcumUnit& unit : kUcumTable) {
    if (unit.code != code) continue;
    std::string text(number_text);
    char* end = nullptr;
    long double value = std::strtold(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !std::isfinite(static_cast<double>(value))) return std::nullopt;
    return CanonicalQuantity{value * unit.factor, std::string(unit.dimension)};
  }
  return std::nullopt;
}

bool IsValidUuidUrn(std::string_view uri) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  if (uri.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view u = uri.substr(kPrefix.size());
  if (u.size() != 36) return false;
  for (size_t i = 0; i < u.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? u[i] != '-' : !IsLowerHex(u[i])) return false;
  }
  return true;
}

bool IsValidOidUrn(std::string_view uri) {
  constexpr std::string_view kPrefix = "urn:oid:";
  if (uri.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view oid = uri.substr(kPrefix.size());
  if (oid.empty() || oid[0] < '0' || oid[0] > '2') return false;
  size_t arcs = 0;
  size_t start = 0;
  while (start <= oid.size()) {
    size_t dot = oid.find('.', start);
    std::string_view arc = oid.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (arc.empty() || (arc.size() > 1 && arc[0] == '0')) return false;
    if (!std::all_of(arc.begin(), arc.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    ++arcs;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return arcs >= 2;
}

bool IsValidReferenceSyntax(std::string_view reference) {
  if (reference.empty()) return false;
  for (char c : reference) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
    if (std::string_view("\"<>\\^`{|}").find(c) != std::string_view::npos) return false;
  }
  if (reference[0] == '#' || reference.substr(0, 4) == "urn:") return true;
  size_t scheme_end = reference.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string_view scheme = reference.substr(0, scheme_end);
    if (scheme.empty() || !std::isalpha(static_cast<unsigned char>(scheme[0]))) return false;
    return std::all_of(scheme.begin(), scheme.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
  }
  if (reference.find(':') != std::string_view::npos && reference.find('/') > reference.find(':')) {
    return false;  // a scheme without "//" other than urn:
  }
  std::string_view path = reference.substr(0, reference.find_first_of("?#"));
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  return path.find("//") == std::string_view::npos && path.find('/') != std::string_view::npos;
}

std::string ReferenceResourceType(std::string_view reference) {
  if (reference.empty() || reference[0] == '#' || reference.substr(0, 4) == "urn:") return {};
  std::string_view path = reference.substr(0, reference.find_first_of("?#"));
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  while (!segments.empty() && segments.back().empty()) segments.pop_back();
  if (segments.size() >= 4 && segments[segments.size() - 2] == "_history") segments.resize(segments.size() - 2);
  if (segments.size() < 2) return {};
  std::string_view type = segments[segments.size() - 2];
  if (type.empty() || type[0] < 'A' || type[0] > 'Z') return {};
  if (!std::all_of(type.begin(), type.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) {
    return {};
  }
  return std::string(type);
}

namespace {

// True when `contains` (an expansion.contains array, possibly nested) lists system|code.
bool ExpansionContains(const json::Value* contains, std::string_view system, std::string_view code) {
  if (contains == nullptr) return false;
  for (const json::Value& entry : contains->items()) {
    const json::Value* s = entry.Find("system");
    const json::Value* c = entry.Find("code");
    if (s != nullptr && c != nullptr && s->text() == system && c->text() == code) return true;
    if (ExpansionContains(entry.Find("contains"), system, code)) return true;
  }
  return false;
}

}  // namespace

std::optional<bool> EnumeratedValueSetContains(const json::Value& value_set, std::string_view system,
                                               std::string_view code) {
  if (const json::Value* expansion = value_set.Find("expansion"); expansion != nullptr) {
    if (ExpansionContains(expansion->Find("contains"), system, code)) return true;
  }
  const json::Value* compose = value_set.Find("compose");
  if (compose == nullptr) return std::nullopt;
  if (const json::Value* exclude = compose->Find("exclude"); exclude != nullptr && exclude->size() > 0) {
    return std::nullopt;
  }
  bool undecidable = false;
  const json::Value* include = compose->Find("include");
  for (const json::Value& inc : include != nullptr ? include->items() : std::span<const json::Value>()) {
    const json::Value* inc_system = inc.Find("system");
    if (inc.Find("valueSet") != nullptr || inc_system == nullptr) {
      undecidable = true;
      continue;
    }
    if (inc_system->text() != system) continue;
    if (inc.Find("filter") != nullptr) {
      undecidable = true;
      continue;
    }
    const json::Value* concepts = inc.Find("concept");
    if (concepts == nullptr) return true;
    for (const json::Value& listed : concepts->items()) {
      const json::Value* c = listed.Find("code");
      if (c != nullptr && c->text() == code) return true;
    }
  }
  if (undecidable) return std::nullopt;
  return false;
}

}  // namespace workwell::validation::questionnaire
