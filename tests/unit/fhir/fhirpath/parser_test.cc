#include "adapter/fhir/fhirpath/expression.h"
#include "adapter/fhir/fhirpath/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "adapter/fhir/fhirpath/evaluator.h"

namespace workwell::fhir::fhirpath {
namespace {

std::string Tree(std::string_view text) {
  auto e = Compile(text);
  if (!e.ok()) return "error: " + e.status().message();
  return e->DebugString();
}

TEST(ParserTest, PrecedenceFollowsTheSpecTable) {
  // https://hl7.org/fhirpath/N1/#operator-precedence
  EXPECT_EQ(Tree("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(Tree("1 * 2 + 3"), "((1 * 2) + 3)");
  EXPECT_EQ(Tree("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(Tree("1 + 2 & 'x'"), "((1 + 2) & 'x')");
  EXPECT_EQ(Tree("a div 2 mod 3"), "((a div 2) mod 3)");
  EXPECT_EQ(Tree("-1 + 2"), "((-1) + 2)");
  EXPECT_EQ(Tree("-a.b"), "(-a.b)");
  EXPECT_EQ(Tree("x is Quantity or y"), "((x is Quantity) or y)");
  EXPECT_EQ(Tree("x as Quantity | y"), "((x as Quantity) | y)");
  EXPECT_EQ(Tree("a + b is Integer"), "((a + b) is Integer)");
  EXPECT_EQ(Tree("a | b = c"), "((a | b) = c)");
  EXPECT_EQ(Tree("a | b < c"), "((a | b) < c)");
  EXPECT_EQ(Tree("a < b = true"), "((a < b) = true)");
  EXPECT_EQ(Tree("a = b in c"), "((a = b) in c)");
  EXPECT_EQ(Tree("a in b and c"), "((a in b) and c)");
  EXPECT_EQ(Tree("a contains b and c"), "((a contains b) and c)");
  EXPECT_EQ(Tree("a or b and c"), "(a or (b and c))");
  EXPECT_EQ(Tree("a xor b or c"), "((a xor b) or c)");
  EXPECT_EQ(Tree("a implies b or c"), "(a implies (b or c))");
  EXPECT_EQ(Tree("a implies b implies c"), "((a implies b) implies c)");
  EXPECT_EQ(Tree("a != b ~ c !~ d"), "(((a != b) ~ c) !~ d)");
  EXPECT_EQ(Tree("(a or b) and c"), "((a or b) and c)");
  EXPECT_EQ(Tree("a <= b >= c"), "((a <= b) >= c)");
}

TEST(ParserTest, InvocationsAndIndexers) {
  EXPECT_EQ(Tree("Patient.name[0].given"), "Patient.name[0].given");
  EXPECT_EQ(Tree("name.where(use = 'official').exists()"), "name.where((use = 'official')).exists()");
  EXPECT_EQ(Tree("iif(a, 1, 2)"), "iif(a, 1, 2)");
  EXPECT_EQ(Tree("value.ofType(FHIR.Quantity)"), "value.ofType(FHIR.Quantity)");
  EXPECT_EQ(Tree("value.as(Quantity)"), "value.as(Quantity)");
  EXPECT_EQ(Tree("$this.is(System.String)"), "$this.is(System.String)");
  EXPECT_EQ(Tree("a.aggregate($total + $this, 0)"), "a.aggregate(($total + $this), 0)");
  EXPECT_EQ(Tree("$index"), "$index");
  // Keywords are names after a dot.
  EXPECT_EQ(Tree("a.contains('x')"), "a.contains('x')");
  EXPECT_EQ(Tree("text.`div`.exists()"), "text.div.exists()");
  EXPECT_EQ(Tree("`given name`"), "given name");
}

TEST(ParserTest, Literals) {
  EXPECT_EQ(Tree("true and false"), "(true and false)");
  EXPECT_EQ(Tree("{}"), "{}");
  EXPECT_EQ(Tree("12"), "12");
  EXPECT_EQ(Tree("1.50"), "1.50");
  EXPECT_EQ(Tree("5 'mg'"), "5 'mg'");
  EXPECT_EQ(Tree("3 days"), "3 days");
  EXPECT_EQ(Tree("@2020-01-02"), "@2020-01-02");
  EXPECT_EQ(Tree("@2015T"), "@2015");
  EXPECT_EQ(Tree("@2020-01-02T10:00:00.123+01:00"), "@2020-01-02T10:00:00.123+01:00");
  EXPECT_EQ(Tree("@2020-01-02T10:00Z"), "@2020-01-02T10:00Z");
  EXPECT_EQ(Tree("@T10:30"), "@T10:30");
  EXPECT_EQ(Tree("@2020-01-02.toString()"), "@2020-01-02.toString()");
  EXPECT_EQ(Tree("%ucum"), "%ucum");
  EXPECT_EQ(Tree("%vs-administrative-gender"), "%vs-administrative-gender");
  EXPECT_EQ(Tree("%`my var`"), "%my var");
}

TEST(ParserTest, StringEscapes) {
  auto e = Compile(R"('a\'b\\c\"d\/e\tf\u00e9\n')");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->root().kind, internal::AstKind::kLiteral);
  EXPECT_EQ(e->root().literal->string(), "a'b\\c\"d/e\tf\xc3\xa9\n");
}

TEST(ParserTest, CommentsAreIgnored) {
  EXPECT_EQ(Tree("1 + // one\n 2 /* two */ * 3"), "(1 + (2 * 3))");
}

TEST(ParserTest, SyntaxErrorsAreStatuses) {
  for (const char* bad : {"", "1 +", "'unterminated", "a.b(", "(1", "a..b", "1 2", "a.`x", "#", "@", "$foo",
                          "'\\q'", "a[1", "/* open", "x is", "name.where()", "foo(1)", "first(1)",
                          "substring()", "iif(1)", "matches('(')", "@2020-13-01", "a.$this"}) {
    auto e = Compile(bad);
    EXPECT_FALSE(e.ok()) << "'" << bad << "' compiled to " << (e.ok() ? e->DebugString() : "");
    if (!e.ok()) {
      EXPECT_EQ(e.status().code(), common::StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ParserTest, UnknownFunctionErrorNamesIt) {
  auto e = Compile("name.frobnicate()");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("frobnicate"), std::string::npos);
}

TEST(ParserTest, LiteralRegexIsCompiledOnce) {
  auto e = Compile("name.matches('^[A-Z]')");
  ASSERT_TRUE(e.ok());
  EXPECT_NE(e->root().regex, nullptr);
  auto dynamic = Compile("name.matches(pattern)");
  ASSERT_TRUE(dynamic.ok());
  EXPECT_EQ(dynamic->root().regex, nullptr);
}

TEST(ParserTest, DeepNestingIsRejectedNotCrashed) {
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  EXPECT_FALSE(Compile(deep).ok());
}

}  // namespace
}  // namespace workwell::fhir::fhirpath

namespace workwell::fhir::fhirpath {
namespace {

// Deterministic mutation run: mangled expressions must compile to a Status or evaluate to a
// result or a Status, never crash or hang (a stand-in until a libFuzzer target is wired up).
TEST(ParserRobustnessTest, MutatedExpressionsNeverCrash) {
  const char* seeds[] = {
      "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical)))"
      " or descendants().where(reference = '#').exists()).not()).trace('unmatched', id).empty()",
      "(start.hasValue().not() or end.hasValue().not() or (start <= end)) and @2012-01-01T10:00Z < now()",
      "iif(max != '*', min <= max.toInteger()) and 'a\\'b'.matches('^[a-z]+$') implies 5 'mg' > 4 'mg'",
      "(1 | 2 | 3).aggregate($total + $this, 0) div 2 mod 3 & `x`.substring(1, 2).replaceMatches('a', 'b')",
      "%`vs-x`.select($index * -1.5).repeat($this).ofType(System.Integer)[0] ~ {} xor true",
  };
  const std::string alphabet = "()[]{}.,'`@%$|&+-*/<>=!~ \\aTZ019:";
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int compiled = 0;
  for (const char* seed : seeds) {
    for (int round = 0; round < 400; ++round) {
      std::string s = seed;
      int edits = 1 + static_cast<int>(next() % 4);
      for (int e = 0; e < edits && !s.empty(); ++e) {
        size_t pos = next() % s.size();
        switch (next() % 3) {
          case 0: s.erase(pos, 1); break;
          case 1: s.insert(pos, 1, alphabet[next() % alphabet.size()]); break;
          default: s[pos] = alphabet[next() % alphabet.size()]; break;
        }
      }
      auto expr = Compile(s);
      if (!expr.ok()) continue;
      ++compiled;
      EvalEnv env;
      env.max_collection_size = 10000;
      Collection input{Value::Integer(3), Value::String("x")};
      (void)EvaluateOn(*expr, input, env);
      (void)EvaluateOn(*expr, {}, env);
    }
  }
  EXPECT_GT(compiled, 0);
}

}  // namespace
}  // namespace workwell::fhir::fhirpath

namespace workwell::fhir::fhirpath {
namespace {

// Huge repeat counts (SEC-3) in literal patterns are refused at compile time.
TEST(RegexBoundsTest, HugeRepeatCountsAreRefusedAtCompileTime) {
  EXPECT_FALSE(Compile("'a'.matches('a{6666666666666666666666}')").ok());
  EXPECT_FALSE(Compile("'a'.matches('a{1,1001}')").ok());
  EXPECT_TRUE(Compile("'a'.matches('a{1,1000}')").ok());
  EXPECT_TRUE(Compile("'a'.matches('\\\\{99999\\\\}')").ok());  // escaped braces are no repeat
  EXPECT_TRUE(RegexRepeatsAreBounded("[0-9]{3}-[0-9]{4}"));
}

}  // namespace
}  // namespace workwell::fhir::fhirpath
