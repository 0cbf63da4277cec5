#include "adapter/fhir/json_format.h"

#include <algorithm>
#include <span>
#include <vector>

namespace workwell::fhir {

std::string_view Resource::id() const {
  const json::Value* id = doc_.root().Find("id");
  return id != nullptr && id->IsString() ? id->text() : std::string_view();
}

namespace {

const char* KindName(const json::Value& v) {
  switch (v.kind()) {
    case json::Kind::kNull: return "null";
    case json::Kind::kTrue:
    case json::Kind::kFalse: return "a boolean";
    case json::Kind::kNumber: return "a number";
    case json::Kind::kString: return "a string";
    case json::Kind::kArray: return "an array";
    case json::Kind::kObject: return "an object";
  }
  return "?";
}

const char* ShapeName(JsonShape s) {
  switch (s) {
    case JsonShape::kBoolean: return "a boolean";
    case JsonShape::kNumber: return "a number";
    case JsonShape::kString: return "a string";
  }
  return "?";
}

bool HasShape(const json::Value& v, JsonShape s) {
  switch (s) {
    case JsonShape::kBoolean: return v.IsBool();
    case JsonShape::kNumber: return v.IsNumber();
    case JsonShape::kString: return v.IsString();
  }
  return false;
}

// Walks one resource tree, checking it against the model and sorting each object's members
// into canonical order. The current FHIRPath location is kept in `path_` and trimmed on return.
class Walker {
 public:
  Walker(const Model& model, IssueSink& sink) : model_(model), sink_(sink), element_(model.FindType("Element")) {}

  // Checks a resource object; returns its type (or nullptr if the type is unknown).
  const TypeInfo* WalkResource(json::Value& v, std::string_view expected_type) {
    if (!v.IsObject()) {
      Error("structure", "a resource must be a JSON object, not " + std::string(KindName(v)));
      return nullptr;
    }
    const json::Value* rt = v.Find("resourceType");
    if (rt == nullptr || !rt->IsString()) {
      Error("structure", "the resource has no resourceType string");
      return nullptr;
    }
    const TypeInfo* type = model_.FindResource(rt->text());
    if (type == nullptr) {
      Error("structure", "unknown resourceType '" + std::string(rt->text()) + "'");
      return nullptr;
    }
    if (!expected_type.empty() && expected_type != type->name) {
      Error("invalid", "expected a " + std::string(expected_type) + " resource, got " + type->name);
    }
    const size_t mark = path_.size();
    if (path_.empty()) path_ = type->name;
    WalkObject(v, *type, /*is_resource=*/true);
    path_.resize(mark);
    return type;
  }

 private:
  struct Slot {
    const json::Member* member;
    const JsonBinding* binding;
    int order;         // element index * 2 (+1 for the "_name" companion); -1 resourceType
    bool underscore;
  };

  void Error(const char* code, std::string text) { sink_.Error(code, path_.empty() ? "$this" : path_, std::move(text)); }

  void PushName(std::string_view name) {
    if (!path_.empty()) path_.push_back('.');
    path_.append(name);
  }
  void PushIndex(size_t i) {
    path_.push_back('[');
    path_.append(std::to_string(i));
    path_.push_back(']');
  }
  // How an element is named in expressions: "value.ofType(Quantity)" for choices.
  void PushElement(const JsonBinding& b) {
    PushName(b.element->name);
    if (b.element->is_choice) {
      path_.append(".ofType(");
      path_.append(b.type->name);
      path_.push_back(')');
    }
  }

