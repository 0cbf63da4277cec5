#include "adapter/validation/questionnaire/questionnaire_validator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/fhir/model_fixture.h"

namespace workwell::validation::questionnaire {
namespace {

using fhir::Issue;
using fhir::Severity;

class QuestionnaireValidatorTest : public fhir::ModelFixture {
 protected:
  // Validates a response with `qr_items` (JSON array body) against a questionnaire with
  // `q_items`; `q_extra` and `qr_extra` add top-level members (each ending with a comma).
  std::vector<Issue> Run(std::string_view q_items, std::string_view qr_items, std::string_view qr_extra = "",
                         std::string_view q_extra = "", Hooks hooks = {}) {
    std::string q = R"({"resourceType":"Questionnaire","url":"http://q.test/Q","status":"active",)" +
                    std::string(q_extra) + R"("item":[)" + std::string(q_items) + "]}";
    std::string qr = R"({"resourceType":"QuestionnaireResponse","questionnaire":"http://q.test/Q",)" +
                     std::string(qr_extra.empty() ? R"("status":"completed",)" : qr_extra) + R"("item":[)" +
                     std::string(qr_items) + "]}";
    json::Document qd = ParseOrDie(q);
    json::Document rd = ParseOrDie(qr);
    hooks.model = model().get();
    fhir::IssueSink sink;
    ValidateResponse(rd.root(), qd.root(), hooks, "QuestionnaireResponse", sink);
    return sink.issues();
  }
  static json::Document ParseOrDie(const std::string& text) {
    json::Document doc;
    json::ParseError error;
    EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message << "\n" << text;
    return doc;
  }
  static std::vector<Issue> Errors(const std::vector<Issue>& issues) {
    std::vector<Issue> out;
    for (const Issue& i : issues) {
      if (i.severity == Severity::kError || i.severity == Severity::kFatal) out.push_back(i);
    }
    return out;
  }
  static std::string Dump(const std::vector<Issue>& issues) {
    std::string out;
    for (const Issue& i : issues)
      out += std::string(fhir::SeverityCode(i.severity)) + " " + i.expression + ": " + i.text + "\n";
    return out;
  }
  // Expects exactly one error, at `expression`, whose text contains `fragment`.
  static void ExpectOneError(const std::vector<Issue>& issues, std::string_view expression, std::string_view fragment) {
    std::vector<Issue> errors = Errors(issues);
    ASSERT_EQ(errors.size(), 1u) << Dump(issues);
    EXPECT_EQ(errors[0].expression, expression) << Dump(issues);
    EXPECT_NE(errors[0].text.find(fragment), std::string::npos) << Dump(issues);
  }
  static void ExpectNoErrors(const std::vector<Issue>& issues) { EXPECT_TRUE(Errors(issues).empty()) << Dump(issues); }
};

constexpr std::string_view kString = R"({"linkId":"q1","type":"string"})";

TEST_F(QuestionnaireValidatorTest, AcceptsMatchingResponse) {
  ExpectNoErrors(Run(kString, R"({"linkId":"q1","answer":[{"valueString":"x"}]})"));
}

TEST_F(QuestionnaireValidatorTest, UnknownLinkIdIsAnError) {
  ExpectOneError(Run(kString, R"({"linkId":"zz","answer":[{"valueString":"x"}]})"), "QuestionnaireResponse.item[0]",
                 "LinkId 'zz' not found");
}

TEST_F(QuestionnaireValidatorTest, ItemAtWrongLevelIsAnError) {
  std::vector<Issue> issues = Run(R"({"linkId":"g","type":"group","item":[{"linkId":"q1","type":"string"}]})",
                                  R"({"linkId":"q1","answer":[{"valueString":"x"}]})");
  ExpectOneError(issues, "QuestionnaireResponse.item[0]", "wrong place");
}

TEST_F(QuestionnaireValidatorTest, ItemsOutOfOrderAreAnError) {
  ExpectOneError(Run(R"({"linkId":"a","type":"string"},{"linkId":"b","type":"string"})",
                     R"({"linkId":"b","answer":[{"valueString":"x"}]},{"linkId":"a","answer":[{"valueString":"y"}]})"),
                 "QuestionnaireResponse.item[1]", "out of order");
}

TEST_F(QuestionnaireValidatorTest, RequiredItemMissingIsErrorOnlyWhenCompleted) {
  std::string_view q = R"({"linkId":"q1","type":"string","required":true})";
  ExpectOneError(Run(q, R"({"linkId":"q1"})"), "QuestionnaireResponse.item[0]", "required item 'q1'");
  ExpectOneError(Run(q, ""), "QuestionnaireResponse", "required item 'q1'");
  std::vector<Issue> in_progress = Run(q, "", R"("status":"in-progress",)");
  ExpectNoErrors(in_progress);
  ASSERT_EQ(in_progress.size(), 1u);
  EXPECT_EQ(in_progress[0].severity, Severity::kWarning);
}

TEST_F(QuestionnaireValidatorTest, RequiredGroupNeedsSubItems) {
  ExpectOneError(Run(R"({"linkId":"g","type":"group","required":true,"item":[{"linkId":"q1","type":"string"}]})",
                     R"({"linkId":"g"})"),
                 "QuestionnaireResponse.item[0]", "No sub-items found for required group");
}

TEST_F(QuestionnaireValidatorTest, GroupCannotHaveAnswers) {
  std::vector<Issue> issues =
      Run(R"({"linkId":"g","type":"group","item":[{"linkId":"q1","type":"string","required":true}]})",
          R"({"linkId":"g","answer":[{"item":[{"linkId":"q1","answer":[{"valueString":"a"}]}]}]})");
  std::vector<Issue> errors = Errors(issues);
  ASSERT_EQ(errors.size(), 2u) << Dump(issues);
  EXPECT_NE(errors[0].text.find("cannot have answers"), std::string::npos);
  EXPECT_NE(errors[1].text.find("required item 'q1'"), std::string::npos);
}

TEST_F(QuestionnaireValidatorTest, DisplayCannotHaveAnswers) {
  ExpectOneError(Run(R"({"linkId":"d","type":"display"})", R"({"linkId":"d","answer":[{"valueString":"x"}]})"),
                 "QuestionnaireResponse.item[0]", "'display' cannot have answers");
}

TEST_F(QuestionnaireValidatorTest, AbstractQuestionTypeCannotHaveAnswers) {
  ExpectOneError(Run(R"({"linkId":"q","type":"question"})", R"({"linkId":"q","answer":[{"valueString":"x"}]})"),
                 "QuestionnaireResponse.item[0]", "'question' cannot have answers");
}

TEST_F(QuestionnaireValidatorTest, QuestionChildrenBelongUnderAnswer) {
  std::string_view q = R"({"linkId":"q1","type":"string","item":[{"linkId":"c","type":"string"}]})";
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueString":"x"}],"item":[{"linkId":"c"}]})"),
                 "QuestionnaireResponse.item[0]", "answer.item");
  ExpectNoErrors(Run(
      q, R"({"linkId":"q1","answer":[{"valueString":"x","item":[{"linkId":"c","answer":[{"valueString":"y"}]}]}]})"));
}

