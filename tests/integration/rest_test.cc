// The FHIR REST interactions, transactions and $translate against the real workwell-gateway
// binary on an ephemeral port with a SQLite store in a temporary data directory. Every wait is a
// deadline loop on a condition, never a fixed sleep.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapter/common/json/json.h"

extern char** environ;

namespace workwell {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStartDeadline{30000};
constexpr milliseconds kIoDeadline{10000};
constexpr milliseconds kPollStep{10};

constexpr char kNhsSystem[] = "https://fhir.nhs.uk/Id/nhs-number";
constexpr char kFhirJson[] = "Content-Type: application/fhir+json\r\n";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;

  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == Lower(name)) return v;
    }
    return {};
  }
};

// Sends one request with Connection: close and reads the response until the server closes.
std::optional<HttpResponse> Exchange(uint16_t port, const std::string& method, const std::string& target,
                                     const std::string& headers = "", const std::string& body = "") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost:" + std::to_string(port) +
                        "\r\nConnection: close\r\n" + headers;
  if (!body.empty() || method == "POST" || method == "PUT") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  std::string_view out = request;
  while (!out.empty()) {
    const ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n <= 0) break;
    out.remove_prefix(static_cast<size_t>(n));
  }
  std::string in;
  const auto deadline = Clock::now() + kIoDeadline;
  while (true) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char chunk[16384];
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) break;
    in.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t header_end = in.find("\r\n\r\n");
  if (header_end == std::string::npos || in.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
  HttpResponse r;
  r.status = std::atoi(in.c_str() + 9);
  std::istringstream head(in.substr(0, header_end));
  std::string line;
  std::getline(head, line);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(Lower(line.substr(0, colon)), std::move(value));
  }
  r.body = in.substr(header_end + 4);
  return r;
}

// A gateway process serving a SQLite store under its own temporary directory. Stop and Start
// again reuse the same data directory.
class Gateway {
 public:
  Gateway() {
    char pattern[] = "/tmp/ww-rest-test-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    config_path_ = dir_ / "gateway.json";
    std::ofstream(config_path_) << R"({
  "server": {"listen": {"address": "127.0.0.1", "port": 0}, "threads": {"io": 1, "workers": 4}},
  "store": {"backend": "sqlite", "dataDir": ")" + (dir_ / "data").string() + R"("},
  "security": {"authentication": "disabled-insecure"}
})";
  }
  ~Gateway() {
    Kill();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Starts `serve` and waits for its port; 0 (after a test failure) when it does not come up.
  uint16_t Start() {
    fs::remove(dir_ / "port");
    pid_ = Spawn({"serve", "--config", config_path_.string(), "--port-file", (dir_ / "port").string()}, "serve");
    const auto deadline = Clock::now() + kStartDeadline;
    while (Clock::now() < deadline) {
      const std::string text = ReadFile(dir_ / "port");
      if (!text.empty() && text.back() == '\n') return port_ = static_cast<uint16_t>(std::stoi(text));
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ADD_FAILURE() << "gateway exited during start-up: " << Stderr();
        return 0;
      }
      std::this_thread::sleep_for(kPollStep);
    }
    ADD_FAILURE() << "no port file within the deadline: " << Stderr();
    return 0;
  }

  // Sends SIGTERM and returns the exit code, or -1 when it did not exit normally in time.
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + kStartDeadline;
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(kPollStep);
    }
    return -1;
  }

  // Runs the binary with `args` to completion; the exit code, with stderr in `err`.
  int Run(std::vector<std::string> args, std::string& err) {
    const pid_t pid = Spawn(std::move(args), "run");
    int status = 0;
    ::waitpid(pid, &status, 0);
    err = ReadFile(dir_ / "run.stderr");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Writes a config file into the temporary directory and returns its path.
  std::string WriteConfig(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }

  std::string Stderr() const { return ReadFile(dir_ / "serve.stderr"); }
  const fs::path& dir() const { return dir_; }
  uint16_t port() const { return port_; }

  // SIGKILL: no shutdown, no flush, as in a crash.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t Spawn(std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), WORKWELL_GATEWAY_BINARY);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out = (dir_ / (name + ".stdout")).string();
    const std::string err = (dir_ / (name + ".stderr")).string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
    return pid;
  }

  fs::path dir_;
  fs::path config_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

