// Tokens checked with a JWKS: every algorithm Supabase takes from a key set,
// the kid rules of its signer selection, and the attacks around them.

#include "rt/protocol/jwt.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <openssl/hmac.h>

#include "rt/protocol/test_keys.test.hpp"

namespace {

using namespace rt::protocol;
using rt::protocol::testing::test_key;

constexpr std::int64_t now = 1'700'000'000;
constexpr std::string_view secret = "super-secret-jwt-token-with-at-least-32-characters-long";
constexpr std::string_view claims = R"({"role":"authenticated","exp":1700000600,"sub":"u1"})";

// One key of each kind, made once for the whole file.
struct keys {
  test_key rsa = test_key::make("RSA");
  test_key rsa_other = test_key::make("RSA");
  test_key p256 = test_key::make("P-256");
  test_key p384 = test_key::make("P-384");
  test_key p521 = test_key::make("P-521");
  test_key ed25519 = test_key::make("Ed25519");
  test_key ed448 = test_key::make("Ed448");
};

const keys& all() {
  static const keys k;
  return k;
}

std::string oct_k() {
  return base64url_encode("oct-secret-for-kid-hs-at-least-32-bytes!!");
}

jwt_settings settings_with_jwks() {
  const auto& k = all();
  boost::json::array list;
  list.push_back(k.rsa.jwk("rsa-1"));
  list.push_back(k.p256.jwk("ec-256"));
  list.push_back(k.p384.jwk("ec-384"));
  list.push_back(k.p521.jwk("ec-521"));
  list.push_back(k.ed25519.jwk("ed-1"));
  list.push_back(k.ed448.jwk("ed-448"));
  list.push_back(boost::json::object{{"kty", "oct"}, {"kid", "hs-1"}, {"k", oct_k()}});
  list.push_back(boost::json::object{{"kty", "oct"}, {"kid", "hs-bad"}, {"k", "%%%"}});
  list.push_back(boost::json::object{{"kty", "OKP"}, {"kid", "x-1"}, {"crv", "X25519"},
                                     {"x", base64url_encode(std::string(32, 'x'))}});
  auto set = jwk_set::parse(boost::json::serialize(boost::json::object{{"keys", list}}));
  EXPECT_TRUE(set) << (set ? "" : set.error());
  jwt_settings s;
  s.secret = std::string{secret};
  s.jwks = std::make_shared<const jwk_set>(std::move(*set));
  return s;
}

const jwt_settings& settings() {
  static const jwt_settings s = settings_with_jwks();
  return s;
}

std::string hs_token(std::string_view key, std::string_view kid, std::string_view claims_json) {
  auto sign = [&](std::string_view input) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    return std::string(reinterpret_cast<char*>(mac), len);
  };
  boost::json::object header{{"alg", "HS256"}, {"typ", "JWT"}};
  if (!kid.empty())
    header["kid"] = kid;
  auto input = base64url_encode(boost::json::serialize(header)) + "." + base64url_encode(claims_json);
  return input + "." + base64url_encode(sign(input));
}

errc code_of(std::string_view token) {
  auto r = verify_jwt(token, settings(), now);
  return r ? errc{} : r.error().code;
}

} // namespace

TEST(jwt_jwks, every_public_key_algorithm_verifies_with_its_kid) {
  const auto& k = all();
  struct row {
    const test_key* key;
    std::string_view alg;
    std::string_view kid;
  };
  for (auto [key, alg, kid] : {row{&k.rsa, "RS256", "rsa-1"}, row{&k.rsa, "RS384", "rsa-1"},
                               row{&k.rsa, "RS512", "rsa-1"}, row{&k.p256, "ES256", "ec-256"},
                               row{&k.p384, "ES384", "ec-384"}, row{&k.p521, "ES512", "ec-521"},
                               row{&k.ed25519, "EdDSA", "ed-1"}, row{&k.ed25519, "Ed25519", "ed-1"},
                               row{&k.ed448, "EdDSA", "ed-448"}, row{&k.ed448, "Ed448", "ed-448"}}) {
    auto r = verify_jwt(key->token(alg, kid, claims), settings(), now);
    ASSERT_TRUE(r) << alg << " " << kid << " " << jwt_failure_message(r.error());
    EXPECT_EQ(r->role, "authenticated");
    EXPECT_EQ(r->claims.at("sub").as_string(), "u1");
  }
}

