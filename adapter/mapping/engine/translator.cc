#include "adapter/mapping/engine/translator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory_resource>
#include <new>
#include <sstream>
#include <thread>
#include <unordered_set>

#include "adapter/common/json/json.h"
#include "adapter/fhir/json_format.h"
#include "adapter/mapping/engine/hashing.h"
#include "adapter/mapping/engine/owned_csv_record.h"
#include "adapter/mapping/engine/transforms.h"
#include "adapter/mapping/sources/csv.h"
#include "adapter/mapping/sources/hl7v2.h"
#include "adapter/mapping/sources/json_record.h"
#include "adapter/mapping/sources/ref_i12.h"

namespace workwell::mapping {
namespace {

namespace fs = std::filesystem;
using fhir::Issue;
using fhir::Severity;

constexpr char kProvenanceProfile[] = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Provenance";
constexpr char kBase[] = "https://fhir.workwell.nhs.uk";
constexpr char kSourceSystemId[] = "https://fhir.workwell.nhs.uk/Id/source-system";
constexpr char kInputHashId[] = "https://fhir.workwell.nhs.uk/Id/input-sha256";

// A mutable JSON tree the rules write into; turned into a json::Document at the end. Keys and
// texts are views: keys are element names held by the mapping (or literals), texts are held by
// the mapping or copied into the run's arena, which also holds every node.
struct OutNode {
  enum class Kind : uint8_t { kObject, kArray, kScalar };
  Kind kind = Kind::kObject;
  fhir::JsonShape shape = fhir::JsonShape::kString;
  std::string_view key;
  std::string_view text;
  std::pmr::vector<OutNode> children;  // members (with key) or items, in the run's arena
  // Room made at the first child, so that small objects never move their members.
  static constexpr size_t kFirstCapacity = 8;

  explicit OutNode(std::pmr::memory_resource* arena) : children(arena) {}

  OutNode& NewChild() {
    if (children.capacity() == 0) children.reserve(kFirstCapacity);
    return children.emplace_back(children.get_allocator().resource());
  }
  // `name` must outlive the tree (a mapping's element name or a literal).
  OutNode& Member(std::string_view name) {
    for (OutNode& c : children) {
      if (c.key == name) return c;
    }
    OutNode& m = NewChild();
    m.key = name;
    return m;
  }
  // `value` must outlive the tree.
  void SetScalar(std::string_view value, fhir::JsonShape s) {
    kind = Kind::kScalar;
    shape = s;
    text = value;
    children.clear();
  }
  OutNode& Set(std::string_view name, std::string_view value, fhir::JsonShape s = fhir::JsonShape::kString) {
    OutNode& m = Member(name);
    m.SetScalar(value, s);
    return m;
  }
  OutNode& Append() {
    kind = Kind::kArray;
    return NewChild();
  }
};

// True when every byte of `s` is ASCII (so the text is valid UTF-8 as it is).
bool IsAscii(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    if ((chunk & 0x8080808080808080ULL) != 0) return false;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  }
  return true;
}

// The tree as values of `doc`. Member and item arrays are allocated in `doc`; keys and ASCII texts
// stay views of the tree's memory (which outlives `doc`). Other texts go through json::Builder,
// so that text which is not UTF-8 has its bad bytes replaced exactly as a built document has.
json::Value ToValue(const OutNode& n, json::Document& doc) {
  const uint32_t size = static_cast<uint32_t>(n.children.size());
  switch (n.kind) {
    case OutNode::Kind::kObject: {
      json::Member* members = doc.AllocateMembers(size);
      for (uint32_t i = 0; i < size; ++i) {
        new (&members[i]) json::Member{n.children[i].key, ToValue(n.children[i], doc)};
      }
      return json::Value::Object(members, size);
    }
    case OutNode::Kind::kArray: {
      json::Value* items = doc.AllocateValues(size);
      for (uint32_t i = 0; i < size; ++i) new (&items[i]) json::Value(ToValue(n.children[i], doc));
      return json::Value::Array(items, size);
    }
    case OutNode::Kind::kScalar:
      switch (n.shape) {
        case fhir::JsonShape::kBoolean: return json::Value::Bool(n.text == "true");
        case fhir::JsonShape::kNumber: return json::Value::Number(n.text);
        case fhir::JsonShape::kString: {
          if (IsAscii(n.text)) return json::Value::String(n.text);
          json::Document one;
          {
            json::Builder b(one);
            b.String(n.text);
            b.Finish();
          }
          return json::Value::String(doc.CopyString(one.root().text()));
        }
      }
      break;
  }
  return json::Value::Null();
}

std::string NowInstant() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  return buf;
}

Issue FromSourceIssue(const SourceIssue& s) {
  Issue i;
  i.severity = s.severity == SourceIssue::Severity::kError ? Severity::kError : Severity::kWarning;
  i.code = s.code.empty() ? "structure" : s.code;
  i.text = s.message;
  i.location = s.location.ToString();
  return i;
}

bool ReadWholeFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// Where an output leaf came from: the Bundle entry, its path inside the resource, the rule and
// the source field.
// The source location is rendered only when an issue is attributed to the leaf.
// The path is kept as its steps and rendered only when issues are attributed (a record the
// validator accepts has none); steps and texts are in the run's arena.
struct PathStep {
  const std::string* name = nullptr;  // the mapping's element name
  int index = -1;                     // the item, for a repeating element
};
struct LeafOrigin {
  size_t entry = 0;
  const PathStep* steps = nullptr;
  uint32_t step_count = 0;
  std::string path;  // "identifier[0].value", rendered from the steps on demand
  int line = 0;
  bool has_location = false;  // false for constants and references
  SourceFormat format = SourceFormat::kJson;
  std::string_view source_path;
  uint32_t source_line = 0;
  uint32_t source_column = 0;

  std::string Location() const {
    SourceLocation loc;
    loc.format = format;
    loc.path = std::string(source_path);
    loc.line = source_line;
    loc.column = source_column;
    return loc.ToString();
  }
};