json::Document ParseJson(const std::string& text) {
  json::Document doc;
  json::ParseError error;
  EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message << " in " << text;
  return doc;
}

std::string Text(const json::Value* v) { return v != nullptr ? std::string(v->text()) : std::string(); }

// Follows a dotted path of member names and array indexes ("entry.0.resource.id").
const json::Value* At(const json::Value& root, const std::string& path) {
  const json::Value* v = &root;
  std::istringstream parts(path);
  std::string part;
  while (v != nullptr && std::getline(parts, part, '.')) {
    if (!part.empty() && std::isdigit(static_cast<unsigned char>(part[0]))) {
      const size_t i = std::stoul(part);
      v = v->IsArray() && i < v->size() ? &v->items()[i] : nullptr;
    } else {
      v = v->Find(part);
    }
  }
  return v;
}

std::string PatientJson(const std::string& nhs_number, const std::string& family = "Smith") {
  return R"({"resourceType":"Patient","identifier":[{"system":")" + std::string(kNhsSystem) + R"(","value":")" +
         nhs_number + R"("}],"name":[{"family":")" + family + R"(","given":["Jo"]}],"birthDate":"1980-02-03"})";
}

std::string ObservationJson(const std::string& patient_ref, const std::string& status, const std::string& date) {
  return R"({"resourceType":"Observation","status":")" + status +
         R"(","code":{"coding":[{"system":"http://snomed.info/sct","code":"225399009","display":"Fit note"}]},)"
         R"("subject":{"reference":")" +
         patient_ref + R"("},"effectiveDateTime":")" + date + R"(","valueQuantity":{"value":1.50,"unit":"kg"}})";
}

class RestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = gateway_.Start();
    ASSERT_NE(port_, 0);
  }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& headers = "",
                    const std::string& body = "") {
    std::optional<HttpResponse> r = Exchange(port_, method, target, headers, body);
    EXPECT_TRUE(r.has_value()) << "no response to " << method << " " << target;
    return r.value_or(HttpResponse{});
  }

  // Creates a resource and returns its id (empty after a test failure).
  std::string Create(const std::string& type, const std::string& body) {
    const HttpResponse r = Call("POST", "/" + type, kFhirJson, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return Text(ParseJson(r.body).root().Find("id"));
  }

  Gateway gateway_;
  uint16_t port_ = 0;
};

