#!/usr/bin/env python3
"""Convert FHIR R4 XML resources to FHIR R4 JSON, driven by the official R4 definitions.

Usage:
  ukcore_to_json.py [--defs DIR] IN.xml [OUT.json]      convert one file (stdout without OUT)
  ukcore_to_json.py [--defs DIR] --ukcore SRC DEST [--with-examples]
        convert SRC/structuredefinitions and SRC/codesystems (and SRC/examples) into DEST/<same>

The shape of the output comes from the snapshots in profiles-resources.json and
profiles-types.json (default DIR: .cache/fhir/r4 of the repository):
  * an element is a JSON array exactly when its definition has max != "1";
  * nested backbone paths, contentReference and choice types (value[x] + XML suffix) are resolved;
  * primitives carrying an id or extensions get a `_name` companion (null-padded in arrays);
  * boolean, integer, positiveInt and unsignedInt become JSON literals; decimals are written with
    their exact source text;
  * Narrative.div is kept as an XHTML string;
  * properties follow the order of the definitions, resourceType first.
Unknown elements, repeated singletons and unparseable primitives are errors, never dropped.
Only the Python standard library is used.
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

FHIR_NS = "http://hl7.org/fhir"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SYSTEM_TYPE_PREFIX = "http://hl7.org/fhirpath/System."
INT_TYPES = {"integer", "positiveInt", "unsignedInt"}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DEFS = os.path.join(REPO, ".cache", "fhir", "r4")


class ConversionError(Exception):
    pass


class RawNumber:
    """A decimal written to JSON with its exact source text."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, RawNumber) and other.text == self.text

    def __repr__(self):
        return "RawNumber(%s)" % self.text


class ElementInfo:
    """One child slot of a node: its JSON name (name[x] for choices), cardinality and types."""

    __slots__ = ("name", "path", "max", "types", "content_ref", "xml_attr", "sd")

    def __init__(self, sd, el):
        self.sd = sd
        self.path = el["path"]
        self.name = self.path.rsplit(".", 1)[1]
        self.max = el.get("max", "*")
        self.types = [self._type_code(t) for t in el.get("type", [])]
        self.content_ref = el.get("contentReference")
        self.xml_attr = "xmlAttr" in el.get("representation", [])

    @staticmethod
    def _type_code(t):
        code = t["code"]
        if code.startswith(SYSTEM_TYPE_PREFIX):
            for ext in t.get("extension", []):
                if ext.get("url", "").endswith("structuredefinition-fhir-type"):
                    return ext.get("valueUrl") or ext.get("valueUri") or "string"
            return "string"
        return code

    @property
    def repeats(self):
        return self.max != "1"

    @property
    def is_choice(self):
        return self.name.endswith("[x]")

    def json_names(self):
        """Every JSON property name this slot may appear under, with the type it implies."""
        if not self.is_choice:
            if self.content_ref:
                return [(self.name, None)]
            return [(self.name, self.types[0] if self.types else None)]
        stem = self.name[:-3]
        return [(stem + t[0].upper() + t[1:], t) for t in self.types]


class Definitions:
    """Index of the R4 StructureDefinition snapshots: children of every (type, path) node."""

    def __init__(self, directory=DEFAULT_DEFS):
        self.kinds = {}
        self.children = {}  # (sd name, path) -> [ElementInfo] in definition order
        self.elements = {}  # (sd name, path) -> ElementInfo
        for fname in ("profiles-types.json", "profiles-resources.json"):
            path = os.path.join(directory, fname)
            if not os.path.exists(path):
                raise ConversionError("missing R4 definitions file %s (run scripts/fetch-fhir-packages.sh)" % path)
            with open(path, encoding="utf-8") as f:
                bundle = json.load(f)
            for entry in bundle.get("entry", []):
                sd = entry.get("resource", {})
                if sd.get("resourceType") != "StructureDefinition":
                    continue
                if sd.get("derivation") == "constraint":
                    continue  # SimpleQuantity, MoneyQuantity: same shape as their base
                name = sd["id"]
                self.kinds[name] = sd.get("kind")
                for el in sd.get("snapshot", {}).get("element", []):
                    if "." not in el["path"]:
                        continue
                    info = ElementInfo(name, el)
                    parent = el["path"].rsplit(".", 1)[0]
                    self.children.setdefault((name, parent), []).append(info)
                    self.elements[(name, el["path"])] = info

    def is_resource(self, name):
        return self.kinds.get(name) == "resource"

    def is_primitive(self, type_code):
        return type_code in self.kinds and self.kinds[type_code] == "primitive-type" or type_code == "xhtml"

    def node_of(self, info, type_code):
        """The (sd, path) node whose children describe the content of slot `info` typed `type_code`."""
        if info.content_ref:
            ref = info.content_ref.lstrip("#")
            return (info.sd, ref)
        if type_code in ("BackboneElement", "Element"):
            return (info.sd, info.path)
        if type_code in ("SimpleQuantity", "MoneyQuantity"):
            type_code = "Quantity"
        if type_code not in self.kinds:
            raise ConversionError("no definition for type %s (at %s)" % (type_code, info.path))
        return (type_code, type_code)

    def slots(self, node):
        try:
            return self.children[node]
        except KeyError:
            raise ConversionError("no definition for node %s" % (node,))

    def lookup(self, node, json_name):
        """Find the slot for a JSON/XML property name under node: (ElementInfo, type code) or None."""
        for info in self.slots(node):
            for name, t in info.json_names():
                if name == json_name:
                    return info, t
        return None


