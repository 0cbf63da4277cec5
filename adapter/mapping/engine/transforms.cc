#include "adapter/mapping/engine/transforms.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace workwell::mapping {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return !s.empty();
}

int ToInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// 0 = Sunday.
int Weekday(int y, int m, int d) {
  const int64_t days = DaysFromCivil(y, m, d);
  return static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
}

// Appends `v` zero-padded to at least `width` digits: printf's "%0<width>d" without its cost
// (formatting dates with snprintf took a third of the date transform).
void AppendPadded(std::string& out, int v, int width) {
  char buf[16];
  if (v < 0) {
    const int n = std::snprintf(buf, sizeof buf, "%0*d", width, v);
    out.append(buf, static_cast<size_t>(n));
    return;
  }
  const char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  const int n = static_cast<int>(end - buf);
  if (n < width) out.append(static_cast<size_t>(width - n), '0');
  out.append(buf, static_cast<size_t>(n));
}

std::string FormatDate(int y, int m, int d) {
  std::string out;
  out.reserve(10);
  AppendPadded(out, y, 4);
  out.push_back('-');
  AppendPadded(out, m, 2);
  out.push_back('-');
  AppendPadded(out, d, 2);
  return out;
}

bool CheckCalendar(int y, int m, int d, std::string* why) {
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > DaysIn(y, m)) {
    if (why != nullptr) *why = "not a calendar date";
    return false;
  }
  return true;
}

struct Civil {
  int y = 0, m = 0, d = 0, hh = 0, mm = 0, ss = 0;
  std::string fraction;  // ".123" or empty
  bool has_offset = false;
  int offset_minutes = 0;
};

// Parses "+HH:MM", "+HHMM", "Z" at the end of a time.
bool ParseOffset(std::string_view s, Civil& c) {
  if (s.empty()) return true;
  if (s == "Z") {
    c.has_offset = true;
    return true;
  }
  if (s[0] != '+' && s[0] != '-') return false;
  std::string_view rest = s.substr(1);
  std::string digits;
  for (char ch : rest) {
    if (ch == ':') continue;
    if (!IsDigit(ch)) return false;
    digits.push_back(ch);
  }
  if (digits.size() != 4) return false;
  const int h = ToInt(std::string_view(digits).substr(0, 2));
  const int m = ToInt(std::string_view(digits).substr(2, 2));
  if (h > 14 || m > 59) return false;
  c.has_offset = true;
  c.offset_minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
  return true;
}

std::string FormatOffset(int minutes) {
  const int a = minutes < 0 ? -minutes : minutes;
  std::string out(1, minutes < 0 ? '-' : '+');
  AppendPadded(out, a / 60, 2);
  out.push_back(':');
  AppendPadded(out, a % 60, 2);
  return out;
}