TEST_F(RestTest, CreateReadVreadUpdateDeleteAndHistory) {
  const HttpResponse created = Call("POST", "/Patient", kFhirJson, PatientJson("9434765919"));
  ASSERT_EQ(created.status, 201) << created.body;
  json::Document doc = ParseJson(created.body);
  const std::string id = Text(doc.root().Find("id"));
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(created.Header("ETag"), "W/\"1\"");
  EXPECT_EQ(created.Header("Location"),
            "http://localhost:" + std::to_string(port_) + "/Patient/" + id + "/_history/1");
  EXPECT_NE(created.Header("Last-Modified").find(" GMT"), std::string::npos);
  EXPECT_EQ(Text(At(doc.root(), "meta.versionId")), "1");

  HttpResponse read = Call("GET", "/Patient/" + id);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, created.body);  // exactly as stored
  EXPECT_EQ(read.Header("ETag"), "W/\"1\"");
  EXPECT_EQ(read.Header("Content-Type"), "application/fhir+json; charset=utf-8");

  // Update with the current version, then a stale If-Match is refused.
  std::string updated_body = PatientJson("9434765919", "Smyth");
  updated_body.insert(1, R"("id":")" + id + R"(",)");
  HttpResponse updated = Call("PUT", "/Patient/" + id, std::string(kFhirJson) + "If-Match: W/\"1\"\r\n", updated_body);
  EXPECT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Header("ETag"), "W/\"2\"");
  HttpResponse stale = Call("PUT", "/Patient/" + id, std::string(kFhirJson) + "If-Match: W/\"1\"\r\n", updated_body);
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_NE(stale.body.find("OperationOutcome"), std::string::npos);

  // vread of both versions.
  HttpResponse v1 = Call("GET", "/Patient/" + id + "/_history/1");
  EXPECT_EQ(v1.status, 200);
  EXPECT_NE(v1.body.find("\"Smith\""), std::string::npos);
  HttpResponse v2 = Call("GET", "/Patient/" + id + "/_history/2");
  EXPECT_NE(v2.body.find("\"Smyth\""), std::string::npos);
  EXPECT_EQ(Call("GET", "/Patient/" + id + "/_history/9").status, 404);

  // Delete: 204, then read is 410 and history has three versions, newest first.
  HttpResponse deleted = Call("DELETE", "/Patient/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(Call("GET", "/Patient/" + id).status, 410);
  EXPECT_EQ(Call("GET", "/Patient/" + id + "/_history/3").status, 410);
  HttpResponse history = Call("GET", "/Patient/" + id + "/_history");
  EXPECT_EQ(history.status, 200);
  json::Document h = ParseJson(history.body);
  EXPECT_EQ(Text(h.root().Find("type")), "history");
  EXPECT_EQ(Text(h.root().Find("total")), "3");
  EXPECT_EQ(Text(At(h.root(), "entry.0.request.method")), "DELETE");
  EXPECT_EQ(Text(At(h.root(), "entry.2.resource.name.0.family")), "Smith");

  EXPECT_EQ(Call("GET", "/Patient/no-such-patient").status, 404);
  EXPECT_EQ(Call("GET", "/Patient/no-such-patient/_history").status, 404);
}

TEST_F(RestTest, PreferReturnMinimalAndOperationOutcome) {
  HttpResponse minimal =
      Call("POST", "/Patient", std::string(kFhirJson) + "Prefer: return=minimal\r\n", PatientJson("9434765870"));
  EXPECT_EQ(minimal.status, 201);
  EXPECT_TRUE(minimal.body.empty()) << minimal.body;
  EXPECT_NE(minimal.Header("Location").find("/Patient/"), std::string::npos);
  HttpResponse outcome = Call("POST", "/Patient", std::string(kFhirJson) + "Prefer: return=OperationOutcome\r\n",
                              PatientJson("9434765870"));
  EXPECT_EQ(outcome.status, 201);
  EXPECT_EQ(Text(ParseJson(outcome.body).root().Find("resourceType")), "OperationOutcome");
}

TEST_F(RestTest, BodiesKeepDecimalPrecision) {
  const std::string patient = Create("Patient", PatientJson("9434765919"));
  const std::string id = Create("Observation", ObservationJson("Patient/" + patient, "final", "2024-05-01"));
  HttpResponse read = Call("GET", "/Observation/" + id);
  EXPECT_NE(read.body.find("\"value\":1.50"), std::string::npos) << read.body;
}

