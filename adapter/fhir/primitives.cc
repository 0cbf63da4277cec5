#include "adapter/fhir/primitives.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

namespace workwell::fhir {
namespace {

constexpr std::array<std::pair<std::string_view, PrimitiveType>, 20> kNames = {{
    {"boolean", PrimitiveType::kBoolean},       {"integer", PrimitiveType::kInteger},
    {"decimal", PrimitiveType::kDecimal},       {"positiveInt", PrimitiveType::kPositiveInt},
    {"unsignedInt", PrimitiveType::kUnsignedInt}, {"string", PrimitiveType::kString},
    {"markdown", PrimitiveType::kMarkdown},     {"code", PrimitiveType::kCode},
    {"id", PrimitiveType::kId},                 {"uri", PrimitiveType::kUri},
    {"url", PrimitiveType::kUrl},               {"canonical", PrimitiveType::kCanonical},
    {"oid", PrimitiveType::kOid},               {"uuid", PrimitiveType::kUuid},
    {"base64Binary", PrimitiveType::kBase64Binary}, {"instant", PrimitiveType::kInstant},
    {"date", PrimitiveType::kDate},             {"dateTime", PrimitiveType::kDateTime},
    {"time", PrimitiveType::kTime},             {"xhtml", PrimitiveType::kXhtml},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsHexLower(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

bool Fail(std::string* why, std::string message) {
  if (why != nullptr) *why = std::move(message);
  return false;
}

// Reads exactly `n` digits at `pos` into `out`.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  *out = v;
  return true;
}

// Parses YYYY[-MM[-DD]] at the start of `s`; returns the characters consumed, or 0.
// `parts` receives how many of year/month/day were present.
size_t ParseDate(std::string_view s, int* parts) {
  int year = 0, month = 0, day = 0;
  if (!Digits(s, 0, 4, &year) || year == 0) return 0;
  *parts = 1;
  if (s.size() == 4 || s[4] != '-') return 4;
  if (!Digits(s, 5, 2, &month) || month < 1 || month > 12) return 0;
  *parts = 2;
  if (s.size() == 7 || s[7] != '-') return 7;
  if (!Digits(s, 8, 2, &day) || day < 1 || day > DaysInMonth(year, month)) return 0;
  *parts = 3;
  return 10;
}

// Parses hh:mm:ss[.f+] at the start of `s`; returns the characters consumed, or 0.
size_t ParseTime(std::string_view s) {
  int h = 0, m = 0, sec = 0;
  if (!Digits(s, 0, 2, &h) || h > 23 || s.size() < 8 || s[2] != ':') return 0;
  if (!Digits(s, 3, 2, &m) || m > 59 || s[5] != ':') return 0;
  if (!Digits(s, 6, 2, &sec) || sec > 60) return 0;
  size_t pos = 8;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start) return 0;
  }
  return pos;
}

// Parses Z or (+|-)hh:mm with an offset of at most 14:00; returns the characters consumed, or 0.
size_t ParseZone(std::string_view s) {
  if (!s.empty() && s[0] == 'Z') return 1;
  if (s.size() < 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return 0;
  int h = 0, m = 0;
  if (!Digits(s, 1, 2, &h) || !Digits(s, 4, 2, &m) || m > 59) return 0;
  if (h > 14 || (h == 14 && m != 0)) return 0;
  return 6;
}

bool CheckDateTimeLike(PrimitiveType t, std::string_view s, std::string* why) {
  const char* name = PrimitiveTypeName(t);
  int parts = 0;
  size_t pos = ParseDate(s, &parts);
  if (pos == 0) return Fail(why, std::string("not a valid ") + name + ": the date part is malformed or not a calendar date");
  if (t == PrimitiveType::kDate) {
    return pos == s.size() ? true : Fail(why, "not a valid date: unexpected text after the date");
  }
  if (pos == s.size()) {
    return t == PrimitiveType::kInstant ? Fail(why, "not a valid instant: a full date, time and time zone are required")
                                        : true;
  }
  if (parts != 3 || s[pos] != 'T') return Fail(why, std::string("not a valid ") + name + ": expected 'T' after a full date");
  size_t tlen = ParseTime(s.substr(pos + 1));
  if (tlen == 0) return Fail(why, std::string("not a valid ") + name + ": the time part is malformed");
  pos += 1 + tlen;
  size_t zlen = ParseZone(s.substr(pos));
  if (zlen == 0) return Fail(why, std::string("not a valid ") + name + ": a time zone (Z or +hh:mm) is required when a time is given");
  pos += zlen;
  return pos == s.size() ? true : Fail(why, std::string("not a valid ") + name + ": unexpected text after the time zone");
}

// The JSON number grammar already holds (the parser checked it); these check the FHIR subset.
bool CheckIntegerText(std::string_view s, int64_t min, std::string* why, const char* name) {
  size_t pos = 0;
  bool negative = false;
  if (pos < s.size() && s[pos] == '-') { negative = true; ++pos; }
  if (pos == s.size()) return Fail(why, std::string("not a valid ") + name);
  if (s.find_first_of(".eE") != std::string_view::npos) {
    return Fail(why, std::string("not a valid ") + name + ": a whole number without fraction or exponent is required");
  }
  if (s.size() - pos > 11) return Fail(why, std::string("not a valid ") + name + ": out of the 32-bit range");
  int64_t v = 0;
  for (; pos < s.size(); ++pos) {
    if (!IsDigit(s[pos])) return Fail(why, std::string("not a valid ") + name);
    v = v * 10 + (s[pos] - '0');
  }
  if (negative) v = -v;
  if (v < min || v > 2147483647LL || (v < -2147483648LL)) {
    return Fail(why, std::string("not a valid ") + name + ": " + std::string(s) + " is out of range");
  }
  return true;
}

// True when some byte of `s` is below `limit` (at most 0x80), tested eight bytes at a time: a
// byte b < n sets the high bit of (b - n) & ~b, and no byte at or above n does.
bool AnyByteBelow(std::string_view s, unsigned char limit) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  const uint64_t below = kOnes * limit;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    if (((x - below) & ~x & kHighs) != 0) return true;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) < limit) return true;
  }
  return false;
}

