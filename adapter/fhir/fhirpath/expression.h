#pragma once
// Compiling FHIRPath text into an immutable expression tree, once, for many evaluations.
// https://hl7.org/fhirpath/N1/#grammar

#include <memory>
#include <string>
#include <string_view>

#include "adapter/common/status.h"
#include "adapter/fhir/fhirpath/ast.h"

namespace workwell::fhir::fhirpath {

// A compiled FHIRPath expression. Immutable and cheap to copy (the tree is shared); safe to
// evaluate from many threads at once.
class Expression {
 public:
  // The source text it was compiled from.
  const std::string& text() const { return text_; }
  // The compiled tree (for the evaluator and for tests).
  const internal::Ast& root() const { return *root_; }
  // A fully parenthesised rendering of the tree, e.g. "(1 + (2 * 3))", for tests and logs.
  std::string DebugString() const;

 private:
  friend common::Result<Expression> Compile(std::string_view text);
  std::string text_;
  std::shared_ptr<const internal::Ast> root_;
};

// Compiles `text`. Returns InvalidArgument naming the offset for a lexical or syntax error, an
// unknown function, a wrong argument count or an invalid literal regular expression. Literal
// regular expressions are compiled here, once. Thread-safe.
common::Result<Expression> Compile(std::string_view text);

}  // namespace workwell::fhir::fhirpath