TEST_F(RestTest, WritesAreValidatedFirst) {
  // The validator rejects it: 422 with the element named, and nothing is stored.
  HttpResponse invalid = Call("POST", "/Observation", kFhirJson, R"({"resourceType":"Observation","status":"final"})");
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  json::Document doc = ParseJson(invalid.body);
  EXPECT_EQ(Text(doc.root().Find("resourceType")), "OperationOutcome");
  // A missing element is reported on its parent, with the element in the text.
  EXPECT_NE(invalid.body.find("\"expression\":[\"Observation\"]"), std::string::npos) << invalid.body;
  EXPECT_NE(invalid.body.find("Observation.code: minimum required = 1"), std::string::npos) << invalid.body;
  json::Document none = ParseJson(Call("GET", "/Observation").body);
  EXPECT_EQ(Text(none.root().Find("total")), "0");

  // A bad code in a required binding is a validation error too.
  HttpResponse bad_code = Call("POST", "/Patient", kFhirJson, R"({"resourceType":"Patient","gender":"robot"})");
  EXPECT_EQ(bad_code.status, 422) << bad_code.body;
  EXPECT_NE(bad_code.body.find("\"expression\":[\"Patient.gender\"]"), std::string::npos) << bad_code.body;
  // Not JSON, an unknown element, or another type than the URL's: 400.
  EXPECT_EQ(Call("POST", "/Patient", kFhirJson, R"({"resourceType":)").status, 400);
  EXPECT_EQ(Call("POST", "/Patient", kFhirJson, R"({"resourceType":"Patient","colour":"blue"})").status, 400);
  HttpResponse mismatch = Call("POST", "/Patient", kFhirJson, ObservationJson("Patient/x", "final", "2024-01-01"));
  EXPECT_EQ(mismatch.status, 400) << mismatch.body;

  // PUT: the body's id must match the URL's.
  const std::string id = Create("Patient", PatientJson("9434765919"));
  std::string other = PatientJson("9434765919");
  other.insert(1, R"("id":"someone-else",)");
  HttpResponse wrong_id = Call("PUT", "/Patient/" + id, kFhirJson, other);
  EXPECT_EQ(wrong_id.status, 400) << wrong_id.body;
  EXPECT_NE(wrong_id.body.find("Patient.id"), std::string::npos);
  EXPECT_EQ(Call("PUT", "/Patient/" + id, kFhirJson, PatientJson("9434765919")).status, 400);  // no id
  EXPECT_EQ(Call("PUT", "/Patient/" + id, std::string(kFhirJson) + "If-Match: nonsense\r\n", other).status, 400);
}

TEST_F(RestTest, ConditionalCreateMakesOneResource) {
  const std::string header =
      std::string(kFhirJson) + "If-None-Exist: identifier=" + kNhsSystem + "|9434765919\r\n";
  HttpResponse first = Call("POST", "/Patient", header, PatientJson("9434765919"));
  EXPECT_EQ(first.status, 201) << first.body;
  HttpResponse second = Call("POST", "/Patient", header, PatientJson("9434765919"));
  EXPECT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Text(ParseJson(first.body).root().Find("id")), Text(ParseJson(second.body).root().Find("id")));
  json::Document all = ParseJson(Call("GET", "/Patient?identifier=" + std::string(kNhsSystem) + "%7C9434765919").body);
  EXPECT_EQ(Text(all.root().Find("total")), "1");
}

