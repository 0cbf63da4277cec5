#pragma once
// The compiled form of a FHIRPath expression. Internal to the engine: produced by Compile
// (expression.h), read by Evaluate (evaluator.h); immutable once built.

#include <memory>
#include <string>
#include <vector>

#include "adapter/fhir/fhirpath/regex.h"
#include "adapter/fhir/fhirpath/value.h"

namespace workwell::fhir::fhirpath::internal {

// What an Ast node computes.
enum class AstKind : uint8_t {
  kEmpty,      // {}
  kLiteral,    // literal value
  kMember,     // [target.]name
  kFunction,   // [target.]name(args)
  kThis,       // $this
  kIndex,      // $index
  kTotal,      // $total
  kConstant,   // %name
  kIndexer,    // target[index]
  kNegate,     // -operand
  kBinary,     // lhs op rhs
  kIs,         // operand is Type
  kAs,         // operand as Type
};

// Binary operators (https://hl7.org/fhirpath/N1/#operations).
enum class BinaryOp : uint8_t {
  kMul, kDiv, kIntDiv, kMod, kAdd, kSub, kConcat, kUnion, kLt, kGt, kLe, kGe,
  kEq, kNe, kEquiv, kNotEquiv, kIn, kContains, kAnd, kOr, kXor, kImplies,
};

// Functions known at compile time (https://hl7.org/fhirpath/N1/#functions).
enum class Fn : uint8_t {
  kEmpty, kExists, kAll, kAllTrue, kAnyTrue, kAllFalse, kAnyFalse, kSubsetOf, kSupersetOf,
  kCount, kDistinct, kIsDistinct, kWhere, kSelect, kRepeat, kOfType, kFirst, kLast, kTail,
  kSkip, kTake, kSingle, kIif, kNot, kHasValue, kChildren, kDescendants, kTrace, kToString,
  kToInteger, kToDecimal, kToBoolean, kToDate, kToDateTime, kToTime, kToQuantity,
  kConvertsToString, kConvertsToInteger, kConvertsToDecimal, kConvertsToBoolean,
  kConvertsToDate, kConvertsToDateTime, kConvertsToTime, kConvertsToQuantity,
  kStartsWith, kEndsWith, kContainsString, kMatches, kReplaceMatches, kIndexOf, kSubstring,
  kLower, kUpper, kReplace, kLength, kSplit, kJoin, kTrim, kToChars, kCombine, kUnion,
  kIntersect, kExclude, kToday, kNow, kTimeOfDay, kExtension, kResolve, kHtmlChecks,
  kMemberOf, kConformsTo, kGetValue, kIsFn, kAsFn, kAggregate, kAbs, kCeiling, kFloor,
  kRound, kTruncate, kSqrt, kExp, kLn, kLog, kPower,
};

// A type specifier such as `Quantity`, `FHIR.Quantity` or `System.String`.
struct TypeSpec {
  std::string ns;    // "FHIR", "System" or empty when unqualified
  std::string name;  // "Quantity"
};

// One node of the compiled tree.
struct Ast {
  AstKind kind = AstKind::kEmpty;
  BinaryOp op = BinaryOp::kAdd;
  Fn fn = Fn::kEmpty;
  std::string name;                 // member, function or constant name
  TypeSpec type;                    // kIs, kAs, and type-argument functions
  std::optional<Value> literal;     // kLiteral
  std::unique_ptr<Regex> regex;     // matches/replaceMatches with a literal pattern
  // kMember, kFunction, kIndexer: [0] is the target (null for an implicit focus), then the
  // arguments. kNegate, kIs, kAs: [0] operand. kBinary: [0] lhs, [1] rhs.
  std::vector<std::unique_ptr<Ast>> children;
};

}  // namespace workwell::fhir::fhirpath::internal
