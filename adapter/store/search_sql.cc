#include "adapter/store/search_sql.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>

#include "adapter/store/search_params.h"

namespace workwell::store {

namespace {

StoreStatus Invalid(std::string message) { return StoreStatus(StoreCode::kInvalid, std::move(message)); }

// Splits `s` on unescaped `sep`, removing the backslash escapes \, \| \$ \\ from each part.
// https://hl7.org/fhir/R4/search.html#escaping
std::vector<std::string> SplitEscaped(std::string_view s, char sep) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out.back().push_back(s[++i]);
    } else if (s[i] == sep) {
      out.emplace_back();
    } else {
      out.back().push_back(s[i]);
    }
  }
  return out;
}

// The index of the first unescaped `sep`, or npos.
size_t FindUnescaped(std::string_view s, char sep) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == sep) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string Unescape(std::string_view s) { return SplitEscaped(s, '\0').front(); }

// Builds one parameter's alternatives (ORed) over the index alias `a`.
class Conditions {
 public:
  explicit Conditions(std::vector<SqlParam>& params) : params_(params) {}
  void Or(const std::string& cond) {
    if (!sql_.empty()) sql_ += " OR ";
    sql_ += cond;
  }
  void Bind(SqlParam p) { params_.push_back(std::move(p)); }
  std::string sql() const { return "(" + sql_ + ")"; }

 private:
  std::string sql_;
  std::vector<SqlParam>& params_;
};

// The index columns a condition is written over. For per-candidate EXISTS checks the columns
// are wrapped (`s.value || ''`, `s.low + 0`) so that no planner uses a value or date index for
// them: the (type, id, param) index is the right one there, and SQLite without statistics would
// otherwise pick a range scan over the whole parameter for every candidate.
struct Cols {
  std::string system, value, low, high;
};
const Cols kIndexCols{"s.system", "s.value", "s.low", "s.high"};
const Cols kProbeCols{"(s.system || '')", "(s.value || '')", "(s.low + 0)", "(s.high + 0)"};
const Cols kChainCols{"c.system", "c.value", "c.low", "c.high"};

enum class Prefix { kEq, kNe, kGt, kLt, kGe, kLe, kSa, kEb };

// The date condition for `prefix` with the search range [a, b) over a target range given by
// the SQL expressions `low`/`high`. https://hl7.org/fhir/R4/search.html#prefix
std::string DateCondition(Prefix prefix, const std::string& low, const std::string& high, int64_t a, int64_t b,
                          Conditions& c) {
  const std::string eq = "(" + low + " >= ? AND " + high + " <= ?)";
  switch (prefix) {
    case Prefix::kEq: c.Bind(a); c.Bind(b); return eq;
    case Prefix::kNe: c.Bind(a); c.Bind(b); return "NOT " + eq;
    case Prefix::kGt: c.Bind(b); return "(" + high + " > ?)";
    case Prefix::kLt: c.Bind(a); return "(" + low + " < ?)";
    case Prefix::kGe: c.Bind(b); c.Bind(a); c.Bind(b); return "(" + high + " > ? OR " + eq + ")";
    case Prefix::kLe: c.Bind(a); c.Bind(a); c.Bind(b); return "(" + low + " < ? OR " + eq + ")";
    case Prefix::kSa: c.Bind(b); return "(" + low + " >= ?)";
    case Prefix::kEb: c.Bind(a); return "(" + high + " <= ?)";
  }
  return eq;
}

StoreStatus AddDate(std::string_view name, const std::string& value, const std::string& low, const std::string& high,
                    Conditions& c) {
  std::string_view v = value;
  Prefix prefix = Prefix::kEq;
  static constexpr std::pair<std::string_view, Prefix> kPrefixes[] = {
      {"eq", Prefix::kEq}, {"ne", Prefix::kNe}, {"gt", Prefix::kGt}, {"lt", Prefix::kLt},
      {"ge", Prefix::kGe}, {"le", Prefix::kLe}, {"sa", Prefix::kSa}, {"eb", Prefix::kEb}};
  if (v.size() >= 2 && v[0] >= 'a' && v[0] <= 'z') {
    bool known = false;
    for (const auto& [code, p] : kPrefixes) {
      if (v.starts_with(code)) {
        prefix = p;
        known = true;
        v.remove_prefix(2);
        break;
      }
    }
    if (!known) {
      return Invalid("search parameter '" + std::string(name) + "': unsupported prefix in '" + value + "'");
    }
  }
  const auto range = ParseDateRange(v);
  if (!range) return Invalid("search parameter '" + std::string(name) + "': '" + value + "' is not a date");
  c.Or(DateCondition(prefix, low, high, range->low, range->high, c));
  return StoreStatus::Ok();
}