TEST_F(QuestionnaireValidatorTest, NonRepeatingItemTakesOneAnswer) {
  ExpectOneError(Run(kString, R"({"linkId":"q1","answer":[{"valueString":"x"},{"valueString":"y"}]})"),
                 "QuestionnaireResponse.item[0].answer[1]", "does not repeat");
}

TEST_F(QuestionnaireValidatorTest, ItemTextMustMatch) {
  ExpectOneError(Run(R"({"linkId":"q1","type":"string","text":"Name"})",
                     R"({"linkId":"q1","text":"Other","answer":[{"valueString":"x"}]})"),
                 "QuestionnaireResponse.item[0]", "must match");
}

TEST_F(QuestionnaireValidatorTest, AnswerTypeMustMatchItemType) {
  ExpectOneError(Run(R"({"linkId":"q1","type":"date"})", R"({"linkId":"q1","answer":[{"valueCoding":{"code":"x"}}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(Coding)", "must be of the type date not Coding");
  ExpectOneError(Run(R"({"linkId":"q1","type":"text"})", R"({"linkId":"q1","answer":[{"valueInteger":1}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(integer)", "type string not integer");
  ExpectOneError(Run(R"({"linkId":"q1","type":"url"})", R"({"linkId":"q1","answer":[{"valueString":"x"}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(string)", "type uri not string");
  ExpectNoErrors(Run(R"({"linkId":"q1","type":"dateTime"})", R"({"linkId":"q1","answer":[{"valueDateTime":"2020"}]})"));
}

TEST_F(QuestionnaireValidatorTest, ChoiceAcceptsStringWithoutOptions) {
  ExpectNoErrors(Run(R"({"linkId":"q1","type":"choice"})", R"({"linkId":"q1","answer":[{"valueString":"x"}]})"));
}

TEST_F(QuestionnaireValidatorTest, CodingMustBeAnAnswerOption) {
  std::string_view q = R"({"linkId":"q1","type":"choice","repeats":true,"answerOption":[
      {"valueCoding":{"system":"http://s","code":"a"}},{"valueCoding":{"system":"http://s","code":"b"}}]})";
  ExpectNoErrors(
      Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://s","code":"b","display":"B"}}]})"));
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://s","code":"a"}},
                                                      {"valueCoding":{"system":"http://s","code":"c"}}]})"),
                 "QuestionnaireResponse.item[0].answer[1]", "http://s::c is not in the set of permitted values");
}

