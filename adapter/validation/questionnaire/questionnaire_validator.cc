#include "adapter/validation/questionnaire/questionnaire_validator.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapter/fhir/fhirpath/regex.h"
#include "adapter/validation/questionnaire/value_checks.h"

namespace workwell::validation::questionnaire {
namespace {

using fhir::IssueSink;
using fhir::Severity;

constexpr std::string_view kExtMinLength = "http://hl7.org/fhir/StructureDefinition/minLength";
constexpr std::string_view kExtRegex = "http://hl7.org/fhir/StructureDefinition/regex";
constexpr std::string_view kExtEntryFormat = "http://hl7.org/fhir/StructureDefinition/entryFormat";
constexpr std::string_view kExtMinValue = "http://hl7.org/fhir/StructureDefinition/minValue";
constexpr std::string_view kExtMaxValue = "http://hl7.org/fhir/StructureDefinition/maxValue";
constexpr std::string_view kExtMaxDecimalPlaces = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces";
constexpr std::string_view kExtMimeType = "http://hl7.org/fhir/StructureDefinition/mimeType";
constexpr std::string_view kExtMaxSize = "http://hl7.org/fhir/StructureDefinition/maxSize";
constexpr std::string_view kExtUnitOption = "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption";
constexpr std::string_view kExtUnitValueSet = "http://hl7.org/fhir/StructureDefinition/questionnaire-unitValueSet";
constexpr std::string_view kExtOptionExclusive =
    "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive";
constexpr std::string_view kExtReferenceResource =
    "http://hl7.org/fhir/StructureDefinition/questionnaire-referenceResource";
constexpr std::string_view kExtMinQuantity =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-minQuantity";
constexpr std::string_view kExtMaxQuantity =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-maxQuantity";
constexpr std::string_view kExtEnableWhenExpression =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression";
constexpr std::string_view kUcum = "http://unitsofmeasure.org";

// Primitive types whose JSON choice suffix is the capitalised type name ("valueDateTime").
constexpr std::string_view kPrimitiveSuffixes[] = {
    "Base64Binary", "Boolean", "Canonical",   "Code",   "Date", "DateTime",    "Decimal", "Id",  "Instant", "Integer",
    "Markdown",     "Oid",     "PositiveInt", "String", "Time", "UnsignedInt", "Uri",     "Url", "Uuid"};

std::string_view Text(const json::Value* v) { return v != nullptr ? v->text() : std::string_view(); }
std::string_view Field(const json::Value& object, std::string_view key) { return Text(object.Find(key)); }
std::span<const json::Value> Array(const json::Value& object, std::string_view key) {
  const json::Value* v = object.Find(key);
  return v != nullptr ? v->items() : std::span<const json::Value>();
}
bool Flag(const json::Value& object, std::string_view key) {
  const json::Value* v = object.Find(key);
  return v != nullptr && v->IsBool() && v->AsBool();
}

// A choice element's value: its FHIR type name ("dateTime", "Coding") and JSON value.
struct ChoiceValue {
  std::string type;
  const json::Value* value = nullptr;
};

std::optional<ChoiceValue> FindChoice(const json::Value& object, std::string_view prefix) {
  for (const json::Member& m : object.members()) {
    if (m.key.size() <= prefix.size() || m.key.substr(0, prefix.size()) != prefix) continue;
    std::string_view suffix = m.key.substr(prefix.size());
    if (!std::isupper(static_cast<unsigned char>(suffix[0]))) continue;
    std::string type(suffix);
    if (std::find(std::begin(kPrimitiveSuffixes), std::end(kPrimitiveSuffixes), suffix) !=
        std::end(kPrimitiveSuffixes)) {
      type[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(type[0])));
    }
    return ChoiceValue{std::move(type), &m.value};
  }
  return std::nullopt;
}

std::vector<const json::Value*> Extensions(const json::Value& element, std::string_view url) {
  std::vector<const json::Value*> out;
  for (const json::Value& ext : Array(element, "extension")) {
    if (Field(ext, "url") == url) out.push_back(&ext);
  }
  return out;
}
const json::Value* FirstExtension(const json::Value& element, std::string_view url) {
  for (const json::Value& ext : Array(element, "extension")) {
    if (Field(ext, "url") == url) return &ext;
  }
  return nullptr;
}

// The item with `link_id` anywhere under `node` (depth first), or nullptr.
const json::Value* FindItemAnywhere(const json::Value& node, std::string_view link_id) {
  for (const json::Value& item : Array(node, "item")) {
    if (Field(item, "linkId") == link_id) return &item;
    if (const json::Value* found = FindItemAnywhere(item, link_id)) return found;
  }
  return nullptr;
}

// Collects response items with `link_id` under `node`, through item[] and answer[].item[].
void CollectResponseItems(const json::Value& node, std::string_view link_id, std::vector<const json::Value*>& out) {
  for (const json::Value& item : Array(node, "item")) {
    if (Field(item, "linkId") == link_id) out.push_back(&item);
    CollectResponseItems(item, link_id, out);
    for (const json::Value& answer : Array(item, "answer")) CollectResponseItems(answer, link_id, out);
  }
}

const json::Value* FindContained(const json::Value& resource, std::string_view id, std::string_view type) {
  for (const json::Value& c : Array(resource, "contained")) {
    if (Field(c, "id") == id && Field(c, "resourceType") == type) return &c;
  }
  return nullptr;
}

std::string SystemName(std::string_view system) {
  if (system == kUcum) return "UCUM";
  if (system == "http://snomed.info/sct") return "SNOMED CT";
  return std::string(system);
}

// "10 kg (UCUM#kg)", the way quantities appear in messages.
std::string DescribeQuantity(const json::Value& q) {
  std::string out(Field(q, "comparator"));
  out += Field(q, "value");
  if (std::string_view unit = Field(q, "unit"); !unit.empty()) out.append(" ").append(unit);
  std::string_view system = Field(q, "system");
  std::string_view code = Field(q, "code");
  if (!system.empty() || !code.empty()) {
    out += " (" + SystemName(system) + "#" + (code.empty() ? std::string("null") : std::string(code)) + ")";
  }
  return out;
}

std::string DescribeCoding(const json::Value& c) {
  return std::string(Field(c, "system")) + "#" + std::string(Field(c, "code"));
}

// Length in Unicode code points of UTF-8 text.
size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Bytes encoded by base64 text (whitespace ignored).
size_t Base64DecodedSize(std::string_view b64) {
  size_t chars = 0;
  size_t padding = 0;
  for (char c : b64) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    ++chars;
    if (c == '=') ++padding;
  }
  size_t bytes = chars / 4 * 3;
  return bytes > padding ? bytes - padding : 0;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// Compares two answer values for enableWhen. Returns nullopt when they cannot be compared;
// `ordered` is cleared for types that only support equality (result 0 = equal, 1 = different).
std::optional<int> CompareAnswerValues(const ChoiceValue& a, const ChoiceValue& b, bool& ordered) {
  ordered = true;
  auto numeric = [](const std::string& t) { return t == "integer" || t == "decimal"; };
  auto textual = [](const std::string& t) { return t == "string" || t == "uri" || t == "code"; };
  auto dated = [](const std::string& t) { return t == "date" || t == "dateTime"; };
  if (numeric(a.type) && numeric(b.type)) return CompareDecimal(a.value->text(), b.value->text());
  if ((dated(a.type) && dated(b.type)) || (a.type == "time" && b.type == "time")) {
    return ComparePartialDateTime(a.value->text(), b.value->text());
  }
  if (textual(a.type) && textual(b.type)) {
    int c = a.value->text().compare(b.value->text());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  ordered = false;
  if (a.type == "boolean" && b.type == "boolean") return a.value->AsBool() == b.value->AsBool() ? 0 : 1;
  if (a.type == "Coding" && b.type == "Coding") {
    std::string_view sa = Field(*a.value, "system");
    std::string_view sb = Field(*b.value, "system");
    bool same = Field(*a.value, "code") == Field(*b.value, "code") && (sa.empty() || sb.empty() || sa == sb);
    return same ? 0 : 1;
  }
  if (a.type == "Reference" && b.type == "Reference") {
    return Field(*a.value, "reference") == Field(*b.value, "reference") ? 0 : 1;
  }
  if (a.type == "Quantity" && b.type == "Quantity") {
    bool same_unit = Field(*a.value, "code") == Field(*b.value, "code") &&
                     Field(*a.value, "system") == Field(*b.value, "system") &&
                     (!Field(*a.value, "code").empty() || Field(*a.value, "unit") == Field(*b.value, "unit"));
    if (!same_unit) return std::nullopt;
    ordered = true;
    return CompareDecimal(Field(*a.value, "value"), Field(*b.value, "value"));
  }
  return std::nullopt;
}

// The types QuestionnaireResponse.item.answer.value[x] admits.
bool IsAnswerValueType(std::string_view type) {
  constexpr std::string_view kTypes[] = {"boolean", "decimal", "integer",    "date",   "dateTime", "time",
                                         "string",  "uri",     "Attachment", "Coding", "Quantity", "Reference"};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

// The value types an answer to an item of `item_type` may have; empty when no answer is allowed.
std::vector<std::string_view> AllowedAnswerTypes(std::string_view item_type) {
  if (item_type == "boolean" || item_type == "decimal" || item_type == "integer" || item_type == "date" ||
      item_type == "dateTime" || item_type == "time" || item_type == "string") {
    return {item_type};
  }
  if (item_type == "text") return {"string"};
  if (item_type == "url") return {"uri"};
  if (item_type == "attachment") return {"Attachment"};
  if (item_type == "reference") return {"Reference"};
  if (item_type == "quantity") return {"Quantity"};
  if (item_type == "choice" || item_type == "open-choice") return {"Coding", "date", "time", "integer", "string"};
  return {};
}

// One validation run over a response. Holds the per-call state: the enclosing response nodes
// (for enableWhen look-ups) and the compiled regex extensions.
class ResponseValidator {
 public:
  ResponseValidator(const json::Value& response, const json::Value& questionnaire, const Hooks& hooks,
                    const Options& options, IssueSink& sink)
      : response_(response), questionnaire_(questionnaire), hooks_(hooks), options_(options), sink_(sink) {
    std::string_view status = Field(response, "status");
    not_completed_ = status != "completed" && status != "amended";
  }

  void Run(const std::string& base) {
    CheckQuestionnaireStatus(base);
    containers_.push_back(&response_);
    ValidateItems(Array(questionnaire_, "item"), response_, base);
    containers_.pop_back();
  }

 private:
  void Error(std::string_view code, const std::string& path, std::string text) {
    sink_.Error(std::string(code), path, std::move(text));
  }
  void Warning(std::string_view code, const std::string& path, std::string text) {
    sink_.Warning(std::string(code), path, std::move(text));
  }
  void Info(std::string_view code, const std::string& path, std::string text) {
    sink_.Information(std::string(code), path, std::move(text));
  }

  // https://hl7.org/fhir/R4/questionnaire-definitions.html#Questionnaire.status and .effectivePeriod
  void CheckQuestionnaireStatus(const std::string& base) {
    std::string_view url = Field(questionnaire_, "url");
    if (Field(questionnaire_, "status") == "retired") {
      Warning("business-rule", base + ".questionnaire",
              "The questionnaire '" + std::string(url) + "' is retired and should not be used for new responses");
    }
    std::string_view authored = Field(response_, "authored");
    const json::Value* period = questionnaire_.Find("effectivePeriod");
    if (authored.empty() || period == nullptr) return;
    std::string_view end = Field(*period, "end");
    std::string_view start = Field(*period, "start");
    if (!end.empty() && ComparePartialDateTime(authored, end).value_or(0) > 0) {
      Warning("business-rule", base + ".authored",
              "The authored date '" + std::string(authored) +
                  "' is after the end of the permitted period defined in the Questionnaire ('" + std::string(end) +
                  "')");
    }
    if (!start.empty() && ComparePartialDateTime(authored, start).value_or(0) < 0) {
      Warning("business-rule", base + ".authored",
              "The authored date '" + std::string(authored) +
                  "' is before the start of the permitted period defined in the Questionnaire ('" + std::string(start) +
                  "')");
    }
  }

  // Validates the response items under `container` against the questionnaire items `q_items`.
  void ValidateItems(std::span<const json::Value> q_items, const json::Value& container, const std::string& path) {
    std::span<const json::Value> items = Array(container, "item");
    std::unordered_map<std::string_view, std::vector<std::pair<const json::Value*, std::string>>> by_link;
    long last_index = -1;
    for (size_t i = 0; i < items.size(); ++i) {
      const json::Value& item = items[i];
      std::string item_path = path + ".item[" + std::to_string(i) + "]";
      std::string_view link_id = Field(item, "linkId");
      if (link_id.empty()) {
        Error("required", item_path, "No LinkId, so the item cannot be validated");
        continue;
      }
      auto it = std::find_if(q_items.begin(), q_items.end(),
                             [&](const json::Value& q) { return Field(q, "linkId") == link_id; });
      if (it == q_items.end()) {
        if (const json::Value* elsewhere = FindItemAnywhere(questionnaire_, link_id)) {
          Error("structure", item_path,
                "Structural Error: item with linkId '" + std::string(link_id) + "' is in the wrong place");
          ValidateItem(*elsewhere, item, item_path, std::nullopt);
        } else {
          Error("not-found", item_path, "LinkId '" + std::string(link_id) + "' not found in questionnaire");
        }
        continue;
      }
      long index = it - q_items.begin();
      if (index < last_index) {
        Error("structure", item_path,
              "Structural Error: items are out of order (linkId '" + std::string(link_id) +
                  "' belongs before an earlier item)");
      }
      last_index = index;
      by_link[link_id].emplace_back(&item, std::move(item_path));
    }

    for (const json::Value& q_item : q_items) {
      std::string_view link_id = Field(q_item, "linkId");
      std::optional<bool> enabled = IsEnabled(q_item);
      auto found = by_link.find(link_id);
      if (found == by_link.end()) {
        if (enabled == true && Flag(q_item, "required")) {
          std::string text = "No response answer found for required item '" + std::string(link_id) + "'";
          if (not_completed_) {
            Warning("required", path, std::move(text));
          } else {
            Error("required", path, std::move(text));
          }
        }
        continue;
      }
      const auto& entries = found->second;
      if (enabled == false) {
        for (const auto& [item, item_path] : entries) {
          if (item->Find("answer") != nullptr || item->Find("item") != nullptr) {
            Error("invalid", item_path,
                  "Item has answer even though it is not enabled (item id = '" + std::string(link_id) + "')");
          }
        }
      }
      if (entries.size() > 1 && !Flag(q_item, "repeats")) {
        Error("invalid", entries[1].second,
              "Only one response item with linkId '" + std::string(link_id) +
                  "' is allowed because the item does not repeat (found " + std::to_string(entries.size()) + ")");
      }
      for (const auto& [item, item_path] : entries) ValidateItem(q_item, *item, item_path, enabled);
    }
  }

  // Validates one response item against its questionnaire item.
  // https://hl7.org/fhir/R4/questionnaireresponse.html#link
  void ValidateItem(const json::Value& q_item, const json::Value& item, const std::string& path,
                    std::optional<bool> enabled) {
    std::string_view link_id = Field(q_item, "linkId");
    std::string_view type = Field(q_item, "type");
    std::string_view text = Field(item, "text");
    if (!text.empty() && text != Field(q_item, "text")) {
      Error("invalid", path,
            "If text exists, it must match the questionnaire definition for linkId '" + std::string(link_id) + "'");
    }
    std::span<const json::Value> answers = Array(item, "answer");
    if (answers.empty() && Flag(q_item, "required") && type != "group" && type != "display") {
      std::string message = "No response answer found for required item '" + std::string(link_id) + "'";
      if (not_completed_) {
        Warning("required", path, std::move(message));
      } else if (enabled == true) {
        Error("required", path, std::move(message));
      }
    }
    if (answers.size() > 1 && !Flag(q_item, "repeats")) {
      Error("invalid", path + ".answer[1]",
            "Only one answer is allowed for item '" + std::string(link_id) + "' because it does not repeat");
    }

    for (size_t j = 0; j < answers.size(); ++j) {
      std::string answer_path = path + ".answer[" + std::to_string(j) + "]";
      if (type == "group" || type == "display") {
        Error("structure", path, "Items of type '" + std::string(type) + "' cannot have answers");
        continue;
      }
      ValidateAnswer(q_item, type, answers[j], path, answer_path, answers.size());
      containers_.push_back(&answers[j]);
      ValidateItems(Array(q_item, "item"), answers[j], answer_path);
      containers_.pop_back();
    }

    bool has_child_items = !Array(item, "item").empty();
    if (type == "display") {
      if (has_child_items) {
        Error("structure", path,
              "Items of type 'display' cannot have child items (linkId '" + std::string(link_id) + "')");
      }
    } else if (type != "group") {
      if (has_child_items) {
        Error("structure", path,
              "Item '" + std::string(link_id) +
                  "' is not a group, so its child items belong under answer.item, not item");
      }
    } else {
      if (Flag(q_item, "required") && !has_child_items) {
        Error("invariant", path, "No sub-items found for required group '" + std::string(link_id) + "'");
      }
      containers_.push_back(&item);
      ValidateItems(Array(q_item, "item"), item, path);
      containers_.pop_back();
    }
  }

  // Checks one answer's value against the item's type and constraints.
  void ValidateAnswer(const json::Value& q_item, std::string_view type, const json::Value& answer,
                      const std::string& item_path, const std::string& path, size_t answer_count) {
    std::optional<ChoiceValue> value = FindChoice(answer, "value");
    if (!value || !IsAnswerValueType(value->type)) return;  // the structural checks report it
    std::vector<std::string_view> allowed = AllowedAnswerTypes(type);
    if (allowed.empty()) {
      Error("structure", item_path,
            "Items of type '" + std::string(type.empty() ? "(none)" : type) + "' cannot have answers");
      return;
    }
    std::string value_path = path + ".value.ofType(" + value->type + ")";
    if (std::find(allowed.begin(), allowed.end(), value->type) == allowed.end()) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      Error("invariant", value_path,
            std::string(allowed.size() == 1 ? "Answer value must be of the type "
                                            : "Answer value must be one of the types ") +
                Join(names, ", ") + " not " + value->type);
      return;
    }
    const json::Value& v = *value->value;
    bool choice = type == "choice" || type == "open-choice";
    bool open = type == "open-choice";
    const std::string& vt = value->type;
    if (vt == "Coding") {
      CheckCoding(q_item, v, open, path, value_path, answer_count);
    } else if (vt == "string") {
      if (!choice) CheckString(q_item, type, v.text(), value_path);
      CheckStringOption(q_item, v.text(), choice, open, path, value_path);
    } else if (vt == "integer" || vt == "decimal") {
      CheckNumber(q_item, vt, v.text(), value_path);
      CheckPrimitiveOption(q_item, vt, v.text(), choice, open, path, value_path);
    } else if (vt == "date" || vt == "dateTime" || vt == "time") {
      CheckDateRange(q_item, vt, v.text(), value_path);
      CheckPrimitiveOption(q_item, vt, v.text(), choice, open, path, value_path);
    } else if (vt == "Quantity") {
      CheckQuantity(q_item, v, value_path);
    } else if (vt == "Attachment") {
      CheckAttachment(q_item, v, path);
    } else if (vt == "Reference") {
      CheckReference(q_item, v, value_path);
    } else if (vt == "uri") {
      CheckUri(v.text(), value_path);
    }
  }

  // minLength, maxLength and regex on string and text answers.
  // https://hl7.org/fhir/R4/extension-minlength.html, https://hl7.org/fhir/R4/extension-regex.html
  void CheckString(const json::Value& q_item, std::string_view type, std::string_view s, const std::string& path) {
    std::string quoted = "'" + std::string(s) + "'";
    if (const json::Value* ext = FirstExtension(q_item, kExtMinLength)) {
      if (const json::Value* n = ext->Find("valueInteger"); n != nullptr) {
        std::optional<int> c = CompareDecimal(std::to_string(CodePoints(s)), n->text());
        if (c.value_or(0) < 0) {
          Error("invariant", path,
                "The answer " + quoted + " is shorter than the required minimum length of " + std::string(n->text()));
        }
      }
    }
    if (const json::Value* n = q_item.Find("maxLength"); n != nullptr && n->IsNumber()) {
      if (CompareDecimal(std::to_string(CodePoints(s)), n->text()).value_or(0) > 0) {
        Error("invariant", path,
              "The answer " + quoted + " is longer than the allowed maximum length of " + std::string(n->text()));
      }
    }
    if (const json::Value* ext = FirstExtension(q_item, kExtRegex)) {
      std::string_view pattern = Field(*ext, "valueString");
      if (!pattern.empty()) {
        const fhir::fhirpath::Regex* re = CompiledRegex(pattern, path);
        if (re != nullptr && !re->FullMatch(s)) {
          const json::Value* format = FirstExtension(q_item, kExtEntryFormat);
          std::string_view example = format != nullptr ? Field(*format, "valueString") : std::string_view();
          Error("invariant", path,
                example.empty() ? "The answer " + quoted + " does not match the required pattern (regex '" +
                                      std::string(pattern) + "')"
                                : "The answer " + quoted + " does not conform to the expected format '" +
                                      std::string(example) + "' (regex '" + std::string(pattern) + "')");
        }
      }
    }
    if (type == "string" && s.find_first_of("\r\n") != std::string_view::npos) {
      Warning(
          "invariant", path,
          "The string answer " + quoted + " contains line breaks; multi-line answers belong in items of type 'text'");
    }
  }

  // The compiled form of `pattern`, compiled at most once per run; nullptr (with a warning) when
  // the pattern is not a valid regular expression.
  const fhir::fhirpath::Regex* CompiledRegex(std::string_view pattern, const std::string& path) {
    auto [it, inserted] = regexes_.try_emplace(std::string(pattern));
    if (inserted) {
      auto re = fhir::fhirpath::Regex::Compile(it->first);
      if (re.ok()) {
        it->second.emplace(std::move(re).value());
      } else {
        Warning("processing", path, "The regex '" + it->first + "' could not be compiled: " + re.status().message());
      }
    }
    return it->second ? &*it->second : nullptr;
  }

  // minValue, maxValue and maxDecimalPlaces on integer and decimal answers.
  void CheckNumber(const json::Value& q_item, const std::string& type, std::string_view number,
                   const std::string& path) {
    auto limit_text = [&](std::string_view url) -> std::string_view {
      const json::Value* ext = FirstExtension(q_item, url);
      if (ext == nullptr) return {};
      std::optional<ChoiceValue> v = FindChoice(*ext, "value");
      return v && (v->type == "integer" || v->type == "decimal") ? v->value->text() : std::string_view();
    };
    if (std::string_view min = limit_text(kExtMinValue); !min.empty() && CompareDecimal(number, min).value_or(0) < 0) {
      Error("invariant", path,
            "The value " + std::string(number) + " is less than the allowed minimum of " + std::string(min));
    }
    if (std::string_view max = limit_text(kExtMaxValue); !max.empty() && CompareDecimal(number, max).value_or(0) > 0) {
      Error("invariant", path,
            "The value " + std::string(number) + " is greater than the allowed maximum of " + std::string(max));
    }
    if (type == "decimal") CheckDecimalPlaces(q_item, number, path);
  }

  // https://hl7.org/fhir/R4/extension-maxdecimalplaces.html
  void CheckDecimalPlaces(const json::Value& q_item, std::string_view number, const std::string& path) {
    const json::Value* ext = FirstExtension(q_item, kExtMaxDecimalPlaces);
    const json::Value* limit = ext != nullptr ? ext->Find("valueInteger") : nullptr;
    if (limit == nullptr || number.empty()) return;
    if (CompareDecimal(std::to_string(DecimalPlaces(number)), limit->text()).value_or(0) > 0) {
      Error("invariant", path,
            "The value " + std::string(number) + " has too many decimal places (limit = " + std::string(limit->text()) +
                ")");
    }
  }

  // minValue and maxValue on date, dateTime and time answers.
  void CheckDateRange(const json::Value& q_item, const std::string& type, std::string_view v, const std::string& path) {
    auto limit_text = [&](std::string_view url) -> std::string_view {
      const json::Value* ext = FirstExtension(q_item, url);
      if (ext == nullptr) return {};
      std::optional<ChoiceValue> lv = FindChoice(*ext, "value");
      return lv && (lv->type == "date" || lv->type == "dateTime" || lv->type == "time" || lv->type == "instant")
                 ? lv->value->text()
                 : std::string_view();
    };
    if (std::string_view min = limit_text(kExtMinValue);
        !min.empty() && ComparePartialDateTime(v, min).value_or(0) < 0) {
      Error("invariant", path,
            "The " + type + " " + std::string(v) + " is before the allowed minimum of " + std::string(min));
    }
    if (std::string_view max = limit_text(kExtMaxValue);
        !max.empty() && ComparePartialDateTime(v, max).value_or(0) > 0) {
      Error("invariant", path,
            "The " + type + " " + std::string(v) + " is after the allowed maximum of " + std::string(max));
    }
  }

  // Membership of integer, decimal, date, dateTime and time answers in Questionnaire.item.answerOption.
  void CheckPrimitiveOption(const json::Value& q_item, const std::string& type, std::string_view v, bool choice,
                            bool open, const std::string& answer_path, const std::string& path) {
    std::span<const json::Value> options = Array(q_item, "answerOption");
    if (options.empty()) {
      if (choice)
        Info("invariant", answer_path, "Cannot validate " + type + " answer option because no option list is provided");
      return;
    }
    std::string option_type = type == "dateTime" ? "date" : type;
    bool any_of_type = false;
    for (const json::Value& option : options) {
      std::optional<ChoiceValue> ov = FindChoice(option, "value");
      if (!ov || ov->type != option_type) continue;
      any_of_type = true;
      bool same =
          type == "integer" || type == "decimal" ? CompareDecimal(ov->value->text(), v) == 0 : ov->value->text() == v;
      if (same) return;
    }
    if (!any_of_type) {
      if (!open) Error("invariant", path, "Option list has no option values of type " + type);
      return;
    }
    Error("invariant", path, "The " + type + " " + std::string(v) + " is not in the set of permitted values");
  }

  // String answers to choice/open-choice items, and to string items that list options.
  void CheckStringOption(const json::Value& q_item, std::string_view v, bool choice, bool open,
                         const std::string& answer_path, const std::string& path) {
    std::span<const json::Value> options = Array(q_item, "answerOption");
    if (options.empty()) {
      if (choice && q_item.Find("answerValueSet") == nullptr) {
        Info("invariant", answer_path, "Cannot validate string answer option because no option list is provided");
      }
      return;
    }
    bool any_string = false;
    bool found = false;
    bool matches_coding = false;
    for (const json::Value& option : options) {
      std::optional<ChoiceValue> ov = FindChoice(option, "value");
      if (!ov) continue;
      if (ov->type == "string") {
        any_string = true;
        found = found || ov->value->text() == v;
      } else if (ov->type == "Coding") {
        auto same = [&](std::string_view s) {
          return !s.empty() && s.size() == v.size() && std::equal(s.begin(), s.end(), v.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          });
        };
        matches_coding = matches_coding || same(Field(*ov->value, "display")) || same(Field(*ov->value, "code"));
      }
    }
    if (open) {
      if (matches_coding) {
        Warning("invariant", answer_path,
                "The string value '" + std::string(v) +
                    "' matches an entry in the list of valid Codings, so this is probably an error");
      }
      return;
    }
    if (!any_string) {
      Error("invariant", path, "Option list has no option values of type string");
    } else if (!found) {
      Error("invariant", path, "The string " + std::string(v) + " is not in the set of permitted values");
    }
  }

  // Coding answers: answerOption membership (with exclusive options) or answerValueSet membership.
  void CheckCoding(const json::Value& q_item, const json::Value& coding, bool open, const std::string& answer_path,
                   const std::string& value_path, size_t answer_count) {
    std::string_view system = Field(coding, "system");
    std::string_view code = Field(coding, "code");
    std::span<const json::Value> options = Array(q_item, "answerOption");
    if (!options.empty()) {
      bool any_coding = false;
      for (const json::Value& option : options) {
        const json::Value* oc = option.Find("valueCoding");
        if (oc == nullptr) continue;
        any_coding = true;
        if (Field(*oc, "system") != system || Field(*oc, "code") != code) continue;
        const json::Value* exclusive = FirstExtension(option, kExtOptionExclusive);
        if (exclusive != nullptr && Flag(*exclusive, "valueBoolean") && answer_count > 1) {
          Error("invariant", answer_path,
                "Selected answer " + DescribeCoding(coding) +
                    " is an exclusive option - it cannot be selected together with other answers");
        }
        return;
      }
      if (!any_coding) {
        if (!open) Error("invariant", answer_path, "Option list has no option values of type Coding");
        return;
      }
      Error("invariant", answer_path,
            "The code " + std::string(system) + "::" + std::string(code) + " is not in the set of permitted values");
      return;
    }
    std::string_view value_set = Field(q_item, "answerValueSet");
    if (value_set.empty()) {
      Info("invariant", answer_path, "Cannot validate options because no option or options are provided");
      return;
    }
    if (system.empty()) {
      if (code.empty() && open) return;
      Warning("code-invalid", answer_path,
              "Coding has no system. A code with no system has no defined meaning, and it cannot be validated. "
              "A system should be provided");
      return;
    }
    if (ValueSetContains(value_set, system, code) == false) {
      Error("code-invalid", value_path,
            "The code " + std::string(system) + "#" + std::string(code) + " is not in the answer value set '" +
                std::string(value_set) + "'");
    }
  }

  // Membership through a contained value set ("#id") or the host's hook.
  std::optional<bool> ValueSetContains(std::string_view value_set, std::string_view system, std::string_view code) {
    if (!value_set.empty() && value_set[0] == '#') {
      std::string_view id = value_set.substr(1);
      const json::Value* vs = FindContained(questionnaire_, id, "ValueSet");
      if (vs == nullptr) vs = FindContained(response_, id, "ValueSet");
      return vs != nullptr ? EnumeratedValueSetContains(*vs, system, code) : std::nullopt;
    }
    if (!hooks_.code_in_value_set) return std::nullopt;
    return hooks_.code_in_value_set(value_set, system, code);
  }

  // Quantity answers: min/max quantity, decimal places and allowed units.
  // https://hl7.org/fhir/R4/extension-questionnaire-unitoption.html
  void CheckQuantity(const json::Value& q_item, const json::Value& q, const std::string& path) {
    for (bool is_min : {true, false}) {
      const json::Value* ext = FirstExtension(q_item, is_min ? kExtMinQuantity : kExtMaxQuantity);
      if (ext == nullptr) ext = FirstExtension(q_item, is_min ? kExtMinValue : kExtMaxValue);
      const json::Value* limit = ext != nullptr ? ext->Find("valueQuantity") : nullptr;
      if (limit != nullptr) CheckQuantityLimit(q, *limit, is_min, path);
    }
    CheckDecimalPlaces(q_item, Field(q, "value"), path);
    std::vector<const json::Value*> unit_options = Extensions(q_item, kExtUnitOption);
    if (!unit_options.empty()) {
      bool matched = false;
      std::vector<std::string> allowed;
      for (const json::Value* ext : unit_options) {
        const json::Value* c = ext->Find("valueCoding");
        if (c == nullptr) continue;
        std::string_view oc = Field(*c, "code");
        std::string_view os = Field(*c, "system");
        allowed.push_back(std::string(Field(*c, "display")) + " (" + SystemName(os) + "#" + std::string(oc) + ")");
        bool ok = oc.empty() ? Field(*c, "display") == Field(q, "unit")
                             : oc == Field(q, "code") && (os.empty() || os == Field(q, "system"));
        matched = matched || ok;
      }
      if (!matched) {
        Error("invariant", path,
              "The quantity " + DescribeQuantity(q) + " does not use one of the allowed units (" + Join(allowed, ", ") +
                  ")");
      }
    }
    if (const json::Value* ext = FirstExtension(q_item, kExtUnitValueSet)) {
      std::string_view url = Field(*ext, "valueCanonical");
      if (!url.empty()) {
        std::optional<bool> in = Field(q, "code").empty() ? std::optional<bool>(false)
                                                          : ValueSetContains(url, Field(q, "system"), Field(q, "code"));
        if (in == false) {
          Error("invariant", path,
                "The value " + DescribeQuantity(q) + " has a unit that is not in the unit value set '" +
                    std::string(url) + "'");
        }
      }
    }
  }

  void CheckQuantityLimit(const json::Value& q, const json::Value& limit, bool is_min, const std::string& path) {
    std::string_view bound = is_min ? "minimum" : "maximum";
    std::string prefix = "The quantity " + DescribeQuantity(q);
    std::string limit_text = DescribeQuantity(limit);
    std::string_view qs = Field(q, "system");
    std::string_view qc = Field(q, "code");
    std::string_view ls = Field(limit, "system");
    std::string_view lc = Field(limit, "code");
    if (qs.empty() || qc.empty() || ls.empty() || lc.empty()) {
      Error("invariant", path,
            prefix + " cannot be compared to the allowed " + std::string(bound) + " of " + limit_text +
                " because no formal units are specified");
      return;
    }
    std::optional<int> order;
    if (qs == ls && qc == lc) {
      order = CompareDecimal(Field(q, "value"), Field(limit, "value"));
    } else if (qs == kUcum && ls == kUcum) {
      std::optional<CanonicalQuantity> a = ToCanonicalUcum(Field(q, "value"), qc);
      std::optional<CanonicalQuantity> b = ToCanonicalUcum(Field(limit, "value"), lc);
      if (!a || !b) return;  // units beyond the conversion table: cannot tell
      if (a->dimension != b->dimension) {
        Error("invariant", path,
              prefix + " cannot be compared to the allowed " + std::string(bound) + " of " + limit_text +
                  " because the units are not comparable");
        return;
      }
      long double tolerance = 1e-12L * std::max<long double>(1.0L, b->value < 0 ? -b->value : b->value);
      order = a->value < b->value - tolerance ? -1 : (a->value > b->value + tolerance ? 1 : 0);
    } else {
      Error("invariant", path,
            prefix + " cannot be compared to the allowed " + std::string(bound) + " of " + limit_text +
                " because the units come from different systems");
      return;
    }
    if (!order) return;
    if (is_min && *order < 0) {
      Error("invariant", path, prefix + " is less than the allowed minimum of " + limit_text);
    } else if (!is_min && *order > 0) {
      Error("invariant", path, prefix + " is greater than the allowed maximum of " + limit_text);
    }
  }

  // https://hl7.org/fhir/R4/extension-mimetype.html and https://hl7.org/fhir/R4/extension-maxsize.html
  void CheckAttachment(const json::Value& q_item, const json::Value& attachment, const std::string& path) {
    std::vector<const json::Value*> mime_types = Extensions(q_item, kExtMimeType);
    if (!mime_types.empty()) {
      std::string_view content_type = Field(attachment, "contentType");
      std::vector<std::string> allowed;
      bool ok = false;
      for (const json::Value* ext : mime_types) {
        std::string_view allowed_type = Field(*ext, "valueCode");
        if (allowed_type.empty()) continue;
        allowed.emplace_back(allowed_type);
        ok = ok || content_type.substr(0, allowed_type.size()) == allowed_type;
      }
      if (content_type.empty()) {
        Error("required", path,
              "The attachment has no content type, so it cannot be checked against the allowed types (" +
                  Join(allowed, ", ") + ")");
      } else if (!ok && !allowed.empty()) {
        Error("required", path,
              "The mime type " + std::string(content_type) +
                  " is not valid for this answer (allowed = " + Join(allowed, ", ") + ")");
      }
    }
    if (const json::Value* ext = FirstExtension(q_item, kExtMaxSize)) {
      std::optional<ChoiceValue> limit = FindChoice(*ext, "value");
      if (!limit || !limit->value->IsNumber()) return;
      std::string size;
      if (const json::Value* s = attachment.Find("size"); s != nullptr && s->IsNumber()) {
        size = std::string(s->text());
      } else if (const json::Value* data = attachment.Find("data"); data != nullptr) {
        size = std::to_string(Base64DecodedSize(data->text()));
      }
      if (!size.empty() && CompareDecimal(size, limit->value->text()).value_or(0) > 0) {
        Error(
            "required", path,
            "The attachment is too large (allowed = " + std::string(limit->value->text()) + ", found = " + size + ")");
      }
    }
  }

  // Reference answers: syntax, a known resource type, and questionnaire-referenceResource.
  void CheckReference(const json::Value& q_item, const json::Value& reference, const std::string& path) {
    std::string_view ref = Field(reference, "reference");
    if (ref.empty()) return;
    if (options_.check_reference_syntax && !IsValidReferenceSyntax(ref)) {
      Error("invalid", path, "The reference '" + std::string(ref) + "' is not a valid reference");
    }
    std::string type = ReferenceResourceType(ref);
    std::vector<const json::Value*> restrictions = Extensions(q_item, kExtReferenceResource);
    if (!restrictions.empty()) {
      std::vector<std::string> allowed;
      for (const json::Value* ext : restrictions) {
        if (std::string_view code = Field(*ext, "valueCode"); !code.empty()) allowed.emplace_back(code);
      }
      bool any = std::any_of(allowed.begin(), allowed.end(),
                             [](const std::string& a) { return a == "Resource" || a == "DomainResource"; });
      if (allowed.empty() || any || ref[0] == '#') return;
      if (type.empty()) {
        Error("invariant", path,
              "The resource type of the reference " + std::string(ref) +
                  " cannot be determined, so it cannot be checked against the allowed types (" + Join(allowed, ", ") +
                  ")");
      } else if (std::find(allowed.begin(), allowed.end(), type) == allowed.end()) {
        Error("invariant", path,
              "The resource type " + type + " in the reference " + std::string(ref) +
                  " is not one of the allowed types (" + Join(allowed, ", ") + ")");
      }
      return;
    }
    if (!type.empty() && hooks_.model != nullptr && hooks_.model->FindResource(type) == nullptr) {
      Error("invariant", path, "The resource type " + type + " in the reference " + std::string(ref) + " is not valid");
    }
  }

  void CheckUri(std::string_view uri, const std::string& path) {
    if (!options_.check_uri_forms) return;
    if (uri.substr(0, 9) == "urn:uuid:" && !IsValidUuidUrn(uri)) {
      Error("invalid", path, "UUIDs must be valid and lowercase (" + std::string(uri.substr(9)) + ")");
    } else if (uri.substr(0, 8) == "urn:oid:" && !IsValidOidUrn(uri)) {
      Error("invalid", path, "OIDs must be valid (" + std::string(uri.substr(8)) + ")");
    }
  }

  // Whether `q_item` is enabled in the current context: true/false, or nullopt when it depends on
  // an expression this library does not evaluate.
  // https://hl7.org/fhir/R4/questionnaire-definitions.html#Questionnaire.item.enableWhen
  std::optional<bool> IsEnabled(const json::Value& q_item) {
    if (FirstExtension(q_item, kExtEnableWhenExpression) != nullptr) return std::nullopt;
    std::span<const json::Value> conditions = Array(q_item, "enableWhen");
    if (conditions.empty()) return true;
    bool any = Field(q_item, "enableBehavior") == "any";
    for (const json::Value& condition : conditions) {
      bool met = ConditionMet(condition);
      if (any && met) return true;
      if (!any && !met) return false;
    }
    return !any;
  }

  bool ConditionMet(const json::Value& condition) {
    std::string_view op = Field(condition, "operator");
    std::vector<ChoiceValue> answers = AnswersTo(Field(condition, "question"));
    std::optional<ChoiceValue> expected = FindChoice(condition, "answer");
    if (op == "exists") {
      bool want = expected && expected->type == "boolean" && expected->value->AsBool();
      return !answers.empty() == want;
    }
    if (answers.empty() || !expected) return false;
    bool ordered = false;
    if (op == "!=") {
      return std::none_of(answers.begin(), answers.end(),
                          [&](const ChoiceValue& a) { return CompareAnswerValues(a, *expected, ordered) == 0; });
    }
    for (const ChoiceValue& a : answers) {
      std::optional<int> c = CompareAnswerValues(a, *expected, ordered);
      if (!c) continue;
      if (op == "=" && *c == 0) return true;
      if (!ordered) continue;
      if ((op == ">" && *c > 0) || (op == "<" && *c < 0) || (op == ">=" && *c >= 0) || (op == "<=" && *c <= 0)) {
        return true;
      }
    }
    return false;
  }

  // The answer values given to `link_id`, searched from the innermost enclosing response node
  // outwards, so that a repeated group sees its own instance's answers first.
  std::vector<ChoiceValue> AnswersTo(std::string_view link_id) {
    std::vector<ChoiceValue> out;
    for (auto level = containers_.rbegin(); level != containers_.rend(); ++level) {
      std::vector<const json::Value*> items;
      CollectResponseItems(**level, link_id, items);
      if (items.empty()) continue;
      for (const json::Value* item : items) {
        for (const json::Value& answer : Array(*item, "answer")) {
          if (std::optional<ChoiceValue> v = FindChoice(answer, "value")) out.push_back(std::move(*v));
        }
      }
      break;
    }
    return out;
  }

  const json::Value& response_;
  const json::Value& questionnaire_;
  const Hooks& hooks_;
  const Options& options_;
  IssueSink& sink_;
  bool not_completed_ = false;
  std::vector<const json::Value*> containers_;
  std::map<std::string, std::optional<fhir::fhirpath::Regex>> regexes_;
};

}  // namespace