TEST_F(RestTest, SearchByIdentifierStatusDateAndPaging) {
  const std::string jo = Create("Patient", PatientJson("9434765919"));
  const std::string other = Create("Patient", PatientJson("9434765870", "Other"));
  for (const char* date : {"2024-01-10", "2024-03-05", "2024-05-20"}) {
    Create("Observation", ObservationJson("Patient/" + jo, "final", date));
  }
  Create("Observation", ObservationJson("Patient/" + jo, "preliminary", "2024-04-01"));
  Create("Observation", ObservationJson("Patient/" + other, "final", "2024-04-01"));

  HttpResponse by_nhs = Call("GET", "/Patient?identifier=" + std::string(kNhsSystem) + "|9434765919");
  ASSERT_EQ(by_nhs.status, 200) << by_nhs.body;
  json::Document p = ParseJson(by_nhs.body);
  EXPECT_EQ(Text(p.root().Find("type")), "searchset");
  EXPECT_EQ(Text(p.root().Find("total")), "1");
  EXPECT_EQ(Text(At(p.root(), "entry.0.resource.id")), jo);

  const std::string chained = "/Observation?patient.identifier=" + std::string(kNhsSystem) + "|9434765919";
  EXPECT_EQ(Text(ParseJson(Call("GET", chained).body).root().Find("total")), "4");
  EXPECT_EQ(Text(ParseJson(Call("GET", chained + "&status=final").body).root().Find("total")), "3");
  EXPECT_EQ(Text(ParseJson(Call("GET", chained + "&status=final&date=ge2024-03-01").body).root().Find("total")), "2");
  EXPECT_EQ(Text(ParseJson(Call("GET", "/Observation?patient=" + jo + "&date=2024-01").body).root().Find("total")),
            "1");

  // _count pages with next/previous links that work.
  HttpResponse page1 = Call("GET", "/Observation?patient=" + jo + "&_count=3&_sort=date");
  json::Document d1 = ParseJson(page1.body);
  EXPECT_EQ(Text(d1.root().Find("total")), "4");
  EXPECT_EQ(d1.root().Find("entry")->size(), 3u);
  std::string next;
  for (const json::Value& link : d1.root().Find("link")->items()) {
    if (Text(link.Find("relation")) == "next") next = Text(link.Find("url"));
  }
  ASSERT_FALSE(next.empty()) << page1.body;
  const std::string base = "http://localhost:" + std::to_string(port_);
  ASSERT_EQ(next.rfind(base, 0), 0u) << next;
  json::Document d2 = ParseJson(Call("GET", next.substr(base.size())).body);
  EXPECT_EQ(d2.root().Find("entry")->size(), 1u);
  EXPECT_EQ(Text(At(d2.root(), "entry.0.resource.effectiveDateTime")), "2024-05-20");
  bool has_previous = false;
  for (const json::Value& link : d2.root().Find("link")->items()) {
    has_previous = has_previous || Text(link.Find("relation")) == "previous" || Text(link.Find("relation")) == "prev";
  }
  EXPECT_TRUE(has_previous) << json::Write(*d2.root().Find("link"));

  // Unknown parameters: 400 by default, ignored with Prefer: handling=lenient. _format is not a
  // search parameter.
  EXPECT_EQ(Call("GET", "/Observation?colour=blue").status, 400);
  EXPECT_EQ(Call("GET", "/Observation?colour=blue", "Prefer: handling=lenient\r\n").status, 200);
  EXPECT_EQ(Call("GET", "/Observation?status=final&_format=json").status, 200);
}

TEST_F(RestTest, TransactionRewritesUrnReferences) {
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:0c3c1a4e-7e6a-4d8e-9f3e-1c2b3a4d5e6f","resource":)" +
                             PatientJson("9434765919") + R"(,"request":{"method":"POST","url":"Patient"}},
    {"fullUrl":"urn:uuid:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","resource":)" +
                             ObservationJson("urn:uuid:0c3c1a4e-7e6a-4d8e-9f3e-1c2b3a4d5e6f", "final", "2024-06-01") +
                             R"(,"request":{"method":"POST","url":"Observation"}}]})";
  HttpResponse r = Call("POST", "/", kFhirJson, bundle);
  ASSERT_EQ(r.status, 200) << r.body;
  json::Document doc = ParseJson(r.body);
  EXPECT_EQ(Text(doc.root().Find("type")), "transaction-response");
  const std::string patient_location = Text(At(doc.root(), "entry.0.response.location"));
  const std::string observation_location = Text(At(doc.root(), "entry.1.response.location"));
  ASSERT_EQ(patient_location.rfind("Patient/", 0), 0u) << r.body;
  ASSERT_EQ(observation_location.rfind("Observation/", 0), 0u) << r.body;
  const std::string patient_id = patient_location.substr(8, patient_location.find('/', 8) - 8);
  const std::string observation_id = observation_location.substr(12, observation_location.find('/', 12) - 12);
  json::Document obs = ParseJson(Call("GET", "/Observation/" + observation_id).body);
  EXPECT_EQ(Text(At(obs.root(), "subject.reference")), "Patient/" + patient_id);

  // An invalid entry rejects the whole Bundle before anything is written.
  const std::string bad = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:1c3c1a4e-7e6a-4d8e-9f3e-1c2b3a4d5e6f","resource":)" +
                          PatientJson("9434765870") + R"(,"request":{"method":"POST","url":"Patient"}},
    {"fullUrl":"urn:uuid:2a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","resource":{"resourceType":"Observation","status":"final"},)"
                          R"("request":{"method":"POST","url":"Observation"}}]})";
  HttpResponse rejected = Call("POST", "/", kFhirJson, bad);
  EXPECT_EQ(rejected.status, 422) << rejected.body;
  EXPECT_NE(rejected.body.find("Bundle.entry[1].resource"), std::string::npos) << rejected.body;
  json::Document none = ParseJson(Call("GET", "/Patient?identifier=" + std::string(kNhsSystem) + "|9434765870").body);
  EXPECT_EQ(Text(none.root().Find("total")), "0");
  EXPECT_EQ(Call("POST", "/", kFhirJson, R"({"resourceType":"Bundle","type":"collection"})").status, 400);
}

