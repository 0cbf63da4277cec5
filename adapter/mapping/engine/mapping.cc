#include "adapter/mapping/engine/mapping.h"

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "adapter/common/json/json.h"
#include "adapter/mapping/sources/csv.h"
#include "adapter/mapping/sources/hl7v2.h"
#include "adapter/mapping/sources/json_record.h"

namespace workwell::mapping {
namespace {

namespace fs = std::filesystem;
using common::Result;
using common::Status;

bool ReadWholeFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

int LineAt(std::string_view text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

// The line on which each JSON value starts, in document (pre-order) order. Keys are not values.
std::vector<int> ValueLines(std::string_view text) {
  std::vector<int> lines;
  int line = 1;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) {
      line += text[i] == '\n' ? 1 : 0;
      ++i;
    }
  };
  while (i < text.size()) {
    skip_ws();
    if (i >= text.size()) break;
    const char c = text[i];
    if (c == '{' || c == '[') {
      lines.push_back(line);
      ++i;
    } else if (c == '}' || c == ']' || c == ',' || c == ':') {
      ++i;
    } else if (c == '"') {
      const int start_line = line;
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\') ++i;
        ++i;
      }
      ++i;
      size_t save = i;
      int save_line = line;
      skip_ws();
      const bool is_key = i < text.size() && text[i] == ':';
      i = save;
      line = save_line;
      if (!is_key) lines.push_back(start_line);
    } else {
      lines.push_back(line);
      while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' && text[i] != ' ' &&
             text[i] != '\n' && text[i] != '\r' && text[i] != '\t') {
        ++i;
      }
    }
  }
  return lines;
}

void AssignLines(const json::Value& v, const std::vector<int>& lines, size_t& next,
                 std::unordered_map<const json::Value*, int>& out) {
  out[&v] = next < lines.size() ? lines[next] : 0;
  ++next;
  for (const json::Member& m : v.members()) AssignLines(m.value, lines, next, out);
  for (const json::Value& item : v.items()) AssignLines(item, lines, next, out);
}

// Segments a REF^I12 message may hold (docs/INPUT-CONTRACT.md), plus Z-segments.
bool KnownHl7Segment(std::string_view name) {
  static const std::set<std::string, std::less<>> kSegments = {
      "MSH", "SFT", "UAC", "RF1", "AUT", "CTD", "PRD", "PID", "NK1", "GT1", "IN1", "IN2",
      "IN3", "ACC", "DG1", "DRG", "AL1", "PR1", "OBR", "NTE", "OBX", "PV1", "PV2"};
  return kSegments.count(name) > 0 || (!name.empty() && name[0] == 'Z');
}

// JSON Schema documents used to check JSON pointers, loaded on demand.
class SchemaSet {
 public:
  explicit SchemaSet(std::string dir) : dir_(std::move(dir)) {}

  const json::Value* Load(const std::string& file) {
    auto it = docs_.find(file);
    if (it != docs_.end()) return &it->second->root();
    std::string text;
    if (!ReadWholeFile((fs::path(dir_) / file).string(), text)) return nullptr;
    auto doc = std::make_unique<json::Document>();
    json::ParseError err;
    if (!json::Parse(text, json::Limits{}, *doc, err)) return nullptr;
    const json::Value* root = &doc->root();
    docs_[file] = std::move(doc);
    return root;
  }