// One output resource instance.
struct Instance {
  explicit Instance(std::pmr::memory_resource* arena) : root(arena) {}
  const ResourceSpec* spec = nullptr;
  size_t ordinal = 0;  // among the instances of the same spec
  std::string role;
  std::string uuid;
  std::vector<std::pair<std::string, int>> vars;
  OutNode root;
};

// A group's target prefix, its indexes resolved on the first write inside it.
struct Frame {
  const std::vector<TargetSegment>* segments = nullptr;
  std::vector<int> resolved;
};

// Variables in scope and the split iterations they belong to.
struct Scope {
  std::vector<std::pair<std::string, int>> vars;
  std::vector<std::pair<const ForEach*, int>> splits;

  int Var(std::string_view name) const {
    for (auto it = vars.rbegin(); it != vars.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return 0;
  }
};

// One translation of one record.
class Run {
 public:
  // The arena's first block: a CSV fit note's tree, texts and origins fit in it.
  static constexpr size_t kArenaBlock = 32 * 1024;

  Run(const Mapping& m, const SourceRecord& rec, const validation::Validator& v, const TranslateOptions& o,
      TranslateResult& out, std::vector<int>& lines)
      : m_(m), rec_(rec), v_(v), opt_(o), out_(out), lines_(lines), provenance_(&arena_) {}

  void Execute(std::string_view raw) {
    // Identity: the key of every deterministic id.
    std::string system = m_.source_system_constant;
    if (!m_.identity_system.empty()) {
      Scope none;
      auto f = Fetch(m_.identity_system, none);
      if (!f) {
        Fail("required", MissingLocation(m_.identity_system), "Bundle", "the sending system is missing", 0);
      } else {
        system = f->text;
      }
    }
    Scope none;
    auto rid = Fetch(m_.identity_record, none);
    if (!rid) {
      Fail("required", MissingLocation(m_.identity_record), "Bundle", "the source record id is missing", 0);
    } else {
      out_.record_id = rid->text;
    }
    if (!out_.issues.empty()) return Finish();
    system_ = system;
    out_.source_system = system;

    PlanInstances();
    for (size_t i = 0; i < instances_.size(); ++i) BuildInstance(i);
    BuildProvenance(raw);
    // After the resources, so a value both read is reported at its FHIR element first.
    if (!HasErrors()) ReadCaseFacts();
    if (HasErrors()) return Finish();
    Assemble();
    Finish();
  }

 private:
  struct Fetched {
    std::string_view text;  // the record's text, or a split part in the arena
    SourceLocation source;
    // The location for messages (rendered on demand: most values are never reported).
    std::string location() const { return source.ToString(); }
  };

  bool HasErrors() const {
    for (const Issue& i : out_.issues) {
      if (i.severity == Severity::kError || i.severity == Severity::kFatal) return true;
    }
    return false;
  }

  void Fail(std::string code, std::string location, std::string expression, std::string text, int line,
            Severity severity = Severity::kError) {
    Issue i;
    i.severity = severity;
    i.code = std::move(code);
    i.location = std::move(location);
    i.expression = std::move(expression);
    i.text = std::move(text);
    out_.issues.push_back(std::move(i));
    lines_.push_back(line);
  }

  // A copy of `s` in the arena, valid for the run.
  std::string_view Keep(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(arena_.allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return std::string_view(p, s.size());
  }

  std::string Render(std::string_view path, const Scope& scope) const {
    std::string out;
    for (size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '{') {
        const size_t close = path.find('}', i);
        if (close != std::string_view::npos) {
          const int v = scope.Var(path.substr(i + 1, close - i - 1));
          out += std::to_string(m_.format == SourceFormat::kHl7v2 ? v + 1 : v);
          i = close;
          continue;
        }
      }
      out.push_back(path[i]);
    }
    return out;
  }

  std::string MissingLocation(const std::string& path) const {
    if (const auto* csv = dynamic_cast<const OwnedCsvRecord*>(&rec_)) return csv->LocationOf(path).ToString();
    SourceLocation loc;
    loc.format = m_.format;
    loc.path = path;
    return loc.ToString();
  }

  // The value at a source path (a split part when the path is split by an enclosing foreach).
  std::optional<Fetched> Fetch(const std::string& path_template, const Scope& scope) {
    // Most paths have no variable: read them as written.
    std::string rendered;
    const bool has_var = path_template.find('{') != std::string::npos;
    if (has_var) rendered = Render(path_template, scope);
    auto field = rec_.Get(has_var ? std::string_view(rendered) : std::string_view(path_template));
    if (!field) return std::nullopt;
    MarkRead(field->path);
    if (field->value.IsNull()) return std::nullopt;
    Fetched f{field->value.text, std::move(field->location)};
    for (const auto& [fe, k] : scope.splits) {
      if (std::find(fe->split.begin(), fe->split.end(), path_template) == fe->split.end()) continue;
      const std::vector<std::string> parts = SplitParts(f.text, fe->separator);
      if (static_cast<size_t>(k) >= parts.size() || parts[k].empty()) return std::nullopt;
      f.text = Keep(parts[k]);
    }
    return f;
  }

  void MarkRead(std::string_view path) {
    if (read_.find(path) == read_.end()) read_.emplace(path);
  }

  int IterationCount(const ForEach& fe, const Scope& scope) {
    switch (fe.kind) {
      case ForEach::Kind::kCount: {
        const std::string path = Render(fe.over, scope);
        const size_t n = rec_.Count(path);
        return static_cast<int>(n);
      }
      case ForEach::Kind::kSplit: {
        size_t n = 0;
        for (const std::string& s : fe.split) {
          auto field = rec_.Get(Render(s, scope));
          if (!field || field->value.IsNull()) continue;
          MarkRead(field->path);
          n = std::max(n, SplitParts(field->value.text, fe.separator).size());
        }
        return static_cast<int>(n);
      }
      case ForEach::Kind::kResources: {
        int n = 0;
        for (const Instance& i : instances_) n += i.spec->name == fe.over ? 1 : 0;
        return n;
      }
    }
    return 0;
  }