bool CheckStringChars(std::string_view s, std::string* why, const char* name) {
  if (s.empty()) return Fail(why, std::string("a ") + name + " must not be empty");
  // No byte up to ' ': no control character and not all whitespace.
  if (!AnyByteBelow(s, 0x21)) return true;
  bool all_space = true;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 && !IsSpace(ch)) return Fail(why, std::string("a ") + name + " must not contain control characters");
    if (!IsSpace(ch)) all_space = false;
  }
  if (all_space) return Fail(why, std::string("a ") + name + " must contain non-whitespace content");
  return true;
}

bool NoWhitespace(std::string_view s, std::string* why, const char* name) {
  if (s.empty()) return Fail(why, std::string("a ") + name + " must not be empty");
  if (!AnyByteBelow(s, 0x21)) return true;  // whitespace and control characters are all below '!
  for (char c : s) {
    if (IsSpace(c) || static_cast<unsigned char>(c) < 0x20) {
      return Fail(why, std::string("a ") + name + " must not contain whitespace");
    }
  }
  return true;
}

bool CheckBase64(std::string_view s, std::string* why) {
  size_t count = 0, padding = 0;
  for (char c : s) {
    if (IsSpace(c)) continue;
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c);
    if (c == '=') {
      ++padding;
    } else if (alnum || c == '+' || c == '/') {
      if (padding > 0) return Fail(why, "not valid base64: '=' padding may only end the value");
    } else {
      return Fail(why, "not valid base64: unexpected character");
    }
    ++count;
  }
  if (count == 0) return Fail(why, "a base64Binary must not be empty");
  if (count % 4 != 0 || padding > 2) return Fail(why, "not valid base64: length is not a multiple of 4");
  return true;
}

}  // namespace

