#!/usr/bin/env python3
"""Structural checker for FHIR R4 JSON files, driven by the official R4 definitions.

Usage: check_fhir_json.py [--defs DIR] [--no-crossref] PATH...   (files or directories, recursive)

Per file (every *.json found):
  * well-formed JSON, no duplicate keys, resourceType first and a known R4 resource;
  * every property is a known element (or the `_name` companion of a primitive element);
  * arrays exactly where the definition says max != "1"; no empty strings, objects or arrays;
  * primitives in their JSON form (booleans, integers, decimals as numbers, the rest as strings)
    and matching the R4 regular expressions; null only where a companion carries the content;
  * at most one type of a choice element; properties in definition order.
Across the tree (unless --no-crossref), for resources whose canonical lies under the WorkWell or
UK Core bases:
  * StructureDefinition differentials: id/path agree, every path resolves against the R4 types,
    type codes are allowed by the base element, baseDefinition / profiles / targetProfiles resolve;
  * bindings to local ValueSets, ValueSet includes of local CodeSystems and the codes they list;
  * local codes used in fixed/pattern values, ConceptMaps and examples exist in their CodeSystem;
  * SNOMED CT codes used in WorkWell artefacts are limited to the documented list;
  * examples name a known profile in meta.profile.
Exit status 0 when no errors were found.
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ukcore_to_json import (DEFAULT_DEFS, INT_TYPES, ConversionError, Definitions,  # noqa: E402
                            RawNumber)

WORKWELL_BASE = "https://fhir.workwell.nhs.uk"
UKCORE_BASE = "https://fhir.hl7.org.uk"
R4_BASE = "http://hl7.org/fhir/StructureDefinition/"
SNOMED = "http://snomed.info/sct"
# SNOMED CT codes the WorkWell artefacts may use: those recorded in docs/PROFILES.md (all unverified).
SNOMED_ALLOWED = {
    "1331000000103", "751481000000104", "751601000000107", "775281000000100", "775301000000104",
    "775321000000108", "775351000000103", "160910001", "18381000000107", "365524007", "225891002",
}

_DATE = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?"
_TZ = r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_DT_FULL = (r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])")
PATTERNS = {
    "date": re.compile("^" + _DATE + "$"),
    "instant": re.compile("^" + _DT_FULL + "T" + _TIME + _TZ + "$"),
    "time": re.compile("^" + _TIME + "$"),
    "code": re.compile(r"^[^\s]+( [^\s]+)*$"),
    "id": re.compile(r"^[A-Za-z0-9\-\.]{1,64}$"),
    "uri": re.compile(r"^\S+$"),
    "url": re.compile(r"^\S+$"),
    "canonical": re.compile(r"^\S+$"),
    "oid": re.compile(r"^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$"),
    "uuid": re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
    "base64Binary": re.compile(r"^(\s*([0-9a-zA-Z\+/=]){4}\s*)+$"),
}
PATTERNS["dateTime"] = re.compile(
    r"^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T" + _TIME + _TZ + r")?)?)?$")


class DuplicateKey(Exception):
    pass


def _pairs(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise DuplicateKey(k)
        out[k] = v
    return out


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=_pairs, parse_float=RawNumber)


class Checker:
    def __init__(self, defs):
        self.defs = defs
        self.errors = []
        self.warnings = []
        self.file = ""

    def warn(self, where, msg):
        self.warnings.append("%s: %s: warning: %s" % (self.file, where, msg))

    def err(self, where, msg):
        self.errors.append("%s: %s: %s" % (self.file, where, msg))

    # ------------------------------------------------------------ structure
    def resource(self, obj, where):
        if not isinstance(obj, dict):
            self.err(where, "a resource must be a JSON object")
            return
        keys = list(obj)
        if not keys or keys[0] != "resourceType":
            self.err(where, "resourceType must be the first property")
        rtype = obj.get("resourceType")
        if not isinstance(rtype, str) or not self.defs.is_resource(rtype):
            self.err(where, "unknown resourceType %r" % (rtype,))
            return
        self.node({k: v for k, v in obj.items() if k != "resourceType"}, (rtype, rtype), where + rtype)

    def node(self, obj, node, where):
        if not isinstance(obj, dict):
            self.err(where, "expected a JSON object")
            return
        if not obj:
            self.err(where, "empty object")
            return
        slots = self.defs.slots(node)
        last = (-1, 0)
        seen_slots = {}
        for key, value in obj.items():
            companion = key.startswith("_")
            name = key[1:] if companion else key
            hit = self.defs.lookup(node, name)
            kwhere = where + "." + key
            if hit is None:
                self.err(kwhere, "unknown element")
                continue
            info, type_code = hit
            idx = slots.index(info)
            pos = (idx, 1 if companion else 0)
            if pos < last:
                self.err(kwhere, "out of definition order")
            last = max(last, pos)
            if info.is_choice:
                other = seen_slots.setdefault(idx, name)
                if other != name:
                    self.err(kwhere, "second type for choice element %s (already %s)" % (info.name, other))
            if companion:
                if type_code is None or not self.defs.is_primitive(type_code):
                    self.err(kwhere, "companion of a non-primitive element")
                    continue
                self.companion(obj, name, value, info, type_code, kwhere)
            else:
                self.element(obj, name, value, info, type_code, kwhere)

    def element(self, parent, name, value, info, type_code, where):
        if info.repeats:
            if not isinstance(value, list):
                self.err(where, "must be an array (max %s)" % info.max)
                return
            if not value:
                self.err(where, "empty array")
                return
            comp = parent.get("_" + name)
            for i, item in enumerate(value):
                iwhere = "%s[%d]" % (where, i)
                if item is None:
                    if not (isinstance(comp, list) and i < len(comp) and comp[i] is not None):
                        self.err(iwhere, "null without a companion")
                    continue
                self.item(item, info, type_code, iwhere)
            if isinstance(comp, list) and len(comp) != len(value):
                self.err(where, "companion array length differs")
        else:
            if isinstance(value, list):
                self.err(where, "must not be an array (max 1)")
                return
            if value is None:
                self.err(where, "null value")
                return
            self.item(value, info, type_code, where)

    def companion(self, parent, name, value, info, type_code, where):
        items = value if isinstance(value, list) else [value]
        if info.repeats != isinstance(value, list):
            self.err(where, "companion shape must match the element (array: %s)" % info.repeats)
            return
        if info.repeats and not isinstance(parent.get(name), list) and name in parent:
            self.err(where, "companion array without value array")
        for i, item in enumerate(items):
            if item is None:
                continue
            self.node(item, (type_code, type_code), "%s[%d]" % (where, i) if info.repeats else where)

    def item(self, value, info, type_code, where):
        if type_code is None:
            self.node(value, self.defs.node_of(info, None), where)
        elif type_code == "Resource" or self.defs.is_resource(type_code):
            self.resource(value, where + ":")
        elif self.defs.is_primitive(type_code):
            self.primitive(value, type_code, where)
        else:
            try:
                node = self.defs.node_of(info, type_code)
            except ConversionError as e:
                self.err(where, str(e))
                return
            self.node(value, node, where)

    def primitive(self, value, t, where):
        if t == "boolean":
            if not isinstance(value, bool):
                self.err(where, "boolean must be true or false")
            return
        if t in INT_TYPES:
            if isinstance(value, bool) or not isinstance(value, int):
                self.err(where, "%s must be a JSON integer" % t)
            elif t == "positiveInt" and value < 1 or t == "unsignedInt" and value < 0:
                self.err(where, "%s out of range" % t)
            elif not -2147483648 <= value <= 2147483647:
                self.err(where, "integer out of 32-bit range")
            return
        if t == "decimal":
            if isinstance(value, bool) or not isinstance(value, (int, RawNumber)):
                self.err(where, "decimal must be a JSON number")
            return
        if not isinstance(value, str):
            self.err(where, "%s must be a JSON string" % t)
            return
        if value == "":
            self.err(where, "empty string")
            return
        if t == "xhtml":
            if not value.startswith("<div") or 'xmlns="http://www.w3.org/1999/xhtml"' not in value:
                self.err(where, "narrative must be an XHTML div in the XHTML namespace")
            try:
                ET.fromstring(value)
            except ET.ParseError as e:
                self.err(where, "narrative is not well-formed XML: %s" % e)
            return
        pat = PATTERNS.get(t)
        if pat and not pat.match(value):
            self.err(where, "%r is not a valid %s" % (value, t))
        if t in ("string", "markdown") and value != value.strip():
            self.warn(where, "leading or trailing whitespace (a SHOULD in R4)")


# ------------------------------------------------------------------ cross-references

def _split_canonical(url):
    return url.split("|", 1)[0]


def _codings(obj, where=""):
    """Yield (where, Coding-shaped dict) for every object with system+code inside obj."""
    if isinstance(obj, dict):
        if isinstance(obj.get("system"), str) and isinstance(obj.get("code"), str):
            yield where, obj
        for k, v in obj.items():
            yield from _codings(v, where + "." + k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _codings(v, "%s[%d]" % (where, i))


class CrossRef:
    def __init__(self, defs, checker):
        self.defs = defs
        self.c = checker
        self.by_url = {}   # canonical -> resource
        self.files = []    # (path, resource)

    def add(self, path, res):
        self.files.append((path, res))
        url = res.get("url") if isinstance(res, dict) else None
        if isinstance(url, str):
            self.by_url[url] = res

    def local(self, url):
        return isinstance(url, str) and url.startswith(WORKWELL_BASE + "/")

    def ours(self, url):
        return isinstance(url, str) and (url.startswith(WORKWELL_BASE + "/") or url.startswith(UKCORE_BASE + "/"))

    def codes_of(self, cs):
        out = set()

        def walk(concepts):
            for c in concepts or []:
                out.add(c.get("code"))
                walk(c.get("concept"))
        walk(cs.get("concept"))
        return out

    def check_code(self, where, system, code, workwell=True):
        if system == SNOMED:
            if workwell and code not in SNOMED_ALLOWED:
                self.c.err(where, "SNOMED CT code %s is not in the documented list" % code)
            return
        if not self.local(system):
            return
        cs = self.by_url.get(system)
        if cs is None or cs.get("resourceType") != "CodeSystem":
            self.c.err(where, "no CodeSystem %s" % system)
        elif code not in self.codes_of(cs):
            self.c.err(where, "code %s is not in %s" % (code, system))

    def need(self, where, url, rtype):
        url = _split_canonical(url)
        if url.startswith(R4_BASE) and rtype == "StructureDefinition":
            name = url[len(R4_BASE):]
            if name in self.defs.kinds:
                return
            # standard R4 extensions are acceptable references
            return
        if not self.ours(url):
            return
        res = self.by_url.get(url)
        if res is None or res.get("resourceType") != rtype:
            self.c.err(where, "%s %s is not in the tree" % (rtype, url))

    def run(self):
        for path, res in self.files:
            self.c.file = path
            if not isinstance(res, dict):
                continue
            rt = res.get("resourceType")
            url = res.get("url", "")
            if rt == "StructureDefinition":
                self.structure_definition(res)
            elif rt == "ValueSet" and self.local(url):
                self.value_set(res)
            elif rt == "ConceptMap" and self.local(url):
                self.concept_map(res)
            elif rt == "CodeSystem" and self.local(url):
                self.code_system(res)
            elif rt not in ("CodeSystem", "NamingSystem", "ValueSet", "ConceptMap", "StructureDefinition"):
                self.example(res)

    def code_system(self, cs):
        codes = []

        def walk(concepts):
            for c in concepts or []:
                codes.append(c.get("code"))
                walk(c.get("concept"))
        walk(cs.get("concept"))
        if len(codes) != len(set(codes)):
            self.c.err("CodeSystem", "duplicate codes")
        if cs.get("content") == "complete" and cs.get("count") not in (None, len(codes)):
            self.c.err("CodeSystem.count", "count does not match the concepts")

    def value_set(self, vs):
        for i, inc in enumerate(vs.get("compose", {}).get("include", [])):
            system = inc.get("system")
            where = "ValueSet.compose.include[%d]" % i
            if self.local(system):
                self.need(where, system, "CodeSystem")
            for j, c in enumerate(inc.get("concept", [])):
                self.check_code("%s.concept[%d]" % (where, j), system, c.get("code"))
            for vsu in inc.get("valueSet", []):
                self.need(where, vsu, "ValueSet")

    def concept_map(self, cm):
        for gi, g in enumerate(cm.get("group", [])):
            for ei, e in enumerate(g.get("element", [])):
                if g.get("source"):
                    self.check_code("ConceptMap.group[%d].element[%d]" % (gi, ei), g["source"], e.get("code"))
                for ti, t in enumerate(e.get("target", [])):
                    if "code" in t:
                        self.check_code("ConceptMap.group[%d].element[%d].target[%d]" % (gi, ei, ti),
                                        g.get("target"), t["code"])
        for k in ("targetUri", "targetCanonical", "sourceUri", "sourceCanonical"):
            if self.local(cm.get(k)):
                self.need("ConceptMap." + k, cm[k], "ValueSet")

    def example(self, res):
        profiles = res.get("meta", {}).get("profile", [])
        for i, p in enumerate(profiles):
            self.need("meta.profile[%d]" % i, p, "StructureDefinition")
        workwell = any(self.local(p) for p in profiles)
        for where, coding in _codings(res, res.get("resourceType", "")):
            self.check_code(where, coding["system"], coding["code"], workwell)
        for where, url in _extension_urls(res, res.get("resourceType", "")):
            if self.local(url):
                self.need(where, url, "StructureDefinition")

    # ---------------------------------------------------------------- StructureDefinitions
    def structure_definition(self, sd):
        url = sd.get("url", "")
        if not self.ours(url):
            return
        mine = self.local(url)
        base = sd.get("baseDefinition")
        if base:
            self.need("StructureDefinition.baseDefinition", base, "StructureDefinition")
        stype = sd.get("type")
        if stype not in self.defs.kinds:
            self.c.err("StructureDefinition.type", "unknown type %r" % stype)
            return
        elems = sd.get("differential", {}).get("element", [])
        restricted = {}  # path -> [type codes] restricted by the differential
        ids = set()
        for i, el in enumerate(elems):
            where = "differential.element[%d] (%s)" % (i, el.get("id"))
            path = el.get("path", "")
            eid = el.get("id", "")
            if eid in ids:
                self.c.err(where, "duplicate element id")
            ids.add(eid)
            if re.sub(r":[^.]+", "", eid) != path:
                self.c.err(where, "id does not match path")
            if path.split(".")[0] != stype:
                self.c.err(where, "path does not start with %s" % stype)
                continue
            info = self.resolve(path, restricted, where)
            if "type" in el:
                restricted[path] = [t.get("code") for t in el["type"]]
                if info is not None and info.types and not info.content_ref:
                    for t in el["type"]:
                        if t.get("code") not in info.types:
                            self.c.err(where, "type %s not allowed by the base element" % t.get("code"))
                if mine:
                    for t in el["type"]:
                        for p in t.get("profile", []):
                            self.need(where + ".type.profile", p, "StructureDefinition")
                        for p in t.get("targetProfile", []):
                            self.need(where + ".type.targetProfile", p, "StructureDefinition")
            if mine:
                vs = el.get("binding", {}).get("valueSet")
                if vs:
                    self.need(where + ".binding", vs, "ValueSet")
                for k, v in el.items():
                    if k.startswith("fixed") or k.startswith("pattern"):
                        for cw, coding in _codings(v, where + "." + k):
                            self.check_code(cw, coding["system"], coding["code"])
                        if k in ("fixedUri", "patternUri") and self.local(v) and path.endswith(".system"):
                            self.need(where, v, "CodeSystem")
                if path.endswith(".url") and "fixedUri" in el and self.local(el["fixedUri"]) and stype != "Extension":
                    self.need(where, el["fixedUri"], "StructureDefinition")
                keys = [c.get("key") for c in el.get("constraint", [])]
                for c in el.get("constraint", []):
                    if not c.get("expression") or not c.get("human") or c.get("severity") not in ("error", "warning"):
                        self.c.err(where, "constraint %s lacks expression, human or severity" % c.get("key"))
                if len(keys) != len(set(keys)):
                    self.c.err(where, "duplicate constraint keys")

    def resolve(self, path, restricted, where):
        """Walk a differential path through the R4 definitions; returns the ElementInfo or None."""
        parts = path.split(".")
        node = (parts[0], parts[0])
        info = None
        so_far = parts[0]
        for seg in parts[1:]:
            if info is not None:
                types = restricted.get(so_far) or info.types
                if info.content_ref:
                    node = self.defs.node_of(info, None)
                elif len(set(types)) != 1 and not info.is_choice:
                    self.c.err(where, "cannot descend into %s: several types" % so_far)
                    return None
                else:
                    t = chosen if info.is_choice and chosen else (types[0] if len(set(types)) == 1 else None)
                    if t is None:
                        self.c.err(where, "cannot descend into choice %s without a single type" % so_far)
                        return None
                    if self.defs.is_primitive(t):
                        node = (t, t)
                    else:
                        try:
                            node = self.defs.node_of(info, t)
                        except ConversionError as e:
                            self.c.err(where, str(e))
                            return None
            chosen = None
            hit = None
            for cand in self.defs.slots(node):
                if cand.name == seg:
                    hit = (cand, None)
                    break
                if cand.is_choice:
                    for n, t in cand.json_names():
                        if n == seg:
                            hit = (cand, t)
            if hit is None:
                self.c.err(where, "path segment %s does not exist under %s" % (seg, so_far))
                return None
            info, chosen = hit
            so_far = so_far + "." + seg
        return info


# ------------------------------------------------------------------ narrowing audit

STRENGTH = {"example": 0, "preferred": 1, "extensible": 2, "required": 3}
BINDABLE = {"code", "Coding", "CodeableConcept", "Quantity", "string", "uri", "canonical"}


def _max_num(m):
    return float("inf") if m in (None, "*") else int(m)


def _tcode(t):
    code = t.get("code", "")
    if code.startswith("http://hl7.org/fhirpath/System."):
        for ext in t.get("extension", []):
            if ext.get("url", "").endswith("structuredefinition-fhir-type"):
                return ext.get("valueUrl") or ext.get("valueUri") or "string"
        return "string"
    return code


def _unsliced(eid):
    return re.sub(r":[^.]+", "", eid)


class Narrowing:
    """A profile may only narrow its base. For every differential element of a WorkWell or UK Core
    StructureDefinition, compare it with the element it constrains (from the R4 snapshots, the UK Core
    profile it derives from, the extension definition a slice names, or the data type it descends
    into) and report anything that widens it: min below or max above the base, a type or a reference
    target type the base does not allow, a target profile that does not derive from the base's, a
    weakened or unbindable binding, a fixed/pattern value of a type the element cannot have, an
    extension used outside its context."""

    def __init__(self, defs_dir, checker, by_url):
        self.c = checker
        self.by_url = by_url           # canonical -> resource (the tree)
        self.core = {}                  # R4 canonical -> StructureDefinition
        for fname in ("profiles-types.json", "profiles-resources.json", "extension-definitions.json"):
            path = os.path.join(defs_dir, fname)
            if not os.path.exists(path):
                continue
            with open(path, encoding="utf-8") as f:
                for entry in json.load(f).get("entry", []):
                    sd = entry.get("resource", {})
                    if sd.get("resourceType") == "StructureDefinition":
                        self.core[sd["url"]] = sd
        self.lites = {}

    def sd(self, url):
        url = _split_canonical(url)
        return self.core.get(url) or (self.by_url.get(url) if isinstance(self.by_url.get(url), dict) else None)

    def type_of(self, url):
        sd = self.sd(url)
        return sd.get("type") if sd else None

    def derives(self, url, ancestor):
        seen = set()
        while url and url not in seen:
            if _split_canonical(url) == _split_canonical(ancestor):
                return True
            seen.add(url)
            sd = self.sd(url)
            url = sd.get("baseDefinition") if sd else None
        return False

    # lite snapshot: element id -> merged element (min, max, type, binding, fixed/pattern)
    def lite(self, url, report=False):
        url = _split_canonical(url)
        if url in self.lites and not report:
            return self.lites[url]
        sd = self.sd(url)
        if sd is None:
            return None
        if "snapshot" in sd and url in self.core:
            out = {el["id"]: el for el in sd["snapshot"]["element"]}
            self.lites[url] = out
            return out
        base = self.lite(sd.get("baseDefinition", "")) or {}
        out = dict(base)
        self.lites[url] = out
        for i, el in enumerate(sd.get("differential", {}).get("element", [])):
            eid = el.get("id", "")
            where = "differential.element[%d] (%s)" % (i, eid)
            b = self.base_of(out, eid, el)
            if report and b is not None:
                self.compare(sd, el, b, where)
            merged = dict(b or {})
            merged.pop("slicing", None) if ":" in eid.rsplit(".", 1)[-1] else None
            for k, v in el.items():
                if k.startswith("fixed") or k.startswith("pattern"):
                    for old in [x for x in merged if x.startswith("fixed") or x.startswith("pattern")]:
                        del merged[old]
                merged[k] = v
            out[eid] = merged
        return out

    def base_of(self, lite, eid, el):
        if eid in lite:
            return lite[eid]
        if "." not in eid:
            return None
        pid, seg = eid.rsplit(".", 1)
        if ":" in seg:
            return self.base_of(lite, pid + "." + seg.split(":", 1)[0], el)
        parent = self.base_of(lite, pid, None) if pid not in lite else lite[pid]
        if parent is None:
            return None
        types = parent.get("type", [])
        profiles = [p for t in types for p in t.get("profile", [])]
        if len(types) == 1 and len(profiles) == 1:
            pl = self.lite(profiles[0])
            if pl is not None:
                hit = pl.get(types[0]["code"] + "." + seg)
                if hit is not None:
                    return hit
        cand = _unsliced(pid) + "." + seg
        if cand in lite and cand != eid:
            return lite[cand]
        if len(types) == 1:
            t = _tcode(types[0])
            if t in ("SimpleQuantity", "MoneyQuantity"):
                t = "Quantity"
            tl = self.lite(R4_BASE + t)
            if tl is not None:
                return tl.get(t + "." + seg)
        return None

    def compare(self, sd, el, b, where):
        err = self.c.err
        is_slice = ":" in el.get("id", "").rsplit(".", 1)[-1]
        bmin, bmax = b.get("min", 0), b.get("max", "*")
        mn, mx = el.get("min"), el.get("max")
        if mn is not None and mn < bmin and not is_slice:
            err(where, "min %s is below the base min %s" % (mn, bmin))
        if mx is not None and _max_num(mx) > _max_num(bmax):
            err(where, "max %s is above the base max %s" % (mx, bmax))
        if mn is not None and mn > _max_num(mx if mx is not None else bmax):
            err(where, "min %s is above max %s" % (mn, mx if mx is not None else bmax))
        btypes = b.get("type", [])
        bcodes = [_tcode(t) for t in btypes]
        types = el.get("type")
        if types and btypes:
            for t in types:
                code = _tcode(t)
                if code not in bcodes:
                    err(where, "type %s is not allowed by the base (%s)" % (code, ", ".join(bcodes)))
                    continue
                bt = btypes[bcodes.index(code)]
                self.targets(t, bt, where)
                for p in t.get("profile", []):
                    bps = bt.get("profile", [])
                    if bps and not any(self.derives(p, bp) for bp in bps):
                        err(where, "type profile %s does not derive from the base's %s" % (p, ", ".join(bps)))
                    if code == "Extension":
                        self.context(p, el.get("path", ""), where)
        eff = [_tcode(t) for t in (types or btypes)]
        bind = el.get("binding")
        if bind:
            if eff and not any(t in BINDABLE for t in eff):
                err(where, "binding on an element of type %s, which cannot be bound" % ", ".join(eff))
            bb = b.get("binding")
            if bb and STRENGTH.get(bb.get("strength"), 0) >= 2:
                if STRENGTH.get(bind.get("strength"), 0) < STRENGTH[bb["strength"]]:
                    err(where, "binding strength %s is weaker than the base's %s" % (bind.get("strength"), bb["strength"]))
                elif bb["strength"] == "required" and bind.get("valueSet") and bb.get("valueSet") and \
                        _split_canonical(bind["valueSet"]) != _split_canonical(bb["valueSet"]):
                    self.c.warn(where, "required binding %s replaces the base's required %s: must be a subset"
                                % (bind["valueSet"], bb["valueSet"]))
        for k in el:
            for prefix in ("fixed", "pattern"):
                if k.startswith(prefix) and k != prefix:
                    vt = k[len(prefix):]
                    if eff and not any(t.lower() == vt.lower() for t in eff):
                        err(where, "%s on an element of type %s" % (k, ", ".join(eff)))
                    bfix = [x for x in b if x.startswith("fixed")]
                    if bfix and b[bfix[0]] != el[k]:
                        err(where, "%s contradicts the base's %s" % (k, bfix[0]))

    def targets(self, t, bt, where):
        btp = bt.get("targetProfile", [])
        if not t.get("targetProfile") or not btp:
            return
        btypes = {self.type_of(u) for u in btp}
        any_ok = "Resource" in btypes
        for tp in t["targetProfile"]:
            rt = self.type_of(tp)
            if rt is None:
                continue  # unresolved: reported by the reference check
            if not any_ok and rt not in btypes:
                self.c.err(where, "target %s (a %s) is not a valid target here: the base allows only %s"
                           % (tp, rt, ", ".join(sorted(x for x in btypes if x))))
            elif not any_ok and not any(self.derives(tp, u) for u in btp):
                self.c.err(where, "target %s does not derive from any of the base's %s" % (tp, ", ".join(btp)))

    def context(self, ext_url, path, where):
        ext = self.sd(ext_url)
        if ext is None or not ext.get("context"):
            return
        owner = path.rsplit(".", 1)[0] if path.endswith(".extension") or path.endswith(".modifierExtension") else path
        for ctx in ext["context"]:
            expr = ctx.get("expression", "")
            if ctx.get("type") == "element" and (expr in (owner, "Element", "Resource", "DomainResource")
                                                 or owner.split(".")[0] == expr and "." not in expr and owner == expr):
                return
            if ctx.get("type") == "extension" or ctx.get("type") == "fhirpath":
                return
        self.c.err(where, "extension %s is used on %s, outside its context (%s)"
                   % (ext_url, owner, ", ".join(c.get("expression", "") for c in ext["context"])))

    def run(self, files):
        for path, res in files:
            if not isinstance(res, dict) or res.get("resourceType") != "StructureDefinition":
                continue
            url = res.get("url", "")
            if not (url.startswith(WORKWELL_BASE + "/") or url.startswith(UKCORE_BASE + "/")):
                continue
            self.c.file = path
            self.lite(url, report=True)


def _extension_urls(obj, where):
    if isinstance(obj, dict):
        for k in ("extension", "modifierExtension"):
            for i, e in enumerate(obj.get(k, []) if isinstance(obj.get(k), list) else []):
                if isinstance(e, dict) and "url" in e:
                    if e["url"].startswith("http"):
                        yield "%s.%s[%d]" % (where, k, i), e["url"]
        for k, v in obj.items():
            yield from _extension_urls(v, where + "." + k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _extension_urls(v, "%s[%d]" % (where, i))


def iter_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.endswith(".json"):
                        yield os.path.join(root, f)
        else:
            yield p


def main(argv):
    args = argv[1:]
    defs_dir = DEFAULT_DEFS
    crossref = True
    if len(args) >= 2 and args[0] == "--defs":
        defs_dir, args = args[1], args[2:]
    if args and args[0] == "--no-crossref":
        crossref, args = False, args[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    defs = Definitions(defs_dir)
    checker = Checker(defs)
    xref = CrossRef(defs, checker)
    count = 0
    for path in iter_files(args):
        count += 1
        checker.file = path
        try:
            res = load_json(path)
        except DuplicateKey as e:
            checker.err("$", "duplicate key %s" % e)
            continue
        except (ValueError, UnicodeDecodeError) as e:
            checker.err("$", "not well-formed JSON: %s" % e)
            continue
        checker.resource(res, "")
        xref.add(path, res)
    if crossref:
        xref.run()
        Narrowing(defs_dir, checker, xref.by_url).run(xref.files)
    for e in checker.warnings + checker.errors:
        print(e)
    print("check_fhir_json: %d file(s), %d error(s), %d warning(s)"
          % (count, len(checker.errors), len(checker.warnings)), file=sys.stderr)
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
