#pragma once
// The items a FHIRPath collection holds: a reference to a data Node, or a System value
// (Boolean, Integer, Decimal, String, Date, DateTime, Time, Quantity).
// https://hl7.org/fhirpath/N1/#literals and https://hl7.org/fhirpath/N1/#types-and-reflection

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapter/fhir/fhirpath/node.h"

namespace workwell::fhir::fhirpath {

// A decimal as a binary value plus the number of digits written after the point, so that
// "1.0" prints back as "1.0". Arithmetic is done in long double (see docs/FHIRPATH.md).
struct Decimal {
  long double value = 0;
  int scale = 0;
};

// A Date, DateTime or Time with the precision it was written with.
// https://hl7.org/fhirpath/N1/#datetime-equality
struct Temporal {
  enum class Precision : uint8_t { kYear, kMonth, kDay, kHour, kMinute, kSecond, kMillisecond };
  PrimitiveKind kind = PrimitiveKind::kDateTime;  // kDate, kDateTime or kTime
  Precision precision = Precision::kYear;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0;
  bool has_timezone = false;
  int timezone_minutes = 0;  // offset east of UTC
};

// A quantity: a decimal value with a UCUM unit or a calendar duration keyword ("year", "ms").
struct Quantity {
  Decimal value;
  std::string unit;
};

// The type of a collection item.
enum class ValueType : uint8_t {
  kNode, kBoolean, kInteger, kDecimal, kString, kDate, kDateTime, kTime, kQuantity
};

// One collection item. Node items point into the evaluated tree and do not own it.
class Value {
 public:
  // A data node; `node` must outlive the value.
  static Value FromNode(const Node* node) { return Value(node); }
  // System values.
  static Value Boolean(bool b) { return Value(b); }
  static Value Integer(int64_t i) { return Value(i); }
  static Value FromDecimal(Decimal d) { return Value(d); }
  static Value String(std::string s) { return Value(std::move(s)); }
  static Value FromTemporal(Temporal t) { return Value(t); }
  static Value FromQuantity(Quantity q) { return Value(std::move(q)); }

  // Copies and moves of node items (nearly all items) copy the pointer without the variant's
  // visitation: collections copy and move their items on every step of an evaluation.
  Value(const Value& other) : data_(CopyData(other.data_)) {}
  Value(Value&& other) noexcept : data_(MoveData(std::move(other.data_))) {}
  Value& operator=(const Value& other) = default;
  Value& operator=(Value&& other) noexcept = default;
  ~Value() = default;

  // The item's type; Date, DateTime and Time are told apart by the temporal kind. Inline: it is
  // asked for on nearly every item the evaluator touches.
  ValueType type() const {
    switch (data_.index()) {
      case 0: return ValueType::kNode;
      case 1: return ValueType::kBoolean;
      case 2: return ValueType::kInteger;
      case 3: return ValueType::kDecimal;
      case 4: return ValueType::kString;
      case 5:
        switch (std::get<Temporal>(data_).kind) {
          case PrimitiveKind::kDate: return ValueType::kDate;
          case PrimitiveKind::kTime: return ValueType::kTime;
          default: return ValueType::kDateTime;
        }
      default: return ValueType::kQuantity;
    }
  }
  bool is_node() const { return std::holds_alternative<const Node*>(data_); }
  // Accessors; each requires the matching type() (a bad access is a bug and throws
  // std::bad_variant_access, which callers never trigger).
  const Node* node() const { return std::get<const Node*>(data_); }
  bool boolean() const { return std::get<bool>(data_); }
  int64_t integer() const { return std::get<int64_t>(data_); }
  const Decimal& decimal() const { return std::get<Decimal>(data_); }
  const std::string& string() const { return std::get<std::string>(data_); }
  const Temporal& temporal() const { return std::get<Temporal>(data_); }
  const Quantity& quantity() const { return std::get<Quantity>(data_); }

 private:
  using Data = std::variant<const Node*, bool, int64_t, Decimal, std::string, Temporal, Quantity>;
  template <typename T>
  explicit Value(T v) : data_(std::move(v)) {}
  static Data CopyData(const Data& d) {
    if (const Node* const* n = std::get_if<0>(&d)) return Data(std::in_place_index<0>, *n);
    return d;
  }
  static Data MoveData(Data&& d) noexcept {
    if (const Node* const* n = std::get_if<0>(&d)) return Data(std::in_place_index<0>, *n);
    return std::move(d);
  }
  Data data_;
};

namespace internal {

// Raw storage for small collections, recycled through a per-thread free list per size, so
// that the many short-lived collections of an evaluation (one per sub-expression and lambda
// item) rarely reach malloc. Blocks may be freed on another thread than the one that made
// them: they are plain operator-new memory, kept by whichever thread frees them.
void* AllocateCollectionBlock(size_t bytes, size_t slot);
void FreeCollectionBlock(void* p, size_t bytes, size_t slot);
inline constexpr size_t kPooledCollectionSlots = 16;  // item counts 1..16 are recycled

// The std::allocator replacement behind Collection; stateless, so collections move and swap
// freely.
template <typename T>
struct CollectionAllocator {
  using value_type = T;
  CollectionAllocator() = default;
  template <typename U>
  CollectionAllocator(const CollectionAllocator<U>&) {}
  T* allocate(size_t n) {
    if (n == 0 || n > kPooledCollectionSlots) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(AllocateCollectionBlock(n * sizeof(T), n - 1));
  }
  void deallocate(T* p, size_t n) {
    if (n == 0 || n > kPooledCollectionSlots) {
      ::operator delete(p);
      return;
    }
    FreeCollectionBlock(p, n * sizeof(T), n - 1);
  }
  template <typename U>
  bool operator==(const CollectionAllocator<U>&) const { return true; }
};

}  // namespace internal

// An ordered FHIRPath collection.
using Collection = std::vector<Value, internal::CollectionAllocator<Value>>;

// Parses a decimal or integer text ("-1.50", "3", "1e2"); nullopt when it is not a number.
std::optional<Decimal> ParseDecimal(std::string_view text);
// Parses a whole integer text into int64; nullopt on syntax error or overflow.
std::optional<int64_t> ParseInteger(std::string_view text);
// Parses FHIR/FHIRPath temporal text without the '@': a date ("2020", "2020-01-02"), a
// dateTime ("2020-01-02T10:00:00.5+01:00", also "2020T" as FHIRPath allows) or, when `kind`
// is kTime, a time ("10:00", "10:00:00.123"). nullopt when malformed.
std::optional<Temporal> ParseTemporal(std::string_view text, PrimitiveKind kind);
// The canonical text of a System value, as toString() returns it. Nodes give their
// primitive text (empty for complex nodes).
std::string ToText(const Value& v);

// True when a regular expression's repeat counts ({n}, {n,}, {n,m}) are all at most 1000.
// Patterns that fail this are refused with a message naming the limit (SEC-3); the regex engine
// (regex.h) refuses them too.
bool RegexRepeatsAreBounded(std::string_view pattern);
// The text of a decimal with its scale ("1.0"), or trimmed digits for computed values.
std::string DecimalText(const Decimal& d);
// The text of a temporal value in FHIR form (no '@').
std::string TemporalText(const Temporal& t);

}  // namespace workwell::fhir::fhirpath