def local_name(tag):
    if tag.startswith("{"):
        ns, name = tag[1:].split("}", 1)
        return ns, name
    return "", tag


# ---------------------------------------------------------------- XHTML serialisation

def _esc_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_attr(s):
    return _esc_text(s).replace('"', "&quot;")


def xhtml_to_string(elem, top=True):
    ns, name = local_name(elem.tag)
    if ns not in ("", XHTML_NS):
        raise ConversionError("non-XHTML element %s inside narrative" % elem.tag)
    attrs = []
    if top:
        attrs.append('xmlns="%s"' % XHTML_NS)
    for k, v in elem.attrib.items():
        kns, kname = local_name(k)
        if kns == "http://www.w3.org/XML/1998/namespace":
            kname = "xml:" + kname
        attrs.append('%s="%s"' % (kname, _esc_attr(v)))
    head = "<" + name + ("" if not attrs else " " + " ".join(attrs))
    inner = _esc_text(elem.text or "")
    for child in elem:
        inner += xhtml_to_string(child, top=False)
        inner += _esc_text(child.tail or "")
    if not inner:
        return head + "/>"
    return head + ">" + inner + "</" + name + ">"


# ---------------------------------------------------------------- XML -> JSON

_INT_RE = re.compile(r"^[+-]?[0-9]+$")
_DEC_RE = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


def primitive_value(type_code, text, where):
    if type_code == "boolean":
        if text not in ("true", "false"):
            raise ConversionError("%s: boolean must be true or false, got %r" % (where, text))
        return text == "true"
    if type_code in INT_TYPES:
        if not _INT_RE.match(text):
            raise ConversionError("%s: %s must be an integer, got %r" % (where, type_code, text))
        return int(text)
    if type_code == "decimal":
        if not _DEC_RE.match(text):
            raise ConversionError("%s: decimal %r is not a valid number" % (where, text))
        return RawNumber(text)
    return text


class Converter:
    def __init__(self, defs):
        self.defs = defs

    def resource(self, elem, where=""):
        ns, rtype = local_name(elem.tag)
        if ns != FHIR_NS:
            raise ConversionError("%s: element %s is not in the FHIR namespace" % (where, elem.tag))
        if not self.defs.is_resource(rtype):
            raise ConversionError("%s: %s is not an R4 resource type" % (where, rtype))
        out = {"resourceType": rtype}
        out.update(self.node(elem, (rtype, rtype), where + rtype))
        return out

    def node(self, elem, node, where):
        """Convert the attributes and children of a complex element into an ordered dict."""
        found = {}  # json name -> list of (value, companion)

        for attr, value in elem.attrib.items():
            ans, aname = local_name(attr)
            if ans:
                continue  # xml:lang and other namespaced attributes carry no FHIR content
            if aname == "value" and self.defs.is_primitive(node[0]):
                continue  # the primitive's own value: read by the caller
            hit = self.defs.lookup(node, aname)
            if hit is None or not hit[0].xml_attr:
                raise ConversionError("%s: unexpected attribute %s" % (where, aname))
            found.setdefault(aname, []).append((value, None))

        for child in elem:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions
            cns, cname = local_name(child.tag)
            cwhere = where + "." + cname
            if cns == XHTML_NS and cname == "div":
                hit = self.defs.lookup(node, "div")
                if hit is None:
                    raise ConversionError("%s: narrative div not allowed here" % cwhere)
                found.setdefault("div", []).append((xhtml_to_string(child), None))
                continue
            if cns != FHIR_NS:
                raise ConversionError("%s: element outside the FHIR namespace" % cwhere)
            hit = self.defs.lookup(node, cname)
            if hit is None:
                raise ConversionError("%s: unknown element %s" % (cwhere, cname))
            info, type_code = hit
            if info.xml_attr:
                raise ConversionError("%s: %s must be an XML attribute" % (cwhere, cname))
            found.setdefault(cname, []).append(self.value(child, info, type_code, cwhere))

        out = {}
        for info in self.defs.slots(node):
            names = [n for n, _ in info.json_names() if n in found]
            if len(names) > 1:
                raise ConversionError("%s: more than one type given for %s" % (where, info.name))
            for name in names:
                items = found[name]
                if not info.repeats and len(items) > 1:
                    raise ConversionError("%s: %s repeats but max is 1" % (where, name))
                values = [v for v, _ in items]
                companions = [c for _, c in items]
                has_value = any(v is not None for v in values)
                has_companion = any(c is not None for c in companions)
                if info.repeats:
                    if has_value:
                        out[name] = values
                    if has_companion:
                        out["_" + name] = companions
                else:
                    if values[0] is not None:
                        out[name] = values[0]
                    if companions[0] is not None:
                        out["_" + name] = companions[0]
        return out

    def value(self, child, info, type_code, where):
        """Return (json value or None, companion object or None) for one XML occurrence."""
        if type_code is None:  # contentReference: a backbone defined elsewhere in the resource
            content = self.node(child, self.defs.node_of(info, None), where)
            if not content:
                raise ConversionError("%s: empty element" % where)
            return content, None
        if type_code == "Resource" or self.defs.is_resource(type_code):
            inner = [c for c in child if isinstance(c.tag, str)]
            if len(inner) != 1:
                raise ConversionError("%s: expected exactly one resource inside" % where)
            return self.resource(inner[0], where + "."), None
        if self.defs.is_primitive(type_code):
            companion = self.node(child, (type_code, type_code), where) if (len(child) or "id" in child.attrib) else {}
            text = child.attrib.get("value")
            value = None
            if text is not None:
                value = primitive_value(type_code, text, where)
            if value is None and not companion:
                raise ConversionError("%s: primitive with neither value nor extension" % where)
            return value, (companion or None)
        content = self.node(child, self.defs.node_of(info, type_code), where)
        if not content:
            raise ConversionError("%s: empty element" % where)
        return content, None