  bool Holds(const std::vector<Condition>& when, const Scope& scope) {
    for (const Condition& c : when) {
      auto f = Fetch(c.source, scope);
      switch (c.kind) {
        case Condition::Kind::kPresent:
          if (!f || Trim(f->text).empty()) return false;
          break;
        case Condition::Kind::kAbsent:
          if (f && !Trim(f->text).empty()) return false;
          break;
        case Condition::Kind::kEquals:
        case Condition::Kind::kOneOf: {
          if (!f) return false;
          bool any = false;
          for (const std::string& v : c.values) {
            if (c.boolean) {
              auto b = ParseBoolean(f->text);
              any = any || (b && (*b ? "true" : "false") == v);
            } else {
              any = any || Trim(f->text) == v;
            }
          }
          if (!any) return false;
          break;
        }
      }
    }
    return true;
  }

  void PlanInstances() {
    for (const ResourceSpec& spec : m_.resources) {
      Scope scope;
      int n = 1;
      if (spec.foreach) n = IterationCount(*spec.foreach, scope);
      size_t ordinal = 0;
      for (int k = 0; k < n; ++k) {
        Scope s;
        if (spec.foreach) {
          s.vars.emplace_back(spec.foreach->var, k);
          if (spec.foreach->kind == ForEach::Kind::kSplit) s.splits.emplace_back(&*spec.foreach, k);
        }
        if (!Holds(spec.when, s)) continue;
        Instance inst(&arena_);
        inst.spec = &spec;
        inst.ordinal = ordinal++;
        inst.role = spec.foreach ? spec.name + "-" + std::to_string(k + 1) : spec.name;
        inst.uuid = DeterministicUuid(system_, out_.record_id, inst.role);
        inst.vars = s.vars;
        instances_.push_back(std::move(inst));
      }
    }
  }

  const Instance* FindInstance(const std::string& name, size_t ordinal) const {
    for (const Instance& i : instances_) {
      if (i.spec->name == name && i.ordinal == ordinal) return &i;
    }
    return nullptr;
  }

  void BuildInstance(size_t index) {
    Instance& inst = instances_[index];
    inst.root.Set("resourceType", inst.spec->type);
    inst.root.Set("id", Keep(inst.uuid));
    inst.root.Member("meta").Member("profile").Append().SetScalar(inst.spec->profile, fhir::JsonShape::kString);
    Scope scope;
    scope.vars = inst.vars;
    if (inst.spec->foreach && inst.spec->foreach->kind == ForEach::Kind::kSplit) {
      scope.splits.emplace_back(&*inst.spec->foreach, inst.vars.back().second);
    }
    std::vector<Frame> frames;
    current_ = index;
    for (const Rule& r : inst.spec->rules) EvalRule(r, scope, frames);
  }

  void EvalRule(const Rule& rule, Scope& scope, std::vector<Frame>& frames) {
    if (!rule.foreach) {
      EvalOnce(rule, scope, frames);
      return;
    }
    const int n = IterationCount(*rule.foreach, scope);
    for (int k = 0; k < n; ++k) {
      scope.vars.emplace_back(rule.foreach->var, k);
      const bool split = rule.foreach->kind == ForEach::Kind::kSplit;
      if (split) scope.splits.emplace_back(&*rule.foreach, k);
      EvalOnce(rule, scope, frames);
      if (split) scope.splits.pop_back();
      scope.vars.pop_back();
    }
  }

  // The FHIRPath of the element `rule` writes next, with the indexes it would get.
  std::string TargetExpression(const Rule& rule, const std::vector<Frame>& frames) const {
    const Instance& inst = instances_[current_];
    std::string e = inst.spec->type;
    const OutNode* cur = &inst.root;
    auto step = [&](const TargetSegment& seg, int resolved) {
      e += "." + seg.name;
      const OutNode* child = nullptr;
      if (cur != nullptr) {
        for (const OutNode& c : cur->children) {
          if (c.key == seg.name) child = &c;
        }
      }
      if (!seg.is_array) {
        cur = child;
        return;
      }
      const int size = child != nullptr ? static_cast<int>(child->children.size()) : 0;
      int idx = resolved;
      if (idx < 0) {
        switch (seg.index) {
          case TargetSegment::Index::kAppend: idx = size; break;
          case TargetSegment::Index::kLast: idx = size > 0 ? size - 1 : 0; break;
          case TargetSegment::Index::kFixed: idx = seg.fixed; break;
          case TargetSegment::Index::kNone: idx = 0; break;
        }
      }
      e += "[" + std::to_string(idx) + "]";
      cur = child != nullptr && idx < size ? &child->children[idx] : nullptr;
    };
    for (const Frame& f : frames) {
      for (size_t i = 0; i < f.segments->size(); ++i) step((*f.segments)[i], f.resolved[i]);
    }
    for (const TargetSegment& seg : rule.target) step(seg, -1);
    return e;
  }

  // The mapping's routing facts (the "case" section). A present value that its transforms or
  // table refuse, or that is not one of the fact's values, rejects the record.
  void ReadCaseFacts() {
    Scope none;
    for (const CaseFact& fact : m_.case_facts) {
      auto f = Fetch(fact.rule.source, none);
      if (!f || Trim(f->text).empty()) continue;
      std::string failure;
      std::optional<std::vector<std::string>> values = Transformed(fact.rule, f->text, &failure);
      if (values && values->size() == 1 && !fact.rule.table.empty()) {
        auto it = fact.rule.table.find(values->front());
        if (it == fact.rule.table.end()) {
          failure = "the value '" + values->front() + "' has no translation in the mapping";
          values.reset();
        } else {
          values->front() = it->second;
        }
      }
      if (values && (values->size() != 1 || !IsValidCaseFactValue(fact.name, values->front()))) {
        failure = "not a valid value for the routing fact " + fact.name;
        values.reset();
      }
      if (!values) {
        Fail("value", f->location(), "Bundle", failure, fact.rule.line);
        continue;
      }
      out_.case_facts[fact.name] = values->front();
    }
  }

