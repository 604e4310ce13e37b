// chat::credentials: HS256 sign-in tokens, including the classic token
// attacks (alg none, algorithm confusion, forged and wrong-key signatures,
// expired tokens, bad claims).
#include "chat/credentials/password.hpp"  // base64_encode_unpadded, to forge tokens by hand
#include "chat/credentials/token.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace chat::credentials {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr std::int64_t kNow = 1763700000;

std::string b64url(std::string_view data) {
  std::string out = base64_encode_unpadded(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

// A token built by hand: header and claims as given, signed with HMAC under
// `md` (or unsigned when md is null).
std::string forge(const std::string& header, const std::string& claims, const EVP_MD* md,
                  const std::string& key = kSecret) {
  const std::string signing_input = b64url(header) + "." + b64url(claims);
  if (md == nullptr) return signing_input + ".";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(signing_input.data()),
       signing_input.size(), mac, &length);
  return signing_input + "." + b64url(std::string(reinterpret_cast<const char*>(mac), length));
}

const std::string kClaims = R"({"sub":"42","usr":"alice","exp":1763703600,"iat":1763700000})";

TEST(AuthToken, MintedTokensVerify) {
  const std::string token = mint_token(kSecret, 42, "alice", kNow, kNow + 3600);
  EXPECT_TRUE(looks_like_token(token));
  const auto check = verify_token(token, kSecret, kNow + 10);
  ASSERT_TRUE(check.ok()) << to_string(check.error);
  EXPECT_EQ(check.claims->uid, 42);
  EXPECT_EQ(check.claims->username, "alice");
  EXPECT_EQ(check.claims->expires_at, kNow + 3600);
  EXPECT_EQ(check.claims->issued_at, kNow);
}

TEST(AuthToken, ExpiryIsEnforced) {
  const std::string token = mint_token(kSecret, 42, "alice", kNow, kNow + 60);
  EXPECT_TRUE(verify_token(token, kSecret, kNow + 59).ok());
  EXPECT_EQ(verify_token(token, kSecret, kNow + 60).error, TokenError::expired);
  EXPECT_EQ(verify_token(token, kSecret, kNow + 100000).error, TokenError::expired);
}

TEST(AuthToken, WrongKeyAndForgedSignaturesAreRefused) {
  const std::string token = mint_token(kSecret, 42, "alice", kNow, kNow + 3600);
  EXPECT_EQ(verify_token(token, kSecret + "x", kNow).error, TokenError::bad_signature);
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify_token(forged, kSecret, kNow).error, TokenError::bad_signature);
  // Another user's claims under the original signature.
  const auto dot1 = token.find('.');
  const auto dot2 = token.rfind('.');
  const std::string swapped =
      token.substr(0, dot1) + "." + b64url(R"({"sub":"1","usr":"root","exp":1763703600})") + token.substr(dot2);
  EXPECT_EQ(verify_token(swapped, kSecret, kNow).error, TokenError::bad_signature);
  // Signed by someone with another key.
  EXPECT_EQ(
      verify_token(forge(R"({"alg":"HS256","typ":"JWT"})", kClaims, EVP_sha256(), "another-secret"), kSecret, kNow)
          .error,
      TokenError::bad_signature);
  EXPECT_TRUE(verify_token(forge(R"({"alg":"HS256","typ":"JWT"})", kClaims, EVP_sha256()), kSecret, kNow).ok())
      << "the hand-made reference token must verify";
}

TEST(AuthToken, AlgNoneIsRefused) {
  EXPECT_FALSE(verify_token(forge(R"({"alg":"none","typ":"JWT"})", kClaims, nullptr), kSecret, kNow).ok());
  EXPECT_FALSE(verify_token(forge(R"({"alg":"none"})", kClaims, nullptr) + "sig", kSecret, kNow).ok());
  EXPECT_FALSE(verify_token(forge(R"({"alg":"None","typ":"JWT"})", kClaims, nullptr), kSecret, kNow).ok());
}

