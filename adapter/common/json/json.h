#pragma once
// An exact JSON tree: numbers keep the text they were written with ("1.50" stays "1.50"),
// object members keep their order and duplicates (callers decide what a duplicate means), and
// every string is valid UTF-8. Values live in an arena owned by their Document; a Document is
// movable, not copyable, and not safe for concurrent mutation (concurrent reads are fine).

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace workwell::json {

enum class Kind : uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };

struct Member;

// One JSON value. Strings and number texts are views into the owning Document's arena.
class Value {
 public:
  Value() = default;
  static Value Null() { return Value(); }
  static Value Bool(bool b) { Value v; v.kind_ = b ? Kind::kTrue : Kind::kFalse; return v; }
  // `text` must outlive the value (normally arena memory from Document::CopyString).
  static Value String(std::string_view text);
  static Value Number(std::string_view text);
  static Value Array(Value* items, uint32_t size);
  static Value Object(Member* members, uint32_t size);

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsBool() const { return kind_ == Kind::kTrue || kind_ == Kind::kFalse; }
  bool IsNumber() const { return kind_ == Kind::kNumber; }
  bool IsString() const { return kind_ == Kind::kString; }
  bool IsArray() const { return kind_ == Kind::kArray; }
  bool IsObject() const { return kind_ == Kind::kObject; }
  bool AsBool() const { return kind_ == Kind::kTrue; }
  // The string's content, or the number's text as written. Empty for other kinds.
  std::string_view text() const { return IsString() || IsNumber() ? std::string_view(str_, size_) : std::string_view(); }
  uint32_t size() const { return size_; }
  std::span<Member> members();
  std::span<const Member> members() const;
  std::span<Value> items() { return IsArray() ? std::span<Value>(items_, size_) : std::span<Value>(); }
  std::span<const Value> items() const {
    return IsArray() ? std::span<const Value>(items_, size_) : std::span<const Value>();
  }
  // The first member named `key`, or nullptr (also for non-objects).
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);

 private:
  Kind kind_ = Kind::kNull;
  uint32_t size_ = 0;
  union {
    const char* str_ = nullptr;
    Member* members_;
    Value* items_;
  };
};

struct Member {
  std::string_view key;
  Value value;
};

inline std::span<Member> Value::members() {
  return IsObject() ? std::span<Member>(members_, size_) : std::span<Member>();
}
inline std::span<const Member> Value::members() const {
  return IsObject() ? std::span<const Member>(members_, size_) : std::span<const Member>();
}

// Limits applied while parsing; exceeding one is a parse error naming the limit.
struct Limits {
  size_t max_bytes = 16u << 20;       // whole document
  uint32_t max_depth = 100;           // nesting of arrays and objects
  uint32_t max_array_items = 100000;  // items in one array
  uint32_t max_object_members = 10000;
};

// Why a parse failed, with the path of keys and indexes that was open at the failure
// (e.g. {"name", "0", "given"}) so callers can render a location in their own syntax.
struct ParseError {
  enum class Code { kSyntax, kInvalidUtf8, kTooLarge, kTooDeep, kTooManyItems } code;
  std::string message;
  size_t offset = 0;
  std::vector<std::string> path;  // array indexes as decimal strings
};

// Owns an arena and a root value. Produced by Parse or filled through Builder.
class Document {
 public:
  Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  Value& root() { return root_; }
  const Value& root() const { return root_; }
  void set_root(Value v) { root_ = v; }
  // Copies `s` into the arena; the view stays valid for the Document's lifetime.
  std::string_view CopyString(std::string_view s);
  Member* AllocateMembers(uint32_t n);
  Value* AllocateValues(uint32_t n);
  std::pmr::memory_resource* arena() { return arena_.get(); }

 private:
  friend class Parser;
  std::unique_ptr<std::pmr::monotonic_buffer_resource> arena_;
  std::unique_ptr<char[]> buffer_;  // the parsed text, strings point into it
  Value root_;
};

// Parses `text` (one JSON value, nothing after it but whitespace). Numbers keep their text;
// strings are checked to be UTF-8; duplicate keys are kept for the caller to judge.
// Returns false and fills `error` on failure.
bool Parse(std::string_view text, const Limits& limits, Document& doc, ParseError& error);

// Builds values into a Document in SAX order: Start/Key/.../End. Misuse (Key outside an
// object, unbalanced End) is a bug and aborts. Keys and strings that are not UTF-8 have their
// bad bytes replaced by U+FFFD, so a built document always writes as valid JSON.
class Builder {
 public:
  explicit Builder(Document& doc);
  ~Builder();
  Builder& StartObject();
  Builder& Key(std::string_view key);
  Builder& EndObject();
  Builder& StartArray();
  Builder& EndArray();
  Builder& String(std::string_view s);
  Builder& Number(std::string_view text);
  Builder& Int(int64_t n);
  Builder& Bool(bool b);
  Builder& Null();
  // Inserts an existing value (deep-copied into this document).
  Builder& Raw(const Value& v);
  // Ends building and stores the single top-level value as the document root.
  void Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Serialises a value compactly (or with two-space indentation), keeping member order and number text.
std::string Write(const Value& value, bool pretty = false);
void WriteTo(const Value& value, std::string& out, bool pretty = false);

// Deep equality: objects compare as unordered sets of members, arrays in order, numbers by text.
bool Equal(const Value& a, const Value& b);

// Deep copy into `doc`'s arena.
Value Clone(const Value& v, Document& doc);

}  // namespace workwell::json
