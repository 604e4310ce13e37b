// chat::credentials: PBKDF2 password hashes (salted, the iteration count
// read from the stored string, tampered or malformed hashes never verify) and
// the unpadded base64 they are written in.
#include "chat/credentials/password.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace chat::credentials {
namespace {

TEST(AuthPassword, HashAndVerifyRoundTrip) {
  const std::string hash = hash_password("correct horse", 1000);
  EXPECT_TRUE(hash.starts_with("$pbkdf2-sha512$i=1000$")) << hash;
  EXPECT_TRUE(verify_password("correct horse", hash));
  EXPECT_FALSE(verify_password("correct horse ", hash));
  EXPECT_FALSE(verify_password("", hash));
  EXPECT_NE(hash, hash_password("correct horse", 1000)) << "salted";
}

TEST(AuthPassword, DefaultIsAModernIterationCount) {
  EXPECT_GE(kDefaultPbkdf2Iterations, 210000);
  const auto parsed = parse_password_hash(hash_password("x", 1000));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->salt.size(), kSaltBytes);
  EXPECT_EQ(parsed->hash.size(), kHashBytes);
}

TEST(AuthPassword, TamperedOrMalformedHashesNeverVerify) {
  const std::string hash = hash_password("pw", 1000);
  std::string tampered = hash;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password("pw", tampered));
  std::string other_count = hash;
  other_count.replace(other_count.find("i=1000"), 6, "i=1001");
  EXPECT_FALSE(verify_password("pw", other_count));
  for (const char* bad : {"", "pw", "$pbkdf2-sha256$i=1000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
                          "$pbkdf2-sha512$i=10$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
                          "$pbkdf2-sha512$i=01000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
                          "$pbkdf2-sha512$i=1000$!!!$AAAAAAAAAAAAAAAAAAAAAA", "$pbkdf2-sha512$i=1000$AAAA",
                          "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"}) {
    EXPECT_FALSE(parse_password_hash(bad).has_value()) << bad;
    EXPECT_FALSE(verify_password("pw", bad)) << bad;
  }
  EXPECT_THROW(hash_password("x", 10), std::invalid_argument);
}

TEST(AuthPassword, IterationCountComesFromTheString) {
  const std::string hash = hash_password("pw", 2000);
  const auto parsed = parse_password_hash(hash);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->iterations, 2000);
  EXPECT_EQ(format_password_hash(*parsed), hash);
  EXPECT_TRUE(verify_password("pw", hash));
}

TEST(AuthPassword, Base64RoundTrip) {
  for (std::size_t n = 0; n < 10; ++n) {
    std::string data;
    for (std::size_t i = 0; i < n; ++i) data += static_cast<char>(i * 37 + 250);
    const auto encoded = base64_encode_unpadded(reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EXPECT_EQ(encoded.find('='), std::string::npos);
    const auto decoded = base64_decode_unpadded(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), data);
  }
  EXPECT_FALSE(base64_decode_unpadded("A").has_value());
  EXPECT_FALSE(base64_decode_unpadded("AB").has_value()) << "non-zero leftover bits";
  EXPECT_FALSE(base64_decode_unpadded("AA==").has_value());
}

}  // namespace
}  // namespace chat::credentials