  // The source value through the rule's transforms (kWords may make several values); nullopt
  // with `failure` set when a transform refuses the value.
  std::optional<std::vector<std::string>> Transformed(const Rule& rule, std::string_view text, std::string* failure) const {
    std::vector<std::string> values;
    values.emplace_back(text);
    for (Transform t : rule.transforms) {
      std::vector<std::string> next;
      for (const std::string& v : values) {
        std::string why;
        std::optional<std::string> r;
        switch (t) {
          case Transform::kTrim: r = std::string(Trim(v)); break;
          case Transform::kCollapse: r = CollapseSpaces(v); break;
          case Transform::kUpper: r = ToUpper(v); break;
          case Transform::kLower: r = ToLower(v); break;
          case Transform::kDate: r = NormaliseDate(v, &why); break;
          case Transform::kDateTime: r = NormaliseDateTime(v, &why); break;
          case Transform::kNhsNumber: r = NormaliseNhsNumber(v, &why); break;
          case Transform::kOdsCode: r = NormaliseOdsCode(v, &why); break;
          case Transform::kPostcode: r = NormalisePostcode(v, &why); break;
          case Transform::kIdentifierSystem: r = CanonicalIdentifierSystem(v); break;
          case Transform::kBoolean:
            if (auto b = ParseBoolean(v)) {
              r = *b ? "true" : "false";
            } else {
              why = "expected Y or N (or true/false)";
            }
            break;
          case Transform::kWords:
            for (const std::string& w : SplitParts(CollapseSpaces(v), ' ')) {
              if (!w.empty()) next.push_back(w);
            }
            continue;
        }
        if (!r) {
          *failure = why;
          return std::nullopt;
        }
        next.push_back(std::move(*r));
      }
      values = std::move(next);
    }
    return values;
  }

  void EvalOnce(const Rule& rule, Scope& scope, std::vector<Frame>& frames) {
    if (!Holds(rule.when, scope)) return;
    if (rule.value_kind == Rule::ValueKind::kGroup) {
      frames.push_back({&rule.target, std::vector<int>(rule.target.size(), -1)});
      for (const Rule& child : rule.rules) EvalRule(child, scope, frames);
      frames.pop_back();
      return;
    }
    if (rule.value_kind == Rule::ValueKind::kConst) {
      Write(rule, scope, frames, rule.constant, nullptr, /*stable=*/true);
      return;
    }
    if (rule.value_kind == Rule::ValueKind::kRef) {
      size_t ordinal = 0;
      if (!rule.ref_index.empty()) {
        ordinal = rule.ref_index.front() == '{'
                      ? static_cast<size_t>(scope.Var(std::string_view(rule.ref_index).substr(1, rule.ref_index.size() - 2)))
                      : static_cast<size_t>(std::stoi(rule.ref_index));
      }
      const Instance* target = FindInstance(rule.ref, ordinal);
      if (target == nullptr) {
        if (rule.required) {
          Fail("required", "", TargetExpression(rule, frames),
               "the " + rule.ref + " this element refers to could not be produced from the source", rule.line);
        }
        return;
      }
      OutNode* node = Navigate(rule, scope, frames, nullptr);
      const std::string_view urn = Urn(target->uuid);
      if (rule.leaf_type == "Reference") {
        node->kind = OutNode::Kind::kObject;
        node->Set("reference", urn);
        node->Set("type", target->spec->type);
      } else {
        node->SetScalar(urn, fhir::JsonShape::kString);
      }
      return;
    }
    auto f = Fetch(rule.source, scope);
    if (!f || Trim(f->text).empty()) {
      if (rule.required) {
        Fail("required", MissingLocation(Render(rule.source, scope)), TargetExpression(rule, frames),
             "a required source field is missing: " + Render(rule.source, scope), rule.line);
      }
      return;
    }
    std::string failure;
    std::optional<std::vector<std::string>> transformed = Transformed(rule, f->text, &failure);
    if (!transformed) {
      Fail("value", f->location(), TargetExpression(rule, frames), failure, rule.line);
      return;
    }
    std::vector<std::string>& values = *transformed;
    for (std::string& v : values) {
      if (rule.concept_map != nullptr) {
        auto target = rule.concept_map->Translate(rule.concept_map_system, v);
        if (!target) {
          Fail("code-invalid", f->location(), TargetExpression(rule, frames),
               "the code '" + v + "' has no translation in ConceptMap " + rule.concept_map->url(), rule.line);
          return;
        }
        if (rule.leaf_type == "Coding") {
          OutNode* node = Navigate(rule, scope, frames, &f->source);
          node->kind = OutNode::Kind::kObject;
          node->Set("system", Keep(target->system));
          node->Set("code", Keep(target->code));
          if (!target->display.empty()) node->Set("display", Keep(target->display));
          continue;
        }
        v = target->code;
      }
      if (!rule.table.empty()) {
        auto it = rule.table.find(v);
        if (it == rule.table.end()) {
          Fail("code-invalid", f->location(), TargetExpression(rule, frames),
               "the value '" + v + "' has no translation in the mapping", rule.line);
          return;
        }
        v = it->second;
      }
      if (rule.primitive) {
        std::string why;
        if (!fhir::CheckLexical(*rule.primitive, v, &why)) {
          Fail("value", f->location(), TargetExpression(rule, frames), "not a valid " + rule.leaf_type + ": " + why,
               rule.line);
          return;
        }
      }
      Write(rule, scope, frames, v, &f->source);
    }
  }

  // Writes `value` (copied into the arena unless `stable`: held by the mapping).
  void Write(const Rule& rule, const Scope& scope, std::vector<Frame>& frames, std::string_view value,
             const SourceLocation* location, bool stable = false) {
    OutNode* node = Navigate(rule, scope, frames, location);
    node->SetScalar(stable ? value : Keep(value), rule.shape);
  }

