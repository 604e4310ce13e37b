#include "forged_tokens.hpp"

#include "chat/credentials/password.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>

namespace chat::hostile {

std::string base64url(const std::string& bytes) {
  std::string out =
      credentials::base64_encode_unpadded(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string hand_made_jwt(const std::string& header_json, const std::string& claims_json, const std::string& secret,
                          int bits) {
  const std::string signing_input = base64url(header_json) + "." + base64url(claims_json);
  if (bits == 0) return signing_input + ".";
  const EVP_MD* digest = bits == 512 ? EVP_sha512() : bits == 384 ? EVP_sha384() : EVP_sha256();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(digest, secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
  return signing_input + "." + base64url(std::string(reinterpret_cast<const char*>(mac), mac_size));
}

std::string claims(std::int64_t uid, const std::string& username, std::int64_t exp) {
  return nlohmann::json{{"sub", std::to_string(uid)}, {"usr", username}, {"iat", unix_now_s()}, {"exp", exp}}.dump();
}

std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace chat::hostile