const json::Value* FindQuestionnaire(const json::Value& response, const Hooks& hooks, std::string_view base_path,
                                     IssueSink& sink) {
  std::string base(base_path);
  std::string_view ref = Field(response, "questionnaire");
  if (ref.empty()) {
    sink.Information(
        "required", base,
        "No questionnaire is identified, so no validation can be performed against the base questionnaire");
    return nullptr;
  }
  const json::Value* found = nullptr;
  if (ref[0] == '#') {
    found = FindContained(response, ref.substr(1), "Questionnaire");
  } else if (hooks.resolve_canonical) {
    found = hooks.resolve_canonical(ref);
    size_t bar = ref.find('|');
    if (found == nullptr && bar != std::string_view::npos) {
      const json::Value* unversioned = hooks.resolve_canonical(ref.substr(0, bar));
      std::string_view version = unversioned != nullptr ? Field(*unversioned, "version") : std::string_view();
      if (unversioned != nullptr && (version.empty() || version == ref.substr(bar + 1))) found = unversioned;
    }
    if (found != nullptr && Field(*found, "resourceType") != "Questionnaire") found = nullptr;
  }
  if (found != nullptr) return found;
  std::string text = "The questionnaire '" + std::string(ref) +
                     "' could not be resolved, so no validation can be performed against the base questionnaire";
  if (ref.substr(0, 18) == "http://example.org" || ref.substr(0, 19) == "https://example.org") {
    sink.Information("required", base, std::move(text));
  } else {
    sink.Warning("required", base, std::move(text));
  }
  return nullptr;
}

void ValidateResponse(const json::Value& response, const json::Value& questionnaire, const Hooks& hooks,
                      std::string_view base_path, IssueSink& sink, const Options& options) {
  ResponseValidator(response, questionnaire, hooks, options, sink).Run(std::string(base_path));
}

void ValidateResponse(const json::Value& response, const Hooks& hooks, std::string_view base_path, IssueSink& sink,
                      const Options& options) {
  if (const json::Value* questionnaire = FindQuestionnaire(response, hooks, base_path, sink)) {
    ValidateResponse(response, *questionnaire, hooks, base_path, sink, options);
  }
}

}  // namespace workwell::validation::questionnaire
