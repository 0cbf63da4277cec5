#include "adapter/stayinwork/dates.h"

#include <chrono>
#include <cstdio>

namespace workwell::stayinwork {
namespace {

bool Digits(std::string_view s, size_t from, size_t n) {
  if (s.size() < from + n) return false;
  for (size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Number(std::string_view s, size_t from, size_t n) {
  int v = 0;
  for (size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

std::optional<int64_t> DayNumber(std::string_view text) {
  if (!Digits(text, 0, 4) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2) || text[7] != '-' ||
      !Digits(text, 8, 2)) {
    return std::nullopt;
  }
  if (text.size() > 10 && text[10] != 'T') return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(Number(text, 0, 4)),
                                        std::chrono::month(static_cast<unsigned>(Number(text, 5, 2))),
                                        std::chrono::day(static_cast<unsigned>(Number(text, 8, 2)))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

std::string FormatDay(int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return out;
}

bool IsInstant(std::string_view s) {
  if (!DayNumber(s) || s.size() < 20 || s[10] != 'T' || !Digits(s, 11, 2) || s[13] != ':' || !Digits(s, 14, 2) ||
      s[16] != ':' || !Digits(s, 17, 2)) {
    return false;
  }
  if (Number(s, 11, 2) > 23 || Number(s, 14, 2) > 59 || Number(s, 17, 2) > 60) return false;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < s.size() && s[i] == 'Z') return i + 1 == s.size();
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    return s.size() == i + 6 && Digits(s, i + 1, 2) && s[i + 3] == ':' && Digits(s, i + 4, 2) &&
           Number(s, i + 1, 2) <= 14 && Number(s, i + 4, 2) <= 59;
  }
  return false;
}

}  // namespace workwell::stayinwork