TEST_F(QuestionnaireValidatorTest, PrimitiveAnswerOptions) {
  ExpectOneError(Run(R"({"linkId":"q1","type":"integer","answerOption":[{"valueInteger":1}]})",
                     R"({"linkId":"q1","answer":[{"valueInteger":3}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(integer)", "integer 3 is not in the set");
  ExpectOneError(Run(R"({"linkId":"q1","type":"date","answerOption":[{"valueDate":"2022-01-01"}]})",
                     R"({"linkId":"q1","answer":[{"valueDate":"2022-03-01"}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(date)", "date 2022-03-01 is not in the set");
  ExpectOneError(Run(R"({"linkId":"q1","type":"choice","answerOption":[{"valueString":"a"}]})",
                     R"({"linkId":"q1","answer":[{"valueString":"b"}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(string)", "not in the set");
  ExpectNoErrors(Run(R"({"linkId":"q1","type":"open-choice","answerOption":[{"valueString":"a"}]})",
                     R"({"linkId":"q1","answer":[{"valueString":"b"}]})"));
}

TEST_F(QuestionnaireValidatorTest, OpenChoiceStringMatchingACodingIsAWarning) {
  std::vector<Issue> issues = Run(R"({"linkId":"q1","type":"open-choice","answerOption":[
      {"valueCoding":{"code":"B","display":"Blood"}}]})",
                                  R"({"linkId":"q1","answer":[{"valueString":"blood"}]})");
  ExpectNoErrors(issues);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
}

TEST_F(QuestionnaireValidatorTest, ExclusiveOptionStandsAlone) {
  std::string_view q = R"({"linkId":"q1","type":"choice","repeats":true,"answerOption":[
      {"valueCoding":{"system":"http://s","code":"a"}},
      {"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive","valueBoolean":true}],
       "valueCoding":{"system":"http://s","code":"none"}}]})";
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://s","code":"none"}}]})"));
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://s","code":"a"}},
                                                      {"valueCoding":{"system":"http://s","code":"none"}}]})"),
                 "QuestionnaireResponse.item[0].answer[1]", "exclusive");
}