TEST(jwt_jwks, an_hs_token_with_an_oct_kid_uses_that_key_and_otherwise_the_secret) {
  EXPECT_TRUE(verify_jwt(hs_token(base64url_decode(oct_k()).value(), "hs-1", claims), settings(), now));
  // The oct key wins over the secret for its kid.
  EXPECT_EQ(code_of(hs_token(secret, "hs-1", claims)), errc::jwt_bad_signature);
  // A kid the set does not hold falls back to the secret (Supabase Auth's tokens).
  EXPECT_TRUE(verify_jwt(hs_token(secret, "not-in-set", claims), settings(), now));
  EXPECT_TRUE(verify_jwt(hs_token(secret, "", claims), settings(), now));
  auto bad_k = verify_jwt(hs_token(secret, "hs-bad", claims), settings(), now);
  ASSERT_FALSE(bad_k);
  EXPECT_EQ(bad_k.error().code, errc::jwt_signer_error);
  EXPECT_EQ(bad_k.error().kid, "hs-bad");
}

TEST(jwt_jwks, an_unknown_kid_is_named_in_the_signer_error) {
  auto r = verify_jwt(all().rsa.token("RS256", "who", claims), settings(), now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::jwt_signer_error);
  EXPECT_EQ(jwt_failure_message(r.error()),
            "Failed to generate JWT signer for key ID (kid) \"who\", check your JWT secret or "
            "JWKS configuration");
  EXPECT_EQ(jwt_failure_code(r.error()), "JwtSignerError");
  // A kid of a key of another type is unknown for this alg.
  EXPECT_EQ(verify_jwt(all().rsa.token("RS256", "ec-256", claims), settings(), now).error().kid,
            "ec-256");
  // An OKP key on a curve that cannot sign.
  EXPECT_EQ(verify_jwt(all().ed25519.token("EdDSA", "x-1", claims), settings(), now).error().kid,
            "x-1");
}

TEST(jwt_jwks, the_kid_is_printed_as_elixir_inspects_it) {
  jwt_failure f{errc::jwt_signer_error, 0, std::string{"a\"b\\c\n#{x}"}};
  EXPECT_EQ(jwt_failure_message(f), R"(Failed to generate JWT signer for key ID (kid) "a\"b\\c\n\#{x}", check your JWT secret or JWKS configuration)");
  f.kid = std::string{"a\x7f"};
  EXPECT_EQ(jwt_failure_message(f), R"(Failed to generate JWT signer for key ID (kid) "a\d", check your JWT secret or JWKS configuration)");
  f.kid = std::string{"\xe2\x80\x8b"}; // U+200B, invisible
  EXPECT_EQ(jwt_failure_message(f), R"(Failed to generate JWT signer for key ID (kid) "\u200B", check your JWT secret or JWKS configuration)");
  f.kid = std::string{"\xc2\x85"}; // U+0085, not printable
  EXPECT_EQ(jwt_failure_message(f), "Failed to generate JWT signer for key ID (kid) <<194, 133>>, check "
                                    "your JWT secret or JWKS configuration");
  f.kid = std::string{"\xff"};
  EXPECT_EQ(jwt_failure_message(f), "Failed to generate JWT signer for key ID (kid) <<255>>, check "
                                    "your JWT secret or JWKS configuration");
}

TEST(jwt_jwks, public_key_tokens_need_a_kid_and_a_key_set) {
  auto no_kid = verify_jwt(all().rsa.token("RS256", "", claims), settings(), now);
  ASSERT_FALSE(no_kid);
  EXPECT_EQ(no_kid.error().code, errc::jwt_signer_error);
  EXPECT_FALSE(no_kid.error().kid);
  jwt_settings secret_only;
  secret_only.secret = std::string{secret};
  auto no_set = verify_jwt(all().rsa.token("RS256", "rsa-1", claims), secret_only, now);
  ASSERT_FALSE(no_set);
  EXPECT_EQ(no_set.error().code, errc::jwt_signer_error);
  EXPECT_FALSE(no_set.error().kid);
}

// The attack matrix: none of these may pass.
TEST(jwt_jwks, alg_none_is_refused) {
  boost::json::object header{{"alg", "none"}, {"kid", "rsa-1"}};
  auto token = base64url_encode(boost::json::serialize(header)) + "." + base64url_encode(claims) + ".";
  EXPECT_EQ(code_of(token), errc::jwt_signer_error);
  header["alg"] = "NONE";
  token = base64url_encode(boost::json::serialize(header)) + "." + base64url_encode(claims) + ".";
  EXPECT_EQ(code_of(token), errc::jwt_signer_error);
}

TEST(jwt_jwks, a_signature_by_another_key_is_refused) {
  EXPECT_EQ(code_of(all().rsa_other.token("RS256", "rsa-1", claims)), errc::jwt_bad_signature);
  EXPECT_EQ(code_of(all().p384.token("ES384", "ec-256", claims)), errc::jwt_bad_signature);
  EXPECT_EQ(code_of(all().ed448.token("Ed25519", "ed-1", claims)), errc::jwt_bad_signature);
}

