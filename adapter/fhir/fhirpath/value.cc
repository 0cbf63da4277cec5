#include "adapter/fhir/fhirpath/value.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace workwell::fhir::fhirpath {

namespace internal {
namespace {

// Free blocks per item count; at most kKeep of each are kept, the rest go back to the heap.
// Once a thread's lists are destroyed (thread exit), that thread uses the heap directly, so
// collections outliving them (statics destroyed later) are still freed correctly.
thread_local bool t_lists_gone = false;

struct CollectionFreeLists {
  static constexpr size_t kKeep = 64;
  void* blocks[kPooledCollectionSlots][kKeep];
  size_t counts[kPooledCollectionSlots] = {};
  ~CollectionFreeLists() {
    for (size_t s = 0; s < kPooledCollectionSlots; ++s) {
      for (size_t i = 0; i < counts[s]; ++i) ::operator delete(blocks[s][i]);
      counts[s] = 0;
    }
    t_lists_gone = true;
  }
};

thread_local CollectionFreeLists t_lists;

}  // namespace

void* AllocateCollectionBlock(size_t bytes, size_t slot) {
  if (!t_lists_gone && t_lists.counts[slot] > 0) return t_lists.blocks[slot][--t_lists.counts[slot]];
  return ::operator new(bytes);
}

void FreeCollectionBlock(void* p, size_t bytes, size_t slot) {
  (void)bytes;
  if (!t_lists_gone && t_lists.counts[slot] < CollectionFreeLists::kKeep) {
    t_lists.blocks[slot][t_lists.counts[slot]++] = p;
    return;
  }
  ::operator delete(p);
}

}  // namespace internal

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos` into `out`, advancing `pos`.
bool ReadDigits(std::string_view s, size_t& pos, int n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

// Parses "hh[:mm[:ss[.fff]]]" into `t`, setting the precision.
bool ParseTimeOfDay(std::string_view s, size_t& pos, Temporal& t) {
  if (!ReadDigits(s, pos, 2, t.hour) || t.hour > 23) return false;
  t.precision = Temporal::Precision::kHour;
  if (pos >= s.size() || s[pos] != ':') return true;
  ++pos;
  if (!ReadDigits(s, pos, 2, t.minute) || t.minute > 59) return false;
  t.precision = Temporal::Precision::kMinute;
  if (pos >= s.size() || s[pos] != ':') return true;
  ++pos;
  if (!ReadDigits(s, pos, 2, t.second) || t.second > 60) return false;
  t.precision = Temporal::Precision::kSecond;
  if (pos >= s.size() || s[pos] != '.') return true;
  ++pos;
  size_t start = pos;
  int ms = 0, digits = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    if (digits < 3) {
      ms = ms * 10 + (s[pos] - '0');
      ++digits;
    }
    ++pos;
  }
  if (pos == start) return false;
  while (digits < 3) {
    ms *= 10;
    ++digits;
  }
  t.millisecond = ms;
  t.precision = Temporal::Precision::kMillisecond;
  return true;
}

bool ParseTimezone(std::string_view s, size_t& pos, Temporal& t) {
  if (pos >= s.size()) return true;
  if (s[pos] == 'Z') {
    ++pos;
    t.has_timezone = true;
    t.timezone_minutes = 0;
    return true;
  }
  if (s[pos] != '+' && s[pos] != '-') return false;
  int sign = s[pos] == '-' ? -1 : 1;
  ++pos;
  int h = 0, m = 0;
  if (!ReadDigits(s, pos, 2, h)) return false;
  if (pos >= s.size() || s[pos] != ':') return false;
  ++pos;
  if (!ReadDigits(s, pos, 2, m)) return false;
  t.has_timezone = true;
  t.timezone_minutes = sign * (h * 60 + m);
  return true;
}

std::string Pad(int v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, v);
  return buf;
}

}  // namespace

std::optional<Decimal> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  size_t i = 0;
  if (text[i] == '-' || text[i] == '+') ++i;
  size_t int_start = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  if (i == int_start) return std::nullopt;
  int scale = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t frac_start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == frac_start) return std::nullopt;
    scale = static_cast<int>(i - frac_start);
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exp_start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == exp_start) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  std::string copy(text);
  Decimal d;
  d.value = std::strtold(copy.c_str(), nullptr);
  d.scale = scale;
  if (copy.find_first_of("eE") != std::string::npos) d.scale = 0;
  return d;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    ++i;
  }
  if (i == text.size()) return std::nullopt;
  uint64_t v = 0;
  for (; i < text.size(); ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<Temporal> ParseTemporal(std::string_view s, PrimitiveKind kind) {
  Temporal t;
  size_t pos = 0;
  if (kind == PrimitiveKind::kTime) {
    t.kind = PrimitiveKind::kTime;
    if (!ParseTimeOfDay(s, pos, t) || pos != s.size()) return std::nullopt;
    return t;
  }
  t.kind = PrimitiveKind::kDate;
  if (!ReadDigits(s, pos, 4, t.year)) return std::nullopt;
  t.precision = Temporal::Precision::kYear;
  if (pos < s.size() && s[pos] == '-') {
    ++pos;
    if (!ReadDigits(s, pos, 2, t.month) || t.month < 1 || t.month > 12) return std::nullopt;
    t.precision = Temporal::Precision::kMonth;
    if (pos < s.size() && s[pos] == '-') {
      ++pos;
      if (!ReadDigits(s, pos, 2, t.day) || t.day < 1 || t.day > 31) return std::nullopt;
      t.precision = Temporal::Precision::kDay;
    }
  }
  if (pos < s.size() && s[pos] == 'T') {
    ++pos;
    t.kind = PrimitiveKind::kDateTime;
    if (pos < s.size() && IsDigit(s[pos])) {
      if (t.precision != Temporal::Precision::kDay) return std::nullopt;
      if (!ParseTimeOfDay(s, pos, t)) return std::nullopt;
    }
    if (!ParseTimezone(s, pos, t)) return std::nullopt;
  } else if (kind == PrimitiveKind::kDateTime) {
    t.kind = PrimitiveKind::kDateTime;
  }
  if (pos != s.size()) return std::nullopt;
  return t;
}

std::string DecimalText(const Decimal& d) {
  char buf[96];
  if (d.scale > 0 && d.scale <= 30) {
    std::snprintf(buf, sizeof buf, "%.*Lf", d.scale, d.value);
    return buf;
  }
  if (d.value == std::floor(d.value) && std::fabs(d.value) < 1e18L) {
    std::snprintf(buf, sizeof buf, "%.0Lf", d.value);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.8Lf", d.value);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string TemporalText(const Temporal& t) {
  using P = Temporal::Precision;
  std::string s;
  if (t.kind != PrimitiveKind::kTime) {
    s = Pad(t.year, 4);
    if (t.precision >= P::kMonth) s += "-" + Pad(t.month, 2);
    if (t.precision >= P::kDay) s += "-" + Pad(t.day, 2);
    if (t.kind == PrimitiveKind::kDate) return s;
    if (t.precision < P::kHour) return s;
    s += "T";
  }
  s += Pad(t.hour, 2);
  if (t.precision >= P::kMinute) s += ":" + Pad(t.minute, 2);
  if (t.precision >= P::kSecond) s += ":" + Pad(t.second, 2);
  if (t.precision >= P::kMillisecond) s += "." + Pad(t.millisecond, 3);
  if (t.kind == PrimitiveKind::kDateTime && t.has_timezone) {
    if (t.timezone_minutes == 0) {
      s += "Z";
    } else {
      int m = t.timezone_minutes < 0 ? -t.timezone_minutes : t.timezone_minutes;
      s += (t.timezone_minutes < 0 ? "-" : "+") + Pad(m / 60, 2) + ":" + Pad(m % 60, 2);
    }
  }
  return s;
}

std::string ToText(const Value& v) {
  switch (v.type()) {
    case ValueType::kNode: return std::string(v.node()->primitive_text());
    case ValueType::kBoolean: return v.boolean() ? "true" : "false";
    case ValueType::kInteger: return std::to_string(v.integer());
    case ValueType::kDecimal: return DecimalText(v.decimal());
    case ValueType::kString: return v.string();
    case ValueType::kDate:
    case ValueType::kDateTime:
    case ValueType::kTime: return TemporalText(v.temporal());
    case ValueType::kQuantity: {
      const Quantity& q = v.quantity();
      std::string unit = q.unit;
      bool calendar = !unit.empty() && unit.front() >= 'a' && unit.front() <= 'z' && unit.size() > 2 &&
                      unit.find_first_of("/.[") == std::string::npos &&
                      (unit.rfind("year", 0) == 0 || unit.rfind("month", 0) == 0 || unit.rfind("week", 0) == 0 ||
                       unit.rfind("day", 0) == 0 || unit.rfind("hour", 0) == 0 || unit.rfind("minute", 0) == 0 ||
                       unit.rfind("second", 0) == 0 || unit.rfind("millisecond", 0) == 0);
      return DecimalText(q.value) + (calendar ? " " + unit : " '" + unit + "'");
    }
  }
  return {};
}

bool RegexRepeatsAreBounded(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;  // an escaped character, including "\{"
      continue;
    }
    if (pattern[i] != '{') continue;
    size_t digits = 0;
    uint64_t value = 0;
    for (size_t j = i + 1; j < pattern.size(); ++j) {
      const char c = pattern[j];
      if (c >= '0' && c <= '9') {
        if (++digits > 4) return false;
        value = value * 10 + static_cast<uint64_t>(c - '0');
        if (value > 1000) return false;
      } else if (c == ',') {
        digits = 0;
        value = 0;
      } else {
        break;
      }
    }
  }
  return true;
}

}  // namespace workwell::fhir::fhirpath
