#include "adapter/fhir/fhirpath/evaluator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <unordered_set>
#include <utility>

namespace workwell::fhir::fhirpath {
namespace {

using common::InvalidArgument;
using common::ResourceExhausted;
using common::Result;
using common::Status;
using internal::Ast;
using internal::AstKind;
using internal::BinaryOp;
using internal::Fn;
using internal::TypeSpec;

constexpr int kMaxDescendantDepth = 256;

// The variables in scope: $this, $index and $total.
struct Scope {
  const Collection* this_coll = nullptr;
  std::optional<int64_t> index;
  const Collection* total = nullptr;
};

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

using P = Temporal::Precision;

// Seconds and milliseconds count as one precision for comparison
// (https://hl7.org/fhirpath/N1/#datetime-equality).
int PrecisionRank(P p) { return p == P::kMillisecond ? static_cast<int>(P::kSecond) : static_cast<int>(p); }

// Shifts a temporal with hour or finer precision to UTC when it has a timezone.
Temporal ToUtc(const Temporal& t) {
  if (!t.has_timezone || t.kind != PrimitiveKind::kDateTime || t.precision < P::kHour || t.timezone_minutes == 0) {
    return t;
  }
  Temporal u = t;
  int64_t minutes = DaysFromCivil(t.year, t.month, t.day) * 1440 + t.hour * 60 + t.minute - t.timezone_minutes;
  int64_t days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
  int64_t rem = minutes - days * 1440;
  CivilFromDays(days, u.year, u.month, u.day);
  u.hour = static_cast<int>(rem / 60);
  u.minute = static_cast<int>(rem % 60);
  u.timezone_minutes = 0;
  return u;
}

// Compares two temporals; nullopt when the answer depends on missing precision.
std::optional<int> CompareTemporal(const Temporal& a0, const Temporal& b0) {
  bool a_time = a0.kind == PrimitiveKind::kTime, b_time = b0.kind == PrimitiveKind::kTime;
  if (a_time != b_time) return std::nullopt;
  Temporal a = a0, b = b0;
  if (a.has_timezone && b.has_timezone) {
    a = ToUtc(a);
    b = ToUtc(b);
  }
  int pa = PrecisionRank(a.precision), pb = PrecisionRank(b.precision);
  int common = std::min(pa, pb);
  const int fields_a[] = {a.year, a.month, a.day, a.hour, a.minute, a.second * 1000 + a.millisecond};
  const int fields_b[] = {b.year, b.month, b.day, b.hour, b.minute, b.second * 1000 + b.millisecond};
  int first = a_time ? static_cast<int>(P::kHour) : 0;
  for (int i = first; i <= common; ++i) {
    if (fields_a[i] != fields_b[i]) return fields_a[i] < fields_b[i] ? -1 : 1;
  }
  if (pa != pb) return std::nullopt;
  return 0;
}

int CompareDecimals(long double a, long double b) {
  long double scale = std::max({1.0L, std::fabs(a), std::fabs(b)});
  if (std::fabs(a - b) <= scale * 1e-15L) return 0;
  return a < b ? -1 : 1;
}

// Maps calendar keywords to their UCUM form where FHIRPath treats them as equal
// (https://hl7.org/fhirpath/N1/#time-valued-quantities); years and months stay distinct.
std::string CanonicalUnit(std::string_view u) {
  std::string s(u);
  if (s.size() > 1 && s.back() == 's' && s != "ms" && s != "s") {
    std::string single = s.substr(0, s.size() - 1);
    if (single == "year" || single == "month" || single == "week" || single == "day" || single == "hour" ||
        single == "minute" || single == "second" || single == "millisecond") {
      s = single;
    }
  }
  if (s == "week") return "wk";
  if (s == "day") return "d";
  if (s == "hour") return "h";
  if (s == "minute") return "min";
  if (s == "second") return "s";
  if (s == "millisecond") return "ms";
  return s;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string NormalizeSpace(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool IsNumber(const Value& v) { return v.type() == ValueType::kInteger || v.type() == ValueType::kDecimal; }
long double AsLongDouble(const Value& v) {
  return v.type() == ValueType::kInteger ? static_cast<long double>(v.integer()) : v.decimal().value;
}
int ScaleOf(const Value& v) { return v.type() == ValueType::kDecimal ? v.decimal().scale : 0; }

bool IsTemporal(const Value& v) {
  ValueType t = v.type();
  return t == ValueType::kDate || t == ValueType::kDateTime || t == ValueType::kTime;
}

std::string_view SystemTypeName(ValueType t) {
  switch (t) {
    case ValueType::kBoolean: return "Boolean";
    case ValueType::kInteger: return "Integer";
    case ValueType::kDecimal: return "Decimal";
    case ValueType::kString: return "String";
    case ValueType::kDate: return "Date";
    case ValueType::kDateTime: return "DateTime";
    case ValueType::kTime: return "Time";
    case ValueType::kQuantity: return "Quantity";
    case ValueType::kNode: return "";
  }
  return "";
}

// The FHIR primitive whose System type is `system` ("Boolean" -> "boolean").
std::string_view FhirPrimitiveFor(std::string_view system) {
  if (system == "Boolean") return "boolean";
  if (system == "Integer") return "integer";
  if (system == "Decimal") return "decimal";
  if (system == "String") return "string";
  if (system == "Date") return "date";
  if (system == "DateTime") return "dateTime";
  if (system == "Time") return "time";
  return "";
}

std::optional<Value> ParsePrimitive(PrimitiveKind kind, std::string_view text) {
  switch (kind) {
    case PrimitiveKind::kBoolean:
      if (text == "true") return Value::Boolean(true);
      if (text == "false") return Value::Boolean(false);
      return std::nullopt;
    case PrimitiveKind::kInteger:
      if (auto i = ParseInteger(text)) return Value::Integer(*i);
      return std::nullopt;
    case PrimitiveKind::kDecimal:
      if (auto d = ParseDecimal(text)) return Value::FromDecimal(*d);
      return std::nullopt;
    case PrimitiveKind::kDate:
    case PrimitiveKind::kDateTime:
    case PrimitiveKind::kTime:
      if (auto t = ParseTemporal(text, kind)) return Value::FromTemporal(*t);
      return std::nullopt;
    case PrimitiveKind::kString: return Value::String(std::string(text));
    case PrimitiveKind::kNone: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Quantity> ParseQuantityText(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  size_t sp = s.find(' ');
  std::string_view num = sp == std::string_view::npos ? s : s.substr(0, sp);
  auto d = ParseDecimal(num);
  if (!d) return std::nullopt;
  Quantity q{*d, "1"};
  if (sp == std::string_view::npos) return q;
  std::string_view unit = s.substr(sp + 1);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (unit.size() >= 2 && unit.front() == '\'' && unit.back() == '\'') {
    q.unit = std::string(unit.substr(1, unit.size() - 2));
    return q;
  }
  static constexpr std::string_view kCalendar[] = {"year", "years", "month", "months", "week", "weeks", "day", "days",
                                                   "hour", "hours", "minute", "minutes", "second", "seconds",
                                                   "millisecond", "milliseconds"};
  for (std::string_view k : kCalendar) {
    if (unit == k) {
      q.unit = std::string(unit);
      return q;
    }
  }
  return std::nullopt;
}

class Evaluator {
 public:
  Evaluator(const EvalEnv& env, const Collection& context) : env_(env), context_(context) {}

  Status Eval(const Ast& n, const Collection& input, const Scope& scope, Collection& out);

 private:
  // ---- helpers over values ----
  bool IsSubtype(std::string_view type, std::string_view base) const {
    if (type == base) return true;
    if (env_.types != nullptr) return env_.types->IsSubtypeOf(type, base);
    return false;
  }

  bool IsQuantityNode(const Node& n) const {
    std::string_view t = n.type_name();
    return !t.empty() && n.primitive_kind() == PrimitiveKind::kNone && IsSubtype(t, "Quantity");
  }

  // The System value of an item: primitives with a value are parsed, Quantity nodes become
  // quantities; other nodes (complex, or primitives without a value) stay nodes.
  Value Normalize(const Value& v) const {
    if (!v.is_node()) return v;
    const Node& n = *v.node();
    PrimitiveKind k = n.primitive_kind();
    if (k != PrimitiveKind::kNone) {
      if (!n.has_value()) return v;
      if (auto p = ParsePrimitive(k, n.primitive_text())) return *p;
      return Value::String(std::string(n.primitive_text()));
    }
    if (IsQuantityNode(n)) {
      std::vector<const Node*> kids;
      n.Children("value", kids);
      if (kids.size() != 1 || !kids[0]->has_value()) return v;
      auto d = ParseDecimal(kids[0]->primitive_text());
      if (!d) return v;
      Quantity q{*d, ""};
      kids.clear();
      n.Children("code", kids);
      if (kids.empty()) n.Children("unit", kids);
      if (!kids.empty()) q.unit = std::string(kids[0]->primitive_text());
      return Value::FromQuantity(std::move(q));
    }
    return v;
  }

  // Two string primitives with values are equal (=) exactly when their texts are: what
  // comparing their System String values gives, without copying the texts into them.
  static bool BothStringValues(const Node& a, const Node& b) {
    return a.primitive_kind() == PrimitiveKind::kString && b.primitive_kind() == PrimitiveKind::kString &&
           a.has_value() && b.has_value();
  }

  std::optional<bool> NodesEqual(const Node& a, const Node& b, bool equivalent) const {
    if (&a == &b) return true;
    if (a.primitive_kind() != PrimitiveKind::kNone || b.primitive_kind() != PrimitiveKind::kNone) {
      if (a.has_value() != b.has_value()) return false;
      if (!equivalent && BothStringValues(a, b)) {
        if (a.primitive_text() != b.primitive_text()) return false;
      } else if (a.has_value()) {
        auto r = ItemsEqual(Normalize(Value::FromNode(&a)), Normalize(Value::FromNode(&b)), equivalent);
        if (!r || !*r) return r;
      }
    }
    std::vector<const Node*> ka, kb;
    a.AllChildren(ka);
    b.AllChildren(kb);
    if (ka.size() != kb.size()) return false;
    for (size_t i = 0; i < ka.size(); ++i) {
      if (ka[i]->name() != kb[i]->name()) return false;
      auto r = NodesEqual(*ka[i], *kb[i], equivalent);
      if (!r || !*r) return r;
    }
    return true;
  }

  // Equality (=) or equivalence (~) of two items; nullopt when the answer is unknown.
  std::optional<bool> ItemsEqual(const Value& a0, const Value& b0, bool equivalent) const {
    if (!equivalent && a0.is_node() && b0.is_node() && BothStringValues(*a0.node(), *b0.node())) {
      return a0.node()->primitive_text() == b0.node()->primitive_text();
    }
    Value a = Normalize(a0), b = Normalize(b0);
    if (a.is_node() || b.is_node()) {
      if (a.is_node() && b.is_node()) return NodesEqual(*a.node(), *b.node(), equivalent);
      return false;
    }
    if (IsNumber(a) && IsNumber(b)) {
      if (a.type() == ValueType::kInteger && b.type() == ValueType::kInteger) return a.integer() == b.integer();
      long double x = AsLongDouble(a), y = AsLongDouble(b);
      if (equivalent) {
        int s = std::min(ScaleOf(a), ScaleOf(b));
        long double f = std::pow(10.0L, s);
        x = std::round(x * f) / f;
        y = std::round(y * f) / f;
      }
      return CompareDecimals(x, y) == 0;
    }
    if (IsTemporal(a) && IsTemporal(b)) {
      if (equivalent && PrecisionRank(a.temporal().precision) != PrecisionRank(b.temporal().precision)) return false;
      auto c = CompareTemporal(a.temporal(), b.temporal());
      if (!c) return equivalent ? std::optional<bool>(false) : std::nullopt;
      return *c == 0;
    }
    if (a.type() != b.type()) return false;
    switch (a.type()) {
      case ValueType::kBoolean: return a.boolean() == b.boolean();
      case ValueType::kString:
        if (equivalent) return NormalizeSpace(Lower(a.string())) == NormalizeSpace(Lower(b.string()));
        return a.string() == b.string();
      case ValueType::kQuantity: {
        if (CanonicalUnit(a.quantity().unit) != CanonicalUnit(b.quantity().unit)) {
          return equivalent ? std::optional<bool>(false) : std::nullopt;
        }
        return CompareDecimals(a.quantity().value.value, b.quantity().value.value) == 0;
      }
      default: return false;
    }
  }

  // Collection equality (https://hl7.org/fhirpath/N1/#equals).
  std::optional<bool> CollectionsEqual(const Collection& a, const Collection& b) const {
    if (a.empty() || b.empty()) return std::nullopt;
    if (a.size() != b.size()) return false;
    bool unknown = false;
    for (size_t i = 0; i < a.size(); ++i) {
      auto r = ItemsEqual(a[i], b[i], false);
      if (!r) {
        unknown = true;
      } else if (!*r) {
        return false;
      }
    }
    if (unknown) return std::nullopt;
    return true;
  }

  // Collection equivalence: order-independent, empty ~ empty.
  bool CollectionsEquivalent(const Collection& a, const Collection& b) const {
    if (a.size() != b.size()) return false;
    std::vector<bool> used(b.size(), false);
    for (const Value& x : a) {
      bool found = false;
      for (size_t j = 0; j < b.size(); ++j) {
        if (!used[j] && ItemsEqual(x, b[j], true).value_or(false)) {
          used[j] = true;
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  bool Contains(const Collection& c, const Value& v) const {
    for (const Value& x : c) {
      if (ItemsEqual(x, v, false).value_or(false)) return true;
    }
    return false;
  }

  // Removes duplicates by equality, keeping first occurrences.
  Collection Distinct(const Collection& c) const {
    Collection norm;
    norm.reserve(c.size());
    bool all_strings = true;
    for (const Value& v : c) {
      norm.push_back(Normalize(v));
      if (norm.back().type() != ValueType::kString) all_strings = false;
    }
    Collection out;
    if (all_strings) {
      std::unordered_set<std::string> seen;
      for (size_t i = 0; i < c.size(); ++i) {
        if (seen.insert(norm[i].string()).second) out.push_back(c[i]);
      }
      return out;
    }
    Collection kept;
    for (size_t i = 0; i < c.size(); ++i) {
      if (!Contains(kept, norm[i])) {
        kept.push_back(norm[i]);
        out.push_back(c[i]);
      }
    }
    return out;
  }

  // Singleton evaluation to a boolean (https://hl7.org/fhirpath/N1/#singleton-evaluation-of-collections).
  Result<std::optional<bool>> ToBool(const Collection& c, std::string_view what) const {
    if (c.empty()) return std::optional<bool>();
    if (c.size() > 1) {
      return InvalidArgument("FHIRPath: " + std::string(what) + " expects a single boolean, got " +
                             std::to_string(c.size()) + " items");
    }
    if (!c[0].is_node()) {  // a System value normalises to itself: no copy needed
      return std::optional<bool>(c[0].type() == ValueType::kBoolean ? c[0].boolean() : true);
    }
    Value v = Normalize(c[0]);
    if (v.type() == ValueType::kBoolean) return std::optional<bool>(v.boolean());
    return std::optional<bool>(true);
  }

  // The single item of `c` after normalisation, nullopt when empty; an error for several.
  Result<std::optional<Value>> Single(const Collection& c, std::string_view what) const {
    if (c.empty()) return std::optional<Value>();
    if (c.size() > 1) {
      return InvalidArgument("FHIRPath: " + std::string(what) + " expects a single item, got " +
                             std::to_string(c.size()));
    }
    return std::optional<Value>(Normalize(c[0]));
  }

  Result<std::optional<std::string>> SingleString(const Collection& c, std::string_view what) const {
    auto s = Single(c, what);
    if (!s.ok()) return s.status();
    if (!s.value()) return std::optional<std::string>();
    const Value& v = *s.value();
    if (v.type() != ValueType::kString) {
      return InvalidArgument("FHIRPath: " + std::string(what) + " expects a string");
    }
    return std::optional<std::string>(v.string());
  }

  bool MatchesType(const Value& v, const TypeSpec& t) const {
    if (v.is_node()) {
      const Node& n = *v.node();
      if (t.ns == "System") return false;  // FHIR.integer is not System.Integer
      if (IsSubtype(n.type_name(), t.name)) return true;
      if (env_.types == nullptr && n.is_resource() && (t.name == "Resource" || t.name == "DomainResource")) return true;
      // An unqualified System name also matches the FHIR primitive it maps to ("answer is Boolean").
      if (t.ns.empty() && !FhirPrimitiveFor(t.name).empty()) return n.type_name() == FhirPrimitiveFor(t.name);
      return false;
    }
    if (t.ns == "FHIR") return false;
    std::string_view sys = SystemTypeName(v.type());
    if (t.name == sys) return true;
    return t.ns.empty() && FhirPrimitiveFor(sys) == t.name;
  }

  Status Check(const Collection& c) const {
    if (c.size() > env_.max_collection_size) return ResourceExhausted("FHIRPath: collection size limit exceeded");
    return Status::Ok();
  }

  void Descendants(const Node& n, Collection& out, int depth) const {
    if (depth > kMaxDescendantDepth) return;
    std::vector<const Node*> kids;
    n.AllChildren(kids);
    for (const Node* k : kids) {
      out.push_back(Value::FromNode(k));
      Descendants(*k, out, depth + 1);
    }
  }

  // ---- evaluation pieces ----
  Status EvalMember(const Ast& n, const Collection& input, const Scope& scope, Collection& out);
  Status EvalFunction(const Ast& n, const Collection& input, const Scope& scope, Collection& out);
  Status EvalBinary(const Ast& n, const Collection& input, const Scope& scope, Collection& out);
  Status EvalConstant(const Ast& n, Collection& out);
  Status Arithmetic(BinaryOp op, const Collection& l, const Collection& r, Collection& out);
  Result<std::optional<int>> CompareItems(const Value& a, const Value& b);
  Status Convert(Fn fn, const Collection& focus, Collection& out);
  Status StringFunction(const Ast& n, const Collection& focus, const Collection& input, const Scope& scope,
                        Collection& out);
  Status MathFunction(const Ast& n, const Collection& focus, const Collection& input, const Scope& scope,
                      Collection& out);
  // Evaluates argument `i` of `n` against the outer input (non-lambda arguments).
  Status Arg(const Ast& n, size_t i, const Collection& input, const Scope& scope, Collection& out) {
    return Eval(*n.children[i], input, scope, out);
  }
  Result<std::optional<int64_t>> IntegerArg(const Ast& n, size_t i, const Collection& input, const Scope& scope);
  Result<std::optional<std::string>> StringArg(const Ast& n, size_t i, const Collection& input, const Scope& scope);
  Status EvalLambda(const Ast& body, const Value& item, int64_t index, const Scope& outer, Collection& out) {
    Collection one{item};
    Scope s;
    s.this_coll = &one;
    s.index = index;
    s.total = outer.total;
    return Eval(body, one, s, out);
  }
  Result<std::optional<Temporal>> AddDuration(const Temporal& t, const Quantity& q, int sign);

  // Criteria of where()/exists()/all() built only from `name = 'text'`, `name != 'text'`,
  // `name.exists()` and `name.empty()` on children of the item, combined with
  // and/or/xor/implies: `url = '...'`, `(system = '...' and code = '...')`. Such criteria are
  // answered on the item's children directly, without the lambda's collections; the answer is
  // the one the general path gives.
  static bool IsSimpleCriteria(const Ast& n) {
    if (IsChildTest(n) || IsPathTest(n)) return true;
    if (n.kind != AstKind::kBinary) return false;
    switch (n.op) {
      case BinaryOp::kAnd:
      case BinaryOp::kOr:
      case BinaryOp::kXor:
      case BinaryOp::kImplies: return IsSimpleCriteria(*n.children[0]) && IsSimpleCriteria(*n.children[1]);
      case BinaryOp::kEq:
      case BinaryOp::kNe: {
        const Ast& l = *n.children[0];
        const Ast& r = *n.children[1];
        // A name starting with a capital could select the item itself (a type name): excluded.
        return l.kind == AstKind::kMember && l.children[0] == nullptr && !l.name.empty() &&
               !(l.name[0] >= 'A' && l.name[0] <= 'Z') && r.kind == AstKind::kLiteral &&
               r.literal->type() == ValueType::kString;
      }
      default: return false;
    }
  }

  // `name.exists()` or `name.empty()` on a child of the item.
  static bool IsChildTest(const Ast& n) {
    if (n.kind != AstKind::kFunction || (n.fn != Fn::kExists && n.fn != Fn::kEmpty) || n.children.size() != 1 ||
        n.children[0] == nullptr) {
      return false;
    }
    const Ast& t = *n.children[0];
    return t.kind == AstKind::kMember && t.children[0] == nullptr && !t.name.empty() && !(t.name[0] >= 'A' && t.name[0] <= 'Z');
  }

  // A chain of child names from the item: `code.coding` (none starting with a capital, which
  // could name a type).
  static bool IsChildPath(const Ast& n) {
    if (n.kind != AstKind::kMember || n.name.empty() || (n.name[0] >= 'A' && n.name[0] <= 'Z')) return false;
    return n.children[0] == nullptr || IsChildPath(*n.children[0]);
  }

  // `path.where(simple).exists()` or `path.exists(simple)` on the item's descendants, as in
  // `code.coding.where(system = '...' and code = '...').exists()`.
  static bool IsPathTest(const Ast& n) {
    if (n.kind != AstKind::kFunction || n.fn != Fn::kExists || n.children.empty() || n.children[0] == nullptr) {
      return false;
    }
    if (n.children.size() == 2) return IsChildPath(*n.children[0]) && IsSimpleCriteria(*n.children[1]);
    if (n.children.size() != 1) return false;
    const Ast& w = *n.children[0];
    return w.kind == AstKind::kFunction && w.fn == Fn::kWhere && w.children.size() == 2 && w.children[0] != nullptr &&
           IsChildPath(*w.children[0]) && IsSimpleCriteria(*w.children[1]);
  }

  // The nodes a child path selects from `item`, in the general path's order; false when a step
  // exceeds the collection size limit (the general path's error).
  bool ChildPathNodes(const Ast& path, const Node& item, std::vector<const Node*>& out) const {
    std::vector<const Node*> from;
    if (path.children[0] == nullptr) {
      from.push_back(&item);
    } else if (!ChildPathNodes(*path.children[0], item, from)) {
      return false;
    }
    for (const Node* f : from) f->Children(path.name, out);
    return out.size() <= env_.max_collection_size;
  }

  // Evaluates IsSimpleCriteria `n` on `item` into `result` (nullopt: empty). Returns false,
  // leaving the item to the general path, when the data is not of the shape answered here (a
  // compared child that repeats, or is not a string with a value).
  bool SimpleCriteria(const Ast& n, const Node& item, std::optional<bool>& result) const {
    if (IsPathTest(n)) {
      const bool with_where = n.children.size() == 1;
      const Ast& path = with_where ? *n.children[0]->children[0] : *n.children[0];
      const Ast& criteria = with_where ? *n.children[0]->children[1] : *n.children[1];
      std::vector<const Node*> nodes;
      if (!ChildPathNodes(path, item, nodes)) return false;
      // Every candidate is answered (no early exit), so a shape left to the general path is
      // never skipped.
      bool any = false;
      for (const Node* x : nodes) {
        std::optional<bool> r;
        if (!SimpleCriteria(criteria, *x, r)) return false;
        any = any || r == true;
      }
      result = any;
      return true;
    }
    if (n.kind == AstKind::kFunction) {
      thread_local std::vector<const Node*> kids;
      kids.clear();
      item.Children(n.children[0]->name, kids);
      if (kids.size() > env_.max_collection_size) return false;  // the general path's limit error
      result = n.fn == Fn::kExists ? !kids.empty() : kids.empty();
      return true;
    }
    const BinaryOp op = n.op;
    if (op == BinaryOp::kEq || op == BinaryOp::kNe) {
      thread_local std::vector<const Node*> kids;
      kids.clear();
      item.Children(n.children[0]->name, kids);
      if (kids.empty()) {
        result.reset();
        return true;
      }
      if (kids.size() != 1 || kids[0]->primitive_kind() != PrimitiveKind::kString || !kids[0]->has_value()) return false;
      const bool equal = kids[0]->primitive_text() == n.children[1]->literal->string();
      result = op == BinaryOp::kEq ? equal : !equal;
      return true;
    }
    // The three-valued logic of EvalBinary, with its short-circuits.
    std::optional<bool> a, b;
    if (!SimpleCriteria(*n.children[0], item, a)) return false;
    if (op == BinaryOp::kAnd && a == false) {
      result = false;
      return true;
    }
    if (op == BinaryOp::kOr && a == true) {
      result = true;
      return true;
    }
    if (op == BinaryOp::kImplies && a == false) {
      result = true;
      return true;
    }
    if (!SimpleCriteria(*n.children[1], item, b)) return false;
    result.reset();
    switch (op) {
      case BinaryOp::kAnd:
        if (b == false) result = false;
        else if (a == true && b == true) result = true;
        break;
      case BinaryOp::kOr:
        if (b == true) result = true;
        else if (a == false && b == false) result = false;
        break;
      case BinaryOp::kXor:
        if (a && b) result = *a != *b;
        break;
      default:  // implies; a is true or empty here
        if (b == true) result = true;
        else if (a == true) result = b;
        break;
    }
    return true;
  }

  // now()/today()/timeOfDay(): EvalEnv::now, else the system clock read at the first use, so
  // that every call within one evaluation sees the same instant.
  const Temporal& Now() {
    if (now_) return *now_;
    if (env_.now) {
      now_ = *env_.now;
      return *now_;
    }
    Temporal t;
    auto tp = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    CivilFromDays(days, t.year, t.month, t.day);
    t.hour = static_cast<int>(rem / 3600000);
    t.minute = static_cast<int>(rem / 60000 % 60);
    t.second = static_cast<int>(rem / 1000 % 60);
    t.millisecond = static_cast<int>(rem % 1000);
    t.precision = P::kMillisecond;
    t.kind = PrimitiveKind::kDateTime;
    t.has_timezone = true;
    t.timezone_minutes = 0;
    now_ = t;
    return *now_;
  }

  const EvalEnv& env_;
  const Collection& context_;
  std::optional<Temporal> now_;
};

Status Evaluator::Eval(const Ast& n, const Collection& input, const Scope& scope, Collection& out) {
  switch (n.kind) {
    case AstKind::kEmpty: return Status::Ok();
    case AstKind::kLiteral: out.push_back(*n.literal); return Status::Ok();
    case AstKind::kMember: return EvalMember(n, input, scope, out);
    case AstKind::kFunction: return EvalFunction(n, input, scope, out);
    case AstKind::kThis:
      if (scope.this_coll != nullptr) out.insert(out.end(), scope.this_coll->begin(), scope.this_coll->end());
      return Status::Ok();
    case AstKind::kIndex:
      if (scope.index) out.push_back(Value::Integer(*scope.index));
      return Status::Ok();
    case AstKind::kTotal:
      if (scope.total != nullptr) out.insert(out.end(), scope.total->begin(), scope.total->end());
      return Status::Ok();
    case AstKind::kConstant: return EvalConstant(n, out);
    case AstKind::kIndexer: {
      Collection target, index;
      if (Status st = Eval(*n.children[0], input, scope, target); !st.ok()) return st;
      if (Status st = Eval(*n.children[1], input, scope, index); !st.ok()) return st;
      auto i = Single(index, "indexer");
      if (!i.ok()) return i.status();
      if (!i.value()) return Status::Ok();
      if (i.value()->type() != ValueType::kInteger) return InvalidArgument("FHIRPath: index must be an integer");
      int64_t k = i.value()->integer();
      if (k >= 0 && static_cast<size_t>(k) < target.size()) out.push_back(target[static_cast<size_t>(k)]);
      return Status::Ok();
    }
    case AstKind::kNegate: {
      Collection operand;
      if (Status st = Eval(*n.children[0], input, scope, operand); !st.ok()) return st;
      auto v = Single(operand, "unary minus");
      if (!v.ok()) return v.status();
      if (!v.value()) return Status::Ok();
      const Value& x = *v.value();
      switch (x.type()) {
        case ValueType::kInteger: out.push_back(Value::Integer(-x.integer())); break;
        case ValueType::kDecimal: out.push_back(Value::FromDecimal({-x.decimal().value, x.decimal().scale})); break;
        case ValueType::kQuantity: {
          Quantity q = x.quantity();
          q.value.value = -q.value.value;
          out.push_back(Value::FromQuantity(std::move(q)));
          break;
        }
        default: return InvalidArgument("FHIRPath: unary minus needs a number or quantity");
      }
      return Status::Ok();
    }
    case AstKind::kBinary: return EvalBinary(n, input, scope, out);
    case AstKind::kIs:
    case AstKind::kAs: {
      Collection operand;
      if (Status st = Eval(*n.children[0], input, scope, operand); !st.ok()) return st;
      if (operand.empty()) return Status::Ok();
      if (n.kind == AstKind::kIs) {
        if (operand.size() > 1) return InvalidArgument("FHIRPath: 'is' expects a single item");
        out.push_back(Value::Boolean(MatchesType(operand[0], n.type)));
        return Status::Ok();
      }
      // 'as' on several items filters like ofType(): R4 invariants (dom-3) rely on it.
      for (const Value& v : operand) {
        if (MatchesType(v, n.type)) out.push_back(v);
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status Evaluator::EvalMember(const Ast& n, const Collection& input, const Scope& scope, Collection& out) {
  Collection target_storage;
  const Collection* target = &input;
  bool implicit = n.children[0] == nullptr;
  if (!implicit) {
    if (Status st = Eval(*n.children[0], input, scope, target_storage); !st.ok()) return st;
    target = &target_storage;
  }
  // Children() only appends and nothing below re-enters EvalMember while `kids` is in use, so
  // one buffer per thread serves every call.
  thread_local std::vector<const Node*> kids;
  for (const Value& v : *target) {
    if (!v.is_node()) continue;
    const Node& node = *v.node();
    // A leading type name selects the context itself (https://hl7.org/fhirpath/N1/#path-selection).
    if (implicit && !n.name.empty() && n.name[0] >= 'A' && n.name[0] <= 'Z' && node.is_resource() &&
        IsSubtype(node.type_name(), n.name)) {
      out.push_back(v);
      continue;
    }
    kids.clear();
    node.Children(n.name, kids);
    if (out.capacity() < out.size() + kids.size()) out.reserve(std::max(out.size() + kids.size(), 2 * out.capacity()));
    for (const Node* k : kids) out.push_back(Value::FromNode(k));
  }
  return Check(out);
}

Status Evaluator::EvalConstant(const Ast& n, Collection& out) {
  const std::string& name = n.name;
  if (name == "context") {
    out.insert(out.end(), context_.begin(), context_.end());
  } else if (name == "resource" || name == "rootResource") {
    const Node* r = name == "rootResource" && env_.root_resource != nullptr ? env_.root_resource : env_.resource;
    if (r == nullptr && context_.size() == 1 && context_[0].is_node() && context_[0].node()->is_resource()) {
      r = context_[0].node();
    }
    if (r != nullptr) out.push_back(Value::FromNode(r));
  } else if (name == "ucum") {
    out.push_back(Value::String("http://unitsofmeasure.org"));
  } else if (name == "sct") {
    out.push_back(Value::String("http://snomed.info/sct"));
  } else if (name == "loinc") {
    out.push_back(Value::String("http://loinc.org"));
  } else if (auto it = env_.constants.find(name); it != env_.constants.end()) {
    out.push_back(Value::String(it->second));
  } else if (name.rfind("vs-", 0) == 0) {
    out.push_back(Value::String("http://hl7.org/fhir/ValueSet/" + name.substr(3)));
  } else if (name.rfind("ext-", 0) == 0) {
    out.push_back(Value::String("http://hl7.org/fhir/StructureDefinition/" + name.substr(4)));
  } else {
    return InvalidArgument("FHIRPath: unknown constant %" + name);
  }
  return Status::Ok();
}

Result<std::optional<int>> Evaluator::CompareItems(const Value& a, const Value& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (a.type() == ValueType::kInteger && b.type() == ValueType::kInteger) {
      return std::optional<int>(a.integer() < b.integer() ? -1 : a.integer() > b.integer() ? 1 : 0);
    }
    return std::optional<int>(CompareDecimals(AsLongDouble(a), AsLongDouble(b)));
  }
  if (IsTemporal(a) && IsTemporal(b)) return CompareTemporal(a.temporal(), b.temporal());
  if (a.type() == ValueType::kString && b.type() == ValueType::kString) {
    int c = a.string().compare(b.string());
    return std::optional<int>(c < 0 ? -1 : c > 0 ? 1 : 0);
  }
  if (a.type() == ValueType::kQuantity && b.type() == ValueType::kQuantity) {
    if (CanonicalUnit(a.quantity().unit) != CanonicalUnit(b.quantity().unit)) return std::optional<int>();
    return std::optional<int>(CompareDecimals(a.quantity().value.value, b.quantity().value.value));
  }
  return InvalidArgument("FHIRPath: cannot compare " + std::string(SystemTypeName(a.type())) + " with " +
                         std::string(SystemTypeName(b.type())));
}

Result<std::optional<Temporal>> Evaluator::AddDuration(const Temporal& t0, const Quantity& q, int sign) {
  std::string unit = CanonicalUnit(q.unit);
  Temporal t = t0;
  long double amount = q.value.value * sign;
  int64_t whole = static_cast<int64_t>(std::trunc(amount));
  if (unit == "year" || unit == "a") {
    t.year += static_cast<int>(whole);
    if (t.precision >= P::kDay) t.day = std::min(t.day, DaysInMonth(t.year, t.month));
  } else if (unit == "month" || unit == "mo") {
    int64_t m = t.year * 12 + (t.month - 1) + whole;
    t.year = static_cast<int>(m >= 0 ? m / 12 : -((-m + 11) / 12));
    t.month = static_cast<int>(m - static_cast<int64_t>(t.year) * 12 + 1);
    if (t.precision >= P::kDay) t.day = std::min(t.day, DaysInMonth(t.year, t.month));
  } else {
    int64_t ms_per = 0;
    if (unit == "wk") ms_per = 7 * 86400000LL;
    else if (unit == "d") ms_per = 86400000LL;
    else if (unit == "h") ms_per = 3600000LL;
    else if (unit == "min") ms_per = 60000LL;
    else if (unit == "s") ms_per = 1000LL;
    else if (unit == "ms") ms_per = 1LL;
    else return InvalidArgument("FHIRPath: cannot add a quantity in '" + q.unit + "' to a date/time");
    int64_t delta = static_cast<int64_t>(std::llround(amount * static_cast<long double>(ms_per)));
    int64_t base_days = t.kind == PrimitiveKind::kTime ? 0 : DaysFromCivil(t.year, t.month, t.day);
    int64_t ms = base_days * 86400000LL + ((t.hour * 60LL + t.minute) * 60LL + t.second) * 1000LL + t.millisecond;
    ms += delta;
    int64_t days = ms >= 0 ? ms / 86400000LL : -((-ms + 86399999LL) / 86400000LL);
    int64_t rem = ms - days * 86400000LL;
    if (t.kind != PrimitiveKind::kTime) CivilFromDays(days, t.year, t.month, t.day);
    t.hour = static_cast<int>(rem / 3600000);
    t.minute = static_cast<int>(rem / 60000 % 60);
    t.second = static_cast<int>(rem / 1000 % 60);
    t.millisecond = static_cast<int>(rem % 1000);
  }
  return std::optional<Temporal>(t);
}

Status Evaluator::Arithmetic(BinaryOp op, const Collection& lc, const Collection& rc, Collection& out) {
  if (op == BinaryOp::kConcat) {
    auto l = Single(lc, "&"), r = Single(rc, "&");
    if (!l.ok()) return l.status();
    if (!r.ok()) return r.status();
    std::string s = l.value() ? ToText(*l.value()) : "";
    s += r.value() ? ToText(*r.value()) : "";
    out.push_back(Value::String(std::move(s)));
    return Status::Ok();
  }
  auto l = Single(lc, "arithmetic"), r = Single(rc, "arithmetic");
  if (!l.ok()) return l.status();
  if (!r.ok()) return r.status();
  if (!l.value() || !r.value()) return Status::Ok();
  const Value& a = *l.value();
  const Value& b = *r.value();
  if (IsNumber(a) && IsNumber(b)) {
    bool ints = a.type() == ValueType::kInteger && b.type() == ValueType::kInteger;
    if (ints && op != BinaryOp::kDiv) {
      int64_t x = a.integer(), y = b.integer(), z = 0;
      switch (op) {
        case BinaryOp::kAdd: if (__builtin_add_overflow(x, y, &z)) return Status::Ok(); break;
        case BinaryOp::kSub: if (__builtin_sub_overflow(x, y, &z)) return Status::Ok(); break;
        case BinaryOp::kMul: if (__builtin_mul_overflow(x, y, &z)) return Status::Ok(); break;
        case BinaryOp::kIntDiv: if (y == 0) return Status::Ok(); z = x / y; break;
        case BinaryOp::kMod: if (y == 0) return Status::Ok(); z = x % y; break;
        default: break;
      }
      out.push_back(Value::Integer(z));
      return Status::Ok();
    }
    long double x = AsLongDouble(a), y = AsLongDouble(b);
    int sa = ScaleOf(a), sb = ScaleOf(b);
    Decimal d;
    switch (op) {
      case BinaryOp::kAdd: d = {x + y, std::max(sa, sb)}; break;
      case BinaryOp::kSub: d = {x - y, std::max(sa, sb)}; break;
      case BinaryOp::kMul: d = {x * y, sa + sb}; break;
      case BinaryOp::kDiv: if (y == 0) return Status::Ok(); d = {x / y, -1}; break;
      case BinaryOp::kIntDiv:
        if (y == 0) return Status::Ok();
        out.push_back(Value::Integer(static_cast<int64_t>(std::trunc(x / y))));
        return Status::Ok();
      case BinaryOp::kMod:
        if (y == 0) return Status::Ok();
        d = {std::fmod(x, y), std::max(sa, sb)};
        break;
      default: break;
    }
    if (d.scale < 0) {
      d.scale = 0;
      long double probe = d.value;
      for (int i = 0; i < 8 && CompareDecimals(probe, std::round(probe)) != 0; ++i) {
        probe *= 10;
        ++d.scale;
      }
    }
    out.push_back(Value::FromDecimal(d));
    return Status::Ok();
  }
  if (op == BinaryOp::kAdd && a.type() == ValueType::kString && b.type() == ValueType::kString) {
    out.push_back(Value::String(a.string() + b.string()));
    return Status::Ok();
  }
  if ((op == BinaryOp::kAdd || op == BinaryOp::kSub) && IsTemporal(a) && b.type() == ValueType::kQuantity) {
    auto t = AddDuration(a.temporal(), b.quantity(), op == BinaryOp::kAdd ? 1 : -1);
    if (!t.ok()) return t.status();
    if (t.value()) out.push_back(Value::FromTemporal(*t.value()));
    return Status::Ok();
  }
  if (a.type() == ValueType::kQuantity || b.type() == ValueType::kQuantity) {
    if ((op == BinaryOp::kAdd || op == BinaryOp::kSub) && a.type() == b.type()) {
      if (CanonicalUnit(a.quantity().unit) != CanonicalUnit(b.quantity().unit)) return Status::Ok();
      Quantity q = a.quantity();
      long double y = b.quantity().value.value;
      q.value.value = op == BinaryOp::kAdd ? q.value.value + y : q.value.value - y;
      q.value.scale = std::max(q.value.scale, b.quantity().value.scale);
      out.push_back(Value::FromQuantity(std::move(q)));
      return Status::Ok();
    }
    if ((op == BinaryOp::kMul || op == BinaryOp::kDiv) && a.type() == ValueType::kQuantity && IsNumber(b)) {
      Quantity q = a.quantity();
      long double y = AsLongDouble(b);
      if (op == BinaryOp::kDiv && y == 0) return Status::Ok();
      q.value.value = op == BinaryOp::kMul ? q.value.value * y : q.value.value / y;
      out.push_back(Value::FromQuantity(std::move(q)));
      return Status::Ok();
    }
    if (op == BinaryOp::kMul && IsNumber(a)) {
      Quantity q = b.quantity();
      q.value.value *= AsLongDouble(a);
      out.push_back(Value::FromQuantity(std::move(q)));
      return Status::Ok();
    }
  }
  return InvalidArgument("FHIRPath: arithmetic is not defined for " + std::string(SystemTypeName(a.type())) + " and " +
                         std::string(SystemTypeName(b.type())));
}

Status Evaluator::EvalBinary(const Ast& n, const Collection& input, const Scope& scope, Collection& out) {
  BinaryOp op = n.op;
  Collection l, r;
  if (Status st = Eval(*n.children[0], input, scope, l); !st.ok()) return st;
  // and/or/implies short-circuit when the left side decides
  // (https://hl7.org/fhirpath/N1/#boolean-logic).
  if (op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kXor || op == BinaryOp::kImplies) {
    auto lb = ToBool(l, "boolean operator");
    if (!lb.ok()) return lb.status();
    std::optional<bool> a = lb.value();
    if (op == BinaryOp::kAnd && a == false) {
      out.push_back(Value::Boolean(false));
      return Status::Ok();
    }
    if (op == BinaryOp::kOr && a == true) {
      out.push_back(Value::Boolean(true));
      return Status::Ok();
    }
    if (op == BinaryOp::kImplies && a == false) {
      out.push_back(Value::Boolean(true));
      return Status::Ok();
    }
    if (Status st = Eval(*n.children[1], input, scope, r); !st.ok()) return st;
    auto rb = ToBool(r, "boolean operator");
    if (!rb.ok()) return rb.status();
    std::optional<bool> b = rb.value();
    std::optional<bool> res;
    switch (op) {
      case BinaryOp::kAnd:
        if (b == false) res = false;
        else if (a == true && b == true) res = true;
        break;
      case BinaryOp::kOr:
        if (b == true) res = true;
        else if (a == false && b == false) res = false;
        break;
      case BinaryOp::kXor:
        if (a && b) res = *a != *b;
        break;
      default:  // implies; a is true or empty here
        if (b == true) res = true;
        else if (a == true) res = b;
        break;
    }
    if (res) out.push_back(Value::Boolean(*res));
    return Status::Ok();
  }
  // `path = 'text'` (the commonest comparison in invariants): a single string item is
  // compared with the literal in place, without copying either into a System value.
  if ((op == BinaryOp::kEq || op == BinaryOp::kNe) && n.children[1]->kind == AstKind::kLiteral &&
      n.children[1]->literal->type() == ValueType::kString) {
    if (l.empty()) return Status::Ok();
    if (l.size() == 1) {
      const std::string& literal = n.children[1]->literal->string();
      std::optional<bool> equal;
      if (l[0].is_node()) {
        const Node& node = *l[0].node();
        if (node.primitive_kind() == PrimitiveKind::kString && node.has_value()) equal = node.primitive_text() == literal;
      } else if (l[0].type() == ValueType::kString) {
        equal = l[0].string() == literal;
      }
      if (equal) {
        out.push_back(Value::Boolean(op == BinaryOp::kEq ? *equal : !*equal));
        return Status::Ok();
      }
    }
  }
  if (Status st = Eval(*n.children[1], input, scope, r); !st.ok()) return st;
  switch (op) {
    case BinaryOp::kUnion: {
      Collection all = std::move(l);
      all.insert(all.end(), r.begin(), r.end());
      Collection d = Distinct(all);
      out.insert(out.end(), d.begin(), d.end());
      return Check(out);
    }
    case BinaryOp::kEq:
    case BinaryOp::kNe: {
      auto e = CollectionsEqual(l, r);
      if (e) out.push_back(Value::Boolean(op == BinaryOp::kEq ? *e : !*e));
      return Status::Ok();
    }
    case BinaryOp::kEquiv:
    case BinaryOp::kNotEquiv: {
      bool e = CollectionsEquivalent(l, r);
      out.push_back(Value::Boolean(op == BinaryOp::kEquiv ? e : !e));
      return Status::Ok();
    }
    case BinaryOp::kLt:
    case BinaryOp::kGt:
    case BinaryOp::kLe:
    case BinaryOp::kGe: {
      auto a = Single(l, "comparison"), b = Single(r, "comparison");
      if (!a.ok()) return a.status();
      if (!b.ok()) return b.status();
      if (!a.value() || !b.value()) return Status::Ok();
      auto c = CompareItems(*a.value(), *b.value());
      if (!c.ok()) return c.status();
      if (!c.value()) return Status::Ok();
      int v = *c.value();
      bool res = op == BinaryOp::kLt ? v < 0 : op == BinaryOp::kGt ? v > 0 : op == BinaryOp::kLe ? v <= 0 : v >= 0;
      out.push_back(Value::Boolean(res));
      return Status::Ok();
    }
    case BinaryOp::kIn:
    case BinaryOp::kContains: {
      const Collection& item = op == BinaryOp::kIn ? l : r;
      const Collection& set = op == BinaryOp::kIn ? r : l;
      if (item.empty()) return Status::Ok();
      if (item.size() > 1) return InvalidArgument("FHIRPath: membership expects a single item");
      out.push_back(Value::Boolean(Contains(set, item[0])));
      return Status::Ok();
    }
    default: return Arithmetic(op, l, r, out);
  }
}

Result<std::optional<int64_t>> Evaluator::IntegerArg(const Ast& n, size_t i, const Collection& input,
                                                     const Scope& scope) {
  Collection c;
  if (Status st = Arg(n, i, input, scope, c); !st.ok()) return st;
  auto v = Single(c, n.name);
  if (!v.ok()) return v.status();
  if (!v.value()) return std::optional<int64_t>();
  if (v.value()->type() != ValueType::kInteger) return InvalidArgument("FHIRPath: " + n.name + "() expects an integer");
  return std::optional<int64_t>(v.value()->integer());
}

Result<std::optional<std::string>> Evaluator::StringArg(const Ast& n, size_t i, const Collection& input,
                                                        const Scope& scope) {
  Collection c;
  if (Status st = Arg(n, i, input, scope, c); !st.ok()) return st;
  return SingleString(c, n.name);
}

std::optional<Value> ConvertTo(Fn fn, const Value& v) {
  ValueType t = v.type();
  switch (fn) {
    case Fn::kToString:
      if (v.is_node()) return std::nullopt;
      return Value::String(ToText(v));
    case Fn::kToInteger:
      if (t == ValueType::kInteger) return v;
      if (t == ValueType::kBoolean) return Value::Integer(v.boolean() ? 1 : 0);
      if (t == ValueType::kString) {
        if (auto i = ParseInteger(v.string())) return Value::Integer(*i);
      }
      return std::nullopt;
    case Fn::kToDecimal:
      if (t == ValueType::kDecimal) return v;
      if (t == ValueType::kInteger) return Value::FromDecimal({static_cast<long double>(v.integer()), 0});
      if (t == ValueType::kBoolean) return Value::FromDecimal({v.boolean() ? 1.0L : 0.0L, 1});
      if (t == ValueType::kString) {
        if (auto d = ParseDecimal(v.string()); d && v.string().find_first_of("eE") == std::string::npos) {
          return Value::FromDecimal(*d);
        }
      }
      return std::nullopt;
    case Fn::kToBoolean:
      if (t == ValueType::kBoolean) return v;
      if (t == ValueType::kInteger) {
        if (v.integer() == 1) return Value::Boolean(true);
        if (v.integer() == 0) return Value::Boolean(false);
      }
      if (t == ValueType::kDecimal) {
        if (v.decimal().value == 1) return Value::Boolean(true);
        if (v.decimal().value == 0) return Value::Boolean(false);
      }
      if (t == ValueType::kString) {
        std::string s = Lower(v.string());
        if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "1" || s == "1.0") return Value::Boolean(true);
        if (s == "false" || s == "f" || s == "no" || s == "n" || s == "0" || s == "0.0") return Value::Boolean(false);
      }
      return std::nullopt;
    case Fn::kToDate:
      if (t == ValueType::kDate) return v;
      if (t == ValueType::kDateTime) {
        Temporal d = v.temporal();
        d.kind = PrimitiveKind::kDate;
        d.precision = std::min(d.precision, P::kDay);
        d.has_timezone = false;
        return Value::FromTemporal(d);
      }
      if (t == ValueType::kString) {
        if (auto d = ParseTemporal(v.string(), PrimitiveKind::kDate); d && d->kind == PrimitiveKind::kDate) {
          return Value::FromTemporal(*d);
        }
      }
      return std::nullopt;
    case Fn::kToDateTime:
      if (t == ValueType::kDateTime) return v;
      if (t == ValueType::kDate) {
        Temporal d = v.temporal();
        d.kind = PrimitiveKind::kDateTime;
        return Value::FromTemporal(d);
      }
      if (t == ValueType::kString) {
        if (auto d = ParseTemporal(v.string(), PrimitiveKind::kDateTime)) return Value::FromTemporal(*d);
      }
      return std::nullopt;
    case Fn::kToTime:
      if (t == ValueType::kTime) return v;
      if (t == ValueType::kString) {
        if (auto d = ParseTemporal(v.string(), PrimitiveKind::kTime)) return Value::FromTemporal(*d);
      }
      return std::nullopt;
    case Fn::kToQuantity:
      if (t == ValueType::kQuantity) return v;
      if (t == ValueType::kInteger || t == ValueType::kDecimal) {
        Decimal d = t == ValueType::kInteger ? Decimal{static_cast<long double>(v.integer()), 0} : v.decimal();
        return Value::FromQuantity({d, "1"});
      }
      if (t == ValueType::kString) {
        if (auto q = ParseQuantityText(v.string())) return Value::FromQuantity(*q);
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

Fn ConversionFor(Fn converts_to) {
  switch (converts_to) {
    case Fn::kConvertsToString: return Fn::kToString;
    case Fn::kConvertsToInteger: return Fn::kToInteger;
    case Fn::kConvertsToDecimal: return Fn::kToDecimal;
    case Fn::kConvertsToBoolean: return Fn::kToBoolean;
    case Fn::kConvertsToDate: return Fn::kToDate;
    case Fn::kConvertsToDateTime: return Fn::kToDateTime;
    case Fn::kConvertsToTime: return Fn::kToTime;
    case Fn::kConvertsToQuantity: return Fn::kToQuantity;
    default: return converts_to;
  }
}

Status Evaluator::Convert(Fn fn, const Collection& focus, Collection& out) {
  auto v = Single(focus, "conversion");
  if (!v.ok()) return v.status();
  if (!v.value()) return Status::Ok();
  Fn target = ConversionFor(fn);
  std::optional<Value> r = ConvertTo(target, *v.value());
  if (target != fn) {
    out.push_back(Value::Boolean(r.has_value()));
  } else if (r) {
    out.push_back(std::move(*r));
  }
  return Status::Ok();
}

Status Evaluator::StringFunction(const Ast& n, const Collection& focus, const Collection& input, const Scope& scope,
                                 Collection& out) {
  // startsWith/endsWith/contains of one string element with a literal argument (ref-1, bdl-8):
  // answered on the element's text in place, with the same result as the general path below.
  if ((n.fn == Fn::kStartsWith || n.fn == Fn::kEndsWith || n.fn == Fn::kContainsString) && focus.size() == 1 &&
      focus[0].is_node() && n.children.size() > 1 && n.children[1]->kind == AstKind::kLiteral &&
      n.children[1]->literal->type() == ValueType::kString) {
    const Node& node = *focus[0].node();
    if (node.primitive_kind() == PrimitiveKind::kString && node.has_value()) {
      const std::string_view s = node.primitive_text();
      const std::string& arg = n.children[1]->literal->string();
      bool r = false;
      if (n.fn == Fn::kStartsWith) r = s.substr(0, arg.size()) == arg;
      if (n.fn == Fn::kEndsWith) r = s.size() >= arg.size() && s.substr(s.size() - arg.size()) == arg;
      if (n.fn == Fn::kContainsString) r = s.find(arg) != std::string_view::npos;
      out.push_back(Value::Boolean(r));
      return Status::Ok();
    }
  }
  auto sv = SingleString(focus, n.name);
  if (!sv.ok()) return sv.status();
  if (!sv.value()) return Status::Ok();
  const std::string& s = *sv.value();
  switch (n.fn) {
    case Fn::kLower: out.push_back(Value::String(Lower(s))); return Status::Ok();
    case Fn::kUpper: {
      std::string u = s;
      for (char& c : u) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      out.push_back(Value::String(std::move(u)));
      return Status::Ok();
    }
    case Fn::kLength: out.push_back(Value::Integer(static_cast<int64_t>(s.size()))); return Status::Ok();
    case Fn::kTrim: {
      size_t b = s.find_first_not_of(" \t\r\n");
      size_t e = s.find_last_not_of(" \t\r\n");
      out.push_back(Value::String(b == std::string::npos ? "" : s.substr(b, e - b + 1)));
      return Status::Ok();
    }
    case Fn::kToChars:
      for (char c : s) out.push_back(Value::String(std::string(1, c)));
      return Status::Ok();
    case Fn::kSubstring: {
      auto start = IntegerArg(n, 1, input, scope);
      if (!start.ok()) return start.status();
      if (!start.value() || *start.value() < 0 || static_cast<size_t>(*start.value()) >= s.size()) return Status::Ok();
      size_t len = std::string::npos;
      if (n.children.size() > 2) {
        auto l = IntegerArg(n, 2, input, scope);
        if (!l.ok()) return l.status();
        if (l.value()) len = *l.value() < 0 ? 0 : static_cast<size_t>(*l.value());
      }
      out.push_back(Value::String(s.substr(static_cast<size_t>(*start.value()), len)));
      return Status::Ok();
    }
    default: break;
  }
  auto a1 = StringArg(n, 1, input, scope);
  if (!a1.ok()) return a1.status();
  if (!a1.value()) return Status::Ok();
  const std::string& arg = *a1.value();
  switch (n.fn) {
    case Fn::kStartsWith: out.push_back(Value::Boolean(s.rfind(arg, 0) == 0)); break;
    case Fn::kEndsWith:
      out.push_back(Value::Boolean(s.size() >= arg.size() && s.compare(s.size() - arg.size(), arg.size(), arg) == 0));
      break;
    case Fn::kContainsString: out.push_back(Value::Boolean(s.find(arg) != std::string::npos)); break;
    case Fn::kIndexOf: {
      size_t p = s.find(arg);
      out.push_back(Value::Integer(p == std::string::npos ? -1 : static_cast<int64_t>(p)));
      break;
    }
    case Fn::kSplit: {
      if (arg.empty()) {
        out.push_back(Value::String(s));
        break;
      }
      size_t start = 0;
      while (true) {
        size_t p = s.find(arg, start);
        out.push_back(Value::String(s.substr(start, p == std::string::npos ? std::string::npos : p - start)));
        if (p == std::string::npos) break;
        start = p + arg.size();
      }
      break;
    }
    case Fn::kMatches:
    case Fn::kReplaceMatches: {
      std::optional<Regex> dynamic;
      const Regex* re = n.regex.get();
      if (re == nullptr) {
        if (!RegexRepeatsAreBounded(arg)) {
          return InvalidArgument("FHIRPath: regular expression repeat count above 1000 in '" + arg + "'");
        }
        auto compiled = Regex::Compile(arg);
        if (!compiled.ok()) {
          return InvalidArgument("FHIRPath: invalid regular expression '" + arg + "': " + compiled.status().message());
        }
        dynamic.emplace(std::move(compiled).value());
        re = &*dynamic;
      }
      if (n.fn == Fn::kMatches) {
        // Partial match, as FHIRPath 2.0 clarifies (matchesFull anchors).
        out.push_back(Value::Boolean(re->PartialMatch(s)));
      } else {
        auto sub = StringArg(n, 2, input, scope);
        if (!sub.ok()) return sub.status();
        if (!sub.value()) return Status::Ok();
        out.push_back(Value::String(re->ReplaceAll(s, *sub.value())));
      }
      break;
    }
    case Fn::kReplace: {
      auto sub = StringArg(n, 2, input, scope);
      if (!sub.ok()) return sub.status();
      if (!sub.value()) return Status::Ok();
      const std::string& with = *sub.value();
      std::string r;
      if (arg.empty()) {
        r = with;
        for (char c : s) {
          r += c;
          r += with;
        }
      } else {
        size_t start = 0;
        while (true) {
          size_t p = s.find(arg, start);
          if (p == std::string::npos) {
            r += s.substr(start);
            break;
          }
          r += s.substr(start, p - start);
          r += with;
          start = p + arg.size();
        }
      }
      out.push_back(Value::String(std::move(r)));
      break;
    }
    default: break;
  }
  return Status::Ok();
}

Status Evaluator::MathFunction(const Ast& n, const Collection& focus, const Collection& input, const Scope& scope,
                               Collection& out) {
  auto sv = Single(focus, n.name);
  if (!sv.ok()) return sv.status();
  if (!sv.value()) return Status::Ok();
  const Value& v = *sv.value();
  if (n.fn == Fn::kAbs && v.type() == ValueType::kQuantity) {
    Quantity q = v.quantity();
    q.value.value = std::fabs(q.value.value);
    out.push_back(Value::FromQuantity(std::move(q)));
    return Status::Ok();
  }
  if (!IsNumber(v)) return InvalidArgument("FHIRPath: " + n.name + "() expects a number");
  long double x = AsLongDouble(v);
  auto dec = [&](long double r, int scale) {
    if (std::isfinite(r)) out.push_back(Value::FromDecimal({r, scale}));
    return Status::Ok();
  };
  switch (n.fn) {
    case Fn::kAbs:
      if (v.type() == ValueType::kInteger) {
        out.push_back(Value::Integer(v.integer() < 0 ? -v.integer() : v.integer()));
        return Status::Ok();
      }
      return dec(std::fabs(x), ScaleOf(v));
    case Fn::kCeiling: out.push_back(Value::Integer(static_cast<int64_t>(std::ceil(x)))); return Status::Ok();
    case Fn::kFloor: out.push_back(Value::Integer(static_cast<int64_t>(std::floor(x)))); return Status::Ok();
    case Fn::kTruncate: out.push_back(Value::Integer(static_cast<int64_t>(std::trunc(x)))); return Status::Ok();
    case Fn::kRound: {
      int64_t digits = 0;
      if (n.children.size() > 1) {
        auto d = IntegerArg(n, 1, input, scope);
        if (!d.ok()) return d.status();
        if (d.value()) digits = *d.value();
      }
      if (digits < 0 || digits > 18) return InvalidArgument("FHIRPath: round() precision out of range");
      long double f = std::pow(10.0L, static_cast<long double>(digits));
      return dec(std::round(x * f) / f, static_cast<int>(digits));
    }
    case Fn::kSqrt: return x < 0 ? Status::Ok() : dec(std::sqrt(x), 8);
    case Fn::kExp: return dec(std::exp(x), 8);
    case Fn::kLn: return x <= 0 ? Status::Ok() : dec(std::log(x), 8);
    case Fn::kLog:
    case Fn::kPower: {
      Collection c;
      if (Status st = Arg(n, 1, input, scope, c); !st.ok()) return st;
      auto a = Single(c, n.name);
      if (!a.ok()) return a.status();
      if (!a.value() || !IsNumber(*a.value())) return Status::Ok();
      long double y = AsLongDouble(*a.value());
      if (n.fn == Fn::kLog) return x <= 0 || y <= 0 || y == 1 ? Status::Ok() : dec(std::log(x) / std::log(y), 8);
      long double p = std::pow(x, y);
      if (v.type() == ValueType::kInteger && a.value()->type() == ValueType::kInteger && y >= 0 &&
          std::fabs(p) < 9.2e18L) {
        out.push_back(Value::Integer(static_cast<int64_t>(p)));
        return Status::Ok();
      }
      return dec(p, 8);
    }
    default: return Status::Ok();
  }
}

Status Evaluator::EvalFunction(const Ast& n, const Collection& input, const Scope& scope, Collection& out) {
  Collection focus_storage;
  const Collection* focus_ptr = &input;
  if (n.children[0] != nullptr) {
    if (Status st = Eval(*n.children[0], input, scope, focus_storage); !st.ok()) return st;
    focus_ptr = &focus_storage;
  }
  const Collection& focus = *focus_ptr;
  switch (n.fn) {
    case Fn::kEmpty: out.push_back(Value::Boolean(focus.empty())); return Status::Ok();
    case Fn::kExists:
    case Fn::kWhere:
    case Fn::kAll: {
      bool has_criteria = n.children.size() > 1;
      if (!has_criteria) {
        out.push_back(Value::Boolean(!focus.empty()));
        return Status::Ok();
      }
      Collection kept;
      const bool simple = IsSimpleCriteria(*n.children[1]);
      for (size_t i = 0; i < focus.size(); ++i) {
        std::optional<bool> criteria;
        if (!simple || !focus[i].is_node() || !SimpleCriteria(*n.children[1], *focus[i].node(), criteria)) {
          Collection r;
          if (Status st = EvalLambda(*n.children[1], focus[i], static_cast<int64_t>(i), scope, r); !st.ok()) return st;
          auto b = ToBool(r, n.name);
          if (!b.ok()) return b.status();
          criteria = b.value();
        }
        bool yes = criteria == true;
        if (n.fn == Fn::kAll && !yes) {
          out.push_back(Value::Boolean(false));
          return Status::Ok();
        }
        if (n.fn == Fn::kExists && yes) {
          out.push_back(Value::Boolean(true));
          return Status::Ok();
        }
        if (n.fn == Fn::kWhere && yes) kept.push_back(focus[i]);
      }
      if (n.fn == Fn::kAll) out.push_back(Value::Boolean(true));
      if (n.fn == Fn::kExists) out.push_back(Value::Boolean(false));
      if (n.fn == Fn::kWhere) out.insert(out.end(), kept.begin(), kept.end());
      return Status::Ok();
    }
    case Fn::kAllTrue:
    case Fn::kAnyTrue:
    case Fn::kAllFalse:
    case Fn::kAnyFalse: {
      bool want = n.fn == Fn::kAllTrue || n.fn == Fn::kAnyTrue;
      bool all = n.fn == Fn::kAllTrue || n.fn == Fn::kAllFalse;
      bool result = all;
      for (const Value& v0 : focus) {
        Value v = Normalize(v0);
        if (v.type() != ValueType::kBoolean) return InvalidArgument("FHIRPath: " + n.name + "() expects booleans");
        bool match = v.boolean() == want;
        if (all && !match) result = false;
        if (!all && match) result = true;
      }
      out.push_back(Value::Boolean(result));
      return Status::Ok();
    }
    case Fn::kSubsetOf:
    case Fn::kSupersetOf: {
      Collection other;
      if (Status st = Arg(n, 1, input, scope, other); !st.ok()) return st;
      const Collection& sub = n.fn == Fn::kSubsetOf ? focus : other;
      const Collection& super = n.fn == Fn::kSubsetOf ? other : focus;
      bool ok = std::all_of(sub.begin(), sub.end(), [&](const Value& v) { return Contains(super, v); });
      out.push_back(Value::Boolean(ok));
      return Status::Ok();
    }
    case Fn::kCount: out.push_back(Value::Integer(static_cast<int64_t>(focus.size()))); return Status::Ok();
    case Fn::kDistinct: {
      Collection d = Distinct(focus);
      out.insert(out.end(), d.begin(), d.end());
      return Status::Ok();
    }
    case Fn::kIsDistinct: out.push_back(Value::Boolean(Distinct(focus).size() == focus.size())); return Status::Ok();
    case Fn::kSelect:
      for (size_t i = 0; i < focus.size(); ++i) {
        if (Status st = EvalLambda(*n.children[1], focus[i], static_cast<int64_t>(i), scope, out); !st.ok()) return st;
        if (Status st = Check(out); !st.ok()) return st;
      }
      return Status::Ok();
    case Fn::kRepeat: {
      Collection result;
      std::unordered_set<const Node*> seen_nodes;
      Collection pending = focus;
      while (!pending.empty()) {
        Collection next;
        for (size_t i = 0; i < pending.size(); ++i) {
          Collection r;
          if (Status st = EvalLambda(*n.children[1], pending[i], static_cast<int64_t>(i), scope, r); !st.ok()) {
            return st;
          }
          for (Value& v : r) {
            bool fresh = v.is_node() ? seen_nodes.insert(v.node()).second : !Contains(result, v);
            if (fresh) {
              result.push_back(v);
              next.push_back(std::move(v));
            }
          }
          if (Status st = Check(result); !st.ok()) return st;
        }
        pending = std::move(next);
      }
      out.insert(out.end(), result.begin(), result.end());
      return Status::Ok();
    }
    case Fn::kOfType:
    case Fn::kAsFn:
      for (const Value& v : focus) {
        if (MatchesType(v, n.type)) out.push_back(v);
      }
      return Status::Ok();
    case Fn::kIsFn:
      if (focus.empty()) return Status::Ok();
      if (focus.size() > 1) return InvalidArgument("FHIRPath: is() expects a single item");
      out.push_back(Value::Boolean(MatchesType(focus[0], n.type)));
      return Status::Ok();
    case Fn::kFirst:
      if (!focus.empty()) out.push_back(focus.front());
      return Status::Ok();
    case Fn::kLast:
      if (!focus.empty()) out.push_back(focus.back());
      return Status::Ok();
    case Fn::kTail:
      if (focus.size() > 1) out.insert(out.end(), focus.begin() + 1, focus.end());
      return Status::Ok();
    case Fn::kSkip:
    case Fn::kTake: {
      auto k = IntegerArg(n, 1, input, scope);
      if (!k.ok()) return k.status();
      int64_t count = k.value().value_or(0);
      size_t c = count < 0 ? 0 : std::min(static_cast<size_t>(count), focus.size());
      if (n.fn == Fn::kSkip) {
        out.insert(out.end(), focus.begin() + static_cast<std::ptrdiff_t>(c), focus.end());
      } else {
        out.insert(out.end(), focus.begin(), focus.begin() + static_cast<std::ptrdiff_t>(c));
      }
      return Status::Ok();
    }
    case Fn::kSingle:
      if (focus.size() > 1) return InvalidArgument("FHIRPath: single() found " + std::to_string(focus.size()) + " items");
      out.insert(out.end(), focus.begin(), focus.end());
      return Status::Ok();
    case Fn::kIif: {
      // The criterion and branches see the function's input as their focus.
      Scope s = scope;
      if (n.children[0] != nullptr) s.this_coll = &focus;
      Collection c;
      if (Status st = Eval(*n.children[1], focus, s, c); !st.ok()) return st;
      auto b = ToBool(c, "iif");
      if (!b.ok()) return b.status();
      if (b.value() == true) return Eval(*n.children[2], focus, s, out);
      if (n.children.size() > 3) return Eval(*n.children[3], focus, s, out);
      return Status::Ok();
    }
    case Fn::kNot: {
      auto b = ToBool(focus, "not()");
      if (!b.ok()) return b.status();
      if (b.value()) out.push_back(Value::Boolean(!*b.value()));
      return Status::Ok();
    }
    case Fn::kHasValue: {
      bool has = focus.size() == 1 && (!focus[0].is_node() || (focus[0].node()->primitive_kind() != PrimitiveKind::kNone &&
                                                               focus[0].node()->has_value()));
      out.push_back(Value::Boolean(has));
      return Status::Ok();
    }
    case Fn::kGetValue:
      if (focus.size() == 1 && focus[0].is_node() && focus[0].node()->primitive_kind() != PrimitiveKind::kNone &&
          focus[0].node()->has_value()) {
        out.push_back(Normalize(focus[0]));
      }
      return Status::Ok();
    case Fn::kChildren: {
      std::vector<const Node*> kids;
      for (const Value& v : focus) {
        if (v.is_node()) v.node()->AllChildren(kids);
      }
      for (const Node* k : kids) out.push_back(Value::FromNode(k));
      return Check(out);
    }
    case Fn::kDescendants:
      for (const Value& v : focus) {
        if (v.is_node()) Descendants(*v.node(), out, 0);
        if (Status st = Check(out); !st.ok()) return st;
      }
      return Status::Ok();
    case Fn::kTrace: {
      auto name = StringArg(n, 1, input, scope);
      if (!name.ok()) return name.status();
      if (env_.trace != nullptr) {
        if (n.children.size() > 2) {
          Collection projected;
          for (size_t i = 0; i < focus.size(); ++i) {
            if (Status st = EvalLambda(*n.children[2], focus[i], static_cast<int64_t>(i), scope, projected); !st.ok()) {
              return st;
            }
          }
          env_.trace->Trace(name.value().value_or(""), projected);
        } else {
          env_.trace->Trace(name.value().value_or(""), focus);
        }
      }
      out.insert(out.end(), focus.begin(), focus.end());
      return Status::Ok();
    }
    case Fn::kToString: case Fn::kToInteger: case Fn::kToDecimal: case Fn::kToBoolean: case Fn::kToDate:
    case Fn::kToDateTime: case Fn::kToTime: case Fn::kToQuantity: case Fn::kConvertsToString:
    case Fn::kConvertsToInteger: case Fn::kConvertsToDecimal: case Fn::kConvertsToBoolean:
    case Fn::kConvertsToDate: case Fn::kConvertsToDateTime: case Fn::kConvertsToTime:
    case Fn::kConvertsToQuantity:
      return Convert(n.fn, focus, out);
    case Fn::kStartsWith: case Fn::kEndsWith: case Fn::kContainsString: case Fn::kMatches:
    case Fn::kReplaceMatches: case Fn::kIndexOf: case Fn::kSubstring: case Fn::kLower: case Fn::kUpper:
    case Fn::kReplace: case Fn::kLength: case Fn::kSplit: case Fn::kTrim: case Fn::kToChars:
      return StringFunction(n, focus, input, scope, out);
    case Fn::kJoin: {
      std::string sep;
      if (n.children.size() > 1) {
        auto s = StringArg(n, 1, input, scope);
        if (!s.ok()) return s.status();
        sep = s.value().value_or("");
      }
      std::string r;
      for (size_t i = 0; i < focus.size(); ++i) {
        if (i > 0) r += sep;
        r += ToText(Normalize(focus[i]));
      }
      out.push_back(Value::String(std::move(r)));
      return Status::Ok();
    }
    case Fn::kCombine:
    case Fn::kUnion:
    case Fn::kIntersect:
    case Fn::kExclude: {
      Collection other;
      if (Status st = Arg(n, 1, input, scope, other); !st.ok()) return st;
      if (n.fn == Fn::kCombine) {
        out.insert(out.end(), focus.begin(), focus.end());
        out.insert(out.end(), other.begin(), other.end());
      } else if (n.fn == Fn::kUnion) {
        Collection all = focus;
        all.insert(all.end(), other.begin(), other.end());
        Collection d = Distinct(all);
        out.insert(out.end(), d.begin(), d.end());
      } else if (n.fn == Fn::kIntersect) {
        Collection both;
        for (const Value& v : focus) {
          if (Contains(other, v)) both.push_back(v);
        }
        Collection d = Distinct(both);
        out.insert(out.end(), d.begin(), d.end());
      } else {
        for (const Value& v : focus) {
          if (!Contains(other, v)) out.push_back(v);
        }
      }
      return Check(out);
    }
    case Fn::kToday: {
      Temporal t = Now();
      t.kind = PrimitiveKind::kDate;
      t.precision = P::kDay;
      t.has_timezone = false;
      out.push_back(Value::FromTemporal(t));
      return Status::Ok();
    }
    case Fn::kNow: out.push_back(Value::FromTemporal(Now())); return Status::Ok();
    case Fn::kTimeOfDay: {
      Temporal t = Now();
      t.kind = PrimitiveKind::kTime;
      t.has_timezone = false;
      out.push_back(Value::FromTemporal(t));
      return Status::Ok();
    }
    case Fn::kExtension: {
      auto url = StringArg(n, 1, input, scope);
      if (!url.ok()) return url.status();
      if (!url.value()) return Status::Ok();
      std::vector<const Node*> exts, urls;
      for (const Value& v : focus) {
        if (!v.is_node()) continue;
        exts.clear();
        v.node()->Children("extension", exts);
        for (const Node* e : exts) {
          urls.clear();
          e->Children("url", urls);
          if (urls.size() == 1 && urls[0]->primitive_text() == *url.value()) out.push_back(Value::FromNode(e));
        }
      }
      return Status::Ok();
    }
    case Fn::kResolve: {
      if (env_.resolver == nullptr) return Status::Ok();
      std::vector<const Node*> refs;
      for (const Value& v : focus) {
        if (!v.is_node()) continue;
        const Node& node = *v.node();
        std::string_view text;
        if (node.primitive_kind() == PrimitiveKind::kString) {
          text = node.primitive_text();
        } else {
          refs.clear();
          node.Children("reference", refs);
          if (refs.size() == 1) text = refs[0]->primitive_text();
        }
        if (text.empty()) continue;
        if (const Node* target = env_.resolver->Resolve(text, node)) out.push_back(Value::FromNode(target));
      }
      return Status::Ok();
    }
    case Fn::kHtmlChecks: {
      auto v = Single(focus, "htmlChecks()");
      if (!v.ok()) return v.status();
      if (!v.value()) return Status::Ok();
      out.push_back(Value::Boolean(v.value()->type() == ValueType::kString && HtmlChecks(v.value()->string())));
      return Status::Ok();
    }
    case Fn::kMemberOf: {
      auto url = StringArg(n, 1, input, scope);
      if (!url.ok()) return url.status();
      if (focus.size() != 1 || !url.value() || env_.checks == nullptr) return Status::Ok();
      if (auto r = env_.checks->MemberOf(focus[0], *url.value())) out.push_back(Value::Boolean(*r));
      return Status::Ok();
    }
    case Fn::kConformsTo: {
      auto url = StringArg(n, 1, input, scope);
      if (!url.ok()) return url.status();
      if (focus.size() != 1 || !focus[0].is_node() || !url.value() || env_.checks == nullptr) return Status::Ok();
      if (auto r = env_.checks->ConformsTo(*focus[0].node(), *url.value())) out.push_back(Value::Boolean(*r));
      return Status::Ok();
    }
    case Fn::kAggregate: {
      Collection total;
      if (n.children.size() > 2) {
        if (Status st = Arg(n, 2, input, scope, total); !st.ok()) return st;
      }
      for (size_t i = 0; i < focus.size(); ++i) {
        Collection one{focus[i]};
        Scope s;
        s.this_coll = &one;
        s.index = static_cast<int64_t>(i);
        s.total = &total;
        Collection next;
        if (Status st = Eval(*n.children[1], one, s, next); !st.ok()) return st;
        total = std::move(next);
      }
      out.insert(out.end(), total.begin(), total.end());
      return Status::Ok();
    }
    case Fn::kAbs: case Fn::kCeiling: case Fn::kFloor: case Fn::kRound: case Fn::kTruncate: case Fn::kSqrt:
    case Fn::kExp: case Fn::kLn: case Fn::kLog: case Fn::kPower:
      return MathFunction(n, focus, input, scope, out);
  }
  return Status::Ok();
}

}  // namespace

Result<Collection> EvaluateOn(const Expression& expr, const Collection& input, const EvalEnv& env) {
  Evaluator ev(env, input);
  Scope scope;
  scope.this_coll = &input;
  Collection out;
  if (Status st = ev.Eval(expr.root(), input, scope, out); !st.ok()) return st;
  return out;
}

Result<Collection> Evaluate(const Expression& expr, const Node& context, const EvalEnv& env) {
  Collection input{Value::FromNode(&context)};
  return EvaluateOn(expr, input, env);
}

Result<std::optional<bool>> EvaluateBoolean(const Expression& expr, const Node& context, const EvalEnv& env) {
  auto r = Evaluate(expr, context, env);
  if (!r.ok()) return r.status();
  const Collection& c = r.value();
  if (c.empty()) return std::optional<bool>();
  if (c.size() > 1) {
    return InvalidArgument("FHIRPath: expected a boolean, got " + std::to_string(c.size()) + " items");
  }
  if (c[0].type() == ValueType::kBoolean) return std::optional<bool>(c[0].boolean());
  if (c[0].is_node() && c[0].node()->primitive_kind() == PrimitiveKind::kBoolean && c[0].node()->has_value()) {
    return std::optional<bool>(c[0].node()->primitive_text() == "true");
  }
  return std::optional<bool>(true);
}

}  // namespace workwell::fhir::fhirpath
