#pragma once
// The invariants every element and resource carries (ele-1, ext-1, dom-2..dom-6), answered
// without FHIRPath: they are evaluated on every node, so they dominate validation time. Each is
// matched on its key AND its exact published expression, so a profile that redefines one is
// still evaluated as written. A test checks the answers against FHIRPath on the R4 examples.

#include <optional>

#include "adapter/validation/instance_tree.h"
#include "adapter/validation/profile.h"

namespace workwell::validation {

// The constraint's result on `node`, or nullopt when it has no native form (evaluate it with
// FHIRPath then).
std::optional<bool> NativeInvariant(const Constraint& c, const InstanceNode& node);

// The native form for `c` by its key and exact expression (kNone when there is none).
NativeForm ClassifyNative(const Constraint& c);

}  // namespace workwell::validation
