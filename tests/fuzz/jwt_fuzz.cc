// libFuzzer entry point for the signed-JWT path: security::ParseJwt, VerifyJws and the whole
// ClientAssertionValidator (fixed clock, a fresh replay cache per input), plus the JWKS reader,
// the scope-list parser and base64url on the same bytes. Beyond "never crash" it checks:
// canonical base64url (decode then encode gives the input back); a parsed token's signing input
// is the input up to its second dot; only RS256/RS384/ES256/ES384 ever verify; an accepted
// assertion names the one registered client; every rejection has a message; an accepted scope
// list joins back to the input. The keys below are public halves of throwaway pairs whose
// private halves were used once to sign the seed corpus (tests/fuzz/corpus/jwt) and dropped.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapter/common/check.h"
#include "adapter/security/assertion.h"
#include "adapter/security/base64url.h"
#include "adapter/security/jwt.h"
#include "adapter/security/keys.h"
#include "adapter/security/scopes.h"

namespace {

using namespace workwell::security;

constexpr UnixSeconds kNow = 1800000000;

constexpr const char* kJwks =
    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"viJAYrsVk9J4hV25eQlnkiESMSogqJ_IUKzgXTqynQE\",\"y\":\""
    "c3mi61u4EhmZOFKN7Xt-6SS_obMfsNyIvJJPeX9yJWU\",\"use\":\"sig\",\"kid\":\"ec1\",\"alg\":\"ES256\"},{\"kty\""
    ":\"EC\",\"crv\":\"P-384\",\"x\":\"D-SqHB2FmQDh8ki5jx3Ma0MX0kbiQ-XFNIKuBCjLMTTa7wEYjm4IQd3ht5tiFHGF\""
    ",\"y\":\"zoFrFdApaKx2-2Cp1R4Rfl1a9w3m6_JfIERwCSBEa-UVwIRqf87C6a4Tp-bZIuNt\",\"use\":\"sig\",\"kid\":"
    "\"ec2\"},{\"kty\":\"RSA\",\"n\":\"wCMMoWYikEC3ulRhJC6HTQSHCuVbjNOQ2y7A2G3UHbZ5ShOSXX5JxdJvrxdlEp5NQ"
    "OyaTGgsBs41t60llC0OAwOg6hWWt6AY3pOUyklHnbML16cGhQN_gbh8cqGrKqSC8DBrYyWV_F1x7hzNZZadF1bRPRI"
    "fFe7_wWplUN3eS2Lcw4Sq3C5rFrU3vRT-QuBEwI6Vx4KGLUpUIuRJvHWAhUyKL6cUI6PhGw6rqigrfbfP6LbQz0OhS"
    "7fQSrX8lhS5Aod5W3oPAJSTsgAvPt8s-Qw81t2zWyjf5rt_SjG9htzhRpnqA0dmu2CTbX_PaIorSUzK3P_gLkTt2dQ"
    "Il960fw\",\"e\":\"AQAB\",\"use\":\"sig\",\"kid\":\"rsa1\"}]}";

class FixedClock final : public Clock {
 public:
  UnixSeconds Now() const override { return kNow; }
};

struct Fixture {
  Fixture() {
    auto keys = ParseJwks(kJwks);
    WW_CHECK(keys.ok());
    RegisteredClient client;
    client.id = "fuzz-client";
    client.kind = ClientKind::kOperator;
    client.keys = *keys;
    client.allowed_scopes = *ParseScopeList("system/*.read");
    auto registry = ClientRegistry::Create({client});
    WW_CHECK(registry.ok());
    clients = std::make_unique<ClientRegistry>(std::move(registry.value()));
    policy.audience = "https://gateway.example/token";
  }
  std::unique_ptr<ClientRegistry> clients;
  AssertionPolicy policy;
  FixedClock clock;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* fixture = new Fixture();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto decoded = Base64UrlDecode(text)) WW_CHECK(Base64UrlEncode(*decoded) == text);

  const workwell::common::Result<Jwt> jwt = ParseJwt(text);
  if (jwt.ok()) {
    WW_CHECK(!jwt->header.alg.empty());
    WW_CHECK(text.substr(0, jwt->signing_input.size()) == jwt->signing_input);
    WW_CHECK(text.size() > jwt->signing_input.size() && text[jwt->signing_input.size()] == '.');
    const workwell::common::Status verified = VerifyJws(*jwt, fixture->clients->Find("fuzz-client")->keys);
    if (verified.ok()) {
      WW_CHECK(IsSupportedAlg(jwt->header.alg));
    } else {
      WW_CHECK(!verified.message().empty());
    }
  } else {
    WW_CHECK(!jwt.status().message().empty());
  }

  ReplayCache replay;
  const ClientAssertionValidator validator(*fixture->clients, fixture->policy, fixture->clock, replay);
  const auto client = validator.Validate(text);
  if (client.ok()) {
    WW_CHECK(jwt.ok());
    WW_CHECK((*client)->id == "fuzz-client");
    WW_CHECK(jwt->claims.exp.has_value() && *jwt->claims.exp > kNow);
    WW_CHECK(!validator.Validate(text).ok());  // the same assertion never passes twice
  } else {
    WW_CHECK(!client.status().message().empty());
  }

  const auto keys = ParseJwks(text);
  if (keys.ok()) WW_CHECK(!keys->empty());

  const auto scopes = ParseScopeList(text);
  if (scopes.ok()) WW_CHECK(JoinScopes(*scopes) == text);
  return 0;
}