# ---------------------------------------------------------------- JSON output

def dump_json(value, indent=2):
    """Serialise with RawNumber support; two-space indent, UTF-8, trailing newline."""
    parts = []

    def emit(v, level):
        pad = " " * (indent * level)
        inner = " " * (indent * (level + 1))
        if isinstance(v, RawNumber):
            parts.append(v.text)
        elif isinstance(v, dict):
            if not v:
                parts.append("{}")
                return
            parts.append("{\n")
            for i, (k, item) in enumerate(v.items()):
                parts.append(inner + json.dumps(k, ensure_ascii=False) + ": ")
                emit(item, level + 1)
                parts.append(",\n" if i < len(v) - 1 else "\n")
            parts.append(pad + "}")
        elif isinstance(v, list):
            if not v:
                parts.append("[]")
                return
            parts.append("[\n")
            for i, item in enumerate(v):
                parts.append(inner)
                emit(item, level + 1)
                parts.append(",\n" if i < len(v) - 1 else "\n")
            parts.append(pad + "]")
        else:
            parts.append(json.dumps(v, ensure_ascii=False))

    emit(value, 0)
    return "".join(parts) + "\n"


def convert_file(defs, src):
    tree = ET.parse(src)
    return Converter(defs).resource(tree.getroot(), os.path.basename(src) + ": ")


def convert_ukcore(defs, src_root, dest_root, with_examples=False):
    """Convert structuredefinitions/ and codesystems/ (and optionally examples/) of a UK Core tree."""
    written = []
    subs = ["structuredefinitions", "codesystems"] + (["examples"] if with_examples else [])
    for sub in subs:
        src_dir = os.path.join(src_root, sub)
        if not os.path.isdir(src_dir):
            continue
        dest_dir = os.path.join(dest_root, sub)
        os.makedirs(dest_dir, exist_ok=True)
        for fname in sorted(os.listdir(src_dir)):
            if not fname.endswith(".xml"):
                continue
            res = convert_file(defs, os.path.join(src_dir, fname))
            if res["resourceType"] == "StructureDefinition" and "snapshot" in res:
                raise ConversionError("%s: carries a snapshot; differential-only input expected" % fname)
            out = os.path.join(dest_dir, fname[:-4] + ".json")
            with open(out, "w", encoding="utf-8") as f:
                f.write(dump_json(res))
            written.append(out)
    return written


def main(argv):
    args = list(argv[1:])
    defs_dir = DEFAULT_DEFS
    if len(args) >= 2 and args[0] == "--defs":
        defs_dir = args[1]
        args = args[2:]
    try:
        defs = Definitions(defs_dir)
        if args and args[0] == "--ukcore":
            with_examples = "--with-examples" in args
            args = [a for a in args if a != "--with-examples"]
            if len(args) != 3:
                raise ConversionError("usage: --ukcore SRC DEST [--with-examples]")
            for path in convert_ukcore(defs, args[1], args[2], with_examples):
                print("wrote", os.path.relpath(path))
            return 0
        if len(args) not in (1, 2):
            print(__doc__, file=sys.stderr)
            return 2
        text = dump_json(convert_file(defs, args[0]))
        if len(args) == 2:
            with open(args[1], "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        return 0
    except (ConversionError, ET.ParseError) as e:
        print("ukcore_to_json: error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
