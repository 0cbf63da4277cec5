#include "adapter/common/json/json.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace workwell::json {
namespace {

Document MustParse(std::string_view text) {
  Document doc;
  ParseError err;
  EXPECT_TRUE(Parse(text, Limits{}, doc, err)) << err.message;
  return doc;
}

ParseError MustFail(std::string_view text, const Limits& limits = Limits{}) {
  Document doc;
  ParseError err;
  EXPECT_FALSE(Parse(text, limits, doc, err)) << text;
  return err;
}

TEST(JsonTest, NumbersKeepTheirText) {
  Document doc = MustParse(R"({"a":1.50,"b":1e2,"c":-0.0,"d":12345678901234567890123})");
  EXPECT_EQ(Write(doc.root()), R"({"a":1.50,"b":1e2,"c":-0.0,"d":12345678901234567890123})");
  EXPECT_TRUE(doc.root().Find("a")->IsNumber());
  EXPECT_EQ(doc.root().Find("a")->text(), "1.50");
}

TEST(JsonTest, StringsAreUnescapedAndReescaped) {
  Document doc = MustParse(R"(["a\"b\\c\n\u00e9\u0001/"])");
  EXPECT_EQ(doc.root().items()[0].text(), "a\"b\\c\n\xC3\xA9\x01/");
  EXPECT_EQ(Write(doc.root()), "[\"a\\\"b\\\\c\\n\xC3\xA9\\u0001/\"]");
}

TEST(JsonTest, KeepsMemberOrderAndDuplicates) {
  Document doc = MustParse(R"({"z":1,"a":2,"z":3})");
  ASSERT_EQ(doc.root().size(), 3u);
  EXPECT_EQ(doc.root().members()[0].key, "z");
  EXPECT_EQ(doc.root().members()[2].value.text(), "3");
}

TEST(JsonTest, RejectsInvalidUtf8) {
  EXPECT_EQ(MustFail("{\"a\":\"\xC3\x28\"}").code, ParseError::Code::kInvalidUtf8);
  EXPECT_EQ(MustFail("{\"a\":\"\xED\xA0\x80\"}").code, ParseError::Code::kInvalidUtf8);
  EXPECT_EQ(MustFail(R"({"a":"\uDC00"})").code, ParseError::Code::kInvalidUtf8);
  EXPECT_EQ(MustFail(R"({"a":"\uD800x"})").code, ParseError::Code::kInvalidUtf8);
  EXPECT_EQ(MustFail("{\"a\":\"\xC0\x80\"}").code, ParseError::Code::kInvalidUtf8);          // overlong
  EXPECT_EQ(MustFail("{\"a\":\"\xF4\x90\x80\x80\"}").code, ParseError::Code::kInvalidUtf8);  // above U+10FFFF
  EXPECT_EQ(MustFail("{\"a\":\"\xE2\x82\"}").code, ParseError::Code::kInvalidUtf8);          // truncated
  MustParse("{\"a\":\"\xF0\x9F\x98\x80 \xE2\x82\xAC \xC2\xA3\"}");
}

TEST(JsonTest, ReportsTheOpenPathOfAFailure) {
  ParseError err = MustFail("{\"name\":[{\"given\":[\"ok\",\"\xFF\"]}]}");
  EXPECT_EQ(err.code, ParseError::Code::kInvalidUtf8);
  EXPECT_EQ(err.path, (std::vector<std::string>{"name", "0", "given", "1"}));
}

TEST(JsonTest, RejectsSyntaxErrorsAndTrailingText) {
  MustFail("{\"a\":1,}");
  MustFail("{\"a\":01}");
  MustFail("{\"a\":1} x");
  MustFail(std::string_view("{\"a\":1}\0", 8));
  MustFail("");
  MustFail("{\"a\":\"tab\there\"}");
}