TEST_F(RestTest, MetadataListsInteractionsSearchParamsAndTranslate) {
  HttpResponse r = Call("GET", "/metadata");
  ASSERT_EQ(r.status, 200);
  json::Document doc = ParseJson(r.body);
  const json::Value* rest = At(doc.root(), "rest.0");
  ASSERT_NE(rest, nullptr);
  const std::vector<std::string> core = {"CarePlan",    "CareTeam",     "Condition",        "Consent",   "Encounter",
                                         "Observation", "Organization", "Patient",          "Practitioner",
                                         "PractitionerRole", "Provenance", "QuestionnaireResponse",
                                         "ServiceRequest", "Task"};
  for (const std::string& type : core) {
    const json::Value* resource = nullptr;
    for (const json::Value& res : rest->Find("resource")->items()) {
      if (Text(res.Find("type")) == type) resource = &res;
    }
    ASSERT_NE(resource, nullptr) << type;
    std::vector<std::string> codes;
    for (const json::Value& i : resource->Find("interaction")->items()) codes.push_back(Text(i.Find("code")));
    for (const char* code : {"read", "vread", "update", "delete", "history-instance", "create", "search-type"}) {
      EXPECT_NE(std::find(codes.begin(), codes.end(), code), codes.end()) << type << " " << code;
    }
    const json::Value* params = resource->Find("searchParam");
    ASSERT_NE(params, nullptr) << type;
    bool has_id = false;
    for (const json::Value& p : params->items()) has_id = has_id || Text(p.Find("name")) == "_id";
    EXPECT_TRUE(has_id) << type;
  }
  auto param_type = [&](const std::string& type, const std::string& name) {
    for (const json::Value& res : rest->Find("resource")->items()) {
      if (Text(res.Find("type")) != type) continue;
      for (const json::Value& p : res.Find("searchParam")->items()) {
        if (Text(p.Find("name")) == name) return Text(p.Find("type"));
      }
    }
    return std::string();
  };
  EXPECT_EQ(param_type("Patient", "identifier"), "token");
  EXPECT_EQ(param_type("Observation", "patient"), "reference");
  EXPECT_EQ(param_type("Observation", "date"), "date");
  EXPECT_EQ(param_type("Patient", "family"), "string");

  bool transaction = false;
  for (const json::Value& i : rest->Find("interaction")->items()) transaction |= Text(i.Find("code")) == "transaction";
  EXPECT_TRUE(transaction);
  std::string translate;
  for (const json::Value& op : rest->Find("operation")->items()) {
    if (Text(op.Find("name")) == "translate") translate = Text(op.Find("definition"));
  }
  EXPECT_EQ(translate, "https://fhir.workwell.nhs.uk/OperationDefinition/translate");
}

