#include "adapter/fhir/fhirpath/regex.h"

#include <gtest/gtest.h>

#include <string>

#include "adapter/fhir/fhirpath/evaluator.h"

namespace workwell::fhir::fhirpath {
namespace {

Regex Must(std::string_view pattern) {
  auto re = Regex::Compile(pattern);
  EXPECT_TRUE(re.ok()) << pattern << ": " << re.status().message();
  return std::move(re).value();
}

// The single result of evaluating `text` on no resource, rendered; "error" when it fails.
std::string Eval(const std::string& text) {
  auto e = Compile(text);
  if (!e.ok()) return "compile error";
  auto r = EvaluateOn(*e, {}, EvalEnv());
  if (!r.ok() || r->size() != 1) return "error";
  const Value& v = (*r)[0];
  return v.type() == ValueType::kString ? v.string() : ToText(v);
}

// SEC-7: nested quantifiers that make a backtracking engine try every way of splitting the a's
// (2^40 here) are answered by a linear-time scan. Before RE2 this case did not finish.
TEST(RegexTest, NestedQuantifiersOnANearMissAnswerCorrectly) {
  const std::string near_miss = std::string(40, 'a') + "b";
  EXPECT_FALSE(Must("(a+)+$").PartialMatch(near_miss));
  EXPECT_FALSE(Must("^(a|aa)+$").FullMatch(near_miss));
  EXPECT_FALSE(Must("(x+x+)+y").PartialMatch(std::string(40, 'x')));
  EXPECT_TRUE(Must("(a+)+b").PartialMatch(near_miss));
  EXPECT_EQ(Must("(a+)+$").ReplaceAll(near_miss, "-"), near_miss);
  // The same through FHIRPath, with a literal (compiled once) and a computed pattern.
  EXPECT_EQ(Eval("'" + near_miss + "'.matches('(a+)+$')"), "false");
  EXPECT_EQ(Eval("'" + near_miss + "'.matches('(a+)+' + '$')"), "false");
  EXPECT_EQ(Eval("'" + near_miss + "'.matches('(a+)+b$')"), "true");
  EXPECT_EQ(Eval("'" + near_miss + "'.replaceMatches('(a+)+$', 'x')"), near_miss);
}

TEST(RegexTest, MatchesSearchesAndFullMatchAnchors) {
  // matches() is true when any part of the string matches.
  // https://hl7.org/fhirpath/N1/#matchesregex-string-boolean
  EXPECT_TRUE(Must("b").PartialMatch("abc"));
  EXPECT_FALSE(Must("b").FullMatch("abc"));
  EXPECT_TRUE(Must("a.c").FullMatch("abc"));
  EXPECT_FALSE(Must("^b").PartialMatch("abc"));
  EXPECT_FALSE(Must("a$").PartialMatch("a\n"));
  EXPECT_FALSE(Must("a.c").PartialMatch("a\nc"));
  EXPECT_TRUE(Must("^.$").FullMatch("\xc3\xa9"));  // one character, two bytes
  EXPECT_TRUE(Must("[0-9]{3}-[0-9]{4}").FullMatch("555-1234"));
  EXPECT_TRUE(Must("\\d+\\s\\w+\\b").PartialMatch("12 mg"));
  EXPECT_TRUE(Must("").PartialMatch(""));
}

TEST(RegexTest, InvalidAndUnsupportedPatternsAreCompileErrors) {
  for (const char* pattern : {"[b", "(", "a{1001}", "(a{100}){100}", "(?=a)", "(a)\\1", "*"}) {
    auto re = Regex::Compile(pattern);
    EXPECT_FALSE(re.ok()) << pattern;
    if (!re.ok()) {
      EXPECT_EQ(re.status().code(), common::StatusCode::kInvalidArgument);
      EXPECT_FALSE(re.status().message().empty());
    }
  }
  EXPECT_TRUE(Regex::Compile("a{1,1000}").ok());
  EXPECT_EQ(Eval("'a'.matches('[b')"), "compile error");
  EXPECT_EQ(Eval("'a'.matches('[' + 'b')"), "error");
  EXPECT_EQ(Eval("'a'.matches('a{6666666666666666666666}')"), "compile error");  // SEC-3
}

TEST(RegexTest, ReplaceAllExpandsGroupsAndStepsOverEmptyMatches) {
  Regex date = Must("(\\d+)-(\\d+)");
  EXPECT_EQ(date.ReplaceAll("2012-01", "$2/$1"), "01/2012");
  EXPECT_EQ(date.ReplaceAll("a 1-2 b 3-4", "[$&]"), "a [1-2] b [3-4]");
  EXPECT_EQ(date.ReplaceAll("1-2", "$$1 $3 $ $x"), "$1  $ $x");
  EXPECT_EQ(date.ReplaceAll("<1-2>", "$`|$'"), "<<|>>");
  EXPECT_EQ(Must("(a)|(b)").ReplaceAll("ab", "[$1$2]"), "[a][b]");
  EXPECT_EQ(Must("x*").ReplaceAll("abc", "-"), "-a-b-c-");
  EXPECT_EQ(Must("a*").ReplaceAll("aab", "-"), "--b-");
  EXPECT_EQ(Must("").ReplaceAll("\xc3\xa9", "-"), "-\xc3\xa9-");  // never inside a character
  EXPECT_EQ(Must("\\.").ReplaceAll("a.b.c", ""), "abc");
  EXPECT_EQ(Eval("'2012-01'.replaceMatches('(\\\\d+)-(\\\\d+)', '$2/$1')"), "01/2012");
}

}  // namespace
}  // namespace workwell::fhir::fhirpath
