#pragma once
// Data scope: which stored records a client registered for part of the data may see, on top of
// what its scopes allow.
//
//   gp-system        the cases of its practices (odsPracticeCodes): a case Task whose "practice"
//                    input is one of them, the patients of those cases, and every record about
//                    those patients; a Patient whose registered GP practice
//                    (Patient.generalPractitioner, an Organization with an ODS code) is one of
//                    them, even before it has a case.
//   workwell-service the cases routed to its services (serviceIds: the case Task's "service"
//                    input), their patients and the records about them.
//   icb              the case Tasks of its ICB (icbCode: the "icb" input), which carry the
//                    routing figures (rule, tier, absence length, service) and no patient data;
//                    never a patient's records.
//   operator, auditor no data bound (scopes only).
//
// For every bounded kind: directory records (Organization, Practitioner, PractitionerRole,
// HealthcareService) are visible; an AuditEvent only when the client is its agent; a Provenance
// when one of its targets is visible; any other type that names no patient is not visible.
// What is not visible is answered exactly like what does not exist, so a record's existence does
// not leak.

#include <map>
#include <string>
#include <string_view>

#include "adapter/common/json/json.h"
#include "adapter/security/principal.h"
#include "adapter/store/store.h"

namespace workwell::app {

// True when `principal` is bounded by a data scope (gp-system, workwell-service, icb).
bool HasDataScope(const security::Principal* principal);

// The decisions for one request of one bounded client. Remembers what it looked up (patients,
// organisations) for the life of the request; not shared between threads.
class DataScopeCheck {
 public:
  DataScopeCheck(store::Store& store, const security::Principal& principal) : store_(store), principal_(principal) {}

  // Whether the client may see `resource` (a parsed resource of `type`). A store failure while
  // looking up the patient or case is an error, never a yes.
  store::StoreResult<bool> Visible(std::string_view type, const json::Value& resource);
  // The same for stored JSON text. Text that does not parse is not visible.
  store::StoreResult<bool> VisibleJson(std::string_view type, std::string_view json);

 private:
  // Whether a patient, by id, is visible: (GP systems) registered at one of the client's
  // practices as stored, or with a case the client sees.
  store::StoreResult<bool> PatientVisible(std::string_view patient_id);
  // Whether the patient has a case Task the client sees. Remembered per patient.
  store::StoreResult<bool> HasVisibleCase(std::string_view patient_id);
  store::StoreResult<bool> CaseVisible(const json::Value& task);
  store::StoreResult<bool> StoredPatientAtOwnPractice(std::string_view patient_id);
  store::StoreResult<bool> RegisteredAtOwnPractice(const json::Value& patient);
  bool OwnPractice(std::string_view ods) const;

  store::Store& store_;
  const security::Principal& principal_;
  std::map<std::string, bool, std::less<>> patients_;       // patient id -> visible
  std::map<std::string, bool, std::less<>> cases_;          // patient id -> has a visible case
  std::map<std::string, std::string, std::less<>> orgs_;    // Organization id -> ODS code ("" when none)
  int depth_ = 0;                                           // Provenance targets are judged one level deep
};

}  // namespace workwell::app