TEST_F(RestTest, TranslateIsADryRun) {
  const std::string fit_note = ReadFile(WORKWELL_SOURCE_DIR "/examples/records/fit-note-not-fit.json");
  ASSERT_FALSE(fit_note.empty());
  HttpResponse ok = Call("POST", "/$translate?format=fitnote-json", "Content-Type: application/json\r\n", fit_note);
  ASSERT_EQ(ok.status, 200) << ok.body;
  json::Document bundle = ParseJson(ok.body);
  EXPECT_EQ(Text(bundle.root().Find("resourceType")), "Bundle");
  EXPECT_GT(bundle.root().Find("entry")->size(), 3u);
  // Nothing was stored.
  json::Document none = ParseJson(Call("GET", "/Patient?identifier=" + std::string(kNhsSystem) + "|9992345675").body);
  EXPECT_EQ(Text(none.root().Find("total")), "0");

  // A rejected record: 422 with the source location and the FHIR path.
  const std::string bad =
      ReadFile(WORKWELL_SOURCE_DIR "/tests/golden/mapping/fitnote-json/bad-nhs-number.input.json");
  HttpResponse rejected = Call("POST", "/$translate?format=fitnote-json", "Content-Type: application/json\r\n", bad);
  EXPECT_EQ(rejected.status, 422) << rejected.body;
  json::Document outcome = ParseJson(rejected.body);
  EXPECT_EQ(Text(outcome.root().Find("resourceType")), "OperationOutcome");
  EXPECT_EQ(Text(At(outcome.root(), "issue.0.location.0")), "/patient/nhsNumber");
  EXPECT_EQ(Text(At(outcome.root(), "issue.0.expression.0")), "Patient.identifier[0].value");

  // HL7 v2 by Content-Type; a CSV extract of several rows as NDJSON.
  const std::string hl7 = ReadFile(WORKWELL_SOURCE_DIR "/examples/records/ref-i12-hospital-discharge.hl7");
  HttpResponse v2 = Call("POST", "/$translate", "Content-Type: x-application/hl7-v2+er7\r\n", hl7);
  EXPECT_EQ(v2.status, 200) << v2.body;
  const std::string csv = ReadFile(WORKWELL_SOURCE_DIR "/examples/records/fit-notes-extract.csv");
  HttpResponse rows = Call("POST", "/$translate", "Content-Type: text/csv\r\n", csv);
  EXPECT_EQ(rows.status, 200) << rows.body;
  EXPECT_EQ(rows.Header("Content-Type"), "application/fhir+ndjson");

  // JSON without a format parameter cannot be told apart: 415; an unknown format: 400.
  EXPECT_EQ(Call("POST", "/$translate", "Content-Type: application/json\r\n", fit_note).status, 415);
  EXPECT_EQ(Call("POST", "/$translate?format=nope", "Content-Type: application/json\r\n", fit_note).status, 400);
}

TEST_F(RestTest, ReadinessChecksTheStore) {
  HttpResponse r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"store\""), std::string::npos) << r.body;
}

TEST_F(RestTest, DataSurvivesARestart) {
  EXPECT_TRUE(fs::exists(gateway_.dir() / "data" / "workwell.db"));
  const std::string id = Create("Patient", PatientJson("9434765919"));
  const HttpResponse before = Call("GET", "/Patient/" + id);
  ASSERT_EQ(before.status, 200);
  ASSERT_EQ(gateway_.Stop(), 0) << gateway_.Stderr();
  port_ = gateway_.Start();
  ASSERT_NE(port_, 0);
  const HttpResponse after = Call("GET", "/Patient/" + id);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, before.body);
  EXPECT_EQ(after.Header("ETag"), "W/\"1\"");
}

