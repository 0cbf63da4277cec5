#include "adapter/mapping/sources/csv.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace workwell::mapping {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Reads every record; errors are rendered into the result as {"!error", "<location>: <message>"}.
Rows ReadAll(CsvReader& reader) {
  Rows rows;
  while (true) {
    CsvReader::Step step = reader.Next();
    if (step == CsvReader::Step::kEnd) break;
    if (step == CsvReader::Step::kError) {
      rows.push_back({"!error", reader.error().ToString()});
      continue;
    }
    std::vector<std::string> row;
    for (const CsvField& f : reader.record().fields()) row.emplace_back(f.text);
    rows.push_back(std::move(row));
  }
  return rows;
}

// Reads `text` from a buffer and from a stream with a tiny read chunk; both must agree.
Rows Read(std::string_view text, CsvOptions options = {}) {
  CsvReader buffer_reader(text, options);
  Rows from_buffer = ReadAll(buffer_reader);
  std::istringstream in{std::string(text)};
  CsvOptions small = options;
  small.read_chunk_bytes = 1;
  CsvReader stream_reader(in, small);
  EXPECT_EQ(ReadAll(stream_reader), from_buffer) << "stream and buffer disagree on: " << text;
  return from_buffer;
}

TEST(CsvTest, SimpleRecordsWithHeader) {
  EXPECT_EQ(Read("a,b,c\n1,2,3\n4,5,6\n"), (Rows{{"1", "2", "3"}, {"4", "5", "6"}}));
  EXPECT_EQ(Read("a,b,c\r\n1,2,3\r\n4,5,6"), (Rows{{"1", "2", "3"}, {"4", "5", "6"}}));
  EXPECT_EQ(Read("a,b\n,\n"), (Rows{{"", ""}}));
  EXPECT_EQ(Read("a,b,c\n1,,\n"), (Rows{{"1", "", ""}}));
}

TEST(CsvTest, QuotedFields) {
  EXPECT_EQ(Read("a,b\n\"x,y\",z\n"), (Rows{{"x,y", "z"}}));
  EXPECT_EQ(Read("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n"), (Rows{{"say \"hi\"", "\""}}));
  EXPECT_EQ(Read("a,b\n\"line1\nline2\",\"r\r\nn\"\n"), (Rows{{"line1\nline2", "r\r\nn"}}));
  EXPECT_EQ(Read("a,b\n\"\",\"\"\n"), (Rows{{"", ""}}));
  EXPECT_EQ(Read("a\n\"last\""), (Rows{{"last"}}));
  EXPECT_EQ(Read("a,b\n\"q\"\"\",x"), (Rows{{"q\"", "x"}}));
}

TEST(CsvTest, ByteOrderMarkAndBlankLines) {
  CsvReader reader("\xEF\xBB\xBFnhs_number,name\n\n9990000018,Jo\n\r\n\n");
  Rows rows = ReadAll(reader);
  EXPECT_EQ(rows, (Rows{{"9990000018", "Jo"}}));
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"nhs_number", "name"}));
}

TEST(CsvTest, LineAndColumnLocations) {
  CsvReader reader("id,note,postcode\n1,\"two\nlines\",M1 1AA\n2,x,\"LS1 1AA\"\n");
  ASSERT_EQ(reader.Next(), CsvReader::Step::kRecord);
  const CsvRecord& r = reader.record();
  EXPECT_EQ(r.line(), 2u);
  std::optional<SourceField> f = r.Get("postcode");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value.text, "M1 1AA");
  EXPECT_EQ(f->location.ToString(), "line 3, column 8 (postcode)");
  EXPECT_EQ(r.Get("note")->location.ToString(), "line 2, column 3 (note)");
  ASSERT_EQ(reader.Next(), CsvReader::Step::kRecord);
  EXPECT_EQ(reader.record().line(), 4u);
  EXPECT_EQ(reader.record().Get("postcode")->location.ToString(), "line 4, column 5 (postcode)");
  EXPECT_EQ(reader.Next(), CsvReader::Step::kEnd);
}

TEST(CsvTest, SourceRecordInterface) {
  CsvReader reader("a,b,c\n1,,\"\"\n");
  ASSERT_EQ(reader.Next(), CsvReader::Step::kRecord);
  const CsvRecord& r = reader.record();
  EXPECT_EQ(r.format(), SourceFormat::kCsv);
  EXPECT_EQ(r.Count("a"), 1u);
  EXPECT_EQ(r.Count("b"), 0u);
  EXPECT_FALSE(r.Get("c"));
  EXPECT_FALSE(r.Get("zzz"));
  std::vector<SourceField> fields = r.Fields();
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].path, "a");
  EXPECT_EQ(fields[0].location.ToString(), "line 2, column 1 (a)");
}