TEST(JsonTest, EnforcesLimits) {
  Limits limits;
  limits.max_depth = 3;
  EXPECT_EQ(MustFail("[[[[1]]]]", limits).code, ParseError::Code::kTooDeep);
  MustParse("[[[1]]]");
  limits = Limits{};
  limits.max_array_items = 2;
  EXPECT_EQ(MustFail("[1,2,3]", limits).code, ParseError::Code::kTooManyItems);
  limits = Limits{};
  limits.max_bytes = 4;
  EXPECT_EQ(MustFail("[1,2,3]", limits).code, ParseError::Code::kTooLarge);
}

TEST(JsonTest, EqualComparesObjectsUnorderedAndNumbersByText) {
  Document a = MustParse(R"({"x":[1,2],"y":{"p":1.0}})");
  Document b = MustParse(R"({"y":{"p":1.0},"x":[1,2]})");
  Document c = MustParse(R"({"y":{"p":1},"x":[1,2]})");
  Document d = MustParse(R"({"y":{"p":1.0},"x":[2,1]})");
  EXPECT_TRUE(Equal(a.root(), b.root()));
  EXPECT_FALSE(Equal(a.root(), c.root()));
  EXPECT_FALSE(Equal(a.root(), d.root()));
}

TEST(JsonTest, BuilderProducesTheSameTreeAsParsing) {
  Document built;
  Builder b(built);
  b.StartObject().Key("k").StartArray().Number("1.10").String("s").Bool(true).Null().EndArray().EndObject();
  b.Finish();
  Document parsed = MustParse(R"({"k":[1.10,"s",true,null]})");
  EXPECT_TRUE(Equal(built.root(), parsed.root()));
  EXPECT_EQ(Write(built.root(), true), "{\n  \"k\": [\n    1.10,\n    \"s\",\n    true,\n    null\n  ]\n}");
}

TEST(JsonTest, BuilderReplacesInvalidUtf8SoOutputIsAlwaysJson) {
  Document built;
  Builder b(built);
  b.StartObject().Key("path").String("/Patient/\xFF\xFE ok \xC3\xA9").EndObject();
  b.Finish();
  const std::string text = Write(built.root());
  EXPECT_EQ(text, "{\"path\":\"/Patient/\xEF\xBF\xBD\xEF\xBF\xBD ok \xC3\xA9\"}");
  MustParse(text);
}

TEST(JsonTest, CloneIsIndependentOfTheSource) {
  Document copy;
  {
    Document src = MustParse(R"({"a":[{"b":"c"}]})");
    copy.set_root(Clone(src.root(), copy));
  }
  EXPECT_EQ(Write(copy.root()), R"({"a":[{"b":"c"}]})");
}