  // "urn:uuid:<uuid>" in the arena.
  std::string_view Urn(std::string_view uuid) {
    constexpr std::string_view kPrefix = "urn:uuid:";
    char* p = static_cast<char*>(arena_.allocate(kPrefix.size() + uuid.size(), 1));
    std::memcpy(p, kPrefix.data(), kPrefix.size());
    std::memcpy(p + kPrefix.size(), uuid.data(), uuid.size());
    return std::string_view(p, kPrefix.size() + uuid.size());
  }

  OutNode* Navigate(const Rule& rule, const Scope& scope, std::vector<Frame>& frames, const SourceLocation* location) {
    OutNode* cur = &instances_[current_].root;
    size_t step_count = rule.target.size();
    for (const Frame& f : frames) step_count += f.segments->size();
    PathStep* steps = static_cast<PathStep*>(arena_.allocate(sizeof(PathStep) * step_count, alignof(PathStep)));
    size_t n = 0;
    auto step = [&](const TargetSegment& seg, int* resolved) {
      OutNode& child = cur->Member(seg.name);
      PathStep& out_step = *new (&steps[n++]) PathStep{&seg.name, -1};
      if (!seg.is_array) {
        cur = &child;
        return;
      }
      child.kind = OutNode::Kind::kArray;
      int idx = resolved != nullptr ? *resolved : -1;
      if (idx < 0) {
        const int size = static_cast<int>(child.children.size());
        switch (seg.index) {
          case TargetSegment::Index::kAppend: idx = size; break;
          case TargetSegment::Index::kLast: idx = size > 0 ? size - 1 : 0; break;
          case TargetSegment::Index::kFixed: idx = seg.var.empty() ? seg.fixed : scope.Var(seg.var); break;
          case TargetSegment::Index::kNone: idx = 0; break;
        }
      }
      if (idx >= static_cast<int>(child.children.size())) {
        child.NewChild();
        idx = static_cast<int>(child.children.size()) - 1;
      }
      if (resolved != nullptr) *resolved = idx;
      out_step.index = idx;
      cur = &child.children[idx];
    };
    for (Frame& f : frames) {
      for (size_t i = 0; i < f.segments->size(); ++i) step((*f.segments)[i], &f.resolved[i]);
    }
    for (const TargetSegment& seg : rule.target) step(seg, nullptr);
    LeafOrigin origin;
    origin.entry = current_;
    origin.steps = steps;
    origin.step_count = static_cast<uint32_t>(n);
    origin.line = rule.line;
    if (location != nullptr) {
      origin.has_location = true;
      origin.format = location->format;
      origin.source_path = Keep(location->path);
      origin.source_line = location->line;
      origin.source_column = location->column;
    }
    origins_.push_back(std::move(origin));
    return cur;
  }

  void BuildProvenance(std::string_view raw) {
    Instance& prov = provenance_;
    prov.role = "provenance";
    prov.uuid = DeterministicUuid(system_, out_.record_id, prov.role);
    OutNode& r = prov.root;
    r.Set("resourceType", "Provenance");
    r.Set("id", Keep(prov.uuid));
    r.Member("meta").Member("profile").Append().SetScalar(kProvenanceProfile, fhir::JsonShape::kString);
    OutNode& targets = r.Member("target");
    for (const Instance& i : instances_) {
      OutNode& t = targets.Append();
      t.Set("reference", Urn(i.uuid));
      t.Set("type", i.spec->type);
    }
    now_ = opt_.now.empty() ? NowInstant() : opt_.now;
    r.Set("recorded", Keep(now_));
    r.Member("policy").Append().SetScalar(Keep(std::string(kBase) + "/" + m_.file + "|" + m_.version),
                                          fhir::JsonShape::kString);
    OutNode& agents = r.Member("agent");
    OutNode& author = agents.Append();
    OutNode& coding = author.Member("type").Member("coding").Append();
    coding.Set("system", "http://terminology.hl7.org/CodeSystem/provenance-participant-type");
    coding.Set("code", "author");
    OutNode& who = author.Member("who");
    OutNode& ident = who.Member("identifier");
    ident.Set("system", kSourceSystemId);
    ident.Set("value", Keep(system_));
    who.Set("display", Keep(system_));
    OutNode& assembler = agents.Append();
    OutNode& acoding = assembler.Member("type").Member("coding").Append();
    acoding.Set("system", "http://terminology.hl7.org/CodeSystem/provenance-participant-type");
    acoding.Set("code", "assembler");
    assembler.Member("who").Set("display", Keep("WorkWell FHIR gateway, mapping " + m_.file + " version " + m_.version));
    OutNode& entities = r.Member("entity");
    OutNode& source = entities.Append();
    source.Set("role", "source");
    OutNode& what = source.Member("what");
    OutNode& hash = what.Member("identifier");
    hash.Member("type").Set("text", Keep(std::string("SHA-256 of the ") + SourceFormatName(m_.format) + " input"));
    hash.Set("system", kInputHashId);
    hash.Set("value", Keep(Sha256Hex(raw)));
    what.Set("display", Keep(std::string(SourceFormatName(m_.format)) + " record " + out_.record_id + " from " + system_ +
                             " (" + m_.name + ")"));
  }