  void WalkObject(json::Value& obj, const TypeInfo& type, bool is_resource) {
    if (obj.size() == 0) {
      Error("structure", "an object must not be empty");
      return;
    }
    // Small objects (nearly all of them) sort on the stack.
    Slot stack_slots[32];
    std::vector<Slot> heap_slots;
    Slot* slots_data = stack_slots;
    if (obj.size() > 32) {
      heap_slots.resize(obj.size());
      slots_data = heap_slots.data();
    }
    size_t slot_count = 0;
    auto push = [&](Slot s) { slots_data[slot_count++] = s; };
    for (const json::Member& m : obj.members()) {
      if (is_resource && m.key == "resourceType") {
        push({&m, nullptr, -1, false});
        continue;
      }
      const bool underscore = !m.key.empty() && m.key[0] == '_';
      std::string_view name = underscore ? m.key.substr(1) : m.key;
      const JsonBinding* b = type.FindJson(name);
      if (b == nullptr || b->type == nullptr ||
          (underscore && (!b->type->IsPrimitive() || !b->type->allows_extensions))) {
        const size_t mark = path_.size();
        PushName(m.key);
        Error("structure", "unrecognised property '" + std::string(m.key) + "'");
        path_.resize(mark);
        continue;
      }
      push({&m, b, b->element->index * 2 + (underscore ? 1 : 0), underscore});
    }
    std::span<Slot> slots(slots_data, slot_count);
    // Members nearly always arrive in order: an insertion sort (stable, like stable_sort) does
    // one comparison per member then, and needs no temporary buffer.
    if (slots.size() <= 32) {
      for (size_t i = 1; i < slots.size(); ++i) {
        if (slots[i - 1].order <= slots[i].order) continue;
        const Slot moving = slots[i];
        size_t j = i;
        for (; j > 0 && slots[j - 1].order > moving.order; --j) slots[j] = slots[j - 1];
        slots[j] = moving;
      }
    } else {
      std::stable_sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.order < b.order; });
    }
    for (size_t i = 0; i + 1 < slots.size(); ++i) {
      const Slot& a = slots[i];
      const Slot& b = slots[i + 1];
      if (a.order != b.order) continue;
      const size_t mark = path_.size();
      if (a.binding == nullptr) {
        Error("structure", "duplicate property 'resourceType'");
      } else if (a.member->key == b.member->key) {
        PushName(a.binding->element->name);
        Error("structure", "duplicate property '" + std::string(a.member->key) + "'");
      } else {
        PushName(a.binding->element->name);
        Error("structure", "more than one value for the choice element " + a.binding->element->name + "[x] ('" +
                               std::string(a.member->key) + "' and '" + std::string(b.member->key) + "')");
      }
      path_.resize(mark);
    }
    // Pair each primitive with its "_name" companion and check both.
    for (size_t i = 0; i < slots.size(); ++i) {
      const Slot& s = slots[i];
      if (s.binding == nullptr) continue;
      const json::Value* value = nullptr;
      const json::Value* companion = nullptr;
      const JsonBinding* b = s.binding;
      if (s.underscore) {
        if (i > 0 && slots[i - 1].order == s.order - 1 && slots[i - 1].binding == b) continue;  // handled with its value
        companion = &s.member->value;
      } else {
        value = &s.member->value;
        if (i + 1 < slots.size() && slots[i + 1].order == s.order + 1 && slots[i + 1].binding == b) {
          companion = &slots[i + 1].member->value;
        }
      }
      const size_t mark = path_.size();
      PushElement(*b);
      WalkProperty(*b, value, companion);
      path_.resize(mark);
    }
    // Reorder the members in place: canonical order for the writer (nothing to do when they
    // came in that order, as they nearly always do).
    bool in_order = true;
    if (slots.size() == obj.size()) {
      const json::Member* first = obj.members().data();
      for (size_t i = 0; i < slots.size() && in_order; ++i) in_order = slots[i].member == first + i;
    }
    if (slots.size() == obj.size() && !in_order) {
      json::Member stack_members[32];
      std::vector<json::Member> heap_members;
      json::Member* ordered = stack_members;
      if (slots.size() > 32) {
        heap_members.resize(slots.size());
        ordered = heap_members.data();
      }
      for (size_t i = 0; i < slots.size(); ++i) ordered[i] = *slots[i].member;
      std::copy(ordered, ordered + slots.size(), obj.members().begin());
    }
  }