TEST_F(QuestionnaireValidatorTest, AnswerValueSetUsesTheHook) {
  std::string_view q = R"({"linkId":"q1","type":"choice","answerValueSet":"http://vs"})";
  Hooks hooks;
  hooks.code_in_value_set = [](std::string_view vs, std::string_view system,
                               std::string_view code) -> std::optional<bool> {
    if (system == "http://snomed.info/sct") return std::nullopt;
    return vs == "http://vs" && code == "ok";
  };
  ExpectNoErrors(
      Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://s","code":"ok"}}]})", "", "", hooks));
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://snomed.info/sct","code":"1"}}]})",
                     "", "", hooks));
  ExpectOneError(
      Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://s","code":"no"}}]})", "", "", hooks),
      "QuestionnaireResponse.item[0].answer[0].value.ofType(Coding)", "not in the answer value set");
  std::vector<Issue> no_system = Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"code":"no"}}]})", "", "", hooks);
  ExpectNoErrors(no_system);
  ASSERT_EQ(no_system.size(), 1u);
  EXPECT_EQ(no_system[0].severity, Severity::kWarning);
}

TEST_F(QuestionnaireValidatorTest, ContainedAnswerValueSetIsCheckedLocally) {
  std::string_view q_extra = R"("contained":[{"resourceType":"ValueSet","id":"vs","status":"active",
      "compose":{"include":[{"system":"http://s","concept":[{"code":"a"}]}]}}],)";
  std::string_view q = R"({"linkId":"q1","type":"choice","answerValueSet":"#vs"})";
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://s","code":"a"}}]})", "", q_extra));
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueCoding":{"system":"http://s","code":"b"}}]})", "", q_extra),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(Coding)", "not in the answer value set");
}

// enableWhen: q2 is required and enabled by a condition on q1's answer.
struct EnableCase {
  std::string condition;  // the enableWhen entry
  std::string answer;     // q1's answer value member, or empty for no answer
  bool enabled;
};

class EnableWhenTest : public QuestionnaireValidatorTest, public ::testing::WithParamInterface<EnableCase> {};

TEST_P(EnableWhenTest, RequiredOnlyWhenEnabled) {
  const EnableCase& c = GetParam();
  std::string q = R"({"linkId":"q1","type":"integer"},{"linkId":"q2","type":"string","required":true,"enableWhen":[)" +
                  c.condition + "]}";
  std::string qr = c.answer.empty() ? R"({"linkId":"q1"})" : R"({"linkId":"q1","answer":[{)" + c.answer + "}]}";
  std::vector<Issue> issues = Run(q, qr);
  EXPECT_EQ(Errors(issues).size(), c.enabled ? 1u : 0u) << c.condition << " with " << c.answer << "\n" << Dump(issues);
}

INSTANTIATE_TEST_SUITE_P(
    Operators, EnableWhenTest,
    ::testing::Values(
        EnableCase{R"({"question":"q1","operator":"exists","answerBoolean":true})", R"("valueInteger":1)", true},
        EnableCase{R"({"question":"q1","operator":"exists","answerBoolean":true})", "", false},
        EnableCase{R"({"question":"q1","operator":"exists","answerBoolean":false})", "", true},
        EnableCase{R"({"question":"q1","operator":"=","answerInteger":1})", R"("valueInteger":1)", true},
        EnableCase{R"({"question":"q1","operator":"=","answerInteger":1})", R"("valueInteger":0)", false},
        EnableCase{R"({"question":"q1","operator":"!=","answerInteger":1})", R"("valueInteger":0)", true},
        EnableCase{R"({"question":"q1","operator":"!=","answerInteger":1})", R"("valueInteger":1)", false},
        EnableCase{R"({"question":"q1","operator":">","answerDecimal":1.5})", R"("valueInteger":2)", true},
        EnableCase{R"({"question":"q1","operator":"<","answerInteger":1})", R"("valueInteger":2)", false},
        EnableCase{R"({"question":"q1","operator":">=","answerInteger":2})", R"("valueInteger":2)", true},
        EnableCase{R"({"question":"q1","operator":"<=","answerInteger":1})", R"("valueInteger":2)", false},
        EnableCase{R"({"question":"q1","operator":"=","answerInteger":1})", "", false}));

