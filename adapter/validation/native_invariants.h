#pragma once
// The invariants every element and resource carries (ele-1, ext-1, dom-2..dom-6), those of
// every Reference and Bundle entry (ref-1, bdl-5, bdl-8), the Bundle's entry-wide ones
// (bdl-3, bdl-4, bdl-7) and a few cheap-to-answer resource rules (bdl-1, bdl-2, bdl-9..12,
// obs-6, obs-7, org-1, org-2, prr-1, con-3..5), answered without FHIRPath: they are evaluated on most
// nodes, walk every entry through several lambdas, or cost a full FHIRPath evaluation (obs-7's
// intersect() compares codings child by child) for what is a child test. Each is matched on its key AND its
// exact published expression, so a profile that redefines one is still evaluated as written; a
// shape a native form does not answer (a local reference for ref-1) goes to FHIRPath. A test
// checks the answers against FHIRPath on the R4 examples.

#include <optional>

#include "adapter/validation/instance_tree.h"
#include "adapter/validation/profile.h"

namespace workwell::validation {

// The constraint's result on `node`, or nullopt when it has no native form (evaluate it with
// FHIRPath then).
std::optional<bool> NativeInvariant(const Constraint& c, const InstanceNode& node);

// ele-1 ("hasValue() or (children().count() > id.count())"), which every element carries:
// inline, for the validator's constraint loop.
inline bool Ele1Holds(const InstanceNode& node) {
  if (node.has_value()) return true;
  for (const InstanceNode* child : node.children()) {
    if (child->name() != "id") return true;
  }
  return false;
}

// The native form for `c` by its key and exact expression (kNone when there is none).
NativeForm ClassifyNative(const Constraint& c);

}  // namespace workwell::validation