  void WalkProperty(const JsonBinding& b, const json::Value* value, const json::Value* companion) {
    const ElementInfo& e = *b.element;
    const TypeInfo& type = *b.type;
    if (!e.is_array) {
      if ((value != nullptr && value->IsArray()) || (companion != nullptr && companion->IsArray())) {
        Error("structure", "element " + e.name + " takes one value, not an array");
        return;
      }
      if (value != nullptr) WalkValue(type, *value, companion != nullptr);
      if (companion != nullptr) WalkCompanion(*companion);
      return;
    }
    if ((value != nullptr && !value->IsArray()) || (companion != nullptr && !companion->IsArray())) {
      Error("structure", "element " + e.name + " repeats and must be written as an array");
      return;
    }
    const size_t n = value != nullptr ? value->size() : 0;
    const size_t m = companion != nullptr ? companion->size() : 0;
    if ((value != nullptr && n == 0) || (companion != nullptr && m == 0)) {
      Error("structure", "an array must not be empty");
      return;
    }
    if (value != nullptr && companion != nullptr && n != m) {
      Error("structure", "the arrays '" + e.name + "' and '_" + e.name + "' must have the same length");
      return;
    }
    for (size_t i = 0; i < std::max(n, m); ++i) {
      const json::Value* item = value != nullptr ? &value->items()[i] : nullptr;
      const json::Value* ext = companion != nullptr ? &companion->items()[i] : nullptr;
      const size_t mark = path_.size();
      PushIndex(i);
      const bool item_null = item == nullptr || item->IsNull();
      const bool ext_null = ext == nullptr || ext->IsNull();
      if (item_null && ext_null) {
        Error("structure", "null is only allowed where the paired array holds a value at the same position");
      } else {
        if (!item_null) WalkValue(type, *item, !ext_null);
        if (!ext_null) WalkCompanion(*ext);
      }
      path_.resize(mark);
    }
  }

  // A "_name" object: the id and extensions of a primitive (Element).
  void WalkCompanion(const json::Value& v) {
    if (!v.IsObject()) {
      Error("structure", "a primitive's extension property must be an object, not " + std::string(KindName(v)));
      return;
    }
    WalkObject(const_cast<json::Value&>(v), *element_, false);
  }

  void WalkValue(const TypeInfo& type, const json::Value& cv, bool has_companion) {
    json::Value& v = const_cast<json::Value&>(cv);  // members are reordered in place
    if (type.IsPrimitive()) {
      const PrimitiveType pt = *type.primitive;
      const JsonShape shape = JsonShapeOf(pt);
      if (!HasShape(v, shape)) {
        Error("structure", std::string("a ") + PrimitiveTypeName(pt) + " must be written as " + ShapeName(shape) +
                               ", not " + KindName(v));
        return;
      }
      if (shape == JsonShape::kBoolean) return;
      std::string why;
      if (!CheckLexical(pt, v.text(), &why)) Error("value", why);
      return;
    }
    if (!v.IsObject()) {
      Error("structure", "a " + type.name + " must be written as an object, not " + std::string(KindName(v)));
      return;
    }
    if (type.IsResource()) {  // contained resources, Bundle.entry.resource, Parameters
      WalkResource(v, {});
      return;
    }
    WalkObject(v, type, false);
  }

  const Model& model_;
  IssueSink& sink_;
  const TypeInfo* element_;
  std::string path_;
};

}  // namespace

bool JsonFormat::Parse(std::string_view text, const ParseOptions& options, Resource& out, IssueSink& sink) const {
  json::Document doc;
  json::ParseError err;
  if (!json::Parse(text, options.limits, doc, err)) {
    std::string expr;
    for (const std::string& p : err.path) {
      if (!p.empty() && p[0] >= '0' && p[0] <= '9') {
        expr += "[" + p + "]";
      } else {
        if (!expr.empty()) expr += ".";
        expr += p;
      }
    }
    const char* code = "structure";
    if (err.code == json::ParseError::Code::kTooLarge || err.code == json::ParseError::Code::kTooDeep ||
        err.code == json::ParseError::Code::kTooManyItems) {
      code = "too-costly";
    }
    Issue issue{Severity::kFatal, code,
                (err.code == json::ParseError::Code::kInvalidUtf8 ? "invalid UTF-8: " : "invalid JSON: ") + err.message +
                    " (byte offset " + std::to_string(err.offset) + ")",
                expr.empty() ? "$this" : expr, {}};
    sink.Add(std::move(issue));
    return false;
  }
  return Adopt(std::move(doc), options, out, sink);
}

bool JsonFormat::Adopt(json::Document doc, const ParseOptions& options, Resource& out, IssueSink& sink) const {
  IssueSink local;
  Walker walker(*model_, local);
  const TypeInfo* type = walker.WalkResource(doc.root(), options.expected_type);
  const bool ok = type != nullptr && !local.HasErrors();
  for (Issue& i : local.issues()) sink.Add(std::move(i));
  if (!ok) return false;
  out.doc_ = std::move(doc);
  out.type_ = type;
  return true;
}

std::string JsonFormat::Write(const Resource& resource, bool pretty) { return json::Write(resource.root(), pretty); }

}  // namespace workwell::fhir