TEST_F(QuestionnaireValidatorTest, EnableBehaviorAllAndAny) {
  std::string q_base = R"({"linkId":"a","type":"integer"},{"linkId":"b","type":"integer"},
      {"linkId":"c","type":"string","required":true,"enableBehavior":")";
  std::string conditions = R"(","enableWhen":[{"question":"a","operator":"=","answerInteger":1},
      {"question":"b","operator":"=","answerInteger":1}]})";
  std::string_view qr = R"({"linkId":"a","answer":[{"valueInteger":1}]},{"linkId":"b","answer":[{"valueInteger":0}]})";
  ExpectNoErrors(Run(q_base + "all" + conditions, qr));
  EXPECT_EQ(Errors(Run(q_base + "any" + conditions, qr)).size(), 1u);
}

TEST_F(QuestionnaireValidatorTest, DisabledItemMustNotBeAnswered) {
  ExpectOneError(
      Run(R"({"linkId":"a","type":"boolean"},{"linkId":"b","type":"string",
                        "enableWhen":[{"question":"a","operator":"=","answerBoolean":true}]})",
          R"({"linkId":"a","answer":[{"valueBoolean":false}]},{"linkId":"b","answer":[{"valueString":"x"}]})"),
      "QuestionnaireResponse.item[1]", "not enabled");
}

TEST_F(QuestionnaireValidatorTest, EnableWhenSeesItsOwnRepeatedGroup) {
  std::string_view q = R"({"linkId":"g","type":"group","repeats":true,"item":[{"linkId":"a","type":"boolean"},
      {"linkId":"b","type":"string","required":true,
       "enableWhen":[{"question":"a","operator":"=","answerBoolean":true}]}]})";
  std::vector<Issue> issues = Run(q, R"({"linkId":"g","item":[{"linkId":"a","answer":[{"valueBoolean":true}]},
                                                               {"linkId":"b","answer":[{"valueString":"x"}]}]},
                                         {"linkId":"g","item":[{"linkId":"a","answer":[{"valueBoolean":false}]}]})");
  ExpectNoErrors(issues);
}

TEST_F(QuestionnaireValidatorTest, StringLengthAndRegex) {
  std::string_view q = R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/minLength","valueInteger":3},
      {"url":"http://hl7.org/fhir/StructureDefinition/regex","valueString":"^[a-z]+$"}],
      "linkId":"q1","type":"string","maxLength":5})";
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueString":"abcd"}]})"));
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueString":"ab"}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(string)", "shorter than");
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueString":"abcdef"}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(string)", "longer than");
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueString":"ab1d"}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(string)", "regex");
}

TEST_F(QuestionnaireValidatorTest, NumberLimitsAndDecimalPlaces) {
  std::string_view q = R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/minValue","valueDecimal":1.5},
      {"url":"http://hl7.org/fhir/StructureDefinition/maxValue","valueDecimal":10},
      {"url":"http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces","valueInteger":2}],
      "linkId":"q1","type":"decimal"})";
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueDecimal":1.50}]})"));
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueDecimal":1.4}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(decimal)", "less than the allowed minimum");
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueDecimal":10.01}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(decimal)", "greater than the allowed maximum");
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueDecimal":2.666}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(decimal)", "too many decimal places");
  ExpectOneError(Run(R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/maxValue","valueInteger":3}],
                        "linkId":"q1","type":"integer"})",
                     R"({"linkId":"q1","answer":[{"valueInteger":4}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(integer)", "greater than");
}

TEST_F(QuestionnaireValidatorTest, DateLimits) {
  std::string_view q =
      R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/minValue","valueDate":"2020-01-01"}],
      "linkId":"q1","type":"date"})";
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueDate":"2020-01-01"}]})"));
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueDate":"2019-12-31"}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(date)", "before the allowed minimum");
}