// The escaping JSON requires, one byte at a time: the reference the writer must match.
std::string ReferenceQuoted(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

TEST(JsonTest, WriterEscapesEveryByteAtEveryPositionAndLength) {
  // Strings of 0..40 bytes of plain and multi-byte text with one or two bytes that need
  // escaping at every position: the writer scans eight bytes at a time and reads the tail at
  // once, so lengths around multiples of eight and escapes at the ends matter.
  const std::string filler = "abc\xC3\xA9" "defgh/ijk\xE2\x82\xAC" "lmnopqrstuvwxyz0123456789ABCDEFGHIJ";
  for (size_t len = 0; len <= 40; ++len) {
    const std::string plain = filler.substr(0, len);
    Value item = Value::String(plain);
    Value arr = Value::Array(&item, 1);
    ASSERT_EQ(Write(arr), "[" + ReferenceQuoted(plain) + "]");
    for (size_t pos = 0; pos < len; ++pos) {
      for (int c : {0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, int{'"'}, int{'\\'}}) {
        std::string s = plain;
        s[pos] = static_cast<char>(c);
        if (pos + 3 < len) s[len - 1] = '"';
        Value v = Value::String(s);
        ASSERT_EQ(Write(v), ReferenceQuoted(s)) << "len " << len << " pos " << pos << " byte " << c;
        Member m{s, Value::Null()};
        Value obj = Value::Object(&m, 1);
        ASSERT_EQ(Write(obj), "{" + ReferenceQuoted(s) + ":null}");
        ASSERT_EQ(Write(obj, true), "{\n  " + ReferenceQuoted(s) + ": null\n}");
      }
    }
  }
}

TEST(JsonTest, WriteToAppendsAndGrowsPastLargeOutput) {
  std::string big(100000, 'x');
  big[54321] = '\n';
  Value v = Value::String(big);
  std::string out = "prefix:";
  WriteTo(v, out);
  WriteTo(Value::Number("1.50"), out);
  EXPECT_EQ(out, "prefix:" + ReferenceQuoted(big) + "1.50");
  std::vector<Value> items(3000, Value::Bool(true));
  Value arr = Value::Array(items.data(), static_cast<uint32_t>(items.size()));
  std::string pretty = Write(arr, true);
  EXPECT_EQ(pretty.size(), 1 + 3000 * 7 + 2999 + 2);
  EXPECT_EQ(pretty.substr(0, 9), "[\n  true,");
  EXPECT_EQ(pretty.substr(pretty.size() - 8), "  true\n]");
}

TEST(JsonTest, EncodedSurrogatesAreRefusedWhereverTheyComeFrom) {
  // From an escape, in keys and values, next to other escapes and in valid text otherwise.
  EXPECT_EQ(MustFail(R"({"\uDFFF":1})").code, ParseError::Code::kInvalidUtf8);
  EXPECT_EQ(MustFail(R"(["ok", "a\n\uDC00"])").code, ParseError::Code::kInvalidUtf8);
  EXPECT_EQ(MustFail(R"(["\\", "\uDBFF"])").code, ParseError::Code::kInvalidUtf8);
  // Raw surrogate bytes, with and without an escape elsewhere.
  EXPECT_EQ(MustFail("[\"\xED\xB0\x80\"]").code, ParseError::Code::kInvalidUtf8);
  EXPECT_EQ(MustFail("[\"\\u0041\", \"\xED\xB0\x80\"]").code, ParseError::Code::kInvalidUtf8);
  // Text that only looks like an escape, and real pairs and ED sequences that are fine.
  Document doc = MustParse(R"(["\\uDC00", "\uD83D\uDE00", "\u00e9"])");
  EXPECT_EQ(doc.root().items()[0].text(), "\\uDC00");
  EXPECT_EQ(doc.root().items()[1].text(), "\xF0\x9F\x98\x80");
  MustParse("[\"\xED\x9F\xBF\", \"\\ud7ff\"]");
}

TEST(JsonTest, ParsesTextEndingExactlyAtItsBuffer) {
  // The text sits in a buffer of exactly its size (under ASan, any read past it is reported):
  // ASCII and multi-byte runs of every length up to 100, around the UTF-8 check's 8- and
  // 32-byte steps, with the multi-byte sequence last.
  for (size_t len = 0; len <= 100; ++len) {
    for (const std::string& tail : {std::string(), std::string("\xC3\xA9"), std::string("\xF0\x9F\x98\x80")}) {
      const std::string text = "\"" + std::string(len, 'a') + tail + "\"";
      std::unique_ptr<char[]> exact(new char[text.size()]);
      std::memcpy(exact.get(), text.data(), text.size());
      Document doc;
      ParseError err;
      ASSERT_TRUE(Parse(std::string_view(exact.get(), text.size()), Limits{}, doc, err)) << len << ": " << err.message;
      ASSERT_EQ(doc.root().text().size(), len + tail.size());
      // And cut before the closing quote or inside the last sequence: a clean error, no over-read.
      for (size_t cut = 1; cut <= tail.size() + 1; ++cut) {
        ASSERT_FALSE(Parse(std::string_view(exact.get(), text.size() - cut), Limits{}, doc, err));
      }
    }
  }
}

}  // namespace
}  // namespace workwell::json
