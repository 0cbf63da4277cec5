// Lexer and recursive-descent parser for FHIRPath N1 (https://hl7.org/fhirpath/N1/#grammar).

#include <array>
#include <cstring>
#include <utility>

#include "adapter/fhir/fhirpath/expression.h"
#include "adapter/fhir/fhirpath/value.h"

namespace workwell::fhir::fhirpath {
namespace {

using common::InvalidArgument;
using common::Result;
using common::Status;
using internal::Ast;
using internal::AstKind;
using internal::BinaryOp;
using internal::Fn;

constexpr int kMaxDepth = 200;

enum class Tok : uint8_t { kEnd, kIdent, kDelimited, kString, kNumber, kTemporal, kConstant, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier, unescaped string, number text, temporal text, symbol
  size_t offset = 0;
};

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Status Run(std::vector<Token>& out) {
    while (true) {
      if (Status st = SkipSpace(); !st.ok()) return st;
      Token t;
      t.offset = pos_;
      if (pos_ >= s_.size()) {
        out.push_back(t);
        return Status::Ok();
      }
      char c = s_[pos_];
      if (IsIdentStart(c)) {
        size_t start = pos_;
        while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
        t.kind = Tok::kIdent;
        t.text = std::string(s_.substr(start, pos_ - start));
      } else if (c == '`') {
        t.kind = Tok::kDelimited;
        if (Status st = Quoted('`', t.text); !st.ok()) return st;
      } else if (c == '\'') {
        t.kind = Tok::kString;
        if (Status st = Quoted('\'', t.text); !st.ok()) return st;
      } else if (IsDigit(c)) {
        size_t start = pos_;
        while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
        if (pos_ + 1 < s_.size() && s_[pos_] == '.' && IsDigit(s_[pos_ + 1])) {
          ++pos_;
          while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
        }
        t.kind = Tok::kNumber;
        t.text = std::string(s_.substr(start, pos_ - start));
      } else if (c == '@') {
        ++pos_;
        size_t start = pos_;
        while (pos_ < s_.size()) {
          char d = s_[pos_];
          bool fraction = d == '.' && pos_ + 1 < s_.size() && IsDigit(s_[pos_ + 1]);
          if (!IsDigit(d) && d != '-' && d != ':' && d != 'T' && d != 'Z' && d != '+' && !fraction) break;
          ++pos_;
        }
        t.kind = Tok::kTemporal;
        t.text = std::string(s_.substr(start, pos_ - start));
        if (t.text.empty()) return Error("empty date/time literal");
      } else if (c == '%') {
        ++pos_;
        t.kind = Tok::kConstant;
        if (pos_ < s_.size() && s_[pos_] == '`') {
          if (Status st = Quoted('`', t.text); !st.ok()) return st;
        } else if (pos_ < s_.size() && s_[pos_] == '\'') {
          if (Status st = Quoted('\'', t.text); !st.ok()) return st;
        } else {
          size_t start = pos_;
          // %vs-name and %ext-name use '-' (https://hl7.org/fhir/R4/fhirpath.html#vars).
          while (pos_ < s_.size() && (IsIdentChar(s_[pos_]) || s_[pos_] == '-')) ++pos_;
          t.text = std::string(s_.substr(start, pos_ - start));
          if (t.text.empty()) return Error("'%' must be followed by a name");
        }
      } else if (c == '$') {
        size_t start = pos_++;
        while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
        t.kind = Tok::kSymbol;
        t.text = std::string(s_.substr(start, pos_ - start));
        if (t.text != "$this" && t.text != "$index" && t.text != "$total") return Error("unknown variable " + t.text);
      } else {
        static constexpr std::array<std::string_view, 4> kTwo = {"<=", ">=", "!=", "!~"};
        t.kind = Tok::kSymbol;
        std::string_view two = s_.substr(pos_, 2);
        bool matched = false;
        for (std::string_view k : kTwo) {
          if (two == k) {
            t.text = std::string(k);
            pos_ += 2;
            matched = true;
            break;
          }
        }
        if (!matched) {
          if (std::strchr(".,()[]{}+-*/&|=~<>", c) == nullptr) return Error(std::string("unexpected character '") + c + "'");
          t.text = std::string(1, c);
          ++pos_;
        }
      }
      out.push_back(std::move(t));
    }
  }

