#include "adapter/common/json/json.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "adapter/common/check.h"
#include "adapter/common/json/rapidjson_config.h"
// The parser here is in situ: on x86-64 RapidJSON then scans strings and whitespace 16 bytes at
// a time with SSE2 (same results as its byte loop). Its aligned 16-byte loads may read up to 15
// bytes past the last character examined, so the parse buffer is padded (Parser::Run). Only
// this file enables it: for RapidJSON's own DOM (bench/fhir_json_bench.cc) it is slower.
#if !defined(RAPIDJSON_SSE2) && !defined(RAPIDJSON_SSE42) && defined(__x86_64__)
#define RAPIDJSON_SSE2
#endif
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"

namespace workwell::json {

Value Value::String(std::string_view text) {
  Value v;
  v.kind_ = Kind::kString;
  v.str_ = text.data();
  v.size_ = static_cast<uint32_t>(text.size());
  return v;
}

Value Value::Number(std::string_view text) {
  Value v = String(text);
  v.kind_ = Kind::kNumber;
  return v;
}

Value Value::Array(Value* items, uint32_t size) {
  Value v;
  v.kind_ = Kind::kArray;
  v.items_ = items;
  v.size_ = size;
  return v;
}

Value Value::Object(Member* members, uint32_t size) {
  Value v;
  v.kind_ = Kind::kObject;
  v.members_ = members;
  v.size_ = size;
  return v;
}

const Value* Value::Find(std::string_view key) const {
  for (const Member& m : members()) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

Value* Value::Find(std::string_view key) {
  for (Member& m : members()) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

Document::Document() : arena_(std::make_unique<std::pmr::monotonic_buffer_resource>(4096)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

std::string_view Document::CopyString(std::string_view s) {
  if (s.empty()) return std::string_view("", 0);
  char* p = static_cast<char*>(arena_->allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

Member* Document::AllocateMembers(uint32_t n) {
  if (n == 0) return nullptr;
  return static_cast<Member*>(arena_->allocate(sizeof(Member) * n, alignof(Member)));
}

Value* Document::AllocateValues(uint32_t n) {
  if (n == 0) return nullptr;
  return static_cast<Value*>(arena_->allocate(sizeof(Value) * n, alignof(Value)));
}

namespace {

// Assembles values bottom-up: children wait on a scratch stack until their container closes,
// then move into one exactly-sized arena block (so a finished tree has no slack).
class TreeAssembler {
 public:
  explicit TreeAssembler(Document& doc) : doc_(doc) {
    // Room for a typical resource, so that neither stack grows while it is parsed or built.
    frames_.reserve(32);
    scratch_.reserve(256);
  }

  void StartContainer(bool is_object) { frames_.push_back({is_object, scratch_.size(), {}, 0}); }
  void SetKey(std::string_view key) {
    WW_CHECK(!frames_.empty() && frames_.back().is_object);
    frames_.back().key = key;
  }
  void Add(Value v) {
    if (frames_.empty()) {
      WW_CHECK(!has_root_);
      root_ = v;
      has_root_ = true;
      return;
    }
    Frame& f = frames_.back();
    scratch_.push_back({f.key, v});  // an array's frame never has a key
    ++f.count;
  }
  void EndContainer(bool is_object) {
    WW_CHECK(!frames_.empty() && frames_.back().is_object == is_object);
    Frame f = frames_.back();
    frames_.pop_back();
    const uint32_t n = static_cast<uint32_t>(scratch_.size() - f.start);
    Value v;
    if (is_object) {
      Member* block = doc_.AllocateMembers(n);
      std::copy(scratch_.begin() + f.start, scratch_.end(), block);
      v = Value::Object(block, n);
    } else {
      Value* block = doc_.AllocateValues(n);
      for (uint32_t i = 0; i < n; ++i) block[i] = scratch_[f.start + i].value;
      v = Value::Array(block, n);
    }
    scratch_.resize(f.start);
    Add(v);
  }
  size_t depth() const { return frames_.size(); }
  uint32_t current_count() const { return frames_.empty() ? 0 : frames_.back().count; }
  bool finished() const { return has_root_ && frames_.empty(); }
  Value root() const { return root_; }

  // The open path: keys of objects, item indexes of arrays.
  std::vector<std::string> Path() const {
    std::vector<std::string> path;
    for (const Frame& f : frames_) {
      if (f.is_object) {
        if (!f.key.empty() || f.count > 0) path.emplace_back(f.key);
      } else {
        path.push_back(std::to_string(f.count));
      }
    }
    return path;
  }

 private:
  struct Frame {
    bool is_object;
    size_t start;
    std::string_view key;
    uint32_t count;
  };
  Document& doc_;
  std::vector<Frame> frames_;
  std::vector<Member> scratch_;
  Value root_;
  bool has_root_ = false;
};

// A lone UTF-16 low surrogate written as \uDC00 is turned into bytes ED B0..BF by RapidJSON
// 1.1.0; that is not UTF-8 (RFC 3629 excludes surrogates), so such strings are refused.
bool HasEncodedSurrogate(const char* s, size_t n) {
  const char* p = static_cast<const char*>(std::memchr(s, '\xED', n));
  while (p != nullptr) {
    size_t i = p - s;
    if (i + 1 < n && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0) return true;
    p = static_cast<const char*>(std::memchr(p + 1, '\xED', n - i - 1));
  }
  return false;
}

class SaxHandler {
 public:
  // `check_surrogates` false promises that no string can decode to an encoded surrogate (see
  // Parser::Run), so the per-string scan for one is skipped.
  SaxHandler(Document& doc, const Limits& limits, bool check_surrogates)
      : tree_(doc), limits_(limits), check_surrogates_(check_surrogates) {}

  bool Null() { return AddScalar(Value::Null()); }
  bool Bool(bool b) { return AddScalar(Value::Bool(b)); }
  bool Int(int) { return Unexpected(); }
  bool Uint(unsigned) { return Unexpected(); }
  bool Int64(int64_t) { return Unexpected(); }
  bool Uint64(uint64_t) { return Unexpected(); }
  bool Double(double) { return Unexpected(); }
  bool RawNumber(const char* str, rapidjson::SizeType len, bool copy) {
    WW_CHECK(!copy);  // in-situ parsing: the text stays in the document's buffer
    return AddScalar(Value::Number(std::string_view(str, len)));
  }
  bool String(const char* str, rapidjson::SizeType len, bool copy) {
    WW_CHECK(!copy);
    if (check_surrogates_ && HasEncodedSurrogate(str, len)) {
      return Fail(ParseError::Code::kInvalidUtf8, "string contains an unpaired UTF-16 surrogate");
    }
    return AddScalar(Value::String(std::string_view(str, len)));
  }
  bool StartObject() { return Open(true); }
  bool Key(const char* str, rapidjson::SizeType len, bool copy) {
    WW_CHECK(!copy);
    if (check_surrogates_ && HasEncodedSurrogate(str, len)) {
      return Fail(ParseError::Code::kInvalidUtf8, "key contains an unpaired UTF-16 surrogate");
    }
    if (tree_.current_count() >= limits_.max_object_members) {
      return Fail(ParseError::Code::kTooManyItems,
                  "object has more than " + std::to_string(limits_.max_object_members) + " members");
    }
    tree_.SetKey(std::string_view(str, len));
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    tree_.EndContainer(true);
    return true;
  }
  bool StartArray() { return Open(false); }
  bool EndArray(rapidjson::SizeType) {
    tree_.EndContainer(false);
    return true;
  }

  TreeAssembler& tree() { return tree_; }
  bool failed() const { return failed_; }
  ParseError& error() { return error_; }

 private:
  bool CheckArrayRoom() {
    if (tree_.depth() > 0 && tree_.current_count() >= limits_.max_array_items) {
      return Fail(ParseError::Code::kTooManyItems,
                  "array has more than " + std::to_string(limits_.max_array_items) + " items");
    }
    return true;
  }
  bool AddScalar(Value v) {
    if (!CheckArrayRoom()) return false;
    tree_.Add(v);
    return true;
  }
  bool Open(bool is_object) {
    if (!CheckArrayRoom()) return false;
    if (tree_.depth() >= limits_.max_depth) {
      return Fail(ParseError::Code::kTooDeep,
                  "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    tree_.StartContainer(is_object);
    return true;
  }
  bool Unexpected() { return Fail(ParseError::Code::kSyntax, "unexpected number form"); }
  bool Fail(ParseError::Code code, std::string message) {
    failed_ = true;
    error_.code = code;
    error_.message = std::move(message);
    error_.path = tree_.Path();
    return false;
  }

  TreeAssembler tree_;
  const Limits& limits_;
  const bool check_surrogates_;
  bool failed_ = false;
  ParseError error_{ParseError::Code::kSyntax, {}, 0, {}};
};

// True when `s` is well-formed UTF-8 (RFC 3629: shortest forms, no surrogates, at most
// U+10FFFF). Runs of ASCII are skipped 32, then eight bytes at a time.
bool IsValidUtf8(std::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  while (p < end) {
    if (end - p >= 32) {
      uint64_t w[4];
      std::memcpy(w, p, 32);
      if (((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) == 0) {
        p += 32;
        continue;  // back to the loop's p < end: p may now be at the end
      }
    }
    if (end - p >= 8) {
      uint64_t chunk;
      std::memcpy(&chunk, p, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= static_cast<ptrdiff_t>(n)) return false;
    for (size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

// `s` with every byte that does not start a well-formed UTF-8 sequence replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    size_t n = 1;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) n = 3;
    else if (c >= 0xF0 && c <= 0xF4) n = 4;
    if ((c < 0x80) || (n > 1 && i + n <= s.size() && IsValidUtf8(s.substr(i, n)))) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

ParseError::Code CodeFor(rapidjson::ParseErrorCode code) {
  switch (code) {
    case rapidjson::kParseErrorStringInvalidEncoding:
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
      return ParseError::Code::kInvalidUtf8;
    default:
      return ParseError::Code::kSyntax;
  }
}

}  // namespace

class Parser {
 public:
  static bool Run(std::string_view text, const Limits& limits, Document& doc, ParseError& error) {
    if (text.size() > limits.max_bytes) {
      error = {ParseError::Code::kTooLarge,
               "document is " + std::to_string(text.size()) + " bytes; the limit is " +
                   std::to_string(limits.max_bytes),
               0, {}};
      return false;
    }
    if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
      error = {ParseError::Code::kSyntax, "NUL byte in JSON text",
               static_cast<size_t>(static_cast<const char*>(nul) - text.data()), {}};
      return false;
    }
    doc = Document();
    // RapidJSON's UTF-8 validation reads every byte a lead byte announces before judging them,
    // so a multi-byte lead byte at the very end reads up to three bytes past the text, and its
    // SSE2 scans load whole aligned 16-byte blocks: the terminator is followed by padding so
    // those reads stay inside the buffer.
    constexpr size_t kPadding = 32;
    doc.buffer_ = std::unique_ptr<char[]>(new char[text.size() + kPadding]);
    std::memcpy(doc.buffer_.get(), text.data(), text.size());
    std::memset(doc.buffer_.get() + text.size(), 0, kPadding);

    // Well-formed input (nearly all of it) is checked for UTF-8 in one fast pass; only input that
    // fails it is parsed with RapidJSON's per-character validation, which locates the bad string.
    const bool valid_utf8 = IsValidUtf8(text);
    // In valid UTF-8 text an ED byte is followed by 80..9F, and in situ unescaping only turns
    // two-byte escapes into ASCII, so an encoded surrogate (ED A0..BF) in a parsed string can
    // only come from a \u escape: without one in the text, the strings need no scan for it.
    const bool check_surrogates = !valid_utf8 || text.find("\\u") != std::string_view::npos;
    SaxHandler handler(doc, limits, check_surrogates);
    rapidjson::Reader reader;
    rapidjson::InsituStringStream stream(doc.buffer_.get());
    constexpr unsigned kFlags =
        rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;
    rapidjson::ParseResult result = valid_utf8
                                        ? reader.Parse<kFlags>(stream, handler)
                                        : reader.Parse<kFlags | rapidjson::kParseValidateEncodingFlag>(stream, handler);
    if (!result) {
      if (handler.failed()) {
        error = std::move(handler.error());
        error.offset = result.Offset();
      } else {
        error = {CodeFor(result.Code()), rapidjson::GetParseError_En(result.Code()), result.Offset(),
                 handler.tree().Path()};
      }
      return false;
    }
    WW_CHECK(handler.tree().finished());
    doc.root_ = handler.tree().root();
    return true;
  }
};

bool Parse(std::string_view text, const Limits& limits, Document& doc, ParseError& error) {
  return Parser::Run(text, limits, doc, error);
}

struct Builder::Impl {
  explicit Impl(Document& d) : doc(d), tree(d) {}
  Document& doc;
  TreeAssembler tree;
};

Builder::Builder(Document& doc) : impl_(std::make_unique<Impl>(doc)) {}
Builder::~Builder() = default;
Builder& Builder::StartObject() { impl_->tree.StartContainer(true); return *this; }
// Built documents are written out as JSON, which must be UTF-8: text that is not (a request
// path quoted in an error message, say) has its bad bytes replaced by U+FFFD.
Builder& Builder::Key(std::string_view key) {
  impl_->tree.SetKey(IsValidUtf8(key) ? impl_->doc.CopyString(key) : impl_->doc.CopyString(ReplaceInvalidUtf8(key)));
  return *this;
}
Builder& Builder::EndObject() { impl_->tree.EndContainer(true); return *this; }
Builder& Builder::StartArray() { impl_->tree.StartContainer(false); return *this; }
Builder& Builder::EndArray() { impl_->tree.EndContainer(false); return *this; }
Builder& Builder::String(std::string_view s) {
  if (IsValidUtf8(s)) {
    impl_->tree.Add(Value::String(impl_->doc.CopyString(s)));
  } else {
    impl_->tree.Add(Value::String(impl_->doc.CopyString(ReplaceInvalidUtf8(s))));
  }
  return *this;
}
Builder& Builder::Number(std::string_view t) { impl_->tree.Add(Value::Number(impl_->doc.CopyString(t))); return *this; }
Builder& Builder::Int(int64_t n) { return Number(std::to_string(n)); }
Builder& Builder::Bool(bool b) { impl_->tree.Add(Value::Bool(b)); return *this; }
Builder& Builder::Null() { impl_->tree.Add(Value::Null()); return *this; }
Builder& Builder::Raw(const Value& v) { impl_->tree.Add(Clone(v, impl_->doc)); return *this; }
void Builder::Finish() {
  WW_CHECK(impl_->tree.finished());
  impl_->doc.set_root(impl_->tree.root());
}

namespace {

// Appends to a std::string through a raw cursor: the string is grown (zero-filled) ahead of the
// writes and cut back to the written length by Finish, so a byte written is a store rather than
// a push_back with its own capacity check, and a plain string is one copy.
class Sink {
 public:
  explicit Sink(std::string& out) : out_(out), cur_(out.data() + out.size()), end_(cur_) {}
  // Room for `n` more bytes at the returned cursor; Advance(n) then keeps them.
  char* Reserve(size_t n) {
    if (static_cast<size_t>(end_ - cur_) < n) Grow(n);
    return cur_;
  }
  void Advance(size_t n) { cur_ += n; }
  void Put(char c) {
    *Reserve(1) = c;
    ++cur_;
  }
  void Append(const char* s, size_t n) {
    if (n == 0) return;
    std::memcpy(Reserve(n), s, n);
    cur_ += n;
  }
  void Append(std::string_view s) { Append(s.data(), s.size()); }
  void Finish() { out_.resize(static_cast<size_t>(cur_ - out_.data())); }

 private:
  // Out of line so that the callers above stay small enough to be inlined.
  [[gnu::noinline]] void Grow(size_t n) {
    const size_t pos = static_cast<size_t>(cur_ - out_.data());
    out_.resize(std::max({pos + n, 2 * out_.size(), pos + 512}));
    cur_ = out_.data() + pos;
    end_ = out_.data() + out_.size();
  }
  std::string& out_;
  char* cur_;
  char* end_;
};

// True when one of the eight bytes of `x` is below 0x20, a '"' or a '\\' (the bytes a JSON
// string must escape). Bytes of 0x80 and above never match.
inline bool HasByteToEscape(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const uint64_t control = (x - 0x20 * kOnes) & ~x & kHigh;
  const uint64_t q = x ^ ('"' * kOnes), b = x ^ ('\\' * kOnes);
  const uint64_t quote = (q - kOnes) & ~q & kHigh, backslash = (b - kOnes) & ~b & kHigh;
  return (control | quote | backslash) != 0;
}

// kEscapeByte[c] is true for the bytes HasByteToEscape looks for.
constexpr auto kEscapeByte = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

inline uint64_t Load8(const char* p) {
  uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  return chunk;
}

// The index of the first byte at or after `i` that must be escaped, or s.size().
inline size_t NextByteToEscape(std::string_view s, size_t i) {
  const size_t n = s.size();
  while (i + 8 <= n) {
    if (HasByteToEscape(Load8(s.data() + i))) break;
    i += 8;
  }
  // A tail shorter than eight bytes in a string of at least eight: the last eight bytes, read at
  // once, usually show that nothing is left to escape; otherwise the byte loop finds it.
  if (i + 8 > n && i < n && n >= 8 && !HasByteToEscape(Load8(s.data() + n - 8))) return n;
  while (i < n && !kEscapeByte[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

void WriteString(std::string_view s, Sink& out) {
  static const char kHex[] = "0123456789abcdef";
  const size_t n = s.size();
  size_t i = NextByteToEscape(s, 0);
  if (i == n) {  // nothing to escape (nearly every string): quotes and one copy
    char* p = out.Reserve(n + 2);
    p[0] = '"';
    if (n > 0) std::memcpy(p + 1, s.data(), n);
    p[n + 1] = '"';
    out.Advance(n + 2);
    return;
  }
  out.Put('"');
  size_t run = 0;
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out.Append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.Append("\\\"", 2); break;
      case '\\': out.Append("\\\\", 2); break;
      case '\n': out.Append("\\n", 2); break;
      case '\r': out.Append("\\r", 2); break;
      case '\t': out.Append("\\t", 2); break;
      case '\b': out.Append("\\b", 2); break;
      case '\f': out.Append("\\f", 2); break;
      default: {
        char* p = out.Reserve(6);
        std::memcpy(p, "\\u00", 4);
        p[4] = kHex[c >> 4];
        p[5] = kHex[c & 15];
        out.Advance(6);
      }
    }
    i = NextByteToEscape(s, i + 1);
  }
  out.Append(s.data() + run, n - run);
  out.Put('"');
}

void Indent(Sink& out, int level) {
  const size_t n = static_cast<size_t>(level) * 2;
  char* p = out.Reserve(n + 1);
  p[0] = '\n';
  std::memset(p + 1, ' ', n);
  out.Advance(n + 1);
}

void WriteValue(const Value& v, Sink& out, bool pretty, int level) {
  switch (v.kind()) {
    case Kind::kNull: out.Append("null", 4); return;
    case Kind::kTrue: out.Append("true", 4); return;
    case Kind::kFalse: out.Append("false", 5); return;
    case Kind::kNumber: out.Append(v.text()); return;
    case Kind::kString: WriteString(v.text(), out); return;
    case Kind::kArray: {
      out.Put('[');
      bool first = true;
      for (const Value& item : v.items()) {
        if (!first) out.Put(',');
        first = false;
        if (pretty) Indent(out, level + 1);
        WriteValue(item, out, pretty, level + 1);
      }
      if (pretty && v.size() > 0) Indent(out, level);
      out.Put(']');
      return;
    }
    case Kind::kObject: {
      out.Put('{');
      bool first = true;
      for (const Member& m : v.members()) {
        if (!first) out.Put(',');
        first = false;
        if (pretty) Indent(out, level + 1);
        WriteString(m.key, out);
        if (pretty) {
          out.Append(": ", 2);
        } else {
          out.Put(':');
        }
        WriteValue(m.value, out, pretty, level + 1);
      }
      if (pretty && v.size() > 0) Indent(out, level);
      out.Put('}');
      return;
    }
  }
}

}  // namespace

void WriteTo(const Value& value, std::string& out, bool pretty) {
  Sink sink(out);
  WriteValue(value, sink, pretty, 0);
  sink.Finish();
}

std::string Write(const Value& value, bool pretty) {
  std::string out;
  WriteTo(value, out, pretty);
  return out;
}

bool Equal(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kNull:
    case Kind::kTrue:
    case Kind::kFalse:
      return true;
    case Kind::kNumber:
    case Kind::kString:
      return a.text() == b.text();
    case Kind::kArray: {
      if (a.size() != b.size()) return false;
      for (uint32_t i = 0; i < a.size(); ++i) {
        if (!Equal(a.items()[i], b.items()[i])) return false;
      }
      return true;
    }
    case Kind::kObject: {
      if (a.size() != b.size()) return false;
      // Pair each member of `a` with an unused member of `b` of the same key; duplicates pair in order.
      std::vector<bool> used(b.size(), false);
      for (const Member& m : a.members()) {
        bool found = false;
        for (uint32_t j = 0; j < b.size(); ++j) {
          if (!used[j] && b.members()[j].key == m.key) {
            if (!Equal(m.value, b.members()[j].value)) return false;
            used[j] = true;
            found = true;
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    }
  }
  return false;
}

Value Clone(const Value& v, Document& doc) {
  switch (v.kind()) {
    case Kind::kString: return Value::String(doc.CopyString(v.text()));
    case Kind::kNumber: return Value::Number(doc.CopyString(v.text()));
    case Kind::kArray: {
      Value* items = doc.AllocateValues(v.size());
      for (uint32_t i = 0; i < v.size(); ++i) items[i] = Clone(v.items()[i], doc);
      return Value::Array(items, v.size());
    }
    case Kind::kObject: {
      Member* members = doc.AllocateMembers(v.size());
      for (uint32_t i = 0; i < v.size(); ++i) {
        members[i] = {doc.CopyString(v.members()[i].key), Clone(v.members()[i].value, doc)};
      }
      return Value::Object(members, v.size());
    }
    default: return v;
  }
}

}  // namespace workwell::json
