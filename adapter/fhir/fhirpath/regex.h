#pragma once
// Regular expressions for FHIRPath matches()/replaceMatches() and the Questionnaire regex
// extension, on a linear-time engine (RE2): matching time grows with the length of the text
// times the size of the pattern, never exponentially, whatever the pattern or the text (SEC-7 in
// docs/SECURITY.md). RE2 is used only here.
//
// Syntax is RE2's (https://github.com/google/re2/wiki/Syntax), which covers what FHIR patterns
// use: classes, \d \w \s \b, alternation, groups, (?:...), lazy and counted repeats. Lookaround
// and back-references are not supported and are compile errors. Counted repeats are at most
// 1000, and a pattern whose compiled form would exceed a few megabytes is refused. Patterns and
// texts are UTF-8: '.' and classes match whole characters. '.' does not match '\n'; '^' and '$'
// are the start and end of the whole text.

#include <memory>
#include <string>
#include <string_view>

#include "adapter/common/status.h"

namespace re2 {
class RE2;
}

namespace workwell::fhir::fhirpath {

// A compiled regular expression. Immutable once compiled; all methods are const and safe to call
// from many threads at once. Movable, not copyable.
class Regex {
 public:
  // Compiles `pattern`. InvalidArgument with the engine's reason (e.g. "missing ]: [b") when it
  // is not a valid pattern or is too large.
  static common::Result<Regex> Compile(std::string_view pattern);

  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  ~Regex();

  // True when some part of `text` matches (a search, as FHIRPath's matches():
  // https://hl7.org/fhirpath/N1/#matchesregex-string-boolean).
  bool PartialMatch(std::string_view text) const;
  // True when the whole of `text` matches.
  bool FullMatch(std::string_view text) const;
  // `text` with every non-overlapping match replaced by `substitution`
  // (https://hl7.org/fhirpath/N1/#replacematchesregex-string-substitution-string-string).
  // In `substitution`, $1..$99 insert a group (empty when it did not take part, nothing when the
  // pattern has no such group), $& the whole match, $` the text before it, $' the text after it,
  // $$ a '$'; any other '$' is kept as it is. An empty match inserts the substitution and the
  // search goes on one character further ('abc' with 'x*' and '-' gives '-a-b-c-').
  std::string ReplaceAll(std::string_view text, std::string_view substitution) const;

 private:
  explicit Regex(std::unique_ptr<re2::RE2> re);
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace workwell::fhir::fhirpath
