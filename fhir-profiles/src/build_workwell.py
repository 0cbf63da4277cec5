#!/usr/bin/env python3
"""Source of the WorkWell conformance resources and examples.

Writes fhir-profiles/workwell/*.json and fhir-profiles/examples/*.json (plus the examples'
README.md and expectations.csv). The JSON is the artefact the gateway loads; this file is how it
is made, so that every canonical, code and invariant is spelled once. Properties are put in R4
definition order with the shared definitions reader; run scripts/check_fhir_json.py afterwards.

Usage: python3 fhir-profiles/src/build_workwell.py
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from ukcore_to_json import Definitions, RawNumber, dump_json  # noqa: E402

BASE = "https://fhir.workwell.nhs.uk"
SD = BASE + "/StructureDefinition/"
CS = BASE + "/CodeSystem/"
VS = BASE + "/ValueSet/"
CM = BASE + "/ConceptMap/"
IDS = BASE + "/Id/"
UKC = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
R4X = "http://hl7.org/fhir/StructureDefinition/"
SCT = "http://snomed.info/sct"
VERSION = "0.1.0"
DATE = "2026-11-25"
PUBLISHER = "WorkWell FHIR gateway project"
JURISDICTION = [{"coding": [{"system": "urn:iso:std:iso:3166", "code": "GB", "display": "United Kingdom of Great Britain and Northern Ireland"}]}]

OUT_DEFS = os.path.join(ROOT, "fhir-profiles", "workwell")
OUT_EX = os.path.join(ROOT, "fhir-profiles", "examples")

# ------------------------------------------------------------------ code systems

# (id, title, description, concepts[(code, display, definition, {property: value})], properties)
CODE_SYSTEMS = [
    ("WorkWell-FitNoteOutcome", "WorkWell Fit Note Outcome",
     "The two outcomes a Statement of Fitness for Work (Med3) can record.",
     [("not-fit", "Not fit for work", "The person is not fit for work for the period stated.", {}),
      ("may-be-fit", "May be fit for work taking account of advice",
       "The person may be fit for work taking account of the advice given (options and comments).", {})], []),
    ("WorkWell-FitNoteAdjustment", "WorkWell Fit Note Adjustment Option",
     "The four options a 'may be fit for work' fit note can suggest.",
     [("phased-return", "Phased return to work", "Hours or duties built up step by step.", {}),
      ("altered-hours", "Altered hours", "Different or reduced working hours.", {}),
      ("amended-duties", "Amended duties", "Some tasks removed or changed.", {}),
      ("workplace-adaptations", "Workplace adaptations", "Changes to the workplace or equipment.", {})], []),
    ("WorkWell-FitNoteComponent", "WorkWell Fit Note Component",
     "Codes naming the parts of a fit note carried as Observation components.",
     [("adjustment", "Suggested adjustment option", "One option the issuer suggests with a 'may be fit' outcome.", {}),
      ("functional-effects", "Comments on functional effects", "Free-text comments, including the functional effects of the condition.", {}),
      ("reassessment-needed", "Reassessment needed", "Whether the issuer needs to assess fitness for work again at the end of the period.", {})], []),
    ("WorkWell-FitNoteReplacementReason", "WorkWell Fit Note Replacement Reason",
     "Why a fit note replaces an earlier one.",
     [("ssp-fallback", "Statutory Sick Pay fallback",
       "The employer could not make the adjustments advised, so the person is certified not fit for work to protect Statutory Sick Pay.", {}),
      ("correction", "Correction", "The earlier note was issued with an error and is replaced.", {}),
      ("plan-agreed", "Stay in Work plan agreed",
       "Every required party agreed a Stay in Work plan, so the person may be fit for work taking account of the plan's phased return, altered hours, amended duties or workplace adaptations.", {})], []),
    ("WorkWell-ObservationType", "WorkWell Observation Type",
     "Codes for the WorkWell records kept as Observations.",
     [("barriers-analysis", "Barriers to work analysis", "Physical and psychological obstacles to staying in or returning to work, recorded by a coach with the patient.", {}),
      ("job-demands-mapping", "Job demands mapping", "Clinical limitations set against the demands and conditions of the current role.", {})], []),
    ("WorkWell-UseCase", "WorkWell Referral Use Case",
     "Local referral use case for BaRS-shaped WorkWell referrals (BaRS defines none for WorkWell).",
     [("workwell-referral", "Referral to a WorkWell work and health service",
       "A referral from a touchpoint (primary care, hospital discharge, community mental health or MSK) to a local WorkWell service.", {})], []),
    ("WorkWell-ReferralTouchpoint", "WorkWell Referral Touchpoint",
     "The care setting a WorkWell referral comes from.",
     [("primary-care", "Primary care", "General practice and other primary care.", {}),
      ("hospital-discharge", "Hospital discharge", "Secondary care at or after discharge.", {}),
      ("community-mental-health", "Community mental health", "Community mental health services, including NHS Talking Therapies.", {}),
      ("community-msk", "Community MSK", "Community musculoskeletal and physiotherapy services.", {})], []),
    ("WorkWell-SupportTier", "WorkWell Support Tier",
     "Tiers of WorkWell support, matching the resource to the need.",
     [("self-help", "Self-help", "Information and self-management.", {"tier": 1}),
      ("non-clinical-coach", "Non-clinical case coordination",
       "Work and health coach, social prescriber or employment adviser.", {"tier": 2}),
      ("clinical-msk", "Clinical MSK / physiotherapy", "Specialist musculoskeletal or physiotherapy input.", {"tier": 3}),
      ("clinical-mental-health", "Clinical mental health with employment advisers",
       "Mental health services or NHS Talking Therapies with employment advisers.", {"tier": 3}),
      ("clinical-occupational-health", "Clinical occupational therapy / occupational health",
       "Occupational therapist or occupational health input.", {"tier": 3})],
     [("tier", "Support level: 1 self-help, 2 non-clinical, 3 specialist clinical", "integer")]),
    ("WorkWell-IssuerProfession", "WorkWell Fit Note Issuer Profession",
     "The professions that may issue a fit note since 1 July 2022, with the register each is held on.",
     [("doctor", "Doctor", "Registered medical practitioner.", {"register": "GMC"}),
      ("registered-nurse", "Registered nurse", "Nurse on the NMC register.", {"register": "NMC"}),
      ("occupational-therapist", "Occupational therapist", "Occupational therapist on the HCPC register.", {"register": "HCPC"}),
      ("pharmacist", "Pharmacist", "Pharmacist on the GPhC register.", {"register": "GPhC"}),
      ("physiotherapist", "Physiotherapist", "Physiotherapist on the HCPC register.", {"register": "HCPC"})],
     [("register", "The professional register (GMC, NMC, HCPC or GPhC)", "string")]),
    ("WorkWell-BarrierCategory", "WorkWell Barrier Category",
     "Kinds of obstacle to staying in or returning to work.",
     [("physical", "Physical", "Physical symptoms or limitations.", {}),
      ("psychological", "Psychological", "Psychological or emotional obstacles.", {}),
      ("workplace", "Workplace", "Obstacles in the job, the workplace or relationships at work.", {}),
      ("personal-circumstances", "Personal circumstances", "Caring, travel, finances or other circumstances outside work.", {})], []),
    ("WorkWell-JobDemandType", "WorkWell Job Demand Type",
     "Kinds of demand a role places on the worker.",
     [("physical", "Physical demands", "Lifting, standing, walking, manual handling.", {}),
      ("cognitive", "Cognitive demands", "Concentration, memory, decision making.", {}),
      ("psychological", "Psychological demands", "Stress, emotional load, public-facing work.", {}),
      ("environmental", "Environment", "Noise, heat, hazards, travel between sites.", {}),
      ("working-pattern", "Working pattern", "Hours, shifts, nights, overtime.", {})], []),
    ("WorkWell-PlanActivity", "WorkWell Stay in Work Plan Activity",
     "The kinds of activity in a Stay in Work plan.",
     [("phased-return", "Phased return", "Hours scaled up week by week to full hours on a set date.", {}),
      ("amended-duties", "Amended duties", "Tasks removed or changed for a time.", {}),
      ("workplace-adaptation", "Workplace adaptation", "A change to the workplace, equipment or arrangements.", {}),
      ("review", "Review", "A scheduled review of the plan.", {})], []),
    ("WorkWell-PlanParty", "WorkWell Plan Party",
     "The three parties to a Stay in Work plan.",
     [("patient", "Patient", "The person the plan is for.", {}),
      ("workwell-service", "WorkWell service", "The WorkWell service (work and health coach or adviser).", {}),
      ("employer", "Employer", "The employer, usually its HR or occupational health team.", {})], []),
    ("WorkWell-AgreementMethod", "WorkWell Agreement Method",
     "How a party gave its agreement to a Stay in Work plan.",
     [("in-person", "In person", "Agreed face to face.", {}),
      ("telephone", "Telephone", "Agreed by telephone.", {}),
      ("video", "Video call", "Agreed on a video call.", {}),
      ("written", "Written", "Agreed in a signed letter or form.", {}),
      ("electronic", "Electronic", "Agreed through an electronic service or portal.", {})], []),
    ("WorkWell-DutyChangeType", "WorkWell Duty Change Type",
     "How a duty is amended in a Stay in Work plan.",
     [("removed", "Removed", "The task is removed for the period.", {}),
      ("modified", "Modified", "The task is changed or done differently for the period.", {})], []),
    ("WorkWell-SSPFallbackOutcome", "WorkWell SSP Fallback Outcome",
     "The state of the Statutory Sick Pay safeguard once triggered.",
     [("certification-pending", "Not fit certification pending",
       "The employer cannot make the adjustments; the 'not fit for work' note is still to be recorded.", {}),
      ("not-fit-certified", "Certified not fit for work",
       "A 'not fit for work' note linked to the original has been recorded.", {})], []),
    ("WorkWell-NotifiedParty", "WorkWell Notified Party",
     "Who has been told of a Statutory Sick Pay fallback.",
     [("patient", "Patient", "The patient.", {}),
      ("gp", "GP practice", "The patient's GP practice.", {}),
      ("workwell-service", "WorkWell service", "The WorkWell service holding the plan.", {})], []),
    ("WorkWell-EmploymentStatus", "WorkWell Employment Status",
     "The patient's employment status as it bears on a Stay in Work plan: who must agree the plan and how long support lasts.",
     [("employed", "Employed", "Works for an employer, who is a party to the plan and must agree it (support up to 8 weeks).", {}),
      ("self-employed", "Self-employed", "Works for themselves: no employer party; the patient and the WorkWell service agree the plan (support up to 8 weeks).", {}),
      ("unemployed", "Unemployed (seeking work)", "Not in work: no employer party; the patient and the WorkWell service agree the plan (support up to 16 weeks).", {})], []),
    ("WorkWell-CarePlanCategory", "WorkWell Care Plan Category",
     "Category codes for WorkWell care plans.",
     [("stay-in-work-plan", "Stay in Work plan",
       "A return-to-work plan agreed by the patient, the WorkWell service and the employer.", {})], []),
]

# SNOMED CT codes recorded in the project's sources but not checked against a SNOMED CT UK release.
SNOMED = {
    "1331000000103": "Med3 certificate issued to patient",
    "751481000000104": "eMED3 (2010) new statement issued, not fit for work",
    "751601000000107": "eMED3 (2010) new statement issued, may be fit for work",
    "775281000000100": "MED3 (2010) certificate issued - recommend phased return to work",
    "775301000000104": "MED3 (2010) certificate issued - recommend altered hours",
    "775321000000108": "MED3 (2010) certificate issued - recommend amended duties",
    "775351000000103": "MED3 (2010) certificate issued - recommend workplace adaptation",
    "160910001": "Unfit for work",
    "225891002": "Fit for work with restrictions",
}

SNOMED_IN_VALUESET = {
    "WorkWell-FitNoteOutcome": ["751481000000104", "751601000000107"],
    "WorkWell-FitNoteAdjustment": ["775281000000100", "775301000000104", "775321000000108", "775351000000103"],
}


def meta_common(rtype, rid, name, title, description, url=True):
    res = {"resourceType": rtype, "id": rid}
    if url:
        res["url"] = {"CodeSystem": CS, "ValueSet": VS, "ConceptMap": CM, "StructureDefinition": SD}[rtype] + rid
        res["version"] = VERSION
    res.update({"name": name, "title": title, "status": "draft", "experimental": False, "date": DATE,
                "publisher": PUBLISHER, "description": description, "jurisdiction": JURISDICTION})
    if rtype == "NamingSystem":
        del res["title"], res["experimental"]
    return res


def pascal(rid):
    return re.sub(r"[^A-Za-z0-9]", "", rid)


def code_system(rid, title, description, concepts, properties):
    cs = meta_common("CodeSystem", rid, pascal(rid), title, description + " Local WorkWell codes.")
    cs.update({"caseSensitive": True, "valueSet": VS + rid, "content": "complete", "count": len(concepts)})
    if properties:
        cs["property"] = [{"code": c, "description": d, "type": t} for c, d, t in properties]
    out = []
    for code, display, definition, props in concepts:
        c = {"code": code, "display": display, "definition": definition}
        if props:
            c["property"] = []
            for k, v in props.items():
                ptype = [t for pc, _, t in properties if pc == k][0]
                c["property"].append({"code": k, ("valueInteger" if ptype == "integer" else "valueString"): v})
        out.append(c)
    cs["concept"] = out
    return cs


def value_set(rid, title, description):
    vs = meta_common("ValueSet", rid, pascal(rid), title, description)
    include = [{"system": CS + rid}]
    sct = SNOMED_IN_VALUESET.get(rid)
    if sct:
        include.append({"system": SCT, "concept": [{"code": c, "display": SNOMED[c]} for c in sct]})
        vs["description"] += (" Includes the SNOMED CT UK equivalents recorded in the project's sources "
                              "(not verified against a SNOMED CT release).")
    vs["compose"] = {"include": include}
    return vs


# ------------------------------------------------------------------ StructureDefinition helpers

def strip_slices(eid):
    return re.sub(r":[^.]+", "", eid)


def E(eid, **kw):
    el = {"id": eid, "path": strip_slices(eid)}
    last = eid.rsplit(".", 1)[-1]
    if ":" in last:
        el["sliceName"] = last.split(":", 1)[1]
    el.update(kw)
    return el


def ref(*targets):
    return [{"code": "Reference", "targetProfile": list(targets)}]


def ext_type(url):
    return [{"code": "Extension", "profile": [url]}]


def cc(system, code, display=None):
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return {"coding": [c]}


def inv(key, human, expression, severity="error"):
    return {"key": key, "severity": severity, "human": human, "expression": expression, "source": None}


def structure_definition(rid, title, rtype, base, description, purpose, elements):
    sd = meta_common("StructureDefinition", rid, pascal(rid), title, description)
    sd["purpose"] = purpose
    sd.update({"fhirVersion": "4.0.1", "kind": "resource", "abstract": False, "type": rtype,
               "baseDefinition": base, "derivation": "constraint"})
    for el in elements:
        for c in el.get("constraint", []):
            c["source"] = SD + rid
    sd["differential"] = {"element": elements}
    return sd


def extension(rid, title, description, contexts, value=None, subs=None, binding=None, constraints=None):
    """A simple extension (value = list of type dicts) or a complex one (subs = [(name, min, max, types, short, binding)])."""
    sd = meta_common("StructureDefinition", rid, pascal(rid), title, description)
    sd.update({"fhirVersion": "4.0.1", "kind": "complex-type", "abstract": False,
               "context": [{"type": "element", "expression": c} for c in contexts],
               "type": "Extension", "baseDefinition": R4X + "Extension", "derivation": "constraint"})
    url = SD + rid
    root = E("Extension", short=title, definition=description)
    if constraints:
        root["constraint"] = constraints
        for c in constraints:
            c["source"] = url
    els = [root]
    if subs is None:
        els.append(E("Extension.extension", max="0"))
        els.append(E("Extension.url", fixedUri=url))
        v = E("Extension.value[x]", min=1, type=value)
        if binding:
            v["binding"] = binding
        els.append(v)
    else:
        for name, mn, mx, types, short, bind in subs:
            p = "Extension.extension:" + name
            els.append(E(p, short=short, definition=short, min=mn, max=mx))
            els.append(E(p + ".extension", max="0"))
            els.append(E(p + ".url", fixedUri=name))
            v = E(p + ".value[x]", min=1, type=types)
            if bind:
                v["binding"] = bind
            els.append(v)
        els.append(E("Extension.url", fixedUri=url))
        els.append(E("Extension.value[x]", max="0"))
    sd["differential"] = {"element": els}
    return sd


def required(vs_id, description=None):
    b = {"strength": "required", "valueSet": VS + vs_id}
    if description:
        b["description"] = description
    return b


# ------------------------------------------------------------------ extensions

X = {  # extension id -> url
    k: SD + k for k in [
        "Extension-WorkWell-FitNoteAssessmentDate", "Extension-WorkWell-FitNoteIssueDate",
        "Extension-WorkWell-FitNoteDuration", "Extension-WorkWell-FitNoteReplacementReason",
        "Extension-WorkWell-ReferralTouchpoint", "Extension-WorkWell-SupportTier",
        "Extension-WorkWell-ClinicalLimitation", "Extension-WorkWell-PhasedReturnStep",
        "Extension-WorkWell-ContractedHours", "Extension-WorkWell-DutyChange",
        "Extension-WorkWell-PlanAgreement", "Extension-WorkWell-SSPFallback",
        "Extension-WorkWell-BasedOnReferral", "Extension-WorkWell-EmploymentStatus"]}
REASON_REF = R4X + "workflow-reasonReference"
OBS_REPLACES = R4X + "observation-replaces"


def extensions():
    return [
        extension("Extension-WorkWell-FitNoteAssessmentDate", "Fit note assessment date",
                  "The date the issuer assessed the person's fitness for work (a date, as on the Med3).",
                  ["Observation"], value=[{"code": "date"}]),
        extension("Extension-WorkWell-FitNoteIssueDate", "Fit note issue date",
                  "The date the fit note was issued (a date, as on the Med3; Observation.issued stays the system time).",
                  ["Observation"], value=[{"code": "date"}]),
        extension("Extension-WorkWell-FitNoteDuration", "Fit note stated duration",
                  "The period the fit note covers when the issuer states a duration (e.g. 4 weeks) rather than an end date.",
                  ["Observation"], value=[{"code": "Duration"}]),
        extension("Extension-WorkWell-FitNoteReplacementReason", "Fit note replacement reason",
                  "Why this fit note replaces the one named by the observation-replaces extension.",
                  ["Observation"], value=[{"code": "Coding"}], binding=required("WorkWell-FitNoteReplacementReason")),
        extension("Extension-WorkWell-ReferralTouchpoint", "WorkWell referral touchpoint",
                  "The care setting the WorkWell referral comes from.",
                  ["ServiceRequest"], value=[{"code": "CodeableConcept"}], binding=required("WorkWell-ReferralTouchpoint")),
        extension("Extension-WorkWell-SupportTier", "WorkWell requested support tier",
                  "The tier of WorkWell support requested by the referrer.",
                  ["ServiceRequest"], value=[{"code": "CodeableConcept"}], binding=required("WorkWell-SupportTier")),
        extension("Extension-WorkWell-ClinicalLimitation", "Clinical limitation against a job demand",
                  "The clinical limitation that bears on the job demand recorded in this component.",
                  ["Observation.component"], value=[{"code": "string"}]),
        extension("Extension-WorkWell-PhasedReturnStep", "Phased return step",
                  "One week of a phased return: the week number from the start of the phase and the hours worked that week.",
                  ["CarePlan.activity.detail"], subs=[
                      ("week", 1, "1", [{"code": "positiveInt"}], "Week number, 1 being the first week of the phased return", None),
                      ("hoursPerWeek", 1, "1", [{"code": "decimal"}], "Hours to be worked in that week", None),
                      ("note", 0, "1", [{"code": "string"}], "How the hours are spread (days, start times)", None)]),
        extension("Extension-WorkWell-ContractedHours", "Contracted weekly hours",
                  "The full weekly hours the phased return builds up to.",
                  ["CarePlan.activity.detail"], value=[{"code": "decimal"}]),
        extension("Extension-WorkWell-DutyChange", "Amended duty",
                  "A task removed or changed under an amended-duties activity, and until when.",
                  ["CarePlan.activity.detail"], subs=[
                      ("duty", 1, "1", [{"code": "string"}], "The task concerned", None),
                      ("change", 1, "1", [{"code": "code"}], "Removed or modified", required("WorkWell-DutyChangeType")),
                      ("alternative", 0, "1", [{"code": "string"}], "What is done instead, for a modified task", None),
                      ("until", 0, "1", [{"code": "date"}], "The last day the change applies", None)]),
        extension("Extension-WorkWell-BasedOnReferral", "Based on WorkWell referral",
                  "The WorkWell referral this Stay in Work plan fulfils. R4 CarePlan.basedOn allows only "
                  "Reference(CarePlan), so the referral (a ServiceRequest) is named here.",
                  ["CarePlan"], value=ref(SD + "WorkWell-Referral")),
        extension("Extension-WorkWell-EmploymentStatus", "Patient's employment status for the plan",
                  "Whether the patient is employed, self-employed or unemployed when the Stay in Work plan is made. It decides "
                  "whether an employer is a party (only when employed) and the longest support period (8 weeks in work, "
                  "16 weeks seeking work). Without it the plan is treated as employed, the stricter case.",
                  ["CarePlan"], value=[{"code": "CodeableConcept"}], binding=required("WorkWell-EmploymentStatus")),
        extension("Extension-WorkWell-PlanAgreement", "Stay in Work plan agreement",
                  "One party's formal agreement to the Stay in Work plan: who, when and how.",
                  ["CarePlan"], subs=[
                      ("party", 1, "1", [{"code": "Coding"}], "Which of the three parties agreed", required("WorkWell-PlanParty")),
                      ("agreedBy", 1, "1", ref(UKC + "Patient", UKC + "RelatedPerson", UKC + "Practitioner",
                                               UKC + "PractitionerRole", UKC + "Organization"), "The person or organisation that agreed", None),
                      ("dateTime", 1, "1", [{"code": "dateTime"}], "When the agreement was given", None),
                      ("method", 1, "1", [{"code": "Coding"}], "How the agreement was given", required("WorkWell-AgreementMethod"))]),
        extension("Extension-WorkWell-SSPFallback", "Statutory Sick Pay fallback",
                  "Records that the employer could not make the plan's adjustments and that the plan defaulted to "
                  "certifying the person not fit for work, so that Statutory Sick Pay is protected; and who has been told.",
                  ["CarePlan"], subs=[
                      ("outcome", 1, "1", [{"code": "Coding"}], "State of the safeguard", required("WorkWell-SSPFallbackOutcome")),
                      ("dateTime", 1, "1", [{"code": "dateTime"}], "When the fallback was triggered", None),
                      ("reason", 0, "1", [{"code": "string"}], "Why the employer could not make the adjustments", None),
                      ("fitNote", 0, "1", ref(SD + "WorkWell-FitNote"), "The new 'not fit for work' note, linked to the original", None),
                      ("notified", 0, "*", [{"code": "Coding"}], "A party that has been told of the outcome", required("WorkWell-NotifiedParty"))]),
    ]


# ------------------------------------------------------------------ FHIRPath fragments

def coding_is(system, code):
    return "(system = '%s' and code = '%s')" % (system, code)


OUTCOME = "value.ofType(CodeableConcept).coding"
NOT_FIT = "%s.where(%s or %s).exists()" % (OUTCOME, coding_is(CS + "WorkWell-FitNoteOutcome", "not-fit"), coding_is(SCT, "751481000000104"))
MAY_BE_FIT = "%s.where(%s or %s).exists()" % (OUTCOME, coding_is(CS + "WorkWell-FitNoteOutcome", "may-be-fit"), coding_is(SCT, "751601000000107"))
ADJUSTMENTS = "component.where(code.coding.where(%s).exists())" % coding_is(CS + "WorkWell-FitNoteComponent", "adjustment")


def ext(url):
    return "extension.where(url = '%s')" % url


def fit_note():
    comp_code = lambda code: {"coding": [{"system": CS + "WorkWell-FitNoteComponent", "code": code}]}  # noqa: E731
    rr = ext(X["Extension-WorkWell-FitNoteReplacementReason"])
    ad = ext(X["Extension-WorkWell-FitNoteAssessmentDate"])
    idt = ext(X["Extension-WorkWell-FitNoteIssueDate"])
    els = [
        E("Observation", short="WorkWell Fit Note (Med3 Statement of Fitness for Work)",
          definition="One fit note as issued: outcome, advice, condition, period, reassessment, dates, issuer and organisation.",
          constraint=[
              inv("ww-fn-1", "Adjustment options are allowed only when the outcome is 'may be fit for work'",
                  "%s.exists() implies %s" % (ADJUSTMENTS, MAY_BE_FIT)),
              inv("ww-fn-2", "A 'not fit for work' outcome carries no adjustment options",
                  "%s implies %s.empty()" % (NOT_FIT, ADJUSTMENTS)),
              inv("ww-fn-3", "The outcome is 'not fit' or 'may be fit', never both",
                  "(%s and %s).not()" % (NOT_FIT, MAY_BE_FIT)),
              inv("ww-fn-4", "The assessment date is not after the issue date",
                  "(%s.exists() and %s.exists()) implies (%s.value <= %s.value)" % (ad, idt, ad, idt)),
              inv("ww-fn-5", "A note recorded as the Statutory Sick Pay fallback is 'not fit for work'",
                  "%s.value.where(%s).exists() implies %s" % (rr, coding_is(CS + "WorkWell-FitNoteReplacementReason", "ssp-fallback"), NOT_FIT)),
              inv("ww-fn-6", "A replacement reason and the link to the replaced note come together",
                  "%s.exists() = %s.exists()" % (rr, ext(OBS_REPLACES))),
              inv("ww-fn-7", "A note recorded because a Stay in Work plan was agreed is 'may be fit for work'",
                  "%s.value.where(%s).exists() implies %s" % (rr, coding_is(CS + "WorkWell-FitNoteReplacementReason", "plan-agreed"), MAY_BE_FIT)),
          ]),
        E("Observation.extension:condition", short="The condition (diagnosis) the fit note is about", min=1,
          type=ext_type(REASON_REF)),
        E("Observation.extension:condition.value[x]", type=ref(UKC + "Condition")),
        E("Observation.extension:assessmentDate", short="Date of assessment", min=1, max="1",
          type=ext_type(X["Extension-WorkWell-FitNoteAssessmentDate"])),
        E("Observation.extension:issueDate", short="Date of issue", min=1, max="1",
          type=ext_type(X["Extension-WorkWell-FitNoteIssueDate"])),
        E("Observation.extension:duration", short="Stated duration, when no end date is given", max="1",
          type=ext_type(X["Extension-WorkWell-FitNoteDuration"])),
        E("Observation.extension:replaces", short="The fit note this one replaces (SSP fallback or correction)", max="1",
          type=ext_type(OBS_REPLACES)),
        E("Observation.extension:replaces.value[x]", type=ref(SD + "WorkWell-FitNote")),
        E("Observation.extension:replacementReason", short="Why the earlier note is replaced", max="1",
          type=ext_type(X["Extension-WorkWell-FitNoteReplacementReason"])),
        E("Observation.identifier", short="Fit note identifier (system " + IDS + "fit-note for gateway-assigned ids)", mustSupport=True),
        E("Observation.status", mustSupport=True),
        E("Observation.code", short="Med3 certificate issued to patient",
          patternCodeableConcept=cc(SCT, "1331000000103")),
        E("Observation.subject", min=1, type=ref(UKC + "Patient")),
        E("Observation.effective[x]", short="The period the fit note covers", min=1, type=[{"code": "Period"}]),
        E("Observation.effective[x].start", min=1),
        E("Observation.issued", short="When the record was made available (system time); the issue date is an extension"),
        E("Observation.performer", short="Issuer (PractitionerRole) and issuing organisation",
          slicing={"discriminator": [{"type": "value", "path": "type"}], "ordered": False, "rules": "closed"}),
        E("Observation.performer:issuer", short="The issuer: role carrying profession, linked to the registered practitioner",
          min=1, max="1", type=ref(SD + "WorkWell-FitNoteIssuerRole")),
        E("Observation.performer:issuer.type", min=1, fixedUri="PractitionerRole"),
        E("Observation.performer:issuingOrganisation", short="The issuer's practice or organisation",
          min=1, max="1", type=ref(UKC + "Organization")),
        E("Observation.performer:issuingOrganisation.type", min=1, fixedUri="Organization"),
        E("Observation.value[x]", short="Outcome: not fit / may be fit for work", min=1, type=[{"code": "CodeableConcept"}],
          binding=required("WorkWell-FitNoteOutcome", "Fit note outcome")),
        E("Observation.dataAbsentReason", max="0"),
        E("Observation.component", slicing={"discriminator": [{"type": "pattern", "path": "code"}], "ordered": False, "rules": "closed"}),
        E("Observation.component:adjustment", short="A 'may be fit' option (phased return, altered hours, amended duties, workplace adaptations)",
          max="4"),
        E("Observation.component:adjustment.code", patternCodeableConcept=comp_code("adjustment")),
        E("Observation.component:adjustment.value[x]", min=1, type=[{"code": "CodeableConcept"}],
          binding=required("WorkWell-FitNoteAdjustment", "Fit note adjustment option")),
        E("Observation.component:functionalEffects", short="Comments, including functional effects of the condition", max="1"),
        E("Observation.component:functionalEffects.code", patternCodeableConcept=comp_code("functional-effects")),
        E("Observation.component:functionalEffects.value[x]", min=1, type=[{"code": "string"}]),
        E("Observation.component:reassessmentNeeded", short="Whether the issuer needs to assess again at the end of the period",
          min=1, max="1"),
        E("Observation.component:reassessmentNeeded.code", patternCodeableConcept=comp_code("reassessment-needed")),
        E("Observation.component:reassessmentNeeded.value[x]", min=1, type=[{"code": "boolean"}]),
    ]
    return structure_definition(
        "WorkWell-FitNote", "WorkWell Fit Note (Med3)", "Observation", UKC + "Observation",
        "A Statement of Fitness for Work (Med3) as issued in England: outcome, options, comments, condition, period, "
        "reassessment, assessment and issue dates, issuer and issuing organisation, and a link to a note it replaces.",
        "Fit notes arrive from GP systems and other touchpoints in vendor formats; the gateway records each as one "
        "Observation conforming to this profile.", els)


def referral():
    els = [
        E("ServiceRequest", short="WorkWell referral (BaRS referral shape)"),
        E("ServiceRequest.extension:touchpoint", short="Where the referral comes from", min=1, max="1",
          type=ext_type(X["Extension-WorkWell-ReferralTouchpoint"])),
        E("ServiceRequest.extension:requestedTier", short="Tier of support requested", min=1, max="1",
          type=ext_type(X["Extension-WorkWell-SupportTier"])),
        E("ServiceRequest.identifier", mustSupport=True),
        E("ServiceRequest.basedOn", short="The referrer's care plan (BaRS: always a CarePlan)", min=1, type=ref(UKC + "CarePlan")),
        E("ServiceRequest.intent", fixedCode="plan"),
        E("ServiceRequest.category", min=1, max="1"),
        E("ServiceRequest.category.coding",
          slicing={"discriminator": [{"type": "value", "path": "system"}], "ordered": False, "rules": "open"}),
        E("ServiceRequest.category.coding:workflow", short="BaRS workflow category: referral", min=1, max="1"),
        E("ServiceRequest.category.coding:workflow.system", min=1, fixedUri="https://fhir.nhs.uk/CodeSystem/message-category-servicerequest"),
        E("ServiceRequest.category.coding:workflow.code", min=1, fixedCode="referral"),
        E("ServiceRequest.category.coding:useCase", short="WorkWell use case", min=1, max="1",
          binding=required("WorkWell-UseCase")),
        E("ServiceRequest.category.coding:useCase.system", min=1, fixedUri=CS + "WorkWell-UseCase"),
        E("ServiceRequest.category.coding:useCase.code", min=1),
        E("ServiceRequest.subject", type=ref(UKC + "Patient")),
        E("ServiceRequest.occurrence[x]", type=[{"code": "Period"}]),
        E("ServiceRequest.authoredOn", min=1),
        E("ServiceRequest.requester", min=1, type=ref(UKC + "PractitionerRole", SD + "WorkWell-FitNoteIssuerRole")),
        E("ServiceRequest.performer", short="The receiving WorkWell service", min=1,
          type=ref(UKC + "HealthcareService", UKC + "Organization")),
        E("ServiceRequest.reasonReference", short="The condition(s) behind the referral", type=ref(UKC + "Condition")),
        E("ServiceRequest.supportingInfo", short="The fit note, and any AHP Health and Work Report or questionnaire",
          type=ref(SD + "WorkWell-FitNote", UKC + "DocumentReference", UKC + "QuestionnaireResponse", UKC + "Consent")),
    ]
    return structure_definition(
        "WorkWell-Referral", "WorkWell Referral", "ServiceRequest", UKC + "ServiceRequest",
        "A referral to a WorkWell service, shaped as a BaRS referral request (intent plan, workflow category referral, "
        "a use-case code, basedOn CarePlan) with the touchpoint and the requested tier of support.",
        "Carried in a BaRS request message to the WorkWell service chosen by the gateway's routing.", els)


def stay_in_work_plan():
    ag = ext(X["Extension-WorkWell-PlanAgreement"])
    ssp = ext(X["Extension-WorkWell-SSPFallback"])
    pr = ext(X["Extension-WorkWell-PhasedReturnStep"])
    parties = "%s.extension.where(url = 'party').value.where(system = '%s').code" % (ag, CS + "WorkWell-PlanParty")
    no_employer = ("%s.value.coding.where(system = '%s' and (code = 'self-employed' or code = 'unemployed')).exists()"
                   % (ext(X["Extension-WorkWell-EmploymentStatus"]), CS + "WorkWell-EmploymentStatus"))
    act = lambda code: {"coding": [{"system": CS + "WorkWell-PlanActivity", "code": code}]}  # noqa: E731
    els = [
        E("CarePlan", short="Stay in Work plan",
          constraint=[
              inv("ww-sip-1", "The plan stays draft until the patient, the WorkWell service and (unless the patient is "
                  "recorded as self-employed or unemployed) the employer have each agreed",
                  "(status = 'active' or status = 'completed') implies (('patient' | 'workwell-service').subsetOf(%s) and "
                  "(%s or ('employer').subsetOf(%s)))" % (parties, no_employer, parties)),
              inv("ww-sip-2", "Each party agrees at most once",
                  "%s.extension.where(url = 'party').value.code.isDistinct()" % ag),
              inv("ww-sip-3", "A Statutory Sick Pay fallback is shown to the patient, the GP and the WorkWell service",
                  "%s.exists() implies ('patient' | 'gp' | 'workwell-service').subsetOf(%s.extension.where(url = 'notified').value.code)" % (ssp, ssp)),
              inv("ww-sip-4", "A fallback certified 'not fit' links the new fit note",
                  "%s.extension.where(url = 'outcome').value.where(code = 'not-fit-certified').exists() implies "
                  "%s.extension.where(url = 'fitNote').exists()" % (ssp, ssp)),
              inv("ww-sip-6", "A plan for a self-employed or unemployed patient has no employer agreement",
                  "%s implies %s.extension.where(url = 'party').value.where(code = 'employer').empty()" % (no_employer, ag)),
          ]),
        E("CarePlan.extension:basedOnReferral", short="The WorkWell referral the plan fulfils", min=1,
          type=ext_type(X["Extension-WorkWell-BasedOnReferral"])),
        E("CarePlan.extension:employmentStatus", short="Employed, self-employed or unemployed: decides the parties and the support period",
          max="1", mustSupport=True, type=ext_type(X["Extension-WorkWell-EmploymentStatus"])),
        E("CarePlan.extension:agreement", short="A party's agreement (who, when, how)", max="3",
          type=ext_type(X["Extension-WorkWell-PlanAgreement"])),
        E("CarePlan.extension:sspFallback", short="Statutory Sick Pay fallback outcome", max="1",
          type=ext_type(X["Extension-WorkWell-SSPFallback"])),
        E("CarePlan.identifier", mustSupport=True),
        E("CarePlan.status", short="draft until every required party agrees (ww-sip-1)"),
        E("CarePlan.intent", fixedCode="plan"),
        E("CarePlan.category", min=1,
          slicing={"discriminator": [{"type": "pattern", "path": "$this"}], "ordered": False, "rules": "open"}),
        E("CarePlan.category:stayInWork", min=1, max="1",
          patternCodeableConcept=cc(CS + "WorkWell-CarePlanCategory", "stay-in-work-plan")),
        E("CarePlan.subject", type=ref(UKC + "Patient")),
        E("CarePlan.period", short="Support period (up to 8 weeks in work, 16 weeks seeking work: gateway rule)", min=1),
        E("CarePlan.period.start", min=1),
        E("CarePlan.careTeam", short="Patient, WorkWell service and employer", min=1, max="1",
          type=ref(SD + "WorkWell-StayInWorkCareTeam")),
        E("CarePlan.addresses", min=1, type=ref(UKC + "Condition")),
        E("CarePlan.supportingInfo", short="Barriers analysis, job demands mapping and the fit note",
          type=ref(SD + "WorkWell-BarriersAnalysis", SD + "WorkWell-JobDemands", SD + "WorkWell-FitNote")),
        E("CarePlan.activity", slicing={"discriminator": [{"type": "pattern", "path": "detail.code"}], "ordered": False, "rules": "closed"}),
        E("CarePlan.activity:phasedReturn", short="Phased return: weekly hours up to full hours on a set date", max="1"),
        E("CarePlan.activity:phasedReturn.detail", min=1,
          constraint=[inv("ww-sip-5", "Phased return weeks are numbered once each",
                          "%s.extension.where(url = 'week').value.isDistinct()" % pr)]),
        E("CarePlan.activity:phasedReturn.detail.extension:step", short="One week: week number and hours", min=1,
          type=ext_type(X["Extension-WorkWell-PhasedReturnStep"])),
        E("CarePlan.activity:phasedReturn.detail.extension:contractedHours", short="Full weekly hours", max="1",
          type=ext_type(X["Extension-WorkWell-ContractedHours"])),
        E("CarePlan.activity:phasedReturn.detail.code", min=1, patternCodeableConcept=act("phased-return")),
        E("CarePlan.activity:phasedReturn.detail.scheduled[x]", min=1, type=[{"code": "Period"}]),
        E("CarePlan.activity:phasedReturn.detail.scheduled[x].start", min=1),
        E("CarePlan.activity:phasedReturn.detail.scheduled[x].end", short="The date full hours resume", min=1),
        E("CarePlan.activity:amendedDuties", short="Amended duties: tasks removed or changed, until when", max="1"),
        E("CarePlan.activity:amendedDuties.detail", min=1),
        E("CarePlan.activity:amendedDuties.detail.extension:dutyChange", min=1,
          type=ext_type(X["Extension-WorkWell-DutyChange"])),
        E("CarePlan.activity:amendedDuties.detail.code", min=1, patternCodeableConcept=act("amended-duties")),
        E("CarePlan.activity:amendedDuties.detail.scheduled[x]", type=[{"code": "Period"}]),
        E("CarePlan.activity:workplaceAdaptation", short="A workplace adaptation"),
        E("CarePlan.activity:workplaceAdaptation.detail", min=1),
        E("CarePlan.activity:workplaceAdaptation.detail.code", min=1, patternCodeableConcept=act("workplace-adaptation")),
        E("CarePlan.activity:workplaceAdaptation.detail.description", min=1),
        E("CarePlan.activity:review", short="Scheduled review dates"),
        E("CarePlan.activity:review.detail", min=1),
        E("CarePlan.activity:review.detail.code", min=1, patternCodeableConcept=act("review")),
        E("CarePlan.activity:review.detail.scheduled[x]", min=1, type=[{"code": "Timing"}]),
        E("CarePlan.activity:review.detail.scheduled[x].event", min=1),
    ]
    return structure_definition(
        "WorkWell-StayInWorkPlan", "WorkWell Stay in Work Plan", "CarePlan", UKC + "CarePlan",
        "The Stay in Work plan agreed by the patient, the WorkWell service and the employer: phased return, amended "
        "duties, workplace adaptations and reviews, each party's agreement, and the Statutory Sick Pay fallback.",
        "Returned to the GP system and kept with the record once agreed.", els)


def care_team():
    role = lambda code: {"coding": [{"system": CS + "WorkWell-PlanParty", "code": code}]}  # noqa: E731
    els = [
        E("CareTeam", short="The three parties to a Stay in Work plan"),
        E("CareTeam.subject", min=1, type=ref(UKC + "Patient")),
        E("CareTeam.participant",
          slicing={"discriminator": [{"type": "pattern", "path": "role"}], "ordered": False, "rules": "open"}),
        E("CareTeam.participant:patient", min=1, max="1"),
        E("CareTeam.participant:patient.role", min=1, max="1", patternCodeableConcept=role("patient")),
        E("CareTeam.participant:patient.member", min=1, type=ref(UKC + "Patient")),
        E("CareTeam.participant:workwellService", min=1),
        E("CareTeam.participant:workwellService.role", min=1, max="1", patternCodeableConcept=role("workwell-service")),
        E("CareTeam.participant:workwellService.member", min=1,
          type=ref(UKC + "PractitionerRole", UKC + "Practitioner", UKC + "Organization")),
        E("CareTeam.participant:employer", short="The employer; none for a self-employed or unemployed patient (the plan's employment status)"),
        E("CareTeam.participant:employer.role", min=1, max="1", patternCodeableConcept=role("employer")),
        E("CareTeam.participant:employer.member", min=1,
          type=ref(UKC + "Organization", UKC + "PractitionerRole", UKC + "RelatedPerson")),
    ]
    return structure_definition(
        "WorkWell-StayInWorkCareTeam", "WorkWell Stay in Work Care Team", "CareTeam", UKC + "CareTeam",
        "The patient, the WorkWell service and the employer (HR or occupational health) around a Stay in Work plan.",
        "Names the parties whose agreement makes a Stay in Work plan active: the patient, the WorkWell service and, when "
        "the patient is employed, the employer.", els)


def barriers():
    els = [
        E("Observation", short="Barriers to work analysis"),
        E("Observation.code", patternCodeableConcept=cc(CS + "WorkWell-ObservationType", "barriers-analysis")),
        E("Observation.subject", min=1, type=ref(UKC + "Patient")),
        E("Observation.effective[x]", min=1, type=[{"code": "dateTime"}]),
        E("Observation.performer", short="The coach (and the patient)", min=1,
          type=ref(UKC + "PractitionerRole", UKC + "Practitioner", UKC + "Patient")),
        E("Observation.value[x]", max="0"),
        E("Observation.component", short="One barrier", min=1),
        E("Observation.component.code", binding=required("WorkWell-BarrierCategory")),
        E("Observation.component.value[x]", short="The barrier in the patient's and coach's words", min=1, type=[{"code": "string"}]),
    ]
    return structure_definition(
        "WorkWell-BarriersAnalysis", "WorkWell Barriers Analysis", "Observation", UKC + "Observation",
        "The physical and psychological obstacles to staying in or returning to work, one component per barrier.",
        "First step from referral to a Stay in Work plan.", els)


def job_demands():
    cl = X["Extension-WorkWell-ClinicalLimitation"]
    els = [
        E("Observation", short="Job demands mapping",
          constraint=[inv("ww-jd-1", "At least one job demand is set against a clinical limitation",
                          "component.extension.where(url = '%s').exists()" % cl)]),
        E("Observation.code", patternCodeableConcept=cc(CS + "WorkWell-ObservationType", "job-demands-mapping")),
        E("Observation.subject", min=1, type=ref(UKC + "Patient")),
        E("Observation.effective[x]", min=1, type=[{"code": "dateTime"}]),
        E("Observation.performer", short="The practitioner who mapped the demands", min=1,
          type=ref(UKC + "PractitionerRole", UKC + "Practitioner")),
        E("Observation.value[x]", max="0"),
        E("Observation.component", short="One demand of the role", min=1),
        E("Observation.component.extension:clinicalLimitation", max="1", type=ext_type(cl)),
        E("Observation.component.code", binding=required("WorkWell-JobDemandType")),
        E("Observation.component.value[x]", short="The demand as done in the current role", min=1, type=[{"code": "string"}]),
    ]
    return structure_definition(
        "WorkWell-JobDemands", "WorkWell Job Demands Mapping", "Observation", UKC + "Observation",
        "The demands and conditions of the current role, each set against the clinical limitations that bear on it.",
        "Second step from referral to a Stay in Work plan.", els)


REGISTERS = [  # slice, system, FHIRPath regex or None, label
    ("gmc", "https://fhir.hl7.org.uk/Id/gmc-number", "^[0-9]{7}$", "GMC number: 7 digits"),
    ("gmp", "https://fhir.hl7.org.uk/Id/gmp-number", None, "GP (GMP) number"),
    ("nmc", "https://fhir.hl7.org.uk/Id/nmc-number", "^[0-9A-Z]{8}$", "NMC PIN: 8 characters"),
    ("hcpc", "https://fhir.hl7.org.uk/Id/hcpc-number", "^[A-Z]{2}[0-9]{1,6}$", "HCPC number: 2 letters and up to 6 digits"),
    ("gphc", "https://fhir.hl7.org.uk/Id/gphc-number", "^2[0-9]{6}$", "GPhC number: 7 digits starting with 2"),
]


def practitioner():
    regs = " or ".join("system = '%s'" % s for k, s, _, _ in REGISTERS if k != "gmp")
    cons = [inv("ww-prac-1", "The practitioner carries a professional registration (GMC, NMC, HCPC or GPhC)",
                "identifier.where(%s).exists()" % regs)]
    n = 2
    for k, system, rx, label in REGISTERS:
        if rx:
            cons.append(inv("ww-prac-%d" % n, label,
                            "identifier.where(system = '%s').all(value.matches('%s'))" % (system, rx)))
            n += 1
    els = [E("Practitioner", short="Fit note issuer with professional registration", constraint=cons),
           E("Practitioner.identifier", min=1,
             slicing={"discriminator": [{"type": "value", "path": "system"}], "ordered": False, "rules": "open"})]
    for k, system, rx, label in REGISTERS:
        els.append(E("Practitioner.identifier:" + k, short=label, max="1"))
        els.append(E("Practitioner.identifier:%s.system" % k, min=1, fixedUri=system))
        els.append(E("Practitioner.identifier:%s.value" % k, min=1))
    els.append(E("Practitioner.name", min=1))
    els.append(E("Practitioner.qualification", short="Further qualifications (e.g. occupational medicine)", mustSupport=True))
    return structure_definition(
        "WorkWell-Practitioner", "WorkWell Fit Note Issuer Practitioner", "Practitioner", UKC + "Practitioner",
        "A registered professional who may issue fit notes, identified by the register that holds them "
        "(GMC, NMC, HCPC or GPhC).",
        "Since April 2022 the issuer's name and profession replace a signature; the registration must travel with the note.",
        els)


def issuer_role():
    els = [
        E("PractitionerRole", short="The role in which a fit note is issued"),
        E("PractitionerRole.practitioner", min=1, type=ref(SD + "WorkWell-Practitioner")),
        E("PractitionerRole.organization", short="The issuer's practice or organisation", min=1, type=ref(UKC + "Organization")),
        E("PractitionerRole.code",
          slicing={"discriminator": [{"type": "value", "path": "coding.system"}], "ordered": False, "rules": "open"}),
        E("PractitionerRole.code:profession", short="Profession of the issuer", min=1, max="1",
          binding=required("WorkWell-IssuerProfession")),
        E("PractitionerRole.code:profession.coding", min=1, max="1"),
        E("PractitionerRole.code:profession.coding.system", min=1, fixedUri=CS + "WorkWell-IssuerProfession"),
        E("PractitionerRole.code:profession.coding.code", min=1),
    ]
    return structure_definition(
        "WorkWell-FitNoteIssuerRole", "WorkWell Fit Note Issuer Role", "PractitionerRole", UKC + "PractitionerRole",
        "The issuer of a fit note: profession (doctor, registered nurse, occupational therapist, pharmacist, "
        "physiotherapist), the registered practitioner and the organisation.",
        "The fit note's performer; carries the profession that the Med3 now states in place of a signature.", els)


# ------------------------------------------------------------------ concept maps, naming systems

def concept_map(rid, title, description, target_vs, groups):
    cm = meta_common("ConceptMap", rid, pascal(rid), title, description)
    cm["targetCanonical"] = VS + target_vs
    out = []
    for source, target, rows in groups:
        g = {}
        if source:
            g["source"] = source
        g["target"] = target
        g["element"] = [{"code": s, **({"display": d} if d else {}),
                         "target": [{"code": t, "equivalence": eq}]} for s, d, t, eq in rows]
        out.append(g)
    cm["group"] = out
    return cm


def concept_maps():
    outcome_text = [
        ("not fit for work", None, "not-fit", "equivalent"), ("not fit", None, "not-fit", "equivalent"),
        ("unfit for work", None, "not-fit", "equivalent"), ("unfit", None, "not-fit", "equivalent"),
        ("not_fit", None, "not-fit", "equivalent"), ("nf", None, "not-fit", "equivalent"),
        ("may be fit for work", None, "may-be-fit", "equivalent"), ("may be fit", None, "may-be-fit", "equivalent"),
        ("maybe fit", None, "may-be-fit", "equivalent"), ("may_be_fit", None, "may-be-fit", "equivalent"),
        ("fit with adjustments", None, "may-be-fit", "equivalent"), ("mbf", None, "may-be-fit", "equivalent"),
    ]
    outcome_sct = [
        ("751481000000104", SNOMED["751481000000104"], "not-fit", "equivalent"),
        ("751601000000107", SNOMED["751601000000107"], "may-be-fit", "equivalent"),
        ("160910001", SNOMED["160910001"], "not-fit", "equivalent"),
        ("225891002", SNOMED["225891002"], "may-be-fit", "wider"),
    ]
    adj_text = [
        ("phased return", None, "phased-return", "equivalent"), ("phased return to work", None, "phased-return", "equivalent"),
        ("phased_return", None, "phased-return", "equivalent"),
        ("altered hours", None, "altered-hours", "equivalent"), ("altered_hours", None, "altered-hours", "equivalent"),
        ("amended duties", None, "amended-duties", "equivalent"), ("amended_duties", None, "amended-duties", "equivalent"),
        ("workplace adaptations", None, "workplace-adaptations", "equivalent"),
        ("workplace adaptation", None, "workplace-adaptations", "equivalent"),
        ("workplace_adaptations", None, "workplace-adaptations", "equivalent"),
    ]
    adj_sct = [
        ("775281000000100", SNOMED["775281000000100"], "phased-return", "equivalent"),
        ("775301000000104", SNOMED["775301000000104"], "altered-hours", "equivalent"),
        ("775321000000108", SNOMED["775321000000108"], "amended-duties", "equivalent"),
        ("775351000000103", SNOMED["775351000000103"], "workplace-adaptations", "equivalent"),
    ]
    prof_text = [(s, None, t, "equivalent") for s, t in [
        ("doctor", "doctor"), ("gp", "doctor"), ("general practitioner", "doctor"), ("medical practitioner", "doctor"),
        ("consultant", "doctor"), ("physician", "doctor"),
        ("nurse", "registered-nurse"), ("registered nurse", "registered-nurse"), ("rn", "registered-nurse"),
        ("practice nurse", "registered-nurse"), ("nurse practitioner", "registered-nurse"),
        ("occupational therapist", "occupational-therapist"), ("ot", "occupational-therapist"),
        ("pharmacist", "pharmacist"), ("clinical pharmacist", "pharmacist"),
        ("physiotherapist", "physiotherapist"), ("physio", "physiotherapist"), ("physical therapist", "physiotherapist")]]
    prof_sds = [(c, d, t, "wider") for c, d, t in [
        ("R0050", "Consultant", "doctor"), ("R0260", "General Medical Practitioner", "doctor"),
        ("R6200", "GP Registrar", "doctor"), ("R6300", "Sessional GP", "doctor"),
        ("R0600", "Specialist Nurse Practitioner", "registered-nurse"), ("R0620", "Staff Nurse", "registered-nurse"),
        ("R0700", "Community Nurse", "registered-nurse"),
        ("R0950", "Occupational Therapist", "occupational-therapist"), ("R9550", "Occupational Therapist", "occupational-therapist"),
        ("R1290", "Pharmacist", "pharmacist"),
        ("R1110", "Physiotherapist", "physiotherapist"), ("R1120", "Physiotherapist Consultant", "physiotherapist")]]
    vendor = ("Vendor strings are matched after trimming, lower-casing and collapsing inner whitespace; "
              "the group without a source holds those strings.")
    return [
        concept_map("WorkWell-VendorOutcomeToFitNoteOutcome", "Vendor fit note outcome to WorkWell outcome",
                    "Maps outcome strings and SNOMED CT codes sent by GP system vendors to the WorkWell fit note outcome. " + vendor,
                    "WorkWell-FitNoteOutcome",
                    [(None, CS + "WorkWell-FitNoteOutcome", outcome_text), (SCT, CS + "WorkWell-FitNoteOutcome", outcome_sct)]),
        concept_map("WorkWell-VendorAdjustmentToFitNoteAdjustment", "Vendor fit note option to WorkWell adjustment option",
                    "Maps 'may be fit' option strings and SNOMED CT codes to the WorkWell adjustment options. " + vendor,
                    "WorkWell-FitNoteAdjustment",
                    [(None, CS + "WorkWell-FitNoteAdjustment", adj_text), (SCT, CS + "WorkWell-FitNoteAdjustment", adj_sct)]),
        concept_map("WorkWell-VendorProfessionToIssuerProfession", "Vendor profession to WorkWell issuer profession",
                    "Maps profession strings and SDS job role codes to the five fit note issuer professions. " + vendor +
                    " SDS job roles map as 'wider': the profession is broader than the job role.",
                    "WorkWell-IssuerProfession",
                    [(None, CS + "WorkWell-IssuerProfession", prof_text),
                     ("https://fhir.hl7.org.uk/CodeSystem/UKCore-SDSJobRoleName", CS + "WorkWell-IssuerProfession", prof_sds)]),
    ]


def naming_systems():
    out = []
    for rid, title, path, desc in [
        ("WorkWell-FitNoteIdentifier", "WorkWell fit note identifier", "fit-note",
         "Identifiers the gateway assigns to fit notes it records (Observation.identifier)."),
        ("WorkWell-ReferralIdentifier", "WorkWell referral identifier", "referral",
         "Identifiers the gateway assigns to WorkWell referrals (ServiceRequest.identifier)."),
        ("WorkWell-PlanIdentifier", "WorkWell Stay in Work plan identifier", "stay-in-work-plan",
         "Identifiers the gateway assigns to Stay in Work plans (CarePlan.identifier)."),
    ]:
        ns = meta_common("NamingSystem", rid, pascal(rid), title, desc, url=False)
        ns["kind"] = "identifier"
        ns["usage"] = "Identifier system " + IDS + path
        ns["uniqueId"] = [{"type": "uri", "value": IDS + path, "preferred": True}]
        out.append(ns)
    return out


# ------------------------------------------------------------------ ordering

class Orderer:
    def __init__(self, defs):
        self.defs = defs

    def resource(self, obj):
        rtype = obj["resourceType"]
        out = {"resourceType": rtype}
        out.update(self.node({k: v for k, v in obj.items() if k != "resourceType"}, (rtype, rtype)))
        return out

    def node(self, obj, node):
        slots = self.defs.slots(node)
        keyed = []
        for key, value in obj.items():
            if value is None:
                continue
            comp = key.startswith("_")
            hit = self.defs.lookup(node, key[1:] if comp else key)
            if hit is None:
                raise SystemExit("unknown element %s under %s" % (key, node))
            info, t = hit
            keyed.append(((slots.index(info), comp), key, self.value(value, info, t)))
        keyed.sort(key=lambda x: x[0])
        return {k: v for _, k, v in keyed}

    def value(self, value, info, t):
        if isinstance(value, list):
            return [self.value(v, info, t) for v in value]
        if not isinstance(value, dict):
            return value
        if t == "Resource" or (t and self.defs.is_resource(t)):
            return self.resource(value)
        if t is not None and self.defs.is_primitive(t):
            return value
        return self.node(value, self.defs.node_of(info, t))


# ------------------------------------------------------------------ examples

PATIENT = {"reference": "Patient/workwell-patient-example", "display": "Sam Example"}
CONDITION = {"reference": "Condition/workwell-condition-lowbackpain"}
ORG = {"reference": "Organization/workwell-gp-practice-example", "type": "Organization", "display": "Example Medical Centre"}
ROLE = {"reference": "PractitionerRole/WorkWell-FitNoteIssuerRole-valid-physio", "type": "PractitionerRole"}
META = lambda p: {"profile": [SD + p]}  # noqa: E731


def narrative(text):
    return {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">%s</div>' % text}


def fit_note_example(eid, text, outcome="may-be-fit", options=("phased-return", "amended-duties"),
                     assessed="2026-11-02", issued="2026-11-02", replaces=None, reason=None, comment=True,
                     reassessment=True):
    outcome_sct = {"not-fit": "751481000000104", "may-be-fit": "751601000000107"}[outcome]
    outcome_display = {"not-fit": "Not fit for work", "may-be-fit": "May be fit for work taking account of advice"}[outcome]
    adj_sct = {"phased-return": "775281000000100", "altered-hours": "775301000000104",
               "amended-duties": "775321000000108", "workplace-adaptations": "775351000000103"}
    exts = [{"url": REASON_REF, "valueReference": CONDITION},
            {"url": X["Extension-WorkWell-FitNoteAssessmentDate"], "valueDate": assessed},
            {"url": X["Extension-WorkWell-FitNoteIssueDate"], "valueDate": issued}]
    if replaces:
        exts.append({"url": OBS_REPLACES, "valueReference": {"reference": "Observation/" + replaces}})
    if reason:
        exts.append({"url": X["Extension-WorkWell-FitNoteReplacementReason"],
                     "valueCoding": {"system": CS + "WorkWell-FitNoteReplacementReason", "code": reason}})
    comps = []
    for o in options:
        comps.append({"code": {"coding": [{"system": CS + "WorkWell-FitNoteComponent", "code": "adjustment"}]},
                      "valueCodeableConcept": {"coding": [
                          {"system": CS + "WorkWell-FitNoteAdjustment", "code": o},
                          {"system": SCT, "code": adj_sct[o], "display": SNOMED[adj_sct[o]]}]}})
    if comment:
        comps.append({"code": {"coding": [{"system": CS + "WorkWell-FitNoteComponent", "code": "functional-effects"}]},
                      "valueString": "Low back pain limits lifting and prolonged standing; can do desk-based tasks."})
    if reassessment:
        comps.append({"code": {"coding": [{"system": CS + "WorkWell-FitNoteComponent", "code": "reassessment-needed"}]},
                      "valueBoolean": False})
    return {
        "resourceType": "Observation", "id": eid, "meta": META("WorkWell-FitNote"), "text": narrative(text),
        "extension": exts,
        "identifier": [{"system": IDS + "fit-note", "value": eid}],
        "status": "final",
        "code": {"coding": [{"system": SCT, "code": "1331000000103", "display": SNOMED["1331000000103"]}]},
        "subject": PATIENT,
        "effectivePeriod": {"start": issued, "end": "2026-11-29"},
        "performer": [ROLE, ORG],
        "valueCodeableConcept": {"coding": [
            {"system": CS + "WorkWell-FitNoteOutcome", "code": outcome, "display": outcome_display},
            {"system": SCT, "code": outcome_sct, "display": SNOMED[outcome_sct]}]},
        "component": comps,
    }


def referral_example(eid, text, intent="plan", tier=True):
    exts = [{"url": X["Extension-WorkWell-ReferralTouchpoint"],
             "valueCodeableConcept": cc(CS + "WorkWell-ReferralTouchpoint", "primary-care", "Primary care")}]
    if tier:
        exts.append({"url": X["Extension-WorkWell-SupportTier"],
                     "valueCodeableConcept": cc(CS + "WorkWell-SupportTier", "non-clinical-coach", "Non-clinical case coordination")})
    return {
        "resourceType": "ServiceRequest", "id": eid, "meta": META("WorkWell-Referral"), "text": narrative(text),
        "extension": exts,
        "identifier": [{"system": IDS + "referral", "value": eid}],
        "basedOn": [{"reference": "CarePlan/workwell-gp-careplan-example"}],
        "status": "active", "intent": intent,
        "category": [{"coding": [
            {"system": "https://fhir.nhs.uk/CodeSystem/message-category-servicerequest", "code": "referral", "display": "Transfer of Care"},
            {"system": CS + "WorkWell-UseCase", "code": "workwell-referral", "display": "Referral to a WorkWell work and health service"}]}],
        "subject": PATIENT,
        "occurrencePeriod": {"start": "2026-11-03", "end": "2026-11-05"},
        "authoredOn": "2026-11-02T10:15:00+00:00",
        "requester": {"reference": "PractitionerRole/WorkWell-FitNoteIssuerRole-valid-physio"},
        "performer": [{"reference": "HealthcareService/workwell-service-example", "display": "Example WorkWell service"}],
        "reasonReference": [CONDITION],
        "supportingInfo": [{"reference": "Observation/WorkWell-FitNote-valid-may-be-fit"}],
    }


def agreement(party, who, when, method):
    return {"url": X["Extension-WorkWell-PlanAgreement"], "extension": [
        {"url": "party", "valueCoding": {"system": CS + "WorkWell-PlanParty", "code": party}},
        {"url": "agreedBy", "valueReference": who},
        {"url": "dateTime", "valueDateTime": when},
        {"url": "method", "valueCoding": {"system": CS + "WorkWell-AgreementMethod", "code": method}}]}


def plan_example(eid, text, status="active", parties=("patient", "workwell-service", "employer"), ssp=None,
                 referral=True, employment=None):
    who = {"patient": PATIENT,
           "workwell-service": {"reference": "PractitionerRole/workwell-coach-example"},
           "employer": {"reference": "Organization/workwell-employer-example"}}
    method = {"patient": "in-person", "workwell-service": "in-person", "employer": "telephone"}
    exts = [{"url": X["Extension-WorkWell-BasedOnReferral"],
             "valueReference": {"reference": "ServiceRequest/WorkWell-Referral-valid-primary-care"}}] if referral else []
    if employment:
        exts.append({"url": X["Extension-WorkWell-EmploymentStatus"],
                     "valueCodeableConcept": cc(CS + "WorkWell-EmploymentStatus", employment)})
    exts += [agreement(p, who[p], "2026-11-16T1%d:00:00+00:00" % i, method[p]) for i, p in enumerate(parties)]
    if ssp:
        outcome, notified = ssp
        sub = [{"url": "outcome", "valueCoding": {"system": CS + "WorkWell-SSPFallbackOutcome", "code": outcome}},
               {"url": "dateTime", "valueDateTime": "2026-11-20T09:00:00+00:00"},
               {"url": "reason", "valueString": "The employer cannot offer reduced hours on the production line."}]
        if outcome == "not-fit-certified":
            sub.append({"url": "fitNote", "valueReference": {"reference": "Observation/WorkWell-FitNote-valid-ssp-fallback"}})
        sub += [{"url": "notified", "valueCoding": {"system": CS + "WorkWell-NotifiedParty", "code": n}} for n in notified]
        exts.append({"url": X["Extension-WorkWell-SSPFallback"], "extension": sub})
    pa = lambda code: {"coding": [{"system": CS + "WorkWell-PlanActivity", "code": code}]}  # noqa: E731
    step = lambda w, h: {"url": X["Extension-WorkWell-PhasedReturnStep"], "extension": [  # noqa: E731
        {"url": "week", "valuePositiveInt": w}, {"url": "hoursPerWeek", "valueDecimal": RawNumber(h)}]}
    return {
        "resourceType": "CarePlan", "id": eid, "meta": META("WorkWell-StayInWorkPlan"), "text": narrative(text),
        "extension": exts,
        "identifier": [{"system": IDS + "stay-in-work-plan", "value": eid}],
        "status": status, "intent": "plan",
        "category": [cc(CS + "WorkWell-CarePlanCategory", "stay-in-work-plan", "Stay in Work plan")],
        "title": "Stay in Work plan",
        "subject": PATIENT,
        "period": {"start": "2026-11-16", "end": "2027-01-11"},
        "careTeam": [{"reference": "CareTeam/WorkWell-StayInWorkCareTeam-valid"}],
        "addresses": [CONDITION],
        "supportingInfo": [{"reference": "Observation/WorkWell-BarriersAnalysis-valid"},
                           {"reference": "Observation/WorkWell-JobDemands-valid"},
                           {"reference": "Observation/WorkWell-FitNote-valid-may-be-fit"}],
        "activity": [
            {"detail": {"extension": [step(1, "15"), step(2, "22.5"), step(3, "30"),
                                      {"url": X["Extension-WorkWell-ContractedHours"], "valueDecimal": RawNumber("37.5")}],
                        "code": pa("phased-return"), "status": "scheduled",
                        "scheduledPeriod": {"start": "2026-11-23", "end": "2026-12-14"},
                        "description": "Three weeks building up to full hours from 14 December."}},
            {"detail": {"extension": [{"url": X["Extension-WorkWell-DutyChange"], "extension": [
                {"url": "duty", "valueString": "Loading delivery vans"},
                {"url": "change", "valueCode": "removed"},
                {"url": "until", "valueDate": "2026-12-31"}]}],
                "code": pa("amended-duties"), "status": "scheduled",
                "scheduledPeriod": {"start": "2026-11-23", "end": "2026-12-31"}}},
            {"detail": {"code": pa("workplace-adaptation"), "status": "scheduled",
                        "description": "Sit-stand workstation at the dispatch desk."}},
            {"detail": {"code": pa("review"), "status": "scheduled",
                        "scheduledTiming": {"event": ["2026-11-30T10:00:00+00:00", "2026-12-14T10:00:00+00:00"]}}},
        ],
    }


def care_team_example(eid, text, employer=True, subject=True, workwell=True):
    role = lambda code: [cc(CS + "WorkWell-PlanParty", code)]  # noqa: E731
    parts = [{"role": role("patient"), "member": PATIENT}]
    if workwell:
        parts.append({"role": role("workwell-service"), "member": {"reference": "PractitionerRole/workwell-coach-example"}})
    if employer:
        parts.append({"role": role("employer"), "member": {"reference": "Organization/workwell-employer-example"}})
    res = {"resourceType": "CareTeam", "id": eid, "meta": META("WorkWell-StayInWorkCareTeam"), "text": narrative(text),
           "status": "active", "subject": PATIENT if subject else None, "participant": parts}
    return res


def barriers_example(eid, text, value_type="valueString"):
    comps = [{"code": cc(CS + "WorkWell-BarrierCategory", "physical"), "valueString": "Pain when lifting more than 5 kg"},
             {"code": cc(CS + "WorkWell-BarrierCategory", "psychological"), value_type: "Worried about falling behind" if value_type == "valueString" else True}]
    return {"resourceType": "Observation", "id": eid, "meta": META("WorkWell-BarriersAnalysis"), "text": narrative(text),
            "status": "final", "code": cc(CS + "WorkWell-ObservationType", "barriers-analysis"),
            "subject": PATIENT, "effectiveDateTime": "2026-11-09T14:00:00+00:00",
            "performer": [{"reference": "PractitionerRole/workwell-coach-example"}], "component": comps}


def job_demands_example(eid, text, limitation=True, performer=True):
    c1 = {"code": cc(CS + "WorkWell-JobDemandType", "physical"), "valueString": "Loading delivery vans, parcels up to 20 kg"}
    if limitation:
        c1["extension"] = [{"url": X["Extension-WorkWell-ClinicalLimitation"], "valueString": "No lifting over 5 kg for 6 weeks"}]
    c2 = {"code": cc(CS + "WorkWell-JobDemandType", "working-pattern"), "valueString": "Shifts of 9 hours, 5 days a week"}
    res = {"resourceType": "Observation", "id": eid, "meta": META("WorkWell-JobDemands"), "text": narrative(text),
           "status": "final", "code": cc(CS + "WorkWell-ObservationType", "job-demands-mapping"),
           "subject": PATIENT, "effectiveDateTime": "2026-11-12T11:00:00+00:00",
           "performer": [{"reference": "PractitionerRole/workwell-ot-example"}] if performer else None,
           "component": [c1, c2]}
    return res


def practitioner_example(eid, text, identifiers):
    return {"resourceType": "Practitioner", "id": eid, "meta": META("WorkWell-Practitioner"), "text": narrative(text),
            "identifier": [{"system": s, "value": v} for s, v in identifiers],
            "name": [{"family": "Example", "given": ["Alex"], "prefix": ["Ms"]}]}


def role_example(eid, text, profession="physiotherapist", organization=True):
    res = {"resourceType": "PractitionerRole", "id": eid, "meta": META("WorkWell-FitNoteIssuerRole"), "text": narrative(text),
           "active": True,
           "practitioner": {"reference": "Practitioner/WorkWell-Practitioner-valid-physio"},
           "organization": {"reference": "Organization/workwell-msk-service-example"} if organization else None}
    if profession:
        res["code"] = [cc(CS + "WorkWell-IssuerProfession", profession)]
    return res


def examples():
    """(file id, resource, expected, rule broken or '')"""
    fn_ssp = fit_note_example("WorkWell-FitNote-valid-ssp-fallback",
                              "Not fit for work, recorded because the employer could not make the advised adjustments.",
                              outcome="not-fit", options=(), issued="2026-11-20", assessed="2026-11-02",
                              replaces="WorkWell-FitNote-valid-may-be-fit", reason="ssp-fallback")
    out = [
        ("WorkWell-FitNote-valid-may-be-fit",
         fit_note_example("WorkWell-FitNote-valid-may-be-fit", "May be fit for work: phased return and amended duties."),
         "valid", ""),
        ("WorkWell-FitNote-valid-not-fit",
         fit_note_example("WorkWell-FitNote-valid-not-fit", "Not fit for work for four weeks.", outcome="not-fit", options=()),
         "valid", ""),
        ("WorkWell-FitNote-valid-ssp-fallback", fn_ssp, "valid", ""),
        ("WorkWell-FitNote-valid-plan-agreed",
         fit_note_example("WorkWell-FitNote-valid-plan-agreed", "May be fit for work with the agreed Stay in Work plan.",
                          options=("phased-return", "altered-hours", "amended-duties", "workplace-adaptations"),
                          issued="2026-11-18", replaces="WorkWell-FitNote-valid-not-fit", reason="plan-agreed"),
         "valid", ""),
        ("WorkWell-FitNote-invalid-plan-agreed-not-fit",
         fit_note_example("WorkWell-FitNote-invalid-plan-agreed-not-fit", "Recorded for an agreed plan, yet says not fit for work.",
                          outcome="not-fit", options=(), issued="2026-11-18", replaces="WorkWell-FitNote-valid-not-fit",
                          reason="plan-agreed"),
         "invalid", "ww-fn-7"),
        ("WorkWell-FitNote-invalid-not-fit-with-option",
         fit_note_example("WorkWell-FitNote-invalid-not-fit-with-option", "Not fit for work, yet suggests a phased return.",
                          outcome="not-fit", options=("phased-return",)),
         "invalid", "ww-fn-2 (and its mirror ww-fn-1: one options rule stated from both sides)"),
        ("WorkWell-FitNote-invalid-assessed-after-issue",
         fit_note_example("WorkWell-FitNote-invalid-assessed-after-issue", "Assessment date after the issue date.",
                          assessed="2026-11-05", issued="2026-11-02"),
         "invalid", "ww-fn-4"),
        ("WorkWell-FitNote-invalid-ssp-fallback-may-be-fit",
         fit_note_example("WorkWell-FitNote-invalid-ssp-fallback-may-be-fit", "SSP fallback note wrongly saying may be fit.",
                          outcome="may-be-fit", options=(), issued="2026-11-20",
                          replaces="WorkWell-FitNote-valid-may-be-fit", reason="ssp-fallback"),
         "invalid", "ww-fn-5"),
        ("WorkWell-FitNote-invalid-no-reassessment",
         fit_note_example("WorkWell-FitNote-invalid-no-reassessment", "Reassessment statement missing.", reassessment=False),
         "invalid", "Observation.component:reassessmentNeeded min 1"),
        ("WorkWell-Referral-valid-primary-care",
         referral_example("WorkWell-Referral-valid-primary-care", "GP referral to the WorkWell service for coaching."), "valid", ""),
        ("WorkWell-Referral-invalid-intent-order",
         referral_example("WorkWell-Referral-invalid-intent-order", "Referral with intent order.", intent="order"),
         "invalid", "ServiceRequest.intent fixed 'plan'"),
        ("WorkWell-Referral-invalid-no-tier",
         referral_example("WorkWell-Referral-invalid-no-tier", "Referral without a requested tier.", tier=False),
         "invalid", "ServiceRequest.extension:requestedTier min 1"),
        ("WorkWell-StayInWorkPlan-valid-agreed",
         plan_example("WorkWell-StayInWorkPlan-valid-agreed", "Stay in Work plan agreed by all three parties."), "valid", ""),
        ("WorkWell-StayInWorkPlan-valid-draft",
         plan_example("WorkWell-StayInWorkPlan-valid-draft", "Draft plan awaiting the employer.", status="draft",
                      parties=("patient", "workwell-service")), "valid", ""),
        ("WorkWell-StayInWorkPlan-valid-ssp-fallback",
         plan_example("WorkWell-StayInWorkPlan-valid-ssp-fallback", "Agreed plan that fell back to not fit for work.",
                      ssp=("not-fit-certified", ("patient", "gp", "workwell-service"))), "valid", ""),
        ("WorkWell-StayInWorkPlan-invalid-active-without-employer",
         plan_example("WorkWell-StayInWorkPlan-invalid-active-without-employer", "Active plan the employer has not agreed.",
                      parties=("patient", "workwell-service")), "invalid", "ww-sip-1"),
        ("WorkWell-StayInWorkPlan-invalid-ssp-gp-not-told",
         plan_example("WorkWell-StayInWorkPlan-invalid-ssp-gp-not-told", "SSP fallback not shown to the GP.",
                      ssp=("not-fit-certified", ("patient", "workwell-service"))), "invalid", "ww-sip-3"),
        ("WorkWell-StayInWorkPlan-valid-unemployed",
         plan_example("WorkWell-StayInWorkPlan-valid-unemployed", "Plan for a person seeking work, agreed by the patient and the WorkWell service.",
                      parties=("patient", "workwell-service"), employment="unemployed"), "valid", ""),
        ("WorkWell-StayInWorkPlan-valid-self-employed",
         plan_example("WorkWell-StayInWorkPlan-valid-self-employed", "Plan for a self-employed person, agreed by the patient and the WorkWell service.",
                      parties=("patient", "workwell-service"), employment="self-employed"), "valid", ""),
        ("WorkWell-StayInWorkPlan-invalid-employed-without-employer",
         plan_example("WorkWell-StayInWorkPlan-invalid-employed-without-employer",
                      "Active plan for an employed person that the employer has not agreed.",
                      parties=("patient", "workwell-service"), employment="employed"), "invalid", "ww-sip-1"),
        ("WorkWell-StayInWorkPlan-invalid-unemployed-employer-agreed",
         plan_example("WorkWell-StayInWorkPlan-invalid-unemployed-employer-agreed",
                      "Plan for a person seeking work that records an employer's agreement.", employment="unemployed"),
         "invalid", "ww-sip-6"),
        ("WorkWell-StayInWorkPlan-invalid-no-referral",
         plan_example("WorkWell-StayInWorkPlan-invalid-no-referral", "Plan that does not name the referral it fulfils.",
                      referral=False), "invalid", "CarePlan.extension:basedOnReferral min 1"),
        ("WorkWell-StayInWorkCareTeam-valid",
         care_team_example("WorkWell-StayInWorkCareTeam-valid", "Patient, WorkWell coach and employer."), "valid", ""),
        ("WorkWell-StayInWorkCareTeam-valid-no-employer",
         care_team_example("WorkWell-StayInWorkCareTeam-valid-no-employer",
                           "Patient and WorkWell coach: no employer, for a self-employed or unemployed patient.", employer=False),
         "valid", ""),
        ("WorkWell-StayInWorkCareTeam-invalid-no-workwell-service",
         care_team_example("WorkWell-StayInWorkCareTeam-invalid-no-workwell-service", "No WorkWell service in the team.",
                           workwell=False),
         "invalid", "CareTeam.participant:workwellService min 1"),
        ("WorkWell-StayInWorkCareTeam-invalid-no-subject",
         care_team_example("WorkWell-StayInWorkCareTeam-invalid-no-subject", "Team without a subject.", subject=False),
         "invalid", "CareTeam.subject min 1"),
        ("WorkWell-BarriersAnalysis-valid",
         barriers_example("WorkWell-BarriersAnalysis-valid", "Two barriers recorded by the coach."), "valid", ""),
        ("WorkWell-BarriersAnalysis-invalid-boolean-barrier",
         barriers_example("WorkWell-BarriersAnalysis-invalid-boolean-barrier", "A barrier given as a boolean.",
                          value_type="valueBoolean"), "invalid", "Observation.component.value[x] type string"),
        ("WorkWell-JobDemands-valid",
         job_demands_example("WorkWell-JobDemands-valid", "Demands of a warehouse role set against limitations."), "valid", ""),
        ("WorkWell-JobDemands-invalid-no-limitation",
         job_demands_example("WorkWell-JobDemands-invalid-no-limitation", "Demands with no clinical limitation.", limitation=False),
         "invalid", "ww-jd-1"),
        ("WorkWell-JobDemands-invalid-no-performer",
         job_demands_example("WorkWell-JobDemands-invalid-no-performer", "Mapping without a practitioner.", performer=False),
         "invalid", "Observation.performer min 1"),
        ("WorkWell-Practitioner-valid-physio",
         practitioner_example("WorkWell-Practitioner-valid-physio", "Physiotherapist on the HCPC register.",
                              [("https://fhir.hl7.org.uk/Id/hcpc-number", "PH123456")]), "valid", ""),
        ("WorkWell-Practitioner-valid-gp",
         practitioner_example("WorkWell-Practitioner-valid-gp", "GP on the GMC register.",
                              [("https://fhir.hl7.org.uk/Id/gmc-number", "1234567"), ("https://fhir.hl7.org.uk/Id/gmp-number", "G1234567")]),
         "valid", ""),
        ("WorkWell-Practitioner-invalid-gmc-six-digits",
         practitioner_example("WorkWell-Practitioner-invalid-gmc-six-digits", "GMC number of six digits.",
                              [("https://fhir.hl7.org.uk/Id/gmc-number", "123456")]), "invalid", "ww-prac-2"),
        ("WorkWell-Practitioner-invalid-no-registration",
         practitioner_example("WorkWell-Practitioner-invalid-no-registration", "Only an SDS user id, no register.",
                              [("https://fhir.nhs.uk/Id/sds-user-id", "555555555555")]), "invalid", "ww-prac-1"),
        ("WorkWell-FitNoteIssuerRole-valid-physio",
         role_example("WorkWell-FitNoteIssuerRole-valid-physio", "Physiotherapist issuing fit notes in a community MSK service."),
         "valid", ""),
        ("WorkWell-FitNoteIssuerRole-invalid-no-profession",
         role_example("WorkWell-FitNoteIssuerRole-invalid-no-profession", "Issuer role without a profession.", profession=None),
         "invalid", "PractitionerRole.code:profession min 1"),
        ("WorkWell-FitNoteIssuerRole-invalid-no-organization",
         role_example("WorkWell-FitNoteIssuerRole-invalid-no-organization", "Issuer role without an organisation.", organization=False),
         "invalid", "PractitionerRole.organization min 1"),
    ]
    return out


# ------------------------------------------------------------------ main

def write(path, res, orderer):
    with open(path, "w", encoding="utf-8") as f:
        f.write(dump_json(orderer.resource(res)))


def main():
    defs = Definitions()
    orderer = Orderer(defs)
    os.makedirs(OUT_DEFS, exist_ok=True)
    os.makedirs(OUT_EX, exist_ok=True)
    for name in os.listdir(OUT_DEFS):
        if name.endswith(".json"):
            os.remove(os.path.join(OUT_DEFS, name))
    for name in os.listdir(OUT_EX):
        if name.endswith(".json"):
            os.remove(os.path.join(OUT_EX, name))
    resources = []
    for rid, title, desc, concepts, props in CODE_SYSTEMS:
        resources.append(code_system(rid, title, desc, concepts, props))
        resources.append(value_set(rid, title, "All codes of the " + title + " code system." if rid not in SNOMED_IN_VALUESET
                                   else "The codes of the " + title + " code system."))
    resources += extensions()
    resources += [fit_note(), referral(), stay_in_work_plan(), care_team(), barriers(), job_demands(),
                  practitioner(), issuer_role()]
    resources += concept_maps()
    resources += naming_systems()
    for res in resources:
        write(os.path.join(OUT_DEFS, "%s-%s.json" % (res["resourceType"], res["id"])), res, orderer)
    rows = []
    for fid, res, expected, rule in examples():
        write(os.path.join(OUT_EX, fid + ".json"), res, orderer)
        rows.append((fid + ".json", res["meta"]["profile"][0], expected, rule))
    with open(os.path.join(OUT_EX, "expectations.csv"), "w", encoding="utf-8") as f:
        f.write("file,profile,expected,rule\n")
        for r in rows:
            f.write(",".join('"%s"' % c if "," in c else c for c in r) + "\n")
    with open(os.path.join(OUT_EX, "README.md"), "w", encoding="utf-8") as f:
        f.write("# WorkWell example instances (golden validation cases)\n\n"
                "Generated by `fhir-profiles/src/build_workwell.py`; `expectations.csv` holds the same table for tests.\n"
                "Each invalid example breaks exactly one named rule of its profile (an invariant key, or an element\n"
                "rule written as path + constraint); everything else in it is valid. References to Patient,\n"
                "Condition, Organization and the like point at resources that are not part of this folder.\n"
                "The one exception to \"exactly one\": ww-fn-1 and ww-fn-2 state one rule from both sides\n"
                "(options need 'may be fit'; 'not fit' has no options), so the not-fit-with-option case fires both.\n\n"
                "| file | profile | expected | rule broken |\n|---|---|---|---|\n")
        for fid, prof, expected, rule in rows:
            f.write("| %s | %s | %s | %s |\n" % (fid, prof.rsplit("/", 1)[1], expected, rule or "-"))
    print("wrote %d definitions and %d examples" % (len(resources), len(rows)))


if __name__ == "__main__":
    main()