TEST(CsvTest, WithoutHeaderColumnsAreNumbered) {
  CsvOptions options;
  options.has_header = false;
  CsvReader reader("x,y\n1,2\n", options);
  ASSERT_EQ(reader.Next(), CsvReader::Step::kRecord);
  EXPECT_EQ(reader.record().Get("2")->value.text, "y");
  EXPECT_EQ(reader.record().line(), 1u);
  ASSERT_EQ(reader.Next(), CsvReader::Step::kRecord);
  EXPECT_EQ(reader.record().Get("1")->value.text, "1");
  EXPECT_EQ(reader.Next(), CsvReader::Step::kEnd);
}

TEST(CsvTest, OtherDelimiter) {
  CsvOptions options;
  options.delimiter = ';';
  EXPECT_EQ(Read("a;b\n\"1;2\";3,4\n", options), (Rows{{"1;2", "3,4"}}));
}

TEST(CsvTest, WrongFieldCountSkipsTheRecord) {
  EXPECT_EQ(Read("a,b,c\n1,2,3\n1,2\n1,2,3,4\n7,8,9\n"),
            (Rows{{"1", "2", "3"},
                  {"!error", "line 3, column 3 (b): expected 3 fields, found 2"},
                  {"!error", "line 4, column 7: expected 3 fields, found 4"},
                  {"7", "8", "9"}}));
}

TEST(CsvTest, StrayQuoteSkipsTheLine) {
  EXPECT_EQ(Read("a,b\nab\"c,d\n1,2\n"),
            (Rows{{"!error", "line 2, column 3 (a): stray quote in an unquoted field (quote the whole field and "
                             "double the quote)"},
                  {"1", "2"}}));
  EXPECT_EQ(Read("a,b\n\"ab\"c,d\n1,2\n"),
            (Rows{{"!error", "line 2, column 5 (a): unexpected text after a closing quote"}, {"1", "2"}}));
}

TEST(CsvTest, UnterminatedQuoteStopsReading) {
  CsvReader reader("a,b\n1,2\n3,\"open\nmore\n");
  EXPECT_EQ(reader.Next(), CsvReader::Step::kRecord);
  EXPECT_EQ(reader.Next(), CsvReader::Step::kError);
  EXPECT_EQ(reader.error().ToString(), "line 3, column 3 (b): quoted field is not closed before the end of the input");
  EXPECT_TRUE(reader.fatal());
  EXPECT_EQ(reader.Next(), CsvReader::Step::kEnd);
}

TEST(CsvTest, OversizeRecordAndTooManyFields) {
  CsvOptions options;
  options.max_record_bytes = 16;
  EXPECT_EQ(Read("a,b\n1,2\n12345678901234567890,x\n3,4\n", options),
            (Rows{{"1", "2"}, {"!error", "line 3, column 1: record is longer than 16 bytes"}}));
  options = CsvOptions{};
  options.max_fields = 3;
  EXPECT_EQ(Read("a,b,c,d\n", options), (Rows{{"!error", "line 1, column 7: more than 3 fields in one record"}}));
}

// A last record of exactly the limit, with no line break after it, is read from a stream as from
// a buffer: the stream is refilled to find its end before the record is called too long.
TEST(CsvTest, LastRecordOfExactlyTheLimitFromAStream) {
  CsvOptions options;
  options.max_record_bytes = 16;
  EXPECT_EQ(Read("a\n1234567890123456", options), (Rows{{"1234567890123456"}}));
  EXPECT_EQ(Read("a\n1234567890123456\n", options),
            (Rows{{"!error", "line 2, column 1: record is longer than 16 bytes"}}));
  options.has_header = false;
  EXPECT_EQ(Read("\xEF\xBB\xBF" "1234567,90123456", options), (Rows{{"1234567", "90123456"}}));
}

TEST(CsvTest, BadHeaders) {
  EXPECT_EQ(Read(""), (Rows{{"!error", "line 1, column 1: no header row"}}));
  EXPECT_EQ(Read("a,,c\n1,2,3\n"), (Rows{{"!error", "line 1, column 3: empty column name in the header"}}));
  EXPECT_EQ(Read("a,b,a\n1,2,3\n"), (Rows{{"!error", "line 1, column 5 (a): duplicate column name in the header"}}));
}

TEST(CsvTest, LargeStreamAcrossManyRefills) {
  std::string text = "id,name,note\n";
  for (int i = 0; i < 5000; ++i) {
    text += std::to_string(i) + ",name" + std::to_string(i) + ",\"a,\"\"b\"\"\nc\"\n";
  }
  std::istringstream in(text);
  CsvOptions options;
  options.read_chunk_bytes = 4096;
  CsvReader reader(in, options);
  int count = 0;
  while (reader.Next() == CsvReader::Step::kRecord) {
    const CsvRecord& r = reader.record();
    ASSERT_EQ(r.Get("id")->value.text, std::to_string(count));
    ASSERT_EQ(r.Get("note")->value.text, "a,\"b\"\nc");
    ASSERT_EQ(r.line(), static_cast<uint32_t>(2 + 2 * count));
    ++count;
  }
  EXPECT_EQ(count, 5000);
  EXPECT_FALSE(reader.fatal());
}

}  // namespace
}  // namespace workwell::mapping