TEST(AuthToken, AlgorithmConfusionIsRefused) {
  // RS256 header, HMAC-SHA256 signature with the shared secret as the "public key".
  EXPECT_FALSE(verify_token(forge(R"({"alg":"RS256","typ":"JWT"})", kClaims, EVP_sha256()), kSecret, kNow).ok());
  EXPECT_FALSE(verify_token(forge(R"({"alg":"ES256","typ":"JWT"})", kClaims, EVP_sha256()), kSecret, kNow).ok());
  // A valid HMAC under the same secret, but not the pinned algorithm.
  EXPECT_EQ(verify_token(forge(R"({"alg":"HS512","typ":"JWT"})", kClaims, EVP_sha512()), kSecret, kNow).error,
            TokenError::wrong_algorithm);
  EXPECT_EQ(verify_token(forge(R"({"alg":"HS384","typ":"JWT"})", kClaims, EVP_sha384()), kSecret, kNow).error,
            TokenError::wrong_algorithm);
}

TEST(AuthToken, ClaimsMustHaveTheRightTypes) {
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  for (const char* claims :
       {R"({"usr":"alice","exp":1763703600,"iat":1763700000})", R"({"sub":"42","exp":1763703600,"iat":1763700000})",
        R"({"sub":"42","usr":"alice","iat":1763700000})",
        R"({"sub":42,"usr":"alice","exp":1763703600,"iat":1763700000})",
        R"({"sub":"042","usr":"alice","exp":1763703600,"iat":1763700000})",
        R"({"sub":"abc","usr":"alice","exp":1763703600,"iat":1763700000})",
        R"({"sub":"0","usr":"alice","exp":1763703600,"iat":1763700000})",
        R"({"sub":"42","usr":"","exp":1763703600,"iat":1763700000})",
        R"({"sub":"42","usr":7,"exp":1763703600,"iat":1763700000})",
        R"({"sub":"42","usr":"alice","exp":"1763703600","iat":1763700000})",
        R"({"sub":"42","usr":"alice","exp":1763703600.5,"iat":1763700000})",
        R"({"sub":"42","usr":"alice","exp":1763703600,"iat":1763700000,"nbf":"x"})",
        // iat is required: revocation compares it (issue #13, item 9)
        R"({"sub":"42","usr":"alice","exp":1763703600})", R"({"sub":"42","usr":"alice","exp":1763703600,"iat":"1"})"}) {
    EXPECT_EQ(verify_token(forge(header, claims, EVP_sha256()), kSecret, kNow).error, TokenError::bad_claims) << claims;
  }
  EXPECT_EQ(
      verify_token(forge(header, R"({"sub":"42","usr":"alice","exp":1763703600,"iat":1763700000,"nbf":1763700100})",
                         EVP_sha256()),
                   kSecret, kNow)
          .error,
      TokenError::not_yet_valid);
  EXPECT_EQ(verify_token(forge(header, "[1]", EVP_sha256()), kSecret, kNow).error, TokenError::malformed);
}

TEST(AuthToken, ShapeAndLength) {
  EXPECT_FALSE(looks_like_token("correct horse battery"));
  EXPECT_FALSE(looks_like_token("eyJhbGc.x"));
  EXPECT_FALSE(looks_like_token("eyJ.a.b.c"));
  EXPECT_FALSE(looks_like_token("eyJ a.b.c"));
  EXPECT_TRUE(looks_like_token("eyJa.b.c"));
  EXPECT_EQ(verify_token("eyJa.b.c", kSecret, kNow).error, TokenError::bad_signature);
  EXPECT_EQ(verify_token("not a token", kSecret, kNow).error, TokenError::malformed);
  EXPECT_EQ(verify_token("eyJ" + std::string(5000, 'a') + ".b.c", kSecret, kNow).error, TokenError::malformed);
  EXPECT_THROW(mint_token("short", 1, "alice", kNow, kNow + 1), std::invalid_argument);
  EXPECT_THROW(mint_token(kSecret, 0, "alice", kNow, kNow + 1), std::invalid_argument);
}

}  // namespace
}  // namespace chat::credentials
