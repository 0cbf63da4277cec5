#include "adapter/fhir/fhirpath/regex.h"

#include <re2/re2.h>

#include <utility>
#include <vector>

namespace workwell::fhir::fhirpath {
namespace {

// Bytes in the UTF-8 sequence that `lead` starts (1 for a stray or invalid byte).
size_t Utf8SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// Appends `substitution` for one match to `out`, expanding $n, $&, $`, $' and $$.
void AppendSubstitution(std::string_view substitution, std::string_view text,
                        const std::vector<re2::StringPiece>& groups, size_t begin, size_t end, std::string& out) {
  for (size_t i = 0; i < substitution.size(); ++i) {
    char c = substitution[i];
    if (c != '$' || i + 1 == substitution.size()) {
      out += c;
      continue;
    }
    char next = substitution[i + 1];
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '&') {
      out.append(text.substr(begin, end - begin));
      ++i;
    } else if (next == '`') {
      out.append(text.substr(0, begin));
      ++i;
    } else if (next == '\'') {
      out.append(text.substr(end));
      ++i;
    } else if (next >= '0' && next <= '9') {
      size_t number = static_cast<size_t>(next - '0');
      ++i;
      if (i + 1 < substitution.size() && substitution[i + 1] >= '0' && substitution[i + 1] <= '9') {
        number = number * 10 + static_cast<size_t>(substitution[i + 1] - '0');
        ++i;
      }
      if (number < groups.size() && groups[number].data() != nullptr) {
        out.append(groups[number].data(), groups[number].size());
      }
    } else {
      out += '$';
    }
  }
}

}  // namespace

common::Result<Regex> Regex::Compile(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // errors are returned, not written to stderr
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) return common::InvalidArgument(re->error());
  return Regex(std::move(re));
}

Regex::Regex(std::unique_ptr<re2::RE2> re) : re_(std::move(re)) {}
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

bool Regex::PartialMatch(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Regex::FullMatch(std::string_view text) const {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

std::string Regex::ReplaceAll(std::string_view text, std::string_view substitution) const {
  const re2::StringPiece whole(text.data(), text.size());
  std::vector<re2::StringPiece> groups(static_cast<size_t>(re_->NumberOfCapturingGroups()) + 1);
  std::string out;
  size_t copied = 0;  // text[0, copied) is already in `out`
  size_t from = 0;    // where the next search starts
  while (from <= text.size() &&
         re_->Match(whole, from, text.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()))) {
    const size_t begin = static_cast<size_t>(groups[0].data() - whole.data());
    const size_t end = begin + groups[0].size();
    out.append(text.substr(copied, begin - copied));
    AppendSubstitution(substitution, text, groups, begin, end, out);
    copied = end;
    if (end > begin) {
      from = end;
    } else {
      if (end == text.size()) break;
      from = end + Utf8SequenceLength(static_cast<unsigned char>(text[end]));
    }
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace workwell::fhir::fhirpath