TEST_F(QuestionnaireValidatorTest, QuantityLimitsConvertSimpleUcumUnits) {
  std::string_view q = R"({"extension":[
      {"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-minQuantity",
       "valueQuantity":{"value":1,"system":"http://unitsofmeasure.org","code":"km"}},
      {"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-maxQuantity",
       "valueQuantity":{"value":5,"system":"http://unitsofmeasure.org","code":"km"}}],"linkId":"q1","type":"quantity"})";
  ExpectNoErrors(Run(
      q,
      R"({"linkId":"q1","answer":[{"valueQuantity":{"value":2500,"system":"http://unitsofmeasure.org","code":"m"}}]})"));
  ExpectOneError(
      Run(q,
          R"({"linkId":"q1","answer":[{"valueQuantity":{"value":10000,"system":"http://unitsofmeasure.org","code":"m"}}]})"),
      "QuestionnaireResponse.item[0].answer[0].value.ofType(Quantity)", "greater than the allowed maximum");
  ExpectOneError(
      Run(q,
          R"({"linkId":"q1","answer":[{"valueQuantity":{"value":0.5,"system":"http://unitsofmeasure.org","code":"km"}}]})"),
      "QuestionnaireResponse.item[0].answer[0].value.ofType(Quantity)", "less than the allowed minimum");
  std::vector<Issue> no_units = Run(q, R"({"linkId":"q1","answer":[{"valueQuantity":{"value":2,"unit":"km"}}]})");
  ASSERT_EQ(Errors(no_units).size(), 2u) << Dump(no_units);
  EXPECT_NE(no_units[0].text.find("no formal units"), std::string::npos);
}

TEST_F(QuestionnaireValidatorTest, QuantityUnitsMustBeAllowed) {
  std::string_view q = R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption",
      "valueCoding":{"system":"http://unitsofmeasure.org","code":"km"}}],"linkId":"q1","type":"quantity"})";
  ExpectNoErrors(Run(
      q,
      R"({"linkId":"q1","answer":[{"valueQuantity":{"value":1,"system":"http://unitsofmeasure.org","code":"km"}}]})"));
  ExpectOneError(
      Run(q,
          R"({"linkId":"q1","answer":[{"valueQuantity":{"value":1,"system":"http://unitsofmeasure.org","code":"m"}}]})"),
      "QuestionnaireResponse.item[0].answer[0].value.ofType(Quantity)", "allowed units");
  Hooks hooks;
  hooks.code_in_value_set = [](std::string_view, std::string_view system, std::string_view) -> std::optional<bool> {
    return system == "urn:iso:std:iso:3166";
  };
  std::string_view vs_item =
      R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-unitValueSet",
      "valueCanonical":"http://hl7.org/fhir/ValueSet/jurisdiction"}],"linkId":"q1","type":"quantity","repeats":true})";
  ExpectNoErrors(
      Run(vs_item,
          R"({"linkId":"q1","answer":[{"valueQuantity":{"value":1,"system":"urn:iso:std:iso:3166","code":"AU"}}]})", "",
          "", hooks));
  std::vector<Issue> bad = Run(vs_item, R"({"linkId":"q1","answer":[
      {"valueQuantity":{"value":1,"system":"http://unitsofmeasure.org"}},
      {"valueQuantity":{"value":1,"system":"http://unitsofmeasure.org","code":"km"}}]})",
                               "", "", hooks);
  EXPECT_EQ(Errors(bad).size(), 2u) << Dump(bad);
}

TEST_F(QuestionnaireValidatorTest, AttachmentTypeAndSize) {
  std::string_view q =
      R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/mimeType","valueCode":"image/gif"},
      {"url":"http://hl7.org/fhir/StructureDefinition/maxSize","valueDecimal":4}],"linkId":"q1","type":"attachment"})";
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueAttachment":{"contentType":"image/gif","data":"YWJj"}}]})"));
  ExpectOneError(
      Run(q, R"({"linkId":"q1","answer":[{"valueAttachment":{"contentType":"application/pdf","data":"YWJj"}}]})"),
      "QuestionnaireResponse.item[0].answer[0]", "mime type application/pdf");
  ExpectOneError(
      Run(q, R"({"linkId":"q1","answer":[{"valueAttachment":{"contentType":"image/gif","data":"YWJjZGVm"}}]})"),
      "QuestionnaireResponse.item[0].answer[0]", "too large (allowed = 4, found = 6)");
}