TEST(jwt_jwks, hs_rs_confusion_is_refused) {
  // The attacker signs HS256 with the public key as the HMAC secret and names
  // the RSA kid: HS* only ever uses oct keys or the configured secret.
  auto public_jwk = boost::json::serialize(all().rsa.jwk("rsa-1"));
  EXPECT_EQ(code_of(hs_token(public_jwk, "rsa-1", claims)), errc::jwt_bad_signature);
  auto n = std::string{all().rsa.jwk("rsa-1").at("n").as_string()};
  EXPECT_EQ(code_of(hs_token(n, "rsa-1", claims)), errc::jwt_bad_signature);
}

TEST(jwt_jwks, a_tampered_payload_or_signature_is_refused) {
  auto token = all().p256.token("ES256", "ec-256", claims);
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  auto forged = token.substr(0, dot1 + 1) +
                base64url_encode(R"({"role":"service_role","exp":1700000600,"sub":"u1"})") +
                token.substr(dot2);
  EXPECT_EQ(code_of(forged), errc::jwt_bad_signature);
  auto flipped = token;
  auto& c = flipped[dot2 + 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(code_of(flipped), errc::jwt_bad_signature);
  // ECDSA signatures must be R || S of the curve's size: DER or truncated are refused.
  auto input = token.substr(0, dot2);
  auto sig = base64url_decode(token.substr(dot2 + 1)).value();
  EXPECT_EQ(code_of(input + "." + base64url_encode(sig.substr(0, 63))), errc::jwt_bad_signature);
  EXPECT_EQ(code_of(input + "." + base64url_encode(sig + std::string(1, '\0'))), errc::jwt_bad_signature);
  // A zero signature (ECDSA's r = s = 0) never verifies.
  EXPECT_EQ(code_of(input + "." + base64url_encode(std::string(64, '\0'))), errc::jwt_bad_signature);
}

TEST(jwt_jwks, claims_are_checked_after_the_signature) {
  const auto& k = all();
  auto expired = verify_jwt(k.ed25519.token("EdDSA", "ed-1", R"({"role":"anon","exp":1699999990})"),
                            settings(), now);
  ASSERT_FALSE(expired);
  EXPECT_EQ(jwt_failure_message(expired.error()), "Token has expired 10 seconds ago");
  EXPECT_EQ(code_of(k.rsa.token("RS256", "rsa-1", R"({"exp":1700000600})")), errc::jwt_missing_claims);
  EXPECT_EQ(code_of(k.rsa.token("RS256", "rsa-1", R"({"role":"anon","exp":1700000600,"nbf":1700000500})")),
            errc::jwt_invalid_claims);
}

TEST(jwk_set, refuses_what_cannot_verify) {
  auto bad = [](std::string_view json) {
    auto r = jwk_set::parse(json);
    return r ? std::string{"parsed"} : r.error();
  };
  EXPECT_NE(bad("[]"), "parsed");
  EXPECT_NE(bad(R"({"keys":{}})"), "parsed");
  EXPECT_NE(bad(R"({"keys":[1]})"), "parsed");
  EXPECT_EQ(bad(R"({"keys":[{"kty":"RSA","kid":"r","e":"AQAB"}]})"),
            "key 0 (kid \"r\"): RSA key needs base64url \"n\" and \"e\"");
  auto short_n = base64url_encode(std::string(128, '\x7f'));
  EXPECT_EQ(bad(R"({"keys":[{"kty":"RSA","n":")" + short_n + R"(","e":"AQAB"}]})"),
            "key 0: RSA modulus shorter than 2048 bits");
  auto x = base64url_encode(std::string(32, '\x01'));
  EXPECT_EQ(bad(R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + x + R"(","y":")" + x + R"("}]})"),
            "key 0: EC point is not on the curve");
  EXPECT_EQ(bad(R"({"keys":[{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}]})"),
            "key 0: EC curve \"secp256k1\" is not P-256, P-384 or P-521");
  EXPECT_EQ(bad(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]})"),
            "key 0: OpenSSL refused the key");
}

TEST(jwk_set, keeps_keys_it_does_not_use_and_finds_the_first_match) {
  auto rsa = all().rsa.jwk("dup");
  auto other = all().rsa_other.jwk("dup");
  boost::json::array list{boost::json::object{{"kty", "foo"}, {"kid", "dup"}}, rsa, other};
  auto set = jwk_set::parse(boost::json::serialize(boost::json::object{{"keys", list}}));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 3u);
  jwt_settings s;
  s.jwks = std::make_shared<const jwk_set>(std::move(*set));
  EXPECT_TRUE(verify_jwt(all().rsa.token("RS256", "dup", claims), s, now));
  EXPECT_FALSE(verify_jwt(all().rsa_other.token("RS256", "dup", claims), s, now));
}
