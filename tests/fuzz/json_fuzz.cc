// libFuzzer entry point for the exact JSON parser (json::Parse). Beyond "never crash", it checks
// that an accepted document writes back to text that parses to an equal tree and writes back
// byte for byte the same (number text, member order and duplicate members survive), that a
// clone is equal, and that a rejected document reports an offset inside the input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapter/common/check.h"
#include "adapter/common/json/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace workwell::json;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Limits limits;
  limits.max_bytes = 1u << 20;
  limits.max_depth = 64;
  limits.max_array_items = 10000;
  limits.max_object_members = 1000;

  Document doc;
  ParseError error;
  if (!Parse(text, limits, doc, error)) {
    WW_CHECK(error.offset <= size);
    WW_CHECK(!error.message.empty());
    return 0;
  }
  const std::string compact = Write(doc.root());
  const std::string pretty = Write(doc.root(), true);
  for (const std::string& written : {compact, pretty}) {
    Document again;
    ParseError again_error;
    Limits relaxed = limits;
    relaxed.max_bytes = 16u << 20;  // pretty printing may grow past the input limit
    WW_CHECK(Parse(written, relaxed, again, again_error));
    WW_CHECK(Equal(doc.root(), again.root()));
    WW_CHECK(Write(again.root()) == compact);
  }
  Document copy;
  const Value cloned = Clone(doc.root(), copy);
  WW_CHECK(Equal(doc.root(), cloned));
  WW_CHECK(Write(cloned) == compact);
  return 0;
}
