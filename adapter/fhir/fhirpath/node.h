#pragma once
// The data model the FHIRPath engine navigates. The engine owns these interfaces so that any
// tree (the JSON adapter in json_node.h today, a typed FHIR model later) can be evaluated.
// https://hl7.org/fhirpath/N1/#navigation-model and https://hl7.org/fhir/R4/fhirpath.html

#include <cstdint>
#include <string_view>
#include <vector>

namespace workwell::fhir::fhirpath {

// The System type a primitive FHIR value maps to (https://hl7.org/fhir/R4/fhirpath.html#types).
enum class PrimitiveKind : uint8_t { kNone, kBoolean, kInteger, kDecimal, kString, kDate, kDateTime, kTime };

// One element of a FHIR instance: a resource, a complex value, a backbone element or a primitive
// (which may carry a value, an id and extensions at once). Implementations must be safe for
// concurrent const use and must outlive every evaluation that reaches them.
class Node {
 public:
  virtual ~Node() = default;
  // The element name as FHIRPath sees it: the choice base name ("value" for valueQuantity).
  // Empty for a root resource.
  virtual std::string_view name() const = 0;
  // The FHIR type name without namespace: "HumanName", "string", "Patient", or the element path
  // for a backbone element ("Observation.component"). Empty when unknown.
  virtual std::string_view type_name() const = 0;
  // The System kind of the primitive value; kNone for complex nodes and resources.
  virtual PrimitiveKind primitive_kind() const = 0;
  // True when this primitive node carries a value (it may carry only an id or extensions).
  virtual bool has_value() const = 0;
  // The primitive value as written in FHIR JSON ("1.50", "2020-01", "true"); empty without one.
  virtual std::string_view primitive_text() const = 0;
  // Appends the children called `name` in document order. A choice element matches by its base
  // name ("value") and by its typed JSON name ("valueQuantity").
  virtual void Children(std::string_view name, std::vector<const Node*>& out) const = 0;
  // Appends all children in document order (not the primitive value itself).
  virtual void AllChildren(std::vector<const Node*>& out) const = 0;
  // True for resources (roots, contained resources, Bundle entry resources).
  virtual bool is_resource() const = 0;
};

// Type knowledge for `is`, `as`, `ofType` and the implicit type-name step of a path
// (`Patient.name`). Implementations must be safe for concurrent use.
class TypeOracle {
 public:
  virtual ~TypeOracle() = default;
  // True when `type` is `base` or derives from it (Age is a Quantity; Patient is a
  // DomainResource and a Resource). Names carry no namespace ("Quantity", not "FHIR.Quantity").
  virtual bool IsSubtypeOf(std::string_view type, std::string_view base) const = 0;
};

}  // namespace workwell::fhir::fhirpath