StoreStatus AddToken(const std::string& value, const Cols& a, Conditions& c) {
  const size_t bar = FindUnescaped(value, '|');
  if (bar == std::string::npos) {
    c.Bind(Unescape(value));
    c.Or(a.value + " = ?");
    return StoreStatus::Ok();
  }
  const std::string system = Unescape(std::string_view(value).substr(0, bar));
  const std::string code = Unescape(std::string_view(value).substr(bar + 1));
  if (code.empty()) {
    c.Bind(system);
    c.Or(a.system + " = ?");
  } else {
    c.Bind(system);
    c.Bind(code);
    c.Or("(" + a.system + " = ? AND " + a.value + " = ?)");
  }
  return StoreStatus::Ok();
}

StoreStatus AddReference(const SearchParamDef& def, std::string_view type_modifier, const std::string& value,
                         const Cols& a, Conditions& c) {
  std::string ref = NormaliseReference(Unescape(value));
  if (ref.find('/') == std::string::npos) {
    const std::string_view target = !type_modifier.empty() ? type_modifier : def.target;
    if (!target.empty()) {
      c.Bind(std::string(target) + "/" + ref);
      c.Or(a.value + " = ?");
    } else {
      c.Bind("%/" + ref);
      c.Or(a.value + " LIKE ?");
    }
    return StoreStatus::Ok();
  }
  if (!type_modifier.empty() && !ref.starts_with(std::string(type_modifier) + "/")) {
    return Invalid("search parameter '" + std::string(def.name) + "': '" + value + "' is not a " +
                   std::string(type_modifier) + " reference");
  }
  c.Bind(std::move(ref));
  c.Or(a.value + " = ?");
  return StoreStatus::Ok();
}

StoreStatus AddString(std::string_view modifier, const std::string& value, const Cols& a, Conditions& c) {
  std::string pattern;
  if (modifier == "contains") pattern.push_back('%');
  for (char ch : FoldString(Unescape(value))) {
    if (ch == '%' || ch == '_' || ch == '!') pattern.push_back('!');
    pattern.push_back(ch);
  }
  pattern.push_back('%');
  c.Bind(std::move(pattern));
  c.Or(a.value + " LIKE ? ESCAPE '!'");
  return StoreStatus::Ok();
}

// Splits a parameter value on unescaped commas, keeping the escapes inside each part (they are
// removed by the per-type parsing, which must still see escaped '|').
std::vector<std::string> SplitEscapedKeepingInner(std::string_view s) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out.back().push_back(s[i]);
      out.back().push_back(s[++i]);
    } else if (s[i] == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(s[i]);
    }
  }
  return out;
}

// Adds the alternatives of one value list for parameter `def` over index alias `a`.
StoreStatus AddValues(const SearchParamDef& def, std::string_view modifier, const std::string& raw, const Cols& a,
                      Conditions& c) {
  for (const std::string& value : SplitEscapedKeepingInner(raw)) {
    if (value.empty()) return Invalid("search parameter '" + std::string(def.name) + "' has an empty value");
    StoreStatus st;
    switch (def.type) {
      case ParamType::kToken: st = AddToken(value, a, c); break;
      case ParamType::kReference: st = AddReference(def, modifier, value, a, c); break;
      case ParamType::kDate: st = AddDate(def.name, value, a.low, a.high, c); break;
      case ParamType::kString: st = AddString(modifier, value, a, c); break;
    }
    if (!st.ok()) return st;
  }
  return StoreStatus::Ok();
}

bool IsResultParam(std::string_view name) {
  return name == "_count" || name == "_sort" || name == "_include" || name == "_offset" || name == "_total" ||
         name == "_format" || name == "_pretty";
}

// One parameter's condition over index alias `s`, before it is placed in the query.
struct Criterion {
  int rank = 0;  // lower is more selective
  std::string param;
  std::string condition;  // over kIndexCols, when this criterion drives the query
  std::string probe;      // the same over kProbeCols, when it is checked per candidate
  std::vector<SqlParam> params;  // for either form (they bind the same values in the same order)
};