// Splits "HH:MM[:SS[.fff]]" (or "HHMM[SS]" when `compact`) and the offset after it.
bool ParseTime(std::string_view s, bool compact, Civil& c) {
  size_t i = 0;
  auto two = [&](int& out) {
    if (i + 2 > s.size() || !IsDigit(s[i]) || !IsDigit(s[i + 1])) return false;
    out = ToInt(s.substr(i, 2));
    i += 2;
    return true;
  };
  if (!two(c.hh)) return false;
  if (!compact) {
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
  }
  if (!two(c.mm)) return false;
  if (i < s.size() && (compact ? IsDigit(s[i]) : s[i] == ':')) {
    if (!compact) ++i;
    if (!two(c.ss)) return false;
    if (i < s.size() && s[i] == '.') {
      size_t j = i + 1;
      while (j < s.size() && IsDigit(s[j])) ++j;
      if (j == i + 1) return false;
      c.fraction = std::string(s.substr(i, j - i));
      i = j;
    }
  }
  if (c.hh > 23 || c.mm > 59 || c.ss > 59) return false;
  return ParseOffset(s.substr(i), c);
}

}  // namespace

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string CollapseSpaces(std::string_view s) {
  s = Trim(s);
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (IsSpace(c)) {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int LastSunday(int year, int month) {
  const int last = DaysIn(year, month);
  return last - Weekday(year, month, last);
}

int LondonOffsetMinutes(int year, int month, int day, int hour, int minute, bool* in_gap) {
  if (in_gap != nullptr) *in_gap = false;
  // BST runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
  const int64_t start = DaysFromCivil(year, 3, LastSunday(year, 3)) * 1440 + 60;
  const int64_t end = DaysFromCivil(year, 10, LastSunday(year, 10)) * 1440 + 60;
  const int64_t local = DaysFromCivil(year, month, day) * 1440 + hour * 60 + minute;
  const int64_t as_bst = local - 60;
  if (as_bst >= start && as_bst < end) return 60;
  if (local >= start && local < end) {
    // Read as GMT it would already be summer time, read as BST it would not be yet: the
    // wall-clock time was skipped when the clocks went forward.
    if (in_gap != nullptr) *in_gap = true;
  }
  return 0;
}

std::optional<std::string> NormaliseDate(std::string_view text, std::string* why) {
  text = Trim(text);
  int y = 0, m = 0, d = 0;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && AllDigits(text.substr(0, 4)) &&
      AllDigits(text.substr(5, 2)) && AllDigits(text.substr(8, 2))) {
    y = ToInt(text.substr(0, 4));
    m = ToInt(text.substr(5, 2));
    d = ToInt(text.substr(8, 2));
  } else if (text.size() == 10 && text[2] == '/' && text[5] == '/' && AllDigits(text.substr(0, 2)) &&
             AllDigits(text.substr(3, 2)) && AllDigits(text.substr(6, 4))) {
    d = ToInt(text.substr(0, 2));
    m = ToInt(text.substr(3, 2));
    y = ToInt(text.substr(6, 4));
  } else if (text.size() == 8 && AllDigits(text)) {
    y = ToInt(text.substr(0, 4));
    m = ToInt(text.substr(4, 2));
    d = ToInt(text.substr(6, 2));
  } else if (text.size() == 4 && AllDigits(text)) {
    return std::string(text);
  } else if (text.size() == 7 && text[4] == '-' && AllDigits(text.substr(0, 4)) && AllDigits(text.substr(5, 2))) {
    const int month = ToInt(text.substr(5, 2));
    if (month < 1 || month > 12) {
      if (why != nullptr) *why = "not a calendar month";
      return std::nullopt;
    }
    return std::string(text);
  } else {
    if (why != nullptr) *why = "expected a date as YYYY-MM-DD, dd/mm/yyyy or YYYYMMDD";
    return std::nullopt;
  }
  if (!CheckCalendar(y, m, d, why)) return std::nullopt;
  return FormatDate(y, m, d);
}

std::optional<std::string> NormaliseDateTime(std::string_view text, std::string* why) {
  text = Trim(text);
  Civil c;
  bool parsed = false;
  if (text.size() >= 16 && text[4] == '-' && text[7] == '-' && (text[10] == 'T' || text[10] == ' ') &&
      AllDigits(text.substr(0, 4)) && AllDigits(text.substr(5, 2)) && AllDigits(text.substr(8, 2))) {
    c.y = ToInt(text.substr(0, 4));
    c.m = ToInt(text.substr(5, 2));
    c.d = ToInt(text.substr(8, 2));
    parsed = ParseTime(text.substr(11), false, c);
  } else if (text.size() >= 16 && text[2] == '/' && text[5] == '/' && text[10] == ' ' &&
             AllDigits(text.substr(0, 2)) && AllDigits(text.substr(3, 2)) && AllDigits(text.substr(6, 4))) {
    c.d = ToInt(text.substr(0, 2));
    c.m = ToInt(text.substr(3, 2));
    c.y = ToInt(text.substr(6, 4));
    parsed = ParseTime(text.substr(11), false, c);
  } else if (text.size() >= 12 && AllDigits(text.substr(0, 12))) {
    c.y = ToInt(text.substr(0, 4));
    c.m = ToInt(text.substr(4, 2));
    c.d = ToInt(text.substr(6, 2));
    parsed = ParseTime(text.substr(8), true, c);
  } else if (auto date = NormaliseDate(text, nullptr)) {
    return date;
  }
  if (!parsed) {
    if (why != nullptr) {
      *why = "expected a date-time as YYYY-MM-DDThh:mm[:ss][offset], dd/mm/yyyy hh:mm or YYYYMMDDhhmm[ss][+zzzz]";
    }
    return std::nullopt;
  }
  if (!CheckCalendar(c.y, c.m, c.d, why)) return std::nullopt;
  if (!c.has_offset) c.offset_minutes = LondonOffsetMinutes(c.y, c.m, c.d, c.hh, c.mm);
  std::string out = FormatDate(c.y, c.m, c.d);
  out.push_back('T');
  AppendPadded(out, c.hh, 2);
  out.push_back(':');
  AppendPadded(out, c.mm, 2);
  out.push_back(':');
  AppendPadded(out, c.ss, 2);
  out += c.fraction;
  out += FormatOffset(c.offset_minutes);
  return out;
}

bool NhsNumberValid(std::string_view digits) {
  if (digits.size() != 10 || !AllDigits(digits)) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (digits[i] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;
  return check == digits[9] - '0';
}

std::optional<std::string> NormaliseNhsNumber(std::string_view text, std::string* why) {
  std::string digits;
  for (char c : Trim(text)) {
    if (c == ' ' || c == '-') continue;
    digits.push_back(c);
  }
  if (digits.size() != 10 || !AllDigits(digits)) {
    if (why != nullptr) *why = "an NHS number is 10 digits";
    return std::nullopt;
  }
  if (!NhsNumberValid(digits)) {
    if (why != nullptr) *why = "the NHS number fails the Modulus 11 check digit";
    return std::nullopt;
  }
  return digits;
}

std::optional<std::string> NormaliseOdsCode(std::string_view text, std::string* why) {
  std::string code = ToUpper(Trim(text));
  if (code.size() < 3 || code.size() > 6) {
    if (why != nullptr) *why = "an ODS code has 3 to 6 letters or digits";
    return std::nullopt;
  }
  for (char c : code) {
    if (!IsDigit(c) && !IsAlpha(c)) {
      if (why != nullptr) *why = "an ODS code has only letters and digits";
      return std::nullopt;
    }
  }
  return code;
}

std::optional<std::string> NormalisePostcode(std::string_view text, std::string* why) {
  std::string compact;
  for (char c : ToUpper(text)) {
    if (!IsSpace(c)) compact.push_back(c);
  }
  if (compact.size() < 5 || compact.size() > 7) {
    if (why != nullptr) *why = "a postcode has 5 to 7 letters and digits";
    return std::nullopt;
  }
  for (char c : compact) {
    if (!IsDigit(c) && !IsAlpha(c)) {
      if (why != nullptr) *why = "a postcode has only letters and digits";
      return std::nullopt;
    }
  }
  const size_t inward = compact.size() - 3;
  if (!IsDigit(compact[inward]) || !IsAlpha(compact[inward + 1]) || !IsAlpha(compact[inward + 2])) {
    if (why != nullptr) *why = "a postcode ends with a digit and two letters";
    return std::nullopt;
  }
  return compact.substr(0, inward) + " " + compact.substr(inward);
}

std::optional<bool> ParseBoolean(std::string_view text) {
  const std::string t = ToLower(Trim(text));
  if (t == "y" || t == "yes" || t == "true" || t == "1") return true;
  if (t == "n" || t == "no" || t == "false" || t == "0") return false;
  return std::nullopt;
}

std::string CanonicalIdentifierSystem(std::string_view system) {
  std::string s(Trim(system));
  std::string lower = ToLower(s);
  static constexpr std::array<std::string_view, 3> kHosts = {"fhir.nhs.uk", "fhir.hl7.org.uk", "fhir.workwell.nhs.uk"};
  std::string_view rest;
  std::string_view host;
  for (std::string_view h : kHosts) {
    for (std::string_view scheme : {"https://", "http://"}) {
      const std::string prefix = std::string(scheme) + std::string(h) + "/";
      if (lower.rfind(prefix, 0) == 0) {
        host = h;
        rest = std::string_view(s).substr(prefix.size());
      }
    }
  }
  if (host.empty()) return s;
  std::string tail(rest);
  while (!tail.empty() && tail.back() == '/') tail.pop_back();
  // The identifier namespace is spelled "Id" in every published system.
  if (tail.size() > 3 && ToLower(tail.substr(0, 3)) == "id/") {
    tail = "Id/" + ToLower(tail.substr(3));
  }
  return "https://" + std::string(host) + "/" + tail;
}

std::vector<std::string> SplitParts(std::string_view text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t pos = text.find(separator, start);
    out.emplace_back(Trim(text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

}  // namespace workwell::mapping