  void Assemble() {
    OutNode bundle(&arena_);
    bundle.Set("resourceType", "Bundle");
    bundle.Set("id", Keep(DeterministicUuid(system_, out_.record_id, "bundle")));
    bundle.Set("type", opt_.transaction ? "transaction" : "collection");
    bundle.Set("timestamp", Keep(now_));
    OutNode& entries = bundle.Member("entry");
    entries.kind = OutNode::Kind::kArray;
    auto add = [&](Instance& inst) {
      OutNode& e = entries.Append();
      e.Set("fullUrl", Urn(inst.uuid));
      OutNode& res = e.Member("resource");
      res = std::move(inst.root);
      res.key = "resource";
      if (opt_.transaction) {
        OutNode& req = e.Member("request");
        req.Set("method", "PUT");
        req.Set("url", Keep((inst.spec != nullptr ? inst.spec->type : std::string("Provenance")) + "/" + inst.uuid));
      }
    };
    for (Instance& i : instances_) add(i);
    add(provenance_);

    json::Document doc;
    doc.set_root(ToValue(bundle, doc));
    fhir::IssueSink sink;
    fhir::Resource resource;
    fhir::ParseOptions po;
    po.limits.max_bytes = 64u << 20;
    const bool adopted = v_.format().Adopt(std::move(doc), po, resource, sink);
    if (adopted && opt_.validate) v_.Validate(resource, {}, sink);
    bool errors = !adopted;
    const size_t first_validation_issue = out_.issues.size();
    for (Issue& issue : sink.issues()) {
      if (issue.severity == Severity::kInformation) continue;
      errors = errors || issue.severity == Severity::kError || issue.severity == Severity::kFatal;
      const int line = Attribute(issue);
      out_.issues.push_back(std::move(issue));
      lines_.push_back(line);
    }
    if (errors) {
      // A rejection answers with what must be fixed; the validator's warnings are left out.
      std::vector<Issue> kept;
      std::vector<int> kept_lines;
      for (size_t i = 0; i < out_.issues.size(); ++i) {
        if (out_.issues[i].severity == Severity::kWarning && i >= first_validation_issue) continue;
        kept.push_back(std::move(out_.issues[i]));
        kept_lines.push_back(lines_[i]);
      }
      out_.issues = std::move(kept);
      lines_ = std::move(kept_lines);
      return;
    }
    out_.bundle = fhir::JsonFormat::Write(resource, opt_.pretty);
    out_.ok = true;
  }

  // Fills issue.location from the output leaf the issue's expression names; returns the mapping
  // line of the rule that wrote it (or of the resource).
  int Attribute(Issue& issue) {
    RenderOriginPaths();
    std::string_view e = issue.expression;
    constexpr std::string_view kEntry = "Bundle.entry[";
    if (e.rfind(kEntry, 0) != 0) return 0;
    e.remove_prefix(kEntry.size());
    const size_t close = e.find(']');
    if (close == std::string_view::npos) return 0;
    size_t entry = 0;
    for (char c : e.substr(0, close)) entry = entry * 10 + static_cast<size_t>(c - '0');
    e.remove_prefix(close + 1);
    constexpr std::string_view kRes = ".resource";
    if (e.rfind(kRes, 0) == 0) e.remove_prefix(kRes.size());
    if (!e.empty() && e[0] == '.') e.remove_prefix(1);
    const LeafOrigin* best = nullptr;
    for (const LeafOrigin& o : origins_) {
      if (o.entry != entry) continue;
      std::string_view p = o.path;
      const bool below = e.empty() || p == e || (p.size() > e.size() && p.rfind(e, 0) == 0 && (p[e.size()] == '.' || p[e.size()] == '['));
      const bool above = e.size() > p.size() && e.rfind(p, 0) == 0 && (e[p.size()] == '.' || e[p.size()] == '[');
      if (above && (best == nullptr || best->path.size() < p.size())) best = &o;
      if (below && !e.empty() && best == nullptr) best = &o;
    }
    if (best != nullptr) {
      if (issue.location.empty() && best->has_location) issue.location = best->Location();
      return best->line;
    }
    return entry < instances_.size() ? instances_[entry].spec->line : 0;
  }

  // Renders every leaf's path from its steps, once.
  void RenderOriginPaths() {
    if (origin_paths_rendered_) return;
    origin_paths_rendered_ = true;
    for (LeafOrigin& o : origins_) {
      for (uint32_t i = 0; i < o.step_count; ++i) {
        if (i > 0) o.path.push_back('.');
        o.path += *o.steps[i].name;
        if (o.steps[i].index >= 0) o.path += "[" + std::to_string(o.steps[i].index) + "]";
      }
    }
  }

  void Finish() {
    Coverage& cov = out_.coverage;
    rec_.ForEachField([&](const SourceField& f) {
      ++cov.populated;
      if (read_.count(std::string_view(f.path)) > 0) {
        ++cov.mapped;
      } else {
        cov.unmapped.push_back({f.path, f.location.ToString()});
      }
    });
  }

  // Every tree node, text and origin of this run: one block for the whole record instead of an
  // allocation per node and string. Declared first, so it is released after everything in it.
  std::pmr::monotonic_buffer_resource arena_{kArenaBlock};
  const Mapping& m_;
  const SourceRecord& rec_;
  const validation::Validator& v_;
  const TranslateOptions& opt_;
  TranslateResult& out_;
  std::vector<int>& lines_;
  std::string system_;
  std::string now_;
  std::vector<Instance> instances_;
  Instance provenance_;
  size_t current_ = 0;
  std::vector<LeafOrigin> origins_;
  bool origin_paths_rendered_ = false;
  // The canonical paths of the source fields read (looked up by string_view).
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::pmr::unordered_set<std::pmr::string, PathHash, std::equal_to<>> read_{&arena_};
};

TranslateResult Rejected(std::vector<Issue> issues) {
  TranslateResult r;
  r.issues = std::move(issues);
  return r;
}

std::string Reason(const Issue& i) {
  // Group by what went wrong, not by where: drop the line of CSV locations.
  std::string loc = i.location;
  if (loc.rfind("line ", 0) == 0) {
    const size_t paren = loc.find('(');
    loc = paren == std::string::npos ? std::string("csv") : loc.substr(paren);
  }
  return (loc.empty() ? std::string() : loc + " ") + (i.expression.empty() ? "" : i.expression + ": ") + i.text;
}

// Translation with the mapping lines each issue is attributed to (used by the self-check).
TranslateResult TranslateWithLines(const Mapping& m, const SourceRecord& rec, std::string_view raw,
                                   const validation::Validator& v, const TranslateOptions& o, std::vector<int>& lines) {
  TranslateResult result;
  Run run(m, rec, v, o, result, lines);
  run.Execute(raw);
  result.rule_lines = lines;
  return result;
}

}  // namespace