// A guess at selectivity without statistics: references and identifiers pick out few
// resources, codes and statuses many.
int Rank(const SearchParamDef& def) {
  switch (def.type) {
    case ParamType::kReference: return 0;
    case ParamType::kToken: return def.name == "identifier" ? 0 : 3;
    case ParamType::kString: return 1;
    case ParamType::kDate: return 2;
  }
  return 3;
}

StoreResult<size_t> ParseSize(std::string_view name, std::string_view v) {
  size_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return Invalid("parameter '" + std::string(name) + "': '" + std::string(v) + "' is not a number");
  }
  return n;
}

}  // namespace

StoreResult<CompiledSearch> CompileSearch(std::string_view type, const SearchRequest& request) {
  CompiledSearch out;
  std::vector<Criterion> criteria;
  for (const auto& [name, value] : request.params) {
    if (name != "_offset") out.canonical.emplace_back(name, value);
    if (IsResultParam(name)) {
      if (name == "_count") {
        auto n = ParseSize(name, value);
        if (!n.ok()) return n.status();
        out.count = std::min(*n, kMaxCount);
      } else if (name == "_offset") {
        auto n = ParseSize(name, value);
        if (!n.ok()) return n.status();
        out.offset = *n;
      } else if (name == "_sort") {
        for (const std::string& key : SplitEscaped(value, ',')) {
          const bool desc = key.starts_with("-");
          const std::string pname = desc ? key.substr(1) : key;
          const SearchParamDef* def = FindSearchParam(type, pname);
          if (def == nullptr || (def->type != ParamType::kDate && pname != "_id")) {
            return Invalid("_sort: '" + pname + "' is not a date parameter of " + std::string(type));
          }
          if (!out.order_by.empty()) out.order_by += ", ";
          if (pname == "_lastUpdated") {
            out.order_by += desc ? "+r.last_updated DESC" : "+r.last_updated ASC";
          } else if (pname == "_id") {
            out.order_by += desc ? "r.id DESC" : "r.id ASC";
          } else {
            out.order_by += std::string("COALESCE((SELECT ") + (desc ? "MAX(s.high)" : "MIN(s.low)") +
                            " FROM search_index s WHERE s.type = r.type AND s.id = r.id AND s.param = ?), ?) " +
                            (desc ? "DESC" : "ASC");
            out.order_params.emplace_back(pname);
            out.order_params.emplace_back(desc ? kMinTime : kMaxTime);
          }
        }
      } else if (name == "_include") {
        const std::vector<std::string> parts = SplitEscaped(value, ':');
        if (parts.size() < 2 || parts.size() > 3 || parts[0] != type) {
          return Invalid("_include: '" + value + "' must be " + std::string(type) + ":<parameter>[:<type>]");
        }
        const SearchParamDef* def = FindSearchParam(type, parts[1]);
        if (def == nullptr || def->type != ParamType::kReference) {
          return Invalid("_include: '" + parts[1] + "' is not a reference parameter of " + std::string(type));
        }
        out.includes.push_back({parts[1], parts.size() == 3 ? parts[2] : std::string(def->target)});
      }
      continue;
    }
    // name[:modifier][.chain]
    std::string_view full = name;
    std::string_view chain;
    if (const size_t dot = full.find('.'); dot != std::string_view::npos) {
      chain = full.substr(dot + 1);
      full = full.substr(0, dot);
    }
    std::string_view modifier;
    std::string_view base = full;
    if (const size_t colon = full.find(':'); colon != std::string_view::npos) {
      modifier = full.substr(colon + 1);
      base = full.substr(0, colon);
    }
    const SearchParamDef* def = FindSearchParam(type, base);
    if (def == nullptr) {
      if (request.strict) {
        return Invalid("unknown search parameter '" + name + "' for " + std::string(type));
      }
      out.ignored.push_back(name);
      out.canonical.pop_back();
      continue;
    }
    const bool type_modifier = def->type == ParamType::kReference && !modifier.empty() && modifier[0] >= 'A' &&
                               modifier[0] <= 'Z';
    if (!modifier.empty() && !type_modifier && !(def->type == ParamType::kString && modifier == "contains")) {
      return Invalid("search parameter '" + name + "': modifier ':" + std::string(modifier) + "' is not supported");
    }
    if (!chain.empty() && def->type != ParamType::kReference) {
      return Invalid("search parameter '" + name + "': only reference parameters can be chained");
    }

    if (def->name == "_id") {
      Conditions c(out.where_params);
      for (const std::string& id : SplitEscaped(value, ',')) {
        c.Bind(id);
        c.Or("r.id = ?");
      }
      out.where += " AND " + c.sql();
      continue;
    }
    if (def->name == "_lastUpdated") {
      Conditions c(out.where_params);
      for (const std::string& v : SplitEscaped(value, ',')) {
        StoreStatus st = AddDate(name, v, "r.last_updated", "(r.last_updated + 1000)", c);
        if (!st.ok()) return st;
      }
      out.where += " AND " + c.sql();
      continue;
    }

    if (!chain.empty()) {
      // e.g. patient.identifier=system|value: references to targets matching the chained criterion.
      const std::string_view target = type_modifier ? modifier : def->target;
      if (target.empty()) {
        return Invalid("search parameter '" + name + "': name the target type to chain, e.g. " +
                       std::string(def->name) + ":Patient." + std::string(chain));
      }
      if (chain.find('.') != std::string_view::npos) {
        return Invalid("search parameter '" + name + "': only one level of chaining is supported");
      }
      const SearchParamDef* chained = FindSearchParam(target, chain);
      if (chained == nullptr || chained->name.starts_with("_")) {
        return Invalid("search parameter '" + name + "': '" + std::string(chain) + "' is not a search parameter of " +
                       std::string(target));
      }
      Criterion k{0, std::string(def->name), {}, {}, {}};
      k.params.emplace_back(std::string(target) + "/");
      k.params.emplace_back(std::string(target));
      k.params.emplace_back(std::string(chained->name));
      Conditions c(k.params);
      StoreStatus st = AddValues(*chained, {}, value, kChainCols, c);
      if (!st.ok()) return st;
      const std::string targets = " IN (SELECT ? || c.id FROM search_index c WHERE c.type = ? AND c.param = ? AND " + c.sql() + ")";
      k.condition = kIndexCols.value + targets;
      k.probe = kProbeCols.value + targets;
      criteria.push_back(std::move(k));
      continue;
    }

    Criterion k{Rank(*def), std::string(def->name), {}, {}, {}};
    Conditions c(k.params);
    StoreStatus st = AddValues(*def, modifier, value, kIndexCols, c);
    if (!st.ok()) return st;
    std::vector<SqlParam> same;
    Conditions probe(same);
    st = AddValues(*def, modifier, value, kProbeCols, probe);
    if (!st.ok()) return st;
    k.condition = c.sql();
    k.probe = probe.sql();
    criteria.push_back(std::move(k));
  }
  // The most selective criterion drives the query (its matches are read from the index and
  // looked up by primary key); the others are checked per candidate with EXISTS.
  std::stable_sort(criteria.begin(), criteria.end(),
                   [](const Criterion& a, const Criterion& b) { return a.rank < b.rank; });
  for (size_t i = 0; i < criteria.size(); ++i) {
    Criterion& k = criteria[i];
    if (i == 0) {
      out.where += " AND r.id IN (SELECT s.id FROM search_index s WHERE s.type = ? AND s.param = ? AND " + k.condition + ")";
      out.where_params.emplace_back(std::string(type));
    } else {
      out.where += " AND EXISTS (SELECT 1 FROM search_index s WHERE s.type = r.type AND s.id = r.id AND s.param = ? AND " +
                   k.probe + ")";
    }
    out.where_params.emplace_back(std::move(k.param));
    for (SqlParam& p : k.params) out.where_params.push_back(std::move(p));
  }
  // The unary + keeps planners from walking the lastUpdated index in order and testing every
  // resource of the type; sorting the (few) matches is far cheaper.
  if (out.order_by.empty()) {
    out.order_by = "+r.last_updated ASC, r.id ASC";
  } else {
    out.order_by += ", r.id ASC";
  }
  return out;
}

std::string ConditionKey(std::string_view type, const QueryParams& params) {
  QueryParams sorted = params;
  std::sort(sorted.begin(), sorted.end());
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char ch : s) {
      h ^= ch;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(type);
  for (const auto& [n, v] : sorted) {
    mix(n);
    mix(v);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace workwell::store
