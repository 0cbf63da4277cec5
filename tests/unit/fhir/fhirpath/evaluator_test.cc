#include "adapter/fhir/fhirpath/evaluator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace workwell::fhir::fhirpath {
namespace {

// Renders a result as "[a, b]" with strings quoted, or "error" when evaluation failed.
std::string Render(const common::Result<Collection>& r) {
  if (!r.ok()) return "error";
  std::string s = "[";
  for (size_t i = 0; i < r->size(); ++i) {
    if (i > 0) s += ", ";
    const Value& v = (*r)[i];
    s += v.type() == ValueType::kString ? "'" + v.string() + "'" : ToText(v);
  }
  return s + "]";
}

std::string RunExpr(std::string_view text, const EvalEnv& env = EvalEnv()) {
  auto e = Compile(text);
  if (!e.ok()) return "compile error: " + e.status().message();
  return Render(EvaluateOn(*e, {}, env));
}

struct Case {
  const char* expr;
  const char* want;
};

void RunCases(const std::vector<Case>& cases) {
  EvalEnv env;
  Temporal now;
  now.kind = PrimitiveKind::kDateTime;
  now.precision = Temporal::Precision::kMillisecond;
  now.year = 2024;
  now.month = 3;
  now.day = 15;
  now.hour = 10;
  now.has_timezone = true;
  env.now = now;
  for (const Case& c : cases) EXPECT_EQ(RunExpr(c.expr, env), c.want) << c.expr;
}

TEST(EvaluatorTest, BooleanLogicIsThreeValued) {
  // https://hl7.org/fhirpath/N1/#boolean-logic
  RunCases({
      {"true and true", "[true]"}, {"true and false", "[false]"}, {"true and {}", "[]"},
      {"false and {}", "[false]"}, {"{} and false", "[false]"}, {"{} and {}", "[]"},
      {"true or {}", "[true]"}, {"false or {}", "[]"}, {"{} or true", "[true]"}, {"false or false", "[false]"},
      {"true xor false", "[true]"}, {"true xor true", "[false]"}, {"true xor {}", "[]"},
      {"false implies {}", "[true]"}, {"{} implies true", "[true]"}, {"{} implies false", "[]"},
      {"true implies false", "[false]"}, {"true implies {}", "[]"},
      {"true.not()", "[false]"}, {"{}.not()", "[]"}, {"(1 | 2) and true", "error"},
      {"'x' and true", "[true]"},
  });
}

TEST(EvaluatorTest, EqualityAndEquivalence) {
  RunCases({
      {"1 = 1", "[true]"}, {"1 = 1.0", "[true]"}, {"1.0 = 1.00", "[true]"}, {"1 != 2", "[true]"},
      {"'a' = 'a'", "[true]"}, {"'a' = 'A'", "[false]"}, {"'a' ~ 'A'", "[true]"},
      {"'a  b' ~ 'A b'", "[true]"}, {"{} = 1", "[]"}, {"{} ~ {}", "[true]"}, {"1 ~ {}", "[false]"},
      {"(1 | 2) = (1 | 2)", "[true]"}, {"(1 | 2) = (2 | 1)", "[false]"}, {"(1 | 2) ~ (2 | 1)", "[true]"},
      {"(1 | 2) = 1", "[false]"}, {"1.2 ~ 1.21", "[true]"}, {"1 = '1'", "[false]"},
      {"true = true", "[true]"}, {"@2012 = @2012", "[true]"}, {"@2012 = @2012-01", "[]"},
      {"@2012 = @2013-01", "[false]"}, {"@2012 ~ @2012-01", "[false]"},
      {"@2012-01-01T10:00:00Z = @2012-01-01T11:00:00+01:00", "[true]"},
      {"@2012-01-01T10:00:00 = @2012-01-01T10:00:00.000", "[true]"},
      {"@T10:00 = @T10:00", "[true]"}, {"@T10:00 = @T10:00:00", "[]"},
      {"5 'mg' = 5 'mg'", "[true]"}, {"5 'mg' = 5 'g'", "[]"}, {"3 days = 3 'd'", "[true]"},
      {"1 year = 1 'a'", "[]"}, {"'a' != 'a'", "[false]"}, {"1 !~ 2", "[true]"},
  });
}

TEST(EvaluatorTest, Comparison) {
  RunCases({
      {"1 < 2", "[true]"}, {"2 <= 2.0", "[true]"}, {"1.5 > 1", "[true]"}, {"'abc' < 'abd'", "[true]"},
      {"@2012 < @2013-01-01", "[true]"}, {"@2012-01 < @2012-01-15", "[]"},
      {"@2012-01-02 >= @2012-01-01T10:00:00", "[true]"}, {"@T10:00 < @T11:00", "[true]"},
      {"5 'mg' < 6 'mg'", "[true]"}, {"5 'mg' < 6 'g'", "[]"}, {"{} < 1", "[]"}, {"1 < 'a'", "error"},
      {"(1 | 2) < 3", "error"},
  });
}

TEST(EvaluatorTest, Arithmetic) {
  RunCases({
      {"1 + 2", "[3]"}, {"5 - 7", "[-2]"}, {"2 * 3", "[6]"}, {"7 / 2", "[3.5]"}, {"6 / 3", "[2]"},
      {"7 div 2", "[3]"}, {"7 mod 2", "[1]"}, {"7.5 div 2", "[3]"}, {"1 / 0", "[]"}, {"1 div 0", "[]"},
      {"1.5 + 1", "[2.5]"}, {"0.1 + 0.2 = 0.3", "[true]"}, {"-(2 + 3)", "[-5]"}, {"-1.50", "[-1.50]"},
      {"'a' + 'b'", "['ab']"}, {"'a' & {}", "['a']"}, {"{} & 'b'", "['b']"}, {"'a' + {}", "[]"},
      {"1 + {}", "[]"}, {"9223372036854775807 + 1", "[]"}, {"2 'mg' + 3 'mg'", "[5 'mg']"},
      {"2 'mg' * 3", "[6 'mg']"}, {"@2012-01-31 + 1 month", "[2012-02-29]"}, {"@2012-01-01 - 1 day", "[2011-12-31]"},
      {"@2012-01-01T10:00:00Z + 90 minutes", "[2012-01-01T11:30:00Z]"}, {"@2019 + 2 years", "[2021]"},
      {"1 + 'a'", "error"}, {"(1 | 2) + 1", "error"},
  });
}

TEST(EvaluatorTest, CollectionsAndMembership) {
  RunCases({
      {"1 | 2 | 2 | 3", "[1, 2, 3]"}, {"(1 | 2).union(2 | 3)", "[1, 2, 3]"}, {"(1 | 2).combine(2)", "[1, 2, 2]"},
      {"(1 | 2 | 3).intersect(2 | 3 | 4)", "[2, 3]"}, {"(1 | 2 | 3).exclude(2)", "[1, 3]"},
      {"2 in (1 | 2)", "[true]"}, {"5 in (1 | 2)", "[false]"}, {"{} in (1 | 2)", "[]"}, {"1 in {}", "[false]"},
      {"(1 | 2) contains 2", "[true]"}, {"(1 | 2) in (1 | 2)", "error"},
      {"(1 | 2).subsetOf(1 | 2 | 3)", "[true]"}, {"(1 | 4).subsetOf(1 | 2)", "[false]"},
      {"(1 | 2 | 3).supersetOf(3 | 1)", "[true]"}, {"{}.subsetOf(1)", "[true]"},
      {"(1 | 2).combine(1).distinct()", "[1, 2]"}, {"(1 | 2).combine(1).isDistinct()", "[false]"},
      {"('a' | 'b').isDistinct()", "[true]"}, {"(1 | 2 | 3)[1]", "[2]"}, {"(1 | 2)[5]", "[]"},
  });
}

TEST(EvaluatorTest, ExistenceAndFiltering) {
  RunCases({
      {"{}.empty()", "[true]"}, {"1.empty()", "[false]"}, {"{}.exists()", "[false]"},
      {"(1 | 2 | 3).exists($this > 2)", "[true]"}, {"(1 | 2 | 3).exists($this > 5)", "[false]"},
      {"(1 | 2 | 3).all($this > 0)", "[true]"}, {"(1 | 2 | 3).all($this > 1)", "[false]"}, {"{}.all(false)", "[true]"},
      {"(true | false).allTrue()", "[false]"}, {"(true).allTrue()", "[true]"}, {"{}.allTrue()", "[true]"},
      {"(true | false).anyTrue()", "[true]"}, {"{}.anyTrue()", "[false]"}, {"(false).allFalse()", "[true]"},
      {"(true | false).anyFalse()", "[true]"}, {"(1 | 2).allTrue()", "error"},
      {"(1 | 2 | 3).count()", "[3]"}, {"{}.count()", "[0]"},
      {"(1 | 2 | 3 | 4).where($this mod 2 = 0)", "[2, 4]"}, {"(1 | 2 | 3).where($index > 0)", "[2, 3]"},
      {"(1 | 2 | 3).select($this * 10)", "[10, 20, 30]"}, {"(1 | 2).select(($this | 7))", "[1, 7, 2, 7]"},
      {"(1 | 2 | 3).select($index)", "[0, 1, 2]"}, {"(1 | 2).where(($this | $this + 5))", "error"},
      {"(1 | 2 | 3).first()", "[1]"}, {"(1 | 2 | 3).last()", "[3]"}, {"(1 | 2 | 3).tail()", "[2, 3]"},
      {"(1 | 2 | 3).skip(2)", "[3]"}, {"(1 | 2 | 3).take(2)", "[1, 2]"}, {"(1 | 2 | 3).take(0)", "[]"},
      {"(1 | 2 | 3).skip(-1)", "[1, 2, 3]"}, {"1.single()", "[1]"}, {"(1 | 2).single()", "error"},
      {"(1 | 2 | 3).aggregate($total + $this, 0)", "[6]"}, {"(1 | 2 | 3).aggregate($total + $this)", "[]"},
      {"(5 | 2 | 9).aggregate(iif($total.empty(), $this, iif($this > $total, $this, $total)))", "[9]"},
      {"2.repeat(iif($this < 16, $this * 2, {}))", "[4, 8, 16]"},
  });
}

TEST(EvaluatorTest, Iif) {
  RunCases({
      {"iif(true, 'a', 'b')", "['a']"}, {"iif(false, 'a', 'b')", "['b']"}, {"iif({}, 'a', 'b')", "['b']"},
      {"iif(false, 'a')", "[]"}, {"iif(true, 'a', 1 / (1 | 2))", "['a']"},
      {"{}.iif(empty(), 'none', 'some')", "['none']"}, {"(1 | 2).iif(count() = 2, 'two', 'other')", "['two']"},
      {"iif((true | false), 1, 2)", "error"},
  });
}

TEST(EvaluatorTest, Conversions) {
  RunCases({
      {"'12'.toInteger()", "[12]"}, {"'1.5'.toInteger()", "[]"}, {"true.toInteger()", "[1]"},
      {"'1.50'.toDecimal()", "[1.50]"}, {"3.toDecimal()", "[3]"}, {"'x'.toDecimal()", "[]"},
      {"'yes'.toBoolean()", "[true]"}, {"'0'.toBoolean()", "[false]"}, {"'maybe'.toBoolean()", "[]"},
      {"1.0.toBoolean()", "[true]"}, {"1.50.toString()", "['1.50']"}, {"true.toString()", "['true']"},
      {"@2012-01.toString()", "['2012-01']"}, {"5 'mg'.toString()", "['5 'mg'']"},
      {"'2012-01-02'.toDate()", "[2012-01-02]"}, {"'2012-01-02T10:00:00Z'.toDateTime()", "[2012-01-02T10:00:00Z]"},
      {"'10:30'.toTime()", "[10:30]"}, {"'5 \\'mg\\''.toQuantity()", "[5 'mg']"}, {"'4 days'.toQuantity()", "[4 days]"},
      {"2.toQuantity()", "[2 '1']"}, {"'12'.convertsToInteger()", "[true]"}, {"'a'.convertsToInteger()", "[false]"},
      {"'2012'.convertsToDate()", "[true]"}, {"'x'.convertsToDateTime()", "[false]"},
      {"1.convertsToBoolean()", "[true]"}, {"'1.5'.convertsToDecimal()", "[true]"},
      {"'10:00'.convertsToTime()", "[true]"}, {"5.convertsToString()", "[true]"},
      {"'5 mg'.convertsToQuantity()", "[false]"}, {"{}.toInteger()", "[]"}, {"(1 | 2).toString()", "error"},
  });
}

TEST(EvaluatorTest, StringFunctions) {
  RunCases({
      {"'abcdef'.startsWith('abc')", "[true]"}, {"'abcdef'.endsWith('ef')", "[true]"},
      {"'abcdef'.contains('cd')", "[true]"}, {"'abcdef'.contains('x')", "[false]"}, {"'abc'.indexOf('c')", "[2]"},
      {"'abc'.indexOf('x')", "[-1]"}, {"'abcdef'.substring(2)", "['cdef']"}, {"'abcdef'.substring(2, 2)", "['cd']"},
      {"'abc'.substring(5)", "[]"}, {"'AbC'.lower()", "['abc']"}, {"'AbC'.upper()", "['ABC']"},
      {"'a.b.c'.replace('.', '-')", "['a-b-c']"}, {"'abc'.replace('', '-')", "['-a-b-c-']"},
      {"'abc'.length()", "[3]"}, {"'a,b,,c'.split(',')", "['a', 'b', '', 'c']"},
      {"('a' | 'b' | 'c').join('|')", "['a|b|c']"}, {"('a' | 'b').join()", "['ab']"}, {"'  a b  '.trim()", "['a b']"},
      {"'ab'.toChars()", "['a', 'b']"}, {"'Abc'.matches('^[A-Z]')", "[true]"}, {"'abc'.matches('^[A-Z]')", "[false]"},
      {"'abc'.matches('b')", "[true]"}, {"'a.b.c'.replaceMatches('\\\\..*', '')", "['a']"},
      {"'2012-01'.replaceMatches('(\\\\d+)-(\\\\d+)', '$2/$1')", "['01/2012']"},
      {"'abc'.matches('[' + 'b]')", "[true]"}, {"'abc'.matches('[' + 'b')", "error"},
      {"'aaa'.matches('a{2,3}')", "[true]"}, {"'a'.matches('a{' + '6666666666666666666666}')", "error"},
      {"{}.startsWith('a')", "[]"}, {"'a'.startsWith({})", "[]"}, {"1.startsWith('1')", "error"},
      {"'x'.trace('t')", "['x']"},
  });
}

TEST(EvaluatorTest, MathFunctions) {
  RunCases({
      {"(-5).abs()", "[5]"}, {"(-5.5).abs()", "[5.5]"}, {"1.1.ceiling()", "[2]"}, {"1.9.floor()", "[1]"},
      {"1.9.truncate()", "[1]"}, {"3.14159.round(2)", "[3.14]"}, {"16.sqrt()", "[4.00000000]"},
      {"2.power(10)", "[1024]"}, {"100.log(10)", "[2.00000000]"}, {"(-1).sqrt()", "[]"},
  });
}

TEST(EvaluatorTest, TypesOfSystemValues) {
  RunCases({
      {"1 is Integer", "[true]"}, {"1 is System.Integer", "[true]"}, {"1 is Decimal", "[false]"},
      {"1.5 is Decimal", "[true]"}, {"'a' is String", "[true]"}, {"'a' is string", "[true]"},
      {"'a' is FHIR.string", "[false]"}, {"@2012 is Date", "[true]"}, {"@2012T is DateTime", "[true]"},
      {"@T10:00 is Time", "[true]"}, {"5 'mg' is Quantity", "[true]"}, {"true is Boolean", "[true]"},
      {"(1 | 'a' | 2).ofType(Integer)", "[1, 2]"}, {"(1 | 'a').as(String)", "['a']"}, {"1 as String", "[]"},
      {"1.is(Integer)", "[true]"}, {"{} is Integer", "[]"}, {"(1 | 2) is Integer", "error"},
  });
}

TEST(EvaluatorTest, ConstantsAndDates) {
  RunCases({
      {"%ucum", "['http://unitsofmeasure.org']"}, {"%sct", "['http://snomed.info/sct']"},
      {"%loinc", "['http://loinc.org']"}, {"%vs-administrative-gender", "['http://hl7.org/fhir/ValueSet/administrative-gender']"},
      {"%`ext-patient-birthTime`", "['http://hl7.org/fhir/StructureDefinition/patient-birthTime']"},
      {"%nosuch", "error"}, {"today()", "[2024-03-15]"}, {"now() > @2024-03-15T09:00:00Z", "[true]"},
      {"today() = today()", "[true]"}, {"$this", "[]"}, {"%context", "[]"}, {"%resource", "[]"},
  });
}

TEST(EvaluatorTest, UserConstantsComeFromTheEnvironment) {
  EvalEnv env;
  env.constants["site"] = "http://example.org";
  EXPECT_EQ(RunExpr("%site & '/x'", env), "['http://example.org/x']");
}

class RecordingTrace : public TraceSink {
 public:
  void Trace(std::string_view name, const Collection& values) const override {
    calls_ += std::string(name) + ":" + std::to_string(values.size()) + ";";
  }
  mutable std::string calls_;
};

TEST(EvaluatorTest, TraceReportsToTheSinkAndPassesInputThrough) {
  RecordingTrace sink;
  EvalEnv env;
  env.trace = &sink;
  EXPECT_EQ(RunExpr("(1 | 2).trace('nums').count()", env), "[2]");
  EXPECT_EQ(RunExpr("(1 | 2).trace('doubled', $this * 2).count()", env), "[2]");
  EXPECT_EQ(sink.calls_, "nums:2;doubled:2;");
}

TEST(EvaluatorTest, HtmlChecksAcceptsNarrativeAndRejectsActiveContent) {
  EXPECT_TRUE(HtmlChecks(R"x(<div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <b>there</b><br/></p></div>)x"));
  EXPECT_TRUE(HtmlChecks(R"x(<div xmlns="http://www.w3.org/1999/xhtml"><table><tr><td>1</td></tr></table></div>)x"));
  EXPECT_TRUE(HtmlChecks(R"x(<div xmlns="http://www.w3.org/1999/xhtml"><!-- c --><a href="http://x">x</a></div>)x"));
  EXPECT_FALSE(HtmlChecks(R"x(<div><script>alert(1)</script></div>)x"));
  EXPECT_FALSE(HtmlChecks(R"x(<div><p onclick="x()">a</p></div>)x"));
  EXPECT_FALSE(HtmlChecks(R"x(<div><a href=" javascript:alert(1)">a</a></div>)x"));
  EXPECT_FALSE(HtmlChecks(R"x(<div><form></form></div>)x"));
  EXPECT_FALSE(HtmlChecks(R"x(<div><iframe src="x"></iframe></div>)x"));
  EXPECT_FALSE(HtmlChecks(R"x(<p>not a div root</p>)x"));
  EXPECT_FALSE(HtmlChecks(R"x(<div><p>unclosed</div>)x"));
  EXPECT_FALSE(HtmlChecks(R"x(<div></div><div></div>)x"));
  EXPECT_FALSE(HtmlChecks("plain text"));
  EXPECT_EQ(RunExpr("'<div><p>x</p></div>'.htmlChecks()"), "[true]");
}

TEST(EvaluatorTest, OneCompiledExpressionEvaluatesConcurrently) {
  auto e = Compile("(1 | 2 | 3).where($this > 1).select('v' & $this.toString()).join(',') = 'v2,v3' and "
                   "'abc'.matches('^a.c$')");
  ASSERT_TRUE(e.ok());
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto r = EvaluateOn(*e, {}, EvalEnv());
        if (r.ok() && r->size() == 1 && (*r)[0].boolean()) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 2000);
}

TEST(EvaluatorTest, CollectionLimitIsResourceExhausted) {
  auto e = Compile("(1 | 2 | 3).select($this | 10 | 11 | 12)");
  ASSERT_TRUE(e.ok());
  EvalEnv env;
  env.max_collection_size = 5;
  auto r = EvaluateOn(*e, {}, env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace workwell::fhir::fhirpath