Translator::Translator(std::shared_ptr<const validation::Validator> validator,
                       std::shared_ptr<const ConceptMapRegistry> maps)
    : validator_(std::move(validator)), concept_maps_(std::move(maps)) {}

common::Result<std::shared_ptr<const Translator>> Translator::Load(
    std::shared_ptr<const validation::Validator> validator, const Options& options) {
  if (!fs::is_directory(options.mappings_dir)) {
    return common::NotFound("the mappings directory " + options.mappings_dir + " does not exist");
  }
  auto maps = ConceptMapRegistry::Build(validator->index().All("ConceptMap"));
  if (!maps.ok()) return maps.status();
  auto translator = std::make_shared<Translator>(validator, std::make_shared<const ConceptMapRegistry>(std::move(maps).value()));
  MappingContext ctx;
  ctx.model = &validator->model();
  ctx.concept_maps = translator->concept_maps_.get();
  ctx.root_dir = options.root_dir;
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(options.mappings_dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() > 9 && name.substr(name.size() - 9) == ".map.json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::string errors;
  for (const fs::path& f : files) {
    std::string display = f.string();
    const std::string root = options.root_dir.empty() ? std::string() : fs::path(options.root_dir).lexically_normal().string();
    const std::string norm = f.lexically_normal().string();
    if (!root.empty() && norm.rfind(root, 0) == 0) {
      display = norm.substr(root.size());
      while (!display.empty() && display[0] == '/') display.erase(0, 1);
    }
    auto m = LoadMapping(f.string(), display, ctx);
    if (!m.ok()) {
      errors += (errors.empty() ? "" : "\n") + m.status().message();
      continue;
    }
    for (const auto& other : translator->mappings_) {
      if (other->name == m.value()->name) errors += (errors.empty() ? "" : "\n") + display + ":1: mapping name '" + other->name + "' is used twice";
    }
    translator->mappings_.push_back(m.value());
  }
  if (!errors.empty()) return common::InvalidArgument(errors);
  if (options.self_check) {
    for (const auto& m : translator->mappings_) {
      if (common::Status s = translator->SelfCheck(*m, options.root_dir); !s.ok()) {
        errors += (errors.empty() ? "" : "\n") + s.message();
      }
    }
    if (!errors.empty()) return common::InvalidArgument(errors);
  }
  return std::shared_ptr<const Translator>(translator);
}

common::Status Translator::SelfCheck(const Mapping& m, const std::string& root_dir) const {
  std::string errors;
  TranslateOptions o;
  o.now = "2026-01-01T00:00:00+00:00";
  auto report = [&](const std::string& example, const TranslateResult& r, const std::vector<int>& lines) {
    for (size_t i = 0; i < r.issues.size(); ++i) {
      const Issue& is = r.issues[i];
      if (is.severity != Severity::kError && is.severity != Severity::kFatal) continue;
      const int line = i < lines.size() && lines[i] > 0 ? lines[i] : 1;
      errors += (errors.empty() ? "" : "\n") + m.Where(line) + ": example " + example + ": " +
                (is.location.empty() ? "" : is.location + ": ") + (is.expression.empty() ? "" : is.expression + ": ") +
                is.text;
    }
  };
  for (const std::string& example : m.examples) {
    std::string text;
    if (!ReadWholeFile((fs::path(root_dir) / example).string(), text)) {
      errors += (errors.empty() ? "" : "\n") + m.file + ":1: cannot read example " + example;
      continue;
    }
    if (m.format == SourceFormat::kCsv) {
      std::istringstream in(text);
      TranslateCsvBulk(m, in, o, 1, [&](size_t, const TranslateResult& r) { report(example, r, r.rule_lines); });
      continue;
    }
    std::vector<SourceIssue> src;
    std::vector<int> lines;
    TranslateResult r;
    if (m.format == SourceFormat::kJson) {
      auto rec = JsonRecord::Parse(text, json::Limits{}, src);
      if (!rec.ok()) {
        errors += (errors.empty() ? "" : "\n") + m.file + ":1: example " + example + " does not parse";
        continue;
      }
      r = TranslateWithLines(m, rec.value(), text, *validator_, o, lines);
    } else {
      auto rec = ParseHl7v2(text, Hl7Limits{}, src);
      if (!rec.ok()) {
        errors += (errors.empty() ? "" : "\n") + m.file + ":1: example " + example + " does not parse";
        continue;
      }
      r = TranslateWithLines(m, rec.value(), text, *validator_, o, lines);
    }
    report(example, r, lines);
  }
  if (!errors.empty()) return common::InvalidArgument(errors);
  return common::Status::Ok();
}

const Mapping* Translator::FindMapping(std::string_view format) const {
  for (const auto& m : mappings_) {
    if (m->name == format) return m.get();
  }
  return nullptr;
}

std::vector<std::string> Translator::FormatNames() const {
  std::vector<std::string> names{"fhir"};
  for (const auto& m : mappings_) names.push_back(m->name);
  std::sort(names.begin(), names.end());
  return names;
}

TranslateResult Translator::TranslateRecord(const Mapping& mapping, const SourceRecord& record, std::string_view raw,
                                            const TranslateOptions& options) const {
  std::vector<int> lines;
  return TranslateWithLines(mapping, record, raw, *validator_, options, lines);
}

TranslateResult Translator::Translate(std::string_view format, std::string_view input,
                                      const TranslateOptions& options) const {
  if (format == "fhir") return ValidateFhirBundle(input, options);
  const Mapping* m = FindMapping(format);
  if (m == nullptr) {
    Issue i;
    i.code = "not-supported";
    i.text = "unknown source format '" + std::string(format) + "'";
    return Rejected({i});
  }
  std::vector<SourceIssue> src;
  auto with_warnings = [&](TranslateResult r) {
    std::vector<Issue> all;
    for (const SourceIssue& s : src) all.push_back(FromSourceIssue(s));
    for (Issue& i : r.issues) all.push_back(std::move(i));
    r.issues = std::move(all);
    return r;
  };
  switch (m->format) {
    case SourceFormat::kJson: {
      auto rec = JsonRecord::Parse(input, json::Limits{}, src);
      if (!rec.ok()) return with_warnings(TranslateResult{});
      return with_warnings(TranslateRecord(*m, rec.value(), input, options));
    }
    case SourceFormat::kHl7v2: {
      auto rec = ParseHl7v2(input, Hl7Limits{}, src);
      if (!rec.ok()) return with_warnings(TranslateResult{});
      if (!CheckRefI12(rec.value(), src)) return with_warnings(TranslateResult{});
      return with_warnings(TranslateRecord(*m, rec.value(), input, options));
    }
    case SourceFormat::kCsv: {
      std::istringstream in{std::string(input)};
      std::vector<TranslateResult> results;
      TranslateCsvBulk(*m, in, options, 1, [&](size_t, const TranslateResult& r) { results.push_back(r); });
      if (results.size() == 1) return results.front();
      for (const TranslateResult& r : results) {
        if (!r.ok) return r;  // the first row that cannot be used, with its location
      }
      Issue i;
      i.code = results.empty() ? "required" : "too-costly";
      i.text = results.empty() ? "the CSV extract holds no data row"
                               : "the CSV extract holds " + std::to_string(results.size()) +
                                     " rows: translate one row at a time, or use bulk mode";
      return Rejected({i});
    }
  }
  return Rejected({});
}

TranslateResult Translator::ValidateFhirBundle(std::string_view input, const TranslateOptions& options) const {
  TranslateResult r;
  fhir::IssueSink sink;
  fhir::Resource resource;
  fhir::ParseOptions po;
  po.limits.max_bytes = 64u << 20;
  po.expected_type = "Bundle";
  if (validator_->format().Parse(input, po, resource, sink)) {
    const json::Value* type = resource.root().Find("type");
    const std::string_view t = type != nullptr ? type->text() : std::string_view();
    if (t != "transaction" && t != "message") {
      sink.Error("invalid", "Bundle.type", "FHIR input must be a transaction or message Bundle, not '" + std::string(t) + "'");
    } else {
      validator_->Validate(resource, {}, sink);
    }
  }
  for (Issue& i : sink.issues()) {
    if (i.severity != Severity::kInformation) r.issues.push_back(std::move(i));
  }
  r.ok = !sink.HasErrors();
  if (r.ok) r.bundle = fhir::JsonFormat::Write(resource, options.pretty);
  return r;
}

BulkSummary Translator::TranslateCsvBulk(const Mapping& mapping, std::istream& in, const TranslateOptions& options,
                                         int workers, const BulkOutput& output, const BulkProgress& progress) const {
  BulkSummary summary;
  if (workers <= 0) workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CsvReader reader(in);
  std::shared_ptr<const CsvHeader> header;
  // A row that could be read, or the reason it could not.
  struct Pending {
    std::unique_ptr<OwnedCsvRecord> record;
    SourceIssue error;
  };
  // One wave of rows and their results.
  struct Wave {
    std::vector<Pending> rows;
    std::vector<TranslateResult> results;
  };
  const size_t wave_size = static_cast<size_t>(workers) * 256;
  bool done = false;
  auto read_wave = [&](Wave& w) {
    w.rows.clear();
    while (!done && w.rows.size() < wave_size) {
      const CsvReader::Step step = reader.Next();
      if (step == CsvReader::Step::kEnd) {
        done = true;
        break;
      }
      if (header == nullptr && !reader.header().empty()) header = std::make_shared<const CsvHeader>(reader.header());
      Pending p;
      if (step == CsvReader::Step::kError) {
        p.error = reader.error();
      } else {
        p.record = std::make_unique<OwnedCsvRecord>(header, reader.record());
      }
      w.rows.push_back(std::move(p));
      if (reader.fatal()) done = true;
    }
    w.results.assign(w.rows.size(), TranslateResult{});
  };
  // Workers take the next row from a shared counter, so a worker slowed down (by another process
  // on its core, or by longer rows) does not hold the wave up by a fixed share.
  auto translate_wave = [&](Wave& w, std::atomic<size_t>& next) {
    for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < w.rows.size();
         i = next.fetch_add(1, std::memory_order_relaxed)) {
      if (w.rows[i].record == nullptr) {
        w.results[i] = Rejected({FromSourceIssue(w.rows[i].error)});
        continue;
      }
      const std::string raw = w.rows[i].record->Canonical();
      w.results[i] = TranslateRecord(mapping, *w.rows[i].record, raw, options);
    }
  };
  size_t index = 0;
  auto emit_wave = [&](Wave& w) {
    for (TranslateResult& r : w.results) {
      if (r.ok) {
        ++summary.accepted;
      } else {
        ++summary.rejected;
        for (const Issue& is : r.issues) {
          if (is.severity == Severity::kError || is.severity == Severity::kFatal) {
            ++summary.reasons[Reason(is)];
            break;
          }
        }
      }
      if (output) output(index, r);
      ++index;
    }
    if (progress && !w.results.empty()) progress(index);
  };

  Wave current, previous;
  read_wave(current);
  if (workers == 1) {
    // One thread: translate each wave on the calling thread.
    while (!current.rows.empty()) {
      std::atomic<size_t> next{0};
      translate_wave(current, next);
      emit_wave(current);
      read_wave(current);
    }
    return summary;
  }
  // Several workers translate a wave while the calling thread hands the previous wave's results
  // to `output` (which may write files) and reads the next one, so neither waits for the other.
  bool have_previous = false;
  while (!current.rows.empty()) {
    std::atomic<size_t> next{0};
    const size_t threads = std::min<size_t>(static_cast<size_t>(workers), current.rows.size());
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (size_t t = 0; t < threads; ++t) pool.emplace_back([&] { translate_wave(current, next); });
    if (have_previous) emit_wave(previous);
    read_wave(previous);  // the next wave, read into the buffer just emitted
    for (std::thread& t : pool) t.join();
    std::swap(current, previous);
    have_previous = true;
  }
  if (have_previous) emit_wave(previous);
  return summary;
}

}  // namespace workwell::mapping