std::optional<PrimitiveType> PrimitiveTypeFromName(std::string_view name) {
  for (const auto& [n, t] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

const char* PrimitiveTypeName(PrimitiveType t) {
  for (const auto& [n, type] : kNames) {
    if (type == t) return n.data();
  }
  return "?";
}

JsonShape JsonShapeOf(PrimitiveType t) {
  switch (t) {
    case PrimitiveType::kBoolean: return JsonShape::kBoolean;
    case PrimitiveType::kInteger:
    case PrimitiveType::kDecimal:
    case PrimitiveType::kPositiveInt:
    case PrimitiveType::kUnsignedInt: return JsonShape::kNumber;
    default: return JsonShape::kString;
  }
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

bool CheckLexical(PrimitiveType t, std::string_view s, std::string* why) {
  switch (t) {
    case PrimitiveType::kBoolean:
      return s == "true" || s == "false" ? true : Fail(why, "not a valid boolean");
    case PrimitiveType::kInteger: return CheckIntegerText(s, -2147483648LL, why, "integer");
    case PrimitiveType::kPositiveInt: return CheckIntegerText(s, 1, why, "positiveInt");
    case PrimitiveType::kUnsignedInt: return CheckIntegerText(s, 0, why, "unsignedInt");
    case PrimitiveType::kDecimal: {
      // JSON's number grammar is the R4 decimal grammar; only the leading "+" of text input differs.
      if (s.empty() || s[0] == '+') return Fail(why, "not a valid decimal");
      return true;
    }
    case PrimitiveType::kString:
      if (s.size() > 1048576) return Fail(why, "a string must not exceed 1 MiB");
      return CheckStringChars(s, why, "string");
    case PrimitiveType::kMarkdown: return CheckStringChars(s, why, "markdown");
    case PrimitiveType::kXhtml: {
      if (!CheckStringChars(s, why, "xhtml")) return false;
      size_t i = 0;
      while (i < s.size() && IsSpace(s[i])) ++i;
      if (s.substr(i, 4) != "<div") return Fail(why, "narrative xhtml must be a single <div> element");
      return true;
    }
    case PrimitiveType::kCode: {
      if (s.empty()) return Fail(why, "a code must not be empty");
      if (IsSpace(s.front()) || IsSpace(s.back())) return Fail(why, "a code must not start or end with whitespace");
      for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 && !IsSpace(s[i])) return Fail(why, "a code must not contain control characters");
        if (IsSpace(s[i]) && (s[i] != ' ' || s[i + 1] == ' ')) {
          return Fail(why, "a code may contain only single spaces between its words");
        }
      }
      return true;
    }
    case PrimitiveType::kId: {
      if (s.empty() || s.size() > 64) return Fail(why, "an id must be 1 to 64 characters");
      for (char c : s) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '.';
        if (!ok) return Fail(why, "an id may contain only A-Z, a-z, 0-9, '-' and '.'");
      }
      return true;
    }
    case PrimitiveType::kUri: return NoWhitespace(s, why, "uri");
    case PrimitiveType::kUrl: return NoWhitespace(s, why, "url");
    case PrimitiveType::kCanonical: return NoWhitespace(s, why, "canonical");
    case PrimitiveType::kOid: {
      constexpr std::string_view kPrefix = "urn:oid:";
      if (s.substr(0, kPrefix.size()) != kPrefix) return Fail(why, "an oid must start with urn:oid:");
      std::string_view rest = s.substr(kPrefix.size());
      if (rest.empty() || rest[0] < '0' || rest[0] > '2') return Fail(why, "an oid's first arc must be 0, 1 or 2");
      size_t pos = 1, arcs = 1;
      while (pos < rest.size()) {
        if (rest[pos] != '.' || pos + 1 >= rest.size()) return Fail(why, "not a valid oid");
        size_t start = ++pos;
        while (pos < rest.size() && IsDigit(rest[pos])) ++pos;
        if (pos == start || (rest[start] == '0' && pos - start > 1)) return Fail(why, "not a valid oid: bad arc");
        ++arcs;
      }
      return arcs >= 2 ? true : Fail(why, "an oid needs at least two arcs");
    }
    case PrimitiveType::kUuid: {
      constexpr std::string_view kPrefix = "urn:uuid:";
      if (s.size() != kPrefix.size() + 36 || s.substr(0, kPrefix.size()) != kPrefix) {
        return Fail(why, "a uuid must be urn:uuid: followed by 36 characters");
      }
      std::string_view u = s.substr(kPrefix.size());
      for (size_t i = 0; i < u.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !IsHexLower(u[i])) return Fail(why, "a uuid must be lower-case hex in 8-4-4-4-12 form");
      }
      return true;
    }
    case PrimitiveType::kBase64Binary: return CheckBase64(s, why);
    case PrimitiveType::kInstant:
    case PrimitiveType::kDate:
    case PrimitiveType::kDateTime: return CheckDateTimeLike(t, s, why);
    case PrimitiveType::kTime: {
      size_t n = ParseTime(s);
      return n != 0 && n == s.size() ? true : Fail(why, "not a valid time (hh:mm:ss[.fff])");
    }
  }
  return Fail(why, "unknown primitive type");
}

}  // namespace workwell::fhir
