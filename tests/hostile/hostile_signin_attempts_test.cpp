// Signing in as someone one is not: client ids and usernames with wildcards,
// NUL, SQL or case and look-alike tricks, the service account's name, and
// tokens that are forged, expired, unsigned (alg none), of another algorithm
// or of another user. Every one is refused in the CONNACK (MQTT 5: 135).
// Token checks cost no password budget, so these rounds repeat: each is also a
// flood of refused CONNECTs.
#include "forged_tokens.hpp"
#include "hostile_test.hpp"

#include "chat/credentials/password.hpp"
#include "chat/testing/environment.hpp"

#include <iostream>

namespace chat::hostile {
namespace {

const std::string kHs256 = R"({"alg":"HS256","typ":"JWT"})";

struct ForgedSignIn {
  const char* name;
  std::function<RawConnect(const HostileStack&)> connect;
  int code = kNotAuthorized;  // the CONNACK's
};

class HostileSignIn : public HostileTest, public ::testing::WithParamInterface<ForgedSignIn> {};

TEST_P(HostileSignIn, IsRefusedInTheConnack) {
  const RawConnect options = GetParam().connect(stack());
  under_attack([&](int round) { ASSERT_EQ(try_connect(options), GetParam().code) << "round " << round; });
}

// mallory's valid token with other client ids or usernames.
RawConnect mallory_with(const HostileStack& s, std::string client_id, std::string username) {
  return RawConnect{.client_id = std::move(client_id), .username = std::move(username), .password = s.token(s.mallory)};
}

// mallory's own client id and username with this password (a token).
RawConnect mallory_token(const HostileStack& s, std::string token) {
  return RawConnect{.client_id = s.mallory.client_id(), .username = s.mallory.name, .password = std::move(token)};
}

INSTANTIATE_TEST_SUITE_P(
    Attempts, HostileSignIn,
    ::testing::Values(
        // Client ids
        ForgedSignIn{"ClientIdWithHash",
                     [](const HostileStack& s) { return mallory_with(s, s.mallory.uid() + ":#", s.mallory.name); }},
        ForgedSignIn{"ClientIdWithLevels",
                     [](const HostileStack& s) { return mallory_with(s, s.mallory.uid() + ":a/b", s.mallory.name); }},
        ForgedSignIn{
            "ClientIdWithSql",
            [](const HostileStack& s) { return mallory_with(s, s.mallory.uid() + ":' OR 1=1--", s.mallory.name); }},
        ForgedSignIn{"ClientIdDeviceTooLong",
                     [](const HostileStack& s) {
                       return mallory_with(s, s.mallory.uid() + ":" + std::string(33, 'd'), s.mallory.name);
                     }},
        // mosquitto itself refuses to assign an id here: 0x80, unspecified error.
        ForgedSignIn{"BrokerAssignedClientId",
                     [](const HostileStack& s) { return mallory_with(s, "", s.mallory.name); }, kUnspecifiedError},
        ForgedSignIn{"BridgesClientId",
                     [](const HostileStack& s) { return mallory_with(s, "bridge", s.mallory.name); }},
        // Usernames
        ForgedSignIn{"UsernameOfAnotherUser",
                     [](const HostileStack& s) { return mallory_with(s, s.mallory.client_id(), s.alice.name); }},
        ForgedSignIn{"UsernameUpperCaseOfAnotherUser",
                     [](const HostileStack& s) { return mallory_with(s, s.mallory.client_id(), "ALICE"); }},
        ForgedSignIn{
            "UsernameWithTrailingSpace",
            [](const HostileStack& s) { return mallory_with(s, s.mallory.client_id(), s.mallory.name + " "); }},
        ForgedSignIn{"UsernameLookAlikeCyrillic",
                     [](const HostileStack& s) { return mallory_with(s, s.mallory.client_id(), "mall\xd0\xbery"); }},
        ForgedSignIn{"UsernameWithWildcard",
                     [](const HostileStack& s) { return mallory_with(s, s.mallory.client_id(), "mallory/#"); }},
        ForgedSignIn{
            "UsernameWithSql",
            [](const HostileStack& s) { return mallory_with(s, s.mallory.client_id(), "mallory' OR '1'='1"); }},
        ForgedSignIn{"UsernameOfTheServiceAccount",
                     [](const HostileStack& s) { return mallory_with(s, s.mallory.client_id(), "svc-bridge"); }},
        ForgedSignIn{"Anonymous", [](const HostileStack& s) { return RawConnect{.client_id = s.mallory.client_id()}; }},
        // Tokens
        ForgedSignIn{"TokenExpired",
                     [](const HostileStack& s) {
                       return mallory_token(
                           s, s.token(s.mallory.id, s.mallory.name, unix_now_s() - 100, unix_now_s() - 1));
                     }},
        ForgedSignIn{"TokenNotYetValid",
                     [](const HostileStack& s) {
                       const std::string future = R"({"sub":")" + s.mallory.uid() + R"(","usr":"mallory","nbf":)" +
                                                  std::to_string(unix_now_s() + 3600) + R"(,"exp":)" +
                                                  std::to_string(unix_now_s() + 7200) + "}";
                       return mallory_token(s, hand_made_jwt(kHs256, future, HostileStack::secret(), 256));
                     }},
        ForgedSignIn{"TokenSignedWithAnotherKey",
                     [](const HostileStack& s) {
                       return mallory_token(
                           s, hand_made_jwt(kHs256, claims(s.mallory.id, s.mallory.name, unix_now_s() + 60),
                                            std::string(48, 'k'), 256));
                     }},
        ForgedSignIn{"TokenAlgNone",
                     [](const HostileStack& s) {
                       return mallory_token(
                           s, hand_made_jwt(R"({"alg":"none","typ":"JWT"})",
                                            claims(s.mallory.id, s.mallory.name, unix_now_s() + 60), "", 0));
                     }},
        ForgedSignIn{"TokenHs512WithTheRightKey",
                     [](const HostileStack& s) {
                       return mallory_token(s, hand_made_jwt(R"({"alg":"HS512","typ":"JWT"})",
                                                             claims(s.mallory.id, s.mallory.name, unix_now_s() + 60),
                                                             HostileStack::secret(), 512));
                     }},
        ForgedSignIn{"TokenClaimingHs256SignedHs384",
                     [](const HostileStack& s) {
                       return mallory_token(
                           s, hand_made_jwt(kHs256, claims(s.mallory.id, s.mallory.name, unix_now_s() + 60),
                                            HostileStack::secret(), 384));
                     }},
        ForgedSignIn{"TokenWithNumericSub",
                     [](const HostileStack& s) {
                       const std::string numeric = R"({"sub":)" + s.mallory.uid() + R"(,"usr":"mallory","exp":)" +
                                                   std::to_string(unix_now_s() + 60) + "}";
                       return mallory_token(s, hand_made_jwt(kHs256, numeric, HostileStack::secret(), 256));
                     }},
        ForgedSignIn{"TokenWithTamperedClaims",
                     [](const HostileStack& s) {
                       // mallory's real token with alice's claims pasted in: the signature no longer matches.
                       const std::string real = s.token(s.mallory);
                       const std::string signature = real.substr(real.rfind('.'));
                       return RawConnect{.client_id = s.alice.client_id(),
                                         .username = s.alice.name,
                                         .password = base64url(kHs256) + "." +
                                                     base64url(claims(s.alice.id, s.alice.name, unix_now_s() + 60)) +
                                                     signature};
                     }},
        ForgedSignIn{"TokenOfAnotherUserUnderOwnName",
                     [](const HostileStack& s) { return mallory_token(s, s.token(s.alice)); }},
        ForgedSignIn{"TokenOfAnotherUserWithOwnClientId",
                     [](const HostileStack& s) {
                       return RawConnect{
                           .client_id = s.mallory.client_id(), .username = s.alice.name, .password = s.token(s.alice)};
                     }},
        ForgedSignIn{"TokenShapedGarbage",
                     [](const HostileStack& s) { return mallory_token(s, "eyJhbGciOi.eyJzdWIi.c2ln"); }}),
    [](const ::testing::TestParamInfo<ForgedSignIn>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace chat::hostile
