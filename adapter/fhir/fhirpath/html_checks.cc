// htmlChecks(): a conservative structural check of Narrative XHTML for txt-1/txt-2.
// https://hl7.org/fhir/R4/narrative.html#xhtml

#include <string>
#include <string_view>
#include <vector>

#include "adapter/fhir/fhirpath/evaluator.h"

namespace workwell::fhir::fhirpath {
namespace {

// The elements a Narrative may use: basic HTML formatting, lists, tables and images.
constexpr std::string_view kAllowedElements[] = {
    "a", "abbr", "acronym", "address", "b", "bdo", "big", "blockquote", "br", "caption", "cite", "code",
    "col", "colgroup", "dd", "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "kbd", "li", "map", "area", "ol", "p", "pre", "q", "samp", "small", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "ul", "var", "s", "u",
    "font", "center", "strike", "del", "ins"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == ':' || c == '.';
}

bool Allowed(std::string_view name) {
  for (std::string_view e : kAllowedElements) {
    if (e == name) return true;
  }
  return false;
}

// Strips an XML namespace prefix ("xhtml:div" -> "div").
std::string_view Local(std::string_view name) {
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

bool HtmlChecks(std::string_view x) {
  std::vector<std::string> open;
  size_t i = 0;
  bool saw_root = false;
  while (i < x.size()) {
    size_t lt = x.find('<', i);
    if (lt == std::string_view::npos) break;
    i = lt + 1;
    if (x.substr(lt, 4) == "<!--") {
      size_t end = x.find("-->", lt + 4);
      if (end == std::string_view::npos) return false;
      i = end + 3;
      continue;
    }
    if (x.substr(lt, 2) == "<?") {
      size_t end = x.find("?>", lt + 2);
      if (end == std::string_view::npos) return false;
      i = end + 2;
      continue;
    }
    if (x.substr(lt, 2) == "<!") return false;  // DOCTYPE, CDATA
    bool closing = i < x.size() && x[i] == '/';
    if (closing) ++i;
    size_t name_start = i;
    while (i < x.size() && IsNameChar(x[i])) ++i;
    if (i == name_start) return false;
    std::string name = Lower(Local(x.substr(name_start, i - name_start)));
    if (!Allowed(name)) return false;
    if (closing) {
      while (i < x.size() && IsSpace(x[i])) ++i;
      if (i >= x.size() || x[i] != '>') return false;
      ++i;
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
      continue;
    }
    if (open.empty()) {
      if (saw_root || name != "div") return false;
      saw_root = true;
    }
    // Attributes.
    bool self_closing = false;
    while (true) {
      while (i < x.size() && IsSpace(x[i])) ++i;
      if (i >= x.size()) return false;
      if (x[i] == '>') {
        ++i;
        break;
      }
      if (x[i] == '/' && i + 1 < x.size() && x[i + 1] == '>') {
        self_closing = true;
        i += 2;
        break;
      }
      size_t attr_start = i;
      while (i < x.size() && IsNameChar(x[i])) ++i;
      if (i == attr_start) return false;
      std::string attr = Lower(x.substr(attr_start, i - attr_start));
      std::string local = Lower(Local(attr));
      if (local.rfind("on", 0) == 0) return false;  // event handlers
      while (i < x.size() && IsSpace(x[i])) ++i;
      if (i >= x.size() || x[i] != '=') return false;
      ++i;
      while (i < x.size() && IsSpace(x[i])) ++i;
      if (i >= x.size() || (x[i] != '"' && x[i] != '\'')) return false;
      char q = x[i++];
      size_t end = x.find(q, i);
      if (end == std::string_view::npos) return false;
      std::string value = Lower(x.substr(i, end - i));
      i = end + 1;
      size_t first = value.find_first_not_of(" \t\r\n");
      std::string_view trimmed = first == std::string::npos ? std::string_view() : std::string_view(value).substr(first);
      if ((local == "href" || local == "src") &&
          (trimmed.rfind("javascript:", 0) == 0 || trimmed.rfind("vbscript:", 0) == 0)) {
        return false;
      }
    }
    if (!self_closing) open.push_back(name);
  }
  return saw_root && open.empty();
}

}  // namespace workwell::fhir::fhirpath