  // True when some instance valid against `schema` (in `file`) can hold `tokens[i..]`.
  bool Has(const std::string& file, const json::Value* schema, const std::vector<std::string>& tokens, size_t i,
           int depth = 0) {
    if (schema == nullptr || depth > 40) return false;
    if (const json::Value* ref = schema->Find("$ref"); ref != nullptr && ref->IsString()) {
      std::string_view r = ref->text();
      const size_t hash = r.find('#');
      const std::string target_file = hash == 0 ? file : std::string(r.substr(0, hash));
      const json::Value* node = Load(target_file);
      if (hash != std::string_view::npos) {
        std::vector<std::string> parts;
        if (!SplitPointer(r.substr(hash + 1), parts)) return false;
        for (const std::string& p : parts) node = node != nullptr ? node->Find(p) : nullptr;
      }
      return Has(target_file, node, tokens, i, depth + 1);
    }
    if (i == tokens.size()) return true;
    for (const char* combo : {"allOf", "anyOf", "oneOf"}) {
      if (const json::Value* list = schema->Find(combo)) {
        for (const json::Value& s : list->items()) {
          if (Has(file, &s, tokens, i, depth + 1)) return true;
        }
      }
    }
    if (const json::Value* props = schema->Find("properties")) {
      if (const json::Value* p = props->Find(tokens[i])) {
        if (Has(file, p, tokens, i + 1, depth + 1)) return true;
      }
    }
    if (const json::Value* items = schema->Find("items")) {
      const std::string& t = tokens[i];
      const bool numeric = !t.empty() && t.find_first_not_of("0123456789") == std::string::npos;
      if (numeric && Has(file, items, tokens, i + 1, depth + 1)) return true;
    }
    return false;
  }

 private:
  std::string dir_;
  std::map<std::string, std::unique_ptr<json::Document>, std::less<>> docs_;
};

// Replaces every {var} in `path` by the value the format numbers its first repeat with.
std::string SampleSubstitute(std::string_view path, SourceFormat format) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      const size_t close = path.find('}', i);
      if (close != std::string_view::npos) {
        out += format == SourceFormat::kHl7v2 ? "1" : "0";
        i = close;
        continue;
      }
    }
    out.push_back(path[i]);
  }
  return out;
}