// kill -9 during a write load: after a restart every create that was answered 201 is there,
// readable, and the SQLite file passes its integrity check.
TEST_F(RestTest, EveryAcknowledgedWriteSurvivesKillMinus9) {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> acknowledged;  // id, family name
  std::atomic<bool> stop{false};
  std::atomic<int> counter{0};
  auto writer = [&] {
    while (!stop) {
      const std::string family = "Crash" + std::to_string(counter++);
      std::optional<HttpResponse> r = Exchange(port_, "POST", "/Patient", kFhirJson,
                                               R"({"resourceType":"Patient","name":[{"family":")" + family + R"("}]})");
      if (!r.has_value()) return;  // the gateway is gone
      if (r->status != 201) continue;
      const std::string id = Text(ParseJson(r->body).root().Find("id"));
      std::lock_guard<std::mutex> lock(mu);
      acknowledged.emplace_back(id, family);
    }
  };
  std::thread a(writer), b(writer);
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acknowledged.size() >= 150) break;
    }
    std::this_thread::sleep_for(kPollStep);
  }
  gateway_.Kill();  // SIGKILL while both writers are mid-flight
  stop = true;
  a.join();
  b.join();
  ASSERT_GE(acknowledged.size(), 150u);

  port_ = gateway_.Start();
  ASSERT_NE(port_, 0);
  for (const auto& [id, family] : acknowledged) {
    const HttpResponse r = Call("GET", "/Patient/" + id);
    ASSERT_EQ(r.status, 200) << id;
    EXPECT_NE(r.body.find(family), std::string::npos) << r.body;
  }
  ASSERT_EQ(gateway_.Stop(), 0);
  const std::string command = "sqlite3 '" + (gateway_.dir() / "data" / "workwell.db").string() + "' 'PRAGMA integrity_check'";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[256] = {};
  const bool read = std::fgets(line, sizeof line, pipe) != nullptr;
  ::pclose(pipe);
  ASSERT_TRUE(read) << "sqlite3 gave no answer (is the sqlite3 package installed?)";
  EXPECT_EQ(std::string(line), "ok\n");
}

TEST(RestConfigTest, StoreSectionIsCheckedStrictly) {
  Gateway g;
  std::string err;
  for (const char* shipped : {WORKWELL_SOURCE_DIR "/config/gateway.json", WORKWELL_SOURCE_DIR "/config/gateway.postgres.json"}) {
    EXPECT_EQ(g.Run({"check-config", "--config", shipped}, err), 0) << err;
  }
  const std::string no_env = g.WriteConfig("a.json", R"({"store":{"backend":"postgres"}})");
  EXPECT_EQ(g.Run({"check-config", "--config", no_env}, err), 1);
  EXPECT_NE(err.find(no_env + ": /store/postgres/dsnEnv: required"), std::string::npos) << err;
  const std::string secret =
      g.WriteConfig("b.json", R"({"store":{"backend":"postgres","postgres":{"dsnEnv":"postgresql://u:p@h/db"}}})");
  EXPECT_EQ(g.Run({"check-config", "--config", secret}, err), 1);
  EXPECT_NE(err.find(": /store/postgres/dsnEnv: expected the NAME of an environment variable"), std::string::npos)
      << err;
  const std::string unknown = g.WriteConfig("c.json", R"({"store":{"backend":"mysql","dir":"x","poolSize":0}})");
  EXPECT_EQ(g.Run({"check-config", "--config", unknown}, err), 1);
  EXPECT_NE(err.find(": /store/backend: expected"), std::string::npos) << err;
  EXPECT_NE(err.find(": /store/dir: unknown key"), std::string::npos) << err;
  EXPECT_NE(err.find(": /store/poolSize: expected a positive integer"), std::string::npos) << err;
  // A DSN variable that is not set stops serve with a message naming it.
  const std::string unset = g.WriteConfig(
      "d.json", R"({"server":{"listen":{"port":0}},"store":{"backend":"postgres","postgres":{"dsnEnv":"WORKWELL_REST_TEST_UNSET_DSN"}},"security":{"authentication":"disabled-insecure"}})");
  EXPECT_EQ(g.Run({"serve", "--config", unset}, err), 1);
  EXPECT_NE(err.find("WORKWELL_REST_TEST_UNSET_DSN"), std::string::npos) << err;
}

}  // namespace
}  // namespace workwell