TEST_F(QuestionnaireValidatorTest, ReferenceAnswers) {
  std::string_view q = R"({"linkId":"q1","type":"reference"})";
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueReference":{"reference":"Patient/1"}}]})"));
  ExpectNoErrors(
      Run(q, R"({"linkId":"q1","answer":[{"valueReference":{"reference":"https://example.org/Patient/1"}}]})"));
  ExpectOneError(
      Run(q, R"({"linkId":"q1","answer":[{"valueReference":{"reference":"https://example.org/Chicken/1"}}]})"),
      "QuestionnaireResponse.item[0].answer[0].value.ofType(Reference)", "resource type Chicken");
  std::vector<Issue> bad =
      Run(q, R"({"linkId":"q1","answer":[{"valueReference":{"reference":"ht tp://x/Patient/1"}}]})");
  ExpectOneError(bad, "QuestionnaireResponse.item[0].answer[0].value.ofType(Reference)", "not a valid reference");
  std::string_view restricted =
      R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-referenceResource",
      "valueCode":"Practitioner"}],"linkId":"q1","type":"reference"})";
  ExpectOneError(Run(restricted, R"({"linkId":"q1","answer":[{"valueReference":{"reference":"Patient/1"}}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(Reference)", "not one of the allowed types");
}

TEST_F(QuestionnaireValidatorTest, UrlAnswersCheckUuidForm) {
  std::string_view q = R"({"linkId":"q1","type":"url","repeats":true})";
  ExpectNoErrors(Run(q, R"({"linkId":"q1","answer":[{"valueUri":"urn:uuid:c757873d-ec9a-4326-a141-556f43239520"},
                                                     {"valueUri":"Patient/1"}]})"));
  ExpectOneError(Run(q, R"({"linkId":"q1","answer":[{"valueUri":"urn:uuid:C757873D-EC9A-4326-A141-556F43239520"}]})"),
                 "QuestionnaireResponse.item[0].answer[0].value.ofType(uri)", "UUIDs must be valid and lowercase");
}

TEST_F(QuestionnaireValidatorTest, AuthoredOutsideEffectivePeriodIsAWarning) {
  std::vector<Issue> issues =
      Run(kString, R"({"linkId":"q1","answer":[{"valueString":"x"}]})",
          R"("status":"completed","authored":"2021-12-12",)", R"("effectivePeriod":{"end":"2021-12-11"},)");
  ExpectNoErrors(issues);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].expression, "QuestionnaireResponse.authored");
}

TEST_F(QuestionnaireValidatorTest, FindQuestionnaireResolvesContainedAndCanonical) {
  json::Document contained = ParseOrDie(R"({"resourceType":"QuestionnaireResponse","status":"completed",
      "contained":[{"resourceType":"Questionnaire","id":"q","status":"active","item":[{"linkId":"a","type":"string","required":true}]}],
      "questionnaire":"#q"})");
  fhir::IssueSink sink;
  ValidateResponse(contained.root(), Hooks{}, "QuestionnaireResponse", sink);
  ExpectOneError(sink.issues(), "QuestionnaireResponse", "required item 'a'");

  json::Document q =
      ParseOrDie(R"({"resourceType":"Questionnaire","url":"http://q.test/Q","version":"2","status":"active"})");
  json::Document r = ParseOrDie(
      R"({"resourceType":"QuestionnaireResponse","status":"completed","questionnaire":"http://q.test/Q|2"})");
  Hooks hooks;
  hooks.resolve_canonical = [&](std::string_view url) -> const json::Value* {
    return url == "http://q.test/Q" ? &q.root() : nullptr;
  };
  fhir::IssueSink found;
  EXPECT_EQ(FindQuestionnaire(r.root(), hooks, "QuestionnaireResponse", found), &q.root());
  EXPECT_TRUE(found.empty());

  json::Document missing =
      ParseOrDie(R"({"resourceType":"QuestionnaireResponse","status":"completed","questionnaire":"http://other/Q"})");
  fhir::IssueSink not_found;
  EXPECT_EQ(FindQuestionnaire(missing.root(), hooks, "QuestionnaireResponse", not_found), nullptr);
  ASSERT_EQ(not_found.issues().size(), 1u);
  EXPECT_EQ(not_found.issues()[0].severity, Severity::kWarning);
}

}  // namespace
}  // namespace workwell::validation::questionnaire