 private:
  Status Error(const std::string& what) const {
    return InvalidArgument("FHIRPath syntax error at offset " + std::to_string(pos_) + ": " + what);
  }

  Status SkipSpace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '*') {
        size_t end = s_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return Error("unterminated comment");
        pos_ = end + 2;
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  // Reads a quoted string or delimited identifier starting at the opening quote.
  Status Quoted(char quote, std::string& out) {
    ++pos_;
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated string or identifier");
      char c = s_[pos_++];
      if (c == quote) return Status::Ok();
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return Error("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '\'': case '"': case '`': case '\\': case '/': out += e; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return Error("short \\u escape");
          uint32_t cp = 0;
          for (int i = 0; i < 4; ++i) {
            char h = s_[pos_++];
            cp <<= 4;
            if (IsDigit(h)) cp |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f') cp |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') cp |= static_cast<uint32_t>(h - 'A' + 10);
            else return Error("bad \\u escape");
          }
          AppendUtf8(cp, out);
          break;
        }
        default: return Error(std::string("unknown escape \\") + e);
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

struct FnInfo {
  std::string_view name;
  Fn fn;
  int min_args;
  int max_args;
};

constexpr FnInfo kFunctions[] = {
    {"empty", Fn::kEmpty, 0, 0}, {"exists", Fn::kExists, 0, 1}, {"all", Fn::kAll, 1, 1},
    {"allTrue", Fn::kAllTrue, 0, 0}, {"anyTrue", Fn::kAnyTrue, 0, 0}, {"allFalse", Fn::kAllFalse, 0, 0},
    {"anyFalse", Fn::kAnyFalse, 0, 0}, {"subsetOf", Fn::kSubsetOf, 1, 1}, {"supersetOf", Fn::kSupersetOf, 1, 1},
    {"count", Fn::kCount, 0, 0}, {"distinct", Fn::kDistinct, 0, 0}, {"isDistinct", Fn::kIsDistinct, 0, 0},
    {"where", Fn::kWhere, 1, 1}, {"select", Fn::kSelect, 1, 1}, {"repeat", Fn::kRepeat, 1, 1},
    {"ofType", Fn::kOfType, 1, 1}, {"first", Fn::kFirst, 0, 0}, {"last", Fn::kLast, 0, 0},
    {"tail", Fn::kTail, 0, 0}, {"skip", Fn::kSkip, 1, 1}, {"take", Fn::kTake, 1, 1},
    {"single", Fn::kSingle, 0, 0}, {"iif", Fn::kIif, 2, 3}, {"not", Fn::kNot, 0, 0},
    {"hasValue", Fn::kHasValue, 0, 0}, {"children", Fn::kChildren, 0, 0},
    {"descendants", Fn::kDescendants, 0, 0}, {"trace", Fn::kTrace, 1, 2}, {"toString", Fn::kToString, 0, 0},
    {"toInteger", Fn::kToInteger, 0, 0}, {"toDecimal", Fn::kToDecimal, 0, 0}, {"toBoolean", Fn::kToBoolean, 0, 0},
    {"toDate", Fn::kToDate, 0, 0}, {"toDateTime", Fn::kToDateTime, 0, 0}, {"toTime", Fn::kToTime, 0, 0},
    {"toQuantity", Fn::kToQuantity, 0, 1}, {"convertsToString", Fn::kConvertsToString, 0, 0},
    {"convertsToInteger", Fn::kConvertsToInteger, 0, 0}, {"convertsToDecimal", Fn::kConvertsToDecimal, 0, 0},
    {"convertsToBoolean", Fn::kConvertsToBoolean, 0, 0}, {"convertsToDate", Fn::kConvertsToDate, 0, 0},
    {"convertsToDateTime", Fn::kConvertsToDateTime, 0, 0}, {"convertsToTime", Fn::kConvertsToTime, 0, 0},
    {"convertsToQuantity", Fn::kConvertsToQuantity, 0, 1}, {"startsWith", Fn::kStartsWith, 1, 1},
    {"endsWith", Fn::kEndsWith, 1, 1}, {"contains", Fn::kContainsString, 1, 1}, {"matches", Fn::kMatches, 1, 1},
    {"replaceMatches", Fn::kReplaceMatches, 2, 2}, {"indexOf", Fn::kIndexOf, 1, 1},
    {"substring", Fn::kSubstring, 1, 2}, {"lower", Fn::kLower, 0, 0}, {"upper", Fn::kUpper, 0, 0},
    {"replace", Fn::kReplace, 2, 2}, {"length", Fn::kLength, 0, 0}, {"split", Fn::kSplit, 1, 1},
    {"join", Fn::kJoin, 0, 1}, {"trim", Fn::kTrim, 0, 0}, {"toChars", Fn::kToChars, 0, 0},
    {"combine", Fn::kCombine, 1, 1}, {"union", Fn::kUnion, 1, 1}, {"intersect", Fn::kIntersect, 1, 1},
    {"exclude", Fn::kExclude, 1, 1}, {"today", Fn::kToday, 0, 0}, {"now", Fn::kNow, 0, 0},
    {"timeOfDay", Fn::kTimeOfDay, 0, 0}, {"extension", Fn::kExtension, 1, 1}, {"resolve", Fn::kResolve, 0, 0},
    {"htmlChecks", Fn::kHtmlChecks, 0, 0}, {"htmlChecks2", Fn::kHtmlChecks, 0, 0},
    {"memberOf", Fn::kMemberOf, 1, 1}, {"conformsTo", Fn::kConformsTo, 1, 1}, {"getValue", Fn::kGetValue, 0, 0},
    {"is", Fn::kIsFn, 1, 1}, {"as", Fn::kAsFn, 1, 1}, {"aggregate", Fn::kAggregate, 1, 2},
    {"abs", Fn::kAbs, 0, 0}, {"ceiling", Fn::kCeiling, 0, 0}, {"floor", Fn::kFloor, 0, 0},
    {"round", Fn::kRound, 0, 1}, {"truncate", Fn::kTruncate, 0, 0}, {"sqrt", Fn::kSqrt, 0, 0},
    {"exp", Fn::kExp, 0, 0}, {"ln", Fn::kLn, 0, 0}, {"log", Fn::kLog, 1, 1}, {"power", Fn::kPower, 1, 1},
};

const FnInfo* FindFunction(std::string_view name) {
  for (const FnInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool IsCalendarUnit(std::string_view u) {
  static constexpr std::string_view kUnits[] = {
      "year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
      "minute", "minutes", "second", "seconds", "millisecond", "milliseconds"};
  for (std::string_view k : kUnits) {
    if (k == u) return true;
  }
  return false;
}

std::unique_ptr<Ast> MakeNode(AstKind kind) {
  auto n = std::make_unique<Ast>();
  n->kind = kind;
  return n;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  Result<std::unique_ptr<Ast>> ParseAll() {
    auto e = Expr(0, 0);
    if (!e.ok()) return e;
    if (Peek().kind != Tok::kEnd) return Error("unexpected '" + Peek().text + "'");
    return e;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  bool IsSymbol(std::string_view s, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == Tok::kSymbol && t.text == s;
  }
  bool IsKeyword(std::string_view s) const {
    const Token& t = Peek();
    return t.kind == Tok::kIdent && t.text == s;
  }
  Status Error(const std::string& what) const {
    return InvalidArgument("FHIRPath syntax error at offset " + std::to_string(Peek().offset) + ": " + what);
  }
  Status Expect(std::string_view sym) {
    if (!IsSymbol(sym)) return Error("expected '" + std::string(sym) + "'");
    ++pos_;
    return Status::Ok();
  }

  // Binary operator levels, loosest first (https://hl7.org/fhirpath/N1/#operator-precedence).
  // Returns the operator at `level` under the cursor, if any.
  std::optional<BinaryOp> OperatorAt(int level) const {
    const Token& t = Peek();
    bool sym = t.kind == Tok::kSymbol;
    bool word = t.kind == Tok::kIdent;
    switch (level) {
      case 0: if (word && t.text == "implies") return BinaryOp::kImplies; break;
      case 1:
        if (word && t.text == "or") return BinaryOp::kOr;
        if (word && t.text == "xor") return BinaryOp::kXor;
        break;
      case 2: if (word && t.text == "and") return BinaryOp::kAnd; break;
      case 3:
        if (word && t.text == "in") return BinaryOp::kIn;
        if (word && t.text == "contains") return BinaryOp::kContains;
        break;
      case 4:
        if (sym && t.text == "=") return BinaryOp::kEq;
        if (sym && t.text == "!=") return BinaryOp::kNe;
        if (sym && t.text == "~") return BinaryOp::kEquiv;
        if (sym && t.text == "!~") return BinaryOp::kNotEquiv;
        break;
      case 5:
        if (sym && t.text == "<") return BinaryOp::kLt;
        if (sym && t.text == ">") return BinaryOp::kGt;
        if (sym && t.text == "<=") return BinaryOp::kLe;
        if (sym && t.text == ">=") return BinaryOp::kGe;
        break;
      case 6: if (sym && t.text == "|") return BinaryOp::kUnion; break;
      case 8:
        if (sym && t.text == "+") return BinaryOp::kAdd;
        if (sym && t.text == "-") return BinaryOp::kSub;
        if (sym && t.text == "&") return BinaryOp::kConcat;
        break;
      case 9:
        if (sym && t.text == "*") return BinaryOp::kMul;
        if (sym && t.text == "/") return BinaryOp::kDiv;
        if (word && t.text == "div") return BinaryOp::kIntDiv;
        if (word && t.text == "mod") return BinaryOp::kMod;
        break;
      default: break;
    }
    return std::nullopt;
  }

  Result<std::unique_ptr<Ast>> Expr(int level, int depth) {
    if (depth > kMaxDepth) return Error("expression nested too deeply");
    if (level == 10) return Unary(depth);
    if (level == 7) return TypeExpr(depth);
    auto lhs = Expr(level + 1, depth + 1);
    if (!lhs.ok()) return lhs;
    std::unique_ptr<Ast> node = std::move(lhs.value());
    while (auto op = OperatorAt(level)) {
      ++pos_;
      auto rhs = Expr(level + 1, depth + 1);
      if (!rhs.ok()) return rhs;
      auto bin = MakeNode(AstKind::kBinary);
      bin->op = *op;
      bin->children.push_back(std::move(node));
      bin->children.push_back(std::move(rhs.value()));
      node = std::move(bin);
    }
    return node;
  }

  // expression ('is' | 'as') typeSpecifier
  Result<std::unique_ptr<Ast>> TypeExpr(int depth) {
    auto lhs = Expr(8, depth + 1);
    if (!lhs.ok()) return lhs;
    std::unique_ptr<Ast> node = std::move(lhs.value());
    while (IsKeyword("is") || IsKeyword("as")) {
      bool is = Peek().text == "is";
      ++pos_;
      auto n = MakeNode(is ? AstKind::kIs : AstKind::kAs);
      if (Status st = TypeSpecifier(n->type); !st.ok()) return st;
      n->children.push_back(std::move(node));
      node = std::move(n);
    }
    return node;
  }

  Status TypeSpecifier(internal::TypeSpec& spec) {
    const Token& t = Peek();
    if (t.kind != Tok::kIdent && t.kind != Tok::kDelimited) return Error("expected a type name");
    spec.name = t.text;
    ++pos_;
    if (IsSymbol(".") && (Peek(1).kind == Tok::kIdent || Peek(1).kind == Tok::kDelimited)) {
      spec.ns = spec.name;
      spec.name = Peek(1).text;
      pos_ += 2;
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<Ast>> Unary(int depth) {
    if (IsSymbol("-") || IsSymbol("+")) {
      bool negate = Peek().text == "-";
      ++pos_;
      auto operand = Unary(depth + 1);
      if (!operand.ok() || !negate) return operand;
      auto n = MakeNode(AstKind::kNegate);
      n->children.push_back(std::move(operand.value()));
      return n;
    }
    return Postfix(depth);
  }

  Result<std::unique_ptr<Ast>> Postfix(int depth) {
    auto term = Term(depth);
    if (!term.ok()) return term;
    std::unique_ptr<Ast> node = std::move(term.value());
    while (true) {
      if (IsSymbol(".")) {
        ++pos_;
        auto inv = Invocation(std::move(node), depth);
        if (!inv.ok()) return inv;
        node = std::move(inv.value());
      } else if (IsSymbol("[")) {
        ++pos_;
        auto index = Expr(0, depth + 1);
        if (!index.ok()) return index;
        if (Status st = Expect("]"); !st.ok()) return st;
        auto n = MakeNode(AstKind::kIndexer);
        n->children.push_back(std::move(node));
        n->children.push_back(std::move(index.value()));
        node = std::move(n);
      } else {
        return node;
      }
    }
  }

  // identifier | function call, applied to `target` (null: the current focus).
  Result<std::unique_ptr<Ast>> Invocation(std::unique_ptr<Ast> target, int depth) {
    const Token& t = Peek();
    if (t.kind == Tok::kSymbol && (t.text == "$this" || t.text == "$index" || t.text == "$total")) {
      if (target != nullptr) return Error(t.text + " cannot follow '.'");
      ++pos_;
      return MakeNode(t.text == "$this" ? AstKind::kThis : t.text == "$index" ? AstKind::kIndex : AstKind::kTotal);
    }
    if (t.kind != Tok::kIdent && t.kind != Tok::kDelimited) return Error("expected an identifier");
    std::string name = t.text;
    bool delimited = t.kind == Tok::kDelimited;
    size_t name_offset = t.offset;
    ++pos_;
    if (delimited || !IsSymbol("(")) {
      auto n = MakeNode(AstKind::kMember);
      n->name = std::move(name);
      n->children.push_back(std::move(target));
      return n;
    }
    ++pos_;
    auto n = MakeNode(AstKind::kFunction);
    n->name = name;
    n->children.push_back(std::move(target));
    if (!IsSymbol(")")) {
      while (true) {
        auto arg = Expr(0, depth + 1);
        if (!arg.ok()) return arg;
        n->children.push_back(std::move(arg.value()));
        if (IsSymbol(",")) {
          ++pos_;
          continue;
        }
        break;
      }
    }
    if (Status st = Expect(")"); !st.ok()) return st;
    const FnInfo* info = FindFunction(name);
    if (info == nullptr) {
      return InvalidArgument("FHIRPath: unknown function '" + name + "' at offset " + std::to_string(name_offset));
    }
    int args = static_cast<int>(n->children.size()) - 1;
    if (args < info->min_args || args > info->max_args) {
      return InvalidArgument("FHIRPath: wrong number of arguments to '" + name + "' at offset " +
                             std::to_string(name_offset));
    }
    n->fn = info->fn;
    if (Status st = Finish(*n); !st.ok()) return st;
    return n;
  }

  // Function-specific compile-time work: type arguments and literal regular expressions.
  Status Finish(Ast& n) {
    if (n.fn == Fn::kOfType || n.fn == Fn::kIsFn || n.fn == Fn::kAsFn) {
      const Ast* arg = n.children[1].get();
      if (arg->kind != AstKind::kMember) return InvalidArgument("FHIRPath: " + n.name + "() needs a type name");
      n.type.name = arg->name;
      const Ast* ns = arg->children[0].get();
      if (ns != nullptr) {
        if (ns->kind != AstKind::kMember || ns->children[0] != nullptr) {
          return InvalidArgument("FHIRPath: " + n.name + "() needs a type name");
        }
        n.type.ns = ns->name;
      }
      n.children.resize(1);
    }
    if (n.fn == Fn::kMatches || n.fn == Fn::kReplaceMatches) {
      const Ast* arg = n.children[1].get();
      if (arg->kind == AstKind::kLiteral && arg->literal->type() == ValueType::kString) {
        if (!RegexRepeatsAreBounded(arg->literal->string())) {
          return InvalidArgument("FHIRPath: regular expression repeat count above 1000 in '" + arg->literal->string() + "'");
        }
        auto re = Regex::Compile(arg->literal->string());
        if (!re.ok()) {
          return InvalidArgument("FHIRPath: invalid regular expression '" + arg->literal->string() + "': " +
                                 re.status().message());
        }
        n.regex = std::make_unique<Regex>(std::move(re).value());
      }
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<Ast>> Term(int depth) {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kEnd: return Error("unexpected end of expression");
      case Tok::kString: {
        auto n = MakeNode(AstKind::kLiteral);
        n->literal = Value::String(t.text);
        ++pos_;
        return n;
      }
      case Tok::kNumber: return Number();
      case Tok::kTemporal: {
        std::string text = t.text;
        auto n = MakeNode(AstKind::kLiteral);
        std::optional<Temporal> v;
        if (!text.empty() && text[0] == 'T') {
          v = ParseTemporal(std::string_view(text).substr(1), PrimitiveKind::kTime);
        } else {
          v = ParseTemporal(text, PrimitiveKind::kDate);
        }
        if (!v) return Error("invalid date/time literal @" + text);
        n->literal = Value::FromTemporal(*v);
        ++pos_;
        return n;
      }
      case Tok::kConstant: {
        auto n = MakeNode(AstKind::kConstant);
        n->name = t.text;
        ++pos_;
        return n;
      }
      case Tok::kIdent:
        if (t.text == "true" || t.text == "false") {
          auto n = MakeNode(AstKind::kLiteral);
          n->literal = Value::Boolean(t.text == "true");
          ++pos_;
          return n;
        }
        return Invocation(nullptr, depth);
      case Tok::kDelimited: return Invocation(nullptr, depth);
      case Tok::kSymbol:
        if (t.text == "(") {
          ++pos_;
          auto e = Expr(0, depth + 1);
          if (!e.ok()) return e;
          if (Status st = Expect(")"); !st.ok()) return st;
          return e;
        }
        if (t.text == "{") {
          ++pos_;
          if (Status st = Expect("}"); !st.ok()) return st;
          return MakeNode(AstKind::kEmpty);
        }
        if (t.text == "$this" || t.text == "$index" || t.text == "$total") return Invocation(nullptr, depth);
        return Error("unexpected '" + t.text + "'");
    }
    return Error("unexpected token");
  }

  // NUMBER, optionally followed by a unit (a string or a calendar keyword): a quantity.
  Result<std::unique_ptr<Ast>> Number() {
    std::string text = Peek().text;
    ++pos_;
    auto n = MakeNode(AstKind::kLiteral);
    std::optional<std::string> unit;
    if (Peek().kind == Tok::kString) {
      unit = Peek().text;
      ++pos_;
    } else if (Peek().kind == Tok::kIdent && IsCalendarUnit(Peek().text)) {
      unit = Peek().text;
      ++pos_;
    }
    std::optional<Decimal> d = ParseDecimal(text);
    if (!d) return Error("invalid number " + text);
    if (unit) {
      n->literal = Value::FromQuantity(Quantity{*d, *unit});
    } else if (text.find('.') == std::string::npos) {
      std::optional<int64_t> i = ParseInteger(text);
      if (!i) return Error("integer out of range " + text);
      n->literal = Value::Integer(*i);
    } else {
      n->literal = Value::FromDecimal(*d);
    }
    return n;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
};

const char* OpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kIntDiv: return "div";
    case BinaryOp::kMod: return "mod";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kConcat: return "&";
    case BinaryOp::kUnion: return "|";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNe: return "!=";
    case BinaryOp::kEquiv: return "~";
    case BinaryOp::kNotEquiv: return "!~";
    case BinaryOp::kIn: return "in";
    case BinaryOp::kContains: return "contains";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kOr: return "or";
    case BinaryOp::kXor: return "xor";
    case BinaryOp::kImplies: return "implies";
  }
  return "?";
}

std::string TypeText(const internal::TypeSpec& t) { return t.ns.empty() ? t.name : t.ns + "." + t.name; }

void Render(const Ast* n, std::string& out) {
  if (n == nullptr) return;
  switch (n->kind) {
    case AstKind::kEmpty: out += "{}"; return;
    case AstKind::kLiteral:
      if (n->literal->type() == ValueType::kString) {
        out += "'" + n->literal->string() + "'";
      } else if (n->literal->type() == ValueType::kDate || n->literal->type() == ValueType::kDateTime) {
        out += "@" + ToText(*n->literal);
      } else if (n->literal->type() == ValueType::kTime) {
        out += "@T" + ToText(*n->literal);
      } else {
        out += ToText(*n->literal);
      }
      return;
    case AstKind::kMember:
    case AstKind::kFunction:
      if (n->children[0] != nullptr) {
        Render(n->children[0].get(), out);
        out += ".";
      }
      out += n->name;
      if (n->kind == AstKind::kFunction) {
        out += "(";
        if (!n->type.name.empty()) out += TypeText(n->type);
        for (size_t i = 1; i < n->children.size(); ++i) {
          if (i > 1) out += ", ";
          Render(n->children[i].get(), out);
        }
        out += ")";
      }
      return;
    case AstKind::kThis: out += "$this"; return;
    case AstKind::kIndex: out += "$index"; return;
    case AstKind::kTotal: out += "$total"; return;
    case AstKind::kConstant: out += "%" + n->name; return;
    case AstKind::kIndexer:
      Render(n->children[0].get(), out);
      out += "[";
      Render(n->children[1].get(), out);
      out += "]";
      return;
    case AstKind::kNegate:
      out += "(-";
      Render(n->children[0].get(), out);
      out += ")";
      return;
    case AstKind::kBinary:
      out += "(";
      Render(n->children[0].get(), out);
      out += std::string(" ") + OpText(n->op) + " ";
      Render(n->children[1].get(), out);
      out += ")";
      return;
    case AstKind::kIs:
    case AstKind::kAs:
      out += "(";
      Render(n->children[0].get(), out);
      out += n->kind == AstKind::kIs ? " is " : " as ";
      out += TypeText(n->type) + ")";
      return;
  }
}

}  // namespace

std::string Expression::DebugString() const {
  std::string out;
  Render(root_.get(), out);
  return out;
}

Result<Expression> Compile(std::string_view text) {
  if (text.size() > 64 * 1024) return InvalidArgument("FHIRPath expression longer than 64 KiB");
  std::vector<Token> tokens;
  Lexer lexer(text);
  if (Status st = lexer.Run(tokens); !st.ok()) return st;
  Parser parser(std::move(tokens));
  auto root = parser.ParseAll();
  if (!root.ok()) return root.status();
  Expression e;
  e.text_ = std::string(text);
  e.root_ = std::shared_ptr<const Ast>(std::move(root.value()));
  return e;
}

}  // namespace workwell::fhir::fhirpath