std::vector<std::string> VarsIn(std::string_view path) {
  std::vector<std::string> vars;
  size_t i = 0;
  while ((i = path.find('{', i)) != std::string_view::npos) {
    const size_t close = path.find('}', i);
    if (close == std::string_view::npos) break;
    vars.emplace_back(path.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  return vars;
}

class Loader {
 public:
  Loader(const MappingContext& context, std::string display) : ctx_(context), display_(std::move(display)) {}

  Result<std::shared_ptr<const Mapping>> Load(const std::string& path) {
    std::string text;
    if (!ReadWholeFile(path, text)) return common::NotFound(display_ + ": cannot read the mapping file");
    json::Document doc;
    json::ParseError err;
    if (!json::Parse(text, json::Limits{}, doc, err)) {
      return common::InvalidArgument(display_ + ":" + std::to_string(LineAt(text, err.offset)) +
                                     ": JSON syntax error: " + err.message);
    }
    const std::vector<int> value_lines = ValueLines(text);
    size_t next = 0;
    AssignLines(doc.root(), value_lines, next, lines_);
    auto mapping = std::make_shared<Mapping>();
    m_ = mapping.get();
    m_->file = display_;
    ReadTop(doc.root());
    if (!errors_.empty()) {
      std::string message;
      for (const std::string& e : errors_) message += (message.empty() ? "" : "\n") + e;
      return common::InvalidArgument(message);
    }
    return std::shared_ptr<const Mapping>(mapping);
  }

 private:
  int Line(const json::Value& v) const {
    auto it = lines_.find(&v);
    return it == lines_.end() ? 0 : it->second;
  }
  void Error(const json::Value& at, const std::string& message) { Error(Line(at), message); }
  void Error(int line, const std::string& message) { errors_.push_back(display_ + ":" + std::to_string(line) + ": " + message); }

  bool CheckKeys(const json::Value& obj, const std::set<std::string, std::less<>>& allowed, std::string_view what) {
    if (!obj.IsObject()) {
      Error(obj, std::string(what) + " must be a JSON object");
      return false;
    }
    std::set<std::string_view> seen;
    for (const json::Member& m : obj.members()) {
      if (allowed.count(m.key) == 0) Error(m.value, "unknown key '" + std::string(m.key) + "' in " + std::string(what));
      if (!seen.insert(m.key).second) Error(m.value, "duplicate key '" + std::string(m.key) + "' in " + std::string(what));
    }
    return true;
  }

  std::string String(const json::Value& obj, std::string_view key, bool required, std::string_view what) {
    const json::Value* v = obj.Find(key);
    if (v == nullptr) {
      if (required) Error(obj, std::string(what) + " needs '" + std::string(key) + "'");
      return {};
    }
    if (!v->IsString() || v->text().empty()) {
      Error(*v, "'" + std::string(key) + "' must be a non-empty string");
      return {};
    }
    return std::string(v->text());
  }

  void ReadTop(const json::Value& root) {
    if (!CheckKeys(root, {"mapping", "version", "description", "format", "identity", "schema", "examples", "case", "resources"},
                   "the mapping")) {
      return;
    }
    m_->name = String(root, "mapping", true, "the mapping");
    m_->version = String(root, "version", true, "the mapping");
    m_->description = String(root, "description", false, "the mapping");
    const std::string format = String(root, "format", true, "the mapping");
    if (format == "json") {
      m_->format = SourceFormat::kJson;
    } else if (format == "hl7v2") {
      m_->format = SourceFormat::kHl7v2;
    } else if (format == "csv") {
      m_->format = SourceFormat::kCsv;
    } else if (!format.empty()) {
      Error(*root.Find("format"), "format must be json, hl7v2 or csv, not '" + format + "'");
    }
    if (const json::Value* ex = root.Find("examples")) {
      if (!ex->IsArray()) Error(*ex, "'examples' must be an array of file names");
      for (const json::Value& e : ex->items()) {
        if (!e.IsString()) {
          Error(e, "an example must be a file name");
          continue;
        }
        if (!fs::is_regular_file(fs::path(ctx_.root_dir) / e.text())) {
          Error(e, "example file '" + std::string(e.text()) + "' does not exist");
        }
        m_->examples.emplace_back(e.text());
      }
    }
    if (const json::Value* schema = root.Find("schema")) {
      if (m_->format != SourceFormat::kJson || !schema->IsString()) {
        Error(*schema, "'schema' names the JSON Schema of a json format");
      } else {
        const fs::path p = fs::path(ctx_.root_dir) / schema->text();
        schemas_ = std::make_unique<SchemaSet>(p.parent_path().string());
        schema_file_ = p.filename().string();
        schema_root_ = schemas_->Load(schema_file_);
        if (schema_root_ == nullptr) Error(*schema, "cannot read the JSON Schema '" + std::string(schema->text()) + "'");
      }
    }
    if (m_->format == SourceFormat::kCsv && !m_->examples.empty()) {
      std::string text;
      if (ReadWholeFile((fs::path(ctx_.root_dir) / m_->examples.front()).string(), text)) {
        CsvReader reader(text);
        reader.Next();
        csv_columns_ = std::set<std::string, std::less<>>(reader.header().begin(), reader.header().end());
      }
    }
    if (const json::Value* id = root.Find("identity")) {
      if (CheckKeys(*id, {"system", "record", "systemConstant"}, "identity")) {
        m_->identity_record = String(*id, "record", true, "identity");
        m_->identity_system = String(*id, "system", false, "identity");
        m_->source_system_constant = String(*id, "systemConstant", false, "identity");
        if (m_->identity_system.empty() == m_->source_system_constant.empty()) {
          Error(*id, "identity needs exactly one of 'system' (a source path) and 'systemConstant'");
        }
        if (!m_->identity_record.empty()) CheckSource(m_->identity_record, Line(*id), {});
        if (!m_->identity_system.empty()) CheckSource(m_->identity_system, Line(*id), {});
      }
    } else {
      Error(root, "the mapping needs 'identity' (the source paths of the system and record id)");
    }
    if (const json::Value* facts = root.Find("case")) ReadCaseFacts(*facts);
    const json::Value* resources = root.Find("resources");
    if (resources == nullptr || !resources->IsArray() || resources->size() == 0) {
      Error(resources != nullptr ? *resources : root, "the mapping needs a non-empty 'resources' array");
      return;
    }
    // Names first, so rules may refer to resources declared later.
    for (const json::Value& r : resources->items()) {
      if (!r.IsObject()) continue;
      const std::string name = String(r, "name", false, "a resource");
      if (!name.empty() && !names_.insert(name).second) Error(r, "duplicate resource name '" + name + "'");
    }
    for (const json::Value& r : resources->items()) ReadResource(r);
  }

  void ReadCaseFacts(const json::Value& facts) {
    if (!facts.IsObject()) {
      Error(facts, "'case' maps routing fact names to source rules");
      return;
    }
    for (const json::Member& m : facts.members()) {
      const auto known = std::find(std::begin(kCaseFactNames), std::end(kCaseFactNames), m.key);
      if (known == std::end(kCaseFactNames)) {
        Error(m.value, "unknown case fact '" + std::string(m.key) +
                           "' (absenceStart, absenceDays, employment, conditionCategory, requestedTier, gpReferral)");
        continue;
      }
      if (!CheckKeys(m.value, {"source", "transform", "table", "comment"}, "a case fact")) continue;
      CaseFact fact;
      fact.name = std::string(m.key);
      fact.rule.line = Line(m.value);
      fact.rule.value_kind = Rule::ValueKind::kSource;
      fact.rule.source = String(m.value, "source", true, "a case fact");
      if (fact.rule.source.empty()) continue;
      CheckSource(fact.rule.source, fact.rule.line, {});
      if (const json::Value* t = m.value.Find("transform")) ReadTransforms(*t, fact.rule);
      if (const json::Value* table = m.value.Find("table")) {
        ReadTable(*table, fact.rule);
        for (const auto& [from, to] : fact.rule.table) {
          if (!IsValidCaseFactValue(fact.name, to)) {
            Error(*table, "case fact '" + fact.name + "': '" + to + "' is not one of its values");
          }
        }
      }
      m_->case_facts.push_back(std::move(fact));
    }
  }

  void ReadResource(const json::Value& r) {
    if (!CheckKeys(r, {"name", "type", "profile", "when", "foreach", "rules", "comment"}, "a resource")) return;
    ResourceSpec spec;
    spec.line = Line(r);
    spec.name = String(r, "name", true, "a resource");
    spec.type = String(r, "type", true, "a resource");
    spec.profile = String(r, "profile", true, "a resource");
    const fhir::TypeInfo* type = ctx_.model->FindResource(spec.type);
    if (type == nullptr && !spec.type.empty()) {
      Error(*r.Find("type"), "'" + spec.type + "' is not an R4 resource type");
      return;
    }
    std::vector<std::string> vars;
    if (const json::Value* f = r.Find("foreach")) spec.foreach = ReadForEach(*f, vars);
    if (spec.foreach) vars.push_back(spec.foreach->var);
    if (const json::Value* w = r.Find("when")) spec.when = ReadWhen(*w, vars);
    if (const json::Value* rules = r.Find("rules")) {
      if (!rules->IsArray()) {
        Error(*rules, "'rules' must be an array");
      } else {
        for (const json::Value& rule : rules->items()) {
          if (auto compiled = ReadRule(rule, type, spec.type, vars)) spec.rules.push_back(std::move(*compiled));
        }
      }
    }
    m_->resources.push_back(std::move(spec));
  }

  std::optional<ForEach> ReadForEach(const json::Value& f, const std::vector<std::string>& vars) {
    if (!CheckKeys(f, {"var", "count", "split", "separator", "resources"}, "foreach")) return std::nullopt;
    ForEach fe;
    fe.var = String(f, "var", true, "foreach");
    const int kinds = (f.Find("count") != nullptr) + (f.Find("split") != nullptr) + (f.Find("resources") != nullptr);
    if (kinds != 1) {
      Error(f, "foreach needs exactly one of 'count', 'split' and 'resources'");
      return std::nullopt;
    }
    for (const std::string& v : vars) {
      if (v == fe.var) Error(f, "foreach variable '" + fe.var + "' hides an outer one");
    }
    if (f.Find("count") != nullptr) {
      fe.kind = ForEach::Kind::kCount;
      fe.over = String(f, "count", true, "foreach");
      CheckSource(fe.over, Line(f), vars);
    } else if (const json::Value* split = f.Find("split")) {
      fe.kind = ForEach::Kind::kSplit;
      if (!split->IsArray() || split->size() == 0) Error(*split, "'split' lists the source fields to split");
      for (const json::Value& s : split->items()) {
        if (!s.IsString()) continue;
        fe.split.emplace_back(s.text());
        CheckSource(fe.split.back(), Line(s), vars);
      }
      const std::string sep = String(f, "separator", false, "foreach");
      if (!sep.empty()) {
        if (sep.size() != 1) Error(*f.Find("separator"), "the separator is one character");
        fe.separator = sep[0];
      }
    } else {
      fe.kind = ForEach::Kind::kResources;
      fe.over = String(f, "resources", true, "foreach");
      if (names_.count(fe.over) == 0) Error(*f.Find("resources"), "no resource is named '" + fe.over + "'");
    }
    return fe;
  }

  std::vector<Condition> ReadWhen(const json::Value& w, const std::vector<std::string>& vars) {
    std::vector<Condition> out;
    if (w.IsArray()) {
      for (const json::Value& item : w.items()) {
        auto more = ReadWhen(item, vars);
        out.insert(out.end(), more.begin(), more.end());
      }
      return out;
    }
    if (!CheckKeys(w, {"source", "present", "absent", "equals", "oneOf"}, "a condition")) return out;
    Condition c;
    c.line = Line(w);
    c.source = String(w, "source", true, "a condition");
    CheckSource(c.source, c.line, vars);
    const int kinds = (w.Find("present") != nullptr) + (w.Find("absent") != nullptr) + (w.Find("equals") != nullptr) +
                      (w.Find("oneOf") != nullptr);
    if (kinds != 1) {
      Error(w, "a condition needs exactly one of 'present', 'absent', 'equals' and 'oneOf'");
      return out;
    }
    if (const json::Value* p = w.Find("present")) {
      if (!p->IsBool()) Error(*p, "'present' is true or false");
      c.kind = p->AsBool() ? Condition::Kind::kPresent : Condition::Kind::kAbsent;
    } else if (const json::Value* a = w.Find("absent")) {
      if (!a->IsBool()) Error(*a, "'absent' is true or false");
      c.kind = a->AsBool() ? Condition::Kind::kAbsent : Condition::Kind::kPresent;
    } else if (const json::Value* e = w.Find("equals")) {
      c.kind = Condition::Kind::kEquals;
      if (e->IsBool()) {
        c.boolean = true;
        c.values.emplace_back(e->AsBool() ? "true" : "false");
      } else if (e->IsString() || e->IsNumber()) {
        c.values.emplace_back(e->text());
      } else {
        Error(*e, "'equals' is a string, number or boolean");
      }
    } else {
      const json::Value* o = w.Find("oneOf");
      c.kind = Condition::Kind::kOneOf;
      if (!o->IsArray() || o->size() == 0) Error(*o, "'oneOf' is a non-empty array of strings");
      for (const json::Value& v : o->items()) c.values.emplace_back(v.text());
    }
    out.push_back(std::move(c));
    return out;
  }

  // Parses "a.b[+].c[0].d[{i}]" into segments.
  bool ParseTarget(const std::string& text, int line, std::vector<TargetSegment>& out, std::vector<std::string>& vars_used) {
    size_t i = 0;
    while (i < text.size()) {
      TargetSegment seg;
      size_t end = i;
      while (end < text.size() && text[end] != '.' && text[end] != '[') ++end;
      seg.name = text.substr(i, end - i);
      if (seg.name.empty()) {
        Error(line, "malformed target path '" + text + "'");
        return false;
      }
      i = end;
      if (i < text.size() && text[i] == '[') {
        const size_t close = text.find(']', i);
        if (close == std::string::npos) {
          Error(line, "malformed target path '" + text + "'");
          return false;
        }
        const std::string idx = text.substr(i + 1, close - i - 1);
        if (idx == "+") {
          seg.index = TargetSegment::Index::kAppend;
        } else if (idx == "=") {
          seg.index = TargetSegment::Index::kLast;
        } else if (idx.size() > 2 && idx.front() == '{' && idx.back() == '}') {
          seg.index = TargetSegment::Index::kFixed;
          seg.var = idx.substr(1, idx.size() - 2);
          vars_used.push_back(seg.var);
        } else if (!idx.empty() && idx.size() <= 4 && idx.find_first_not_of("0123456789") == std::string::npos) {
          seg.index = TargetSegment::Index::kFixed;
          seg.fixed = std::stoi(idx);  // at most 4 digits: cannot overflow
        } else if (!idx.empty() && idx.find_first_not_of("0123456789") == std::string::npos) {
          Error(line, "index '[" + idx + "]' in target path '" + text + "' is too large (at most 9999)");
          return false;
        } else {
          Error(line, "bad index '[" + idx + "]' in target path '" + text + "' (use a number, +, = or {var})");
          return false;
        }
        i = close + 1;
      }
      if (i < text.size()) {
        if (text[i] != '.') {
          Error(line, "malformed target path '" + text + "'");
          return false;
        }
        ++i;
      }
      out.push_back(std::move(seg));
    }
    return !out.empty();
  }

  std::optional<Rule> ReadRule(const json::Value& r, const fhir::TypeInfo* context, const std::string& context_path,
                               std::vector<std::string> vars) {
    if (!CheckKeys(r, {"target", "source", "const", "ref", "transform", "conceptMap", "conceptMapSource", "table",
                       "when", "foreach", "required", "rules", "comment"},
                   "a rule")) {
      return std::nullopt;
    }
    Rule rule;
    rule.line = Line(r);
    rule.target_text = String(r, "target", true, "a rule");
    if (const json::Value* f = r.Find("foreach")) {
      rule.foreach = ReadForEach(*f, vars);
      if (rule.foreach) vars.push_back(rule.foreach->var);
    }
    if (const json::Value* w = r.Find("when")) rule.when = ReadWhen(*w, vars);
    std::vector<std::string> target_vars;
    if (rule.target_text.empty() || !ParseTarget(rule.target_text, rule.line, rule.target, target_vars)) return std::nullopt;
    for (const std::string& v : target_vars) {
      if (std::find(vars.begin(), vars.end(), v) == vars.end()) Error(rule.line, "unknown variable {" + v + "} in target");
    }
    // Resolve the target against the model.
    const fhir::TypeInfo* type = context;
    std::string where = context_path;
    for (TargetSegment& seg : rule.target) {
      const std::string name = seg.name;
      const fhir::JsonBinding* b = type != nullptr ? type->FindJson(name) : nullptr;
      if (b == nullptr) {
        Error(rule.line, "unknown FHIR element '" + where + "." + name + "' (target '" + rule.target_text + "')");
        return std::nullopt;
      }
      seg.is_array = b->element->is_array;
      if (seg.is_array && seg.index == TargetSegment::Index::kNone) {
        Error(rule.line, "'" + where + "." + name + "' repeats: give an index ([0], [+], [=] or [{var}])");
      } else if (!seg.is_array && seg.index != TargetSegment::Index::kNone) {
        Error(rule.line, "'" + where + "." + name + "' does not repeat: remove the index");
      }
      where += "." + name;
      type = b->type;
    }
    if (type == nullptr) return std::nullopt;
    rule.leaf_type = type->name;
    rule.primitive = type->primitive;
    const int kinds = (r.Find("source") != nullptr) + (r.Find("const") != nullptr) + (r.Find("ref") != nullptr) +
                      (r.Find("rules") != nullptr);
    if (kinds != 1) {
      Error(r, "a rule needs exactly one of 'source', 'const', 'ref' and 'rules'");
      return std::nullopt;
    }
    if (const json::Value* req = r.Find("required")) {
      if (!req->IsBool()) Error(*req, "'required' is true or false");
      rule.required = req->AsBool();
    }
    if (const json::Value* rules = r.Find("rules")) {
      rule.value_kind = Rule::ValueKind::kGroup;
      if (type->IsPrimitive()) Error(rule.line, "a group's target '" + where + "' must be a complex element");
      if (!rules->IsArray()) {
        Error(*rules, "'rules' must be an array");
        return std::nullopt;
      }
      for (const json::Value& child : rules->items()) {
        if (auto c = ReadRule(child, type, where, vars)) rule.rules.push_back(std::move(*c));
      }
      return rule;
    }
    if (const json::Value* ref = r.Find("ref")) {
      rule.value_kind = Rule::ValueKind::kRef;
      std::string text(ref->text());
      if (const size_t open = text.find('['); open != std::string::npos && text.back() == ']') {
        std::string idx = text.substr(open + 1, text.size() - open - 2);
        text = text.substr(0, open);
        if (idx.size() > 2 && idx.front() == '{' && idx.back() == '}') {
          const std::string var = idx.substr(1, idx.size() - 2);
          if (std::find(vars.begin(), vars.end(), var) == vars.end()) Error(*ref, "unknown variable {" + var + "} in ref");
        } else if (idx.empty() || idx.size() > 4 || idx.find_first_not_of("0123456789") != std::string::npos) {
          Error(*ref, "bad index '[" + idx + "]' in ref (use a number up to 9999 or {var})");
        }
        rule.ref_index = idx;
      }
      rule.ref = text;
      if (names_.count(rule.ref) == 0) Error(*ref, "no resource is named '" + rule.ref + "'");
      if (rule.leaf_type != "Reference" && rule.leaf_type != "string" && rule.leaf_type != "uri") {
        Error(rule.line, "a ref targets a Reference (or its reference string), not " + rule.leaf_type);
      }
      rule.shape = fhir::JsonShape::kString;
      return rule;
    }
    if (!type->primitive && rule.leaf_type != "Coding") {
      Error(rule.line, "target '" + where + "' is a " + rule.leaf_type + ": map into its elements");
      return std::nullopt;
    }
    rule.shape = type->primitive ? fhir::JsonShapeOf(*type->primitive) : fhir::JsonShape::kString;
    if (const json::Value* c = r.Find("const")) {
      rule.value_kind = Rule::ValueKind::kConst;
      if (c->IsBool()) {
        rule.constant = c->AsBool() ? "true" : "false";
      } else if (c->IsString() || c->IsNumber()) {
        rule.constant = std::string(c->text());
      } else {
        Error(*c, "'const' is a string, number or boolean");
      }
      if (type->primitive) {
        std::string why;
        if (!fhir::CheckLexical(*type->primitive, rule.constant, &why)) {
          Error(*c, "constant '" + rule.constant + "' is not a valid " + rule.leaf_type + ": " + why);
        }
      }
      return rule;
    }
    rule.value_kind = Rule::ValueKind::kSource;
    rule.source = String(r, "source", true, "a rule");
    CheckSource(rule.source, rule.line, vars);
    if (const json::Value* t = r.Find("transform")) ReadTransforms(*t, rule);
    if (const json::Value* cm = r.Find("conceptMap")) {
      const std::string url(cm->text());
      rule.concept_map = ctx_.concept_maps != nullptr ? ctx_.concept_maps->Find(url) : nullptr;
      if (rule.concept_map == nullptr) Error(*cm, "unknown ConceptMap '" + url + "'");
      rule.concept_map_system = String(r, "conceptMapSource", false, "a rule");
      if (rule.concept_map != nullptr && !rule.concept_map->HasSource(rule.concept_map_system)) {
        Error(*cm, "ConceptMap '" + url + "' has no group with source '" + rule.concept_map_system + "'");
      }
    }
    if (rule.leaf_type == "Coding" && rule.concept_map == nullptr) {
      Error(rule.line, "only a conceptMap rule may target a whole Coding");
    }
    if (const json::Value* table = r.Find("table")) ReadTable(*table, rule);
    return rule;
  }

  void ReadTable(const json::Value& table, Rule& rule) {
    if (!table.IsObject()) Error(table, "'table' maps source values to target values");
    for (const json::Member& m : table.members()) {
      if (!m.value.IsString() && !m.value.IsBool() && !m.value.IsNumber()) {
        Error(m.value, "table values are strings, numbers or booleans");
        continue;
      }
      rule.table[std::string(m.key)] = m.value.IsBool() ? (m.value.AsBool() ? "true" : "false") : std::string(m.value.text());
    }
  }

  void ReadTransforms(const json::Value& t, Rule& rule) {
    static const std::map<std::string, Transform, std::less<>> kNames = {
        {"trim", Transform::kTrim},
        {"collapse-spaces", Transform::kCollapse},
        {"upper", Transform::kUpper},
        {"lower", Transform::kLower},
        {"date", Transform::kDate},
        {"datetime", Transform::kDateTime},
        {"nhs-number", Transform::kNhsNumber},
        {"ods-code", Transform::kOdsCode},
        {"postcode", Transform::kPostcode},
        {"boolean", Transform::kBoolean},
        {"identifier-system", Transform::kIdentifierSystem},
        {"words", Transform::kWords},
    };
    auto add = [&](const json::Value& v) {
      auto it = kNames.find(v.text());
      if (!v.IsString() || it == kNames.end()) {
        Error(v, "unknown transform '" + std::string(v.text()) + "'");
        return;
      }
      rule.transforms.push_back(it->second);
    };
    if (t.IsArray()) {
      for (const json::Value& v : t.items()) add(v);
    } else {
      add(t);
    }
  }

  void CheckSource(const std::string& path, int line, const std::vector<std::string>& vars) {
    for (const std::string& v : VarsIn(path)) {
      if (std::find(vars.begin(), vars.end(), v) == vars.end()) {
        Error(line, "unknown variable {" + v + "} in source path '" + path + "'");
      }
    }
    const std::string sample = SampleSubstitute(path, m_->format);
    switch (m_->format) {
      case SourceFormat::kJson: {
        std::vector<std::string> tokens;
        if (sample.empty() || !SplitPointer(sample, tokens)) {
          Error(line, "'" + path + "' is not a JSON pointer");
        } else if (schema_root_ != nullptr && !schemas_->Has(schema_file_, schema_root_, tokens, 0)) {
          Error(line, "unknown source path '" + path + "': the JSON Schema allows nothing there");
        }
        break;
      }
      case SourceFormat::kHl7v2: {
        auto p = Hl7Path::Parse(sample);
        if (!p) {
          Error(line, "'" + path + "' is not an HL7 v2 path (SEG[n]-F[r].C.S)");
        } else if (!KnownHl7Segment(p->segment)) {
          Error(line, "unknown source path '" + path + "': REF^I12 has no segment " + p->segment);
        }
        break;
      }
      case SourceFormat::kCsv:
        if (!csv_columns_.empty() && csv_columns_.count(path) == 0) {
          Error(line, "unknown source path '" + path + "': the CSV extract has no such column");
        }
        break;
    }
  }

  const MappingContext& ctx_;
  std::string display_;
  Mapping* m_ = nullptr;
  std::unordered_map<const json::Value*, int> lines_;
  std::vector<std::string> errors_;
  std::set<std::string, std::less<>> names_;
  std::unique_ptr<SchemaSet> schemas_;
  std::string schema_file_;
  const json::Value* schema_root_ = nullptr;
  std::set<std::string, std::less<>> csv_columns_;
};

}  // namespace

bool IsValidCaseFactValue(std::string_view name, std::string_view value) {
  auto one_of = [&](std::initializer_list<std::string_view> values) {
    return std::find(values.begin(), values.end(), value) != values.end();
  };
  auto digits = [](std::string_view v) {
    return std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (name == "absenceStart") {
    return value.size() == 10 && value[4] == '-' && value[7] == '-' && digits(value.substr(0, 4)) &&
           digits(value.substr(5, 2)) && digits(value.substr(8, 2));
  }
  if (name == "absenceDays") return !value.empty() && value.size() <= 5 && digits(value);
  if (name == "employment") return one_of({"employed", "self-employed", "unemployed", "unknown"});
  if (name == "conditionCategory") return one_of({"mental-health", "musculoskeletal", "cardiorespiratory", "other"});
  if (name == "requestedTier") {
    return one_of({"self-help", "non-clinical-coach", "clinical-msk", "clinical-mental-health", "clinical-occupational"});
  }
  if (name == "gpReferral") return one_of({"true", "false"});
  return false;
}

const ResourceSpec* Mapping::FindResource(std::string_view name) const {
  for (const ResourceSpec& r : resources) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Result<std::shared_ptr<const Mapping>> LoadMapping(const std::string& path, const std::string& display_path,
                                                   const MappingContext& context) {
  Loader loader(context, display_path);
  return loader.Load(path);
}

}  // namespace workwell::mapping
