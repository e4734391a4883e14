#include "rt/protocol/jwt.hpp"

#include "rt/protocol/base64url.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include <boost/json/parse.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace rt::protocol {
namespace {

constexpr std::int64_t now = 1'700'000'000;
constexpr std::string_view secret = "super-secret-jwt-token-with-at-least-32-characters-long";
constexpr std::string_view hs256_header = R"({"alg":"HS256","typ":"JWT"})";

jwt_settings settings(std::string_view key = secret) {
  return jwt_settings{std::string(key), {}};
}

jwt_settings settings_with_validators(std::string_view validators_json) {
  auto s = settings();
  boost::system::error_code ec;
  auto parsed = boost::json::parse(validators_json, ec);
  EXPECT_FALSE(ec);
  if (auto* obj = parsed.if_object())
    s.claim_validators = *obj;
  return s;
}

std::string hmac_segment(std::string_view input, std::string_view key, const EVP_MD* md) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
  return base64url_encode({reinterpret_cast<const char*>(mac), size});
}

// A token built from raw JSON text, signed over exactly the segments it carries.
std::string raw_token(std::string_view header_json, std::string_view claims_json,
                      std::string_view key = secret, const EVP_MD* md = EVP_sha256()) {
  auto input = base64url_encode(header_json) + "." + base64url_encode(claims_json);
  return input + "." + hmac_segment(input, key, md);
}

std::string hs256_token(std::string_view claims_json, std::string_view key = secret) {
  return raw_token(hs256_header, claims_json, key);
}

std::string with_padding(std::string segment) {
  while (segment.size() % 4 != 0)
    segment.push_back('=');
  return segment;
}

errc failure_code(const tl::expected<verified_jwt, jwt_failure>& result) {
  EXPECT_FALSE(result.has_value());
  return result ? errc::malformed_json : result.error().code;
}

const std::string valid_claims = R"({"role":"authenticated","sub":"user-1","exp":1700003600})";

// -- cross-check with PyJWT --------------------------------------------------
//
// Produced offline with PyJWT 2.6.0 (Debian python3-jwt):
//   python3 -c 'import jwt; print(jwt.encode(CLAIMS, SECRET, algorithm=ALG))'
// A: {"role":"authenticated","sub":"user-1","exp":4102444800,"iat":1700000000},
//    secret "super-secret-jwt-token-with-at-least-32-characters-long", HS256
// B: {"role":"anon","iss":"supabase","exp":4102444800}, secret "hs384 secret", HS384
// C: {"role":"service_role","exp":4102444800.7,"iat":1700000000.4,"app":{"n":[1,2,3]}},
//    secret "hs512 secret", HS512
// D: {"role":"anon","exp":1000000000}, secret as A, HS256
constexpr std::string_view pyjwt_a =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
  "eyJyb2xlIjoiYXV0aGVudGljYXRlZCIsInN1YiI6InVzZXItM"
  "SIsImV4cCI6NDEwMjQ0NDgwMCwiaWF0IjoxNzAwMDAwMDAwfQ."
  "P0DjmxXm91xG-pCaPKTnuPnGpJh7GJXMO-yncgLWYXs";
constexpr std::string_view pyjwt_b =
  "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
  "eyJyb2xlIjoiYW5vbiIsImlzcyI6InN1cGFiYXNlIiwiZXhwIjo0MTAyNDQ0ODAwfQ."
  "AI9cH3a8lZtqoA22tkO1MNstIdC_bFiRsm5JF5lhnT2Ko6VmEo0j9T17T6zWgSRC";
constexpr std::string_view pyjwt_c =
  "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
  "eyJyb2xlIjoic2VydmljZV9yb2xlIiwiZXhwIjo0MTAyNDQ0ODAwLj"
  "csImlhdCI6MTcwMDAwMDAwMC40LCJhcHAiOnsibiI6WzEsMiwzXX19."
  "J69KSfZL28QXI4D26PAKQKWhbyi-PSbCMyVsP8c28pk3HVH4C1jBStyLDYLHm5BSXR2YhaLyd_9myituP4ZVUg";
constexpr std::string_view pyjwt_d =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
  "eyJyb2xlIjoiYW5vbiIsImV4cCI6MTAwMDAwMDAwMH0."
  "LY0mi1xWVocthxMUOa8t78KICZGKkOta6L0RzMBHHmw";

TEST(jwt, accepts_pyjwt_hs256_vector) {
  auto result = verify_jwt(pyjwt_a, settings(), now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->role, "authenticated");
  EXPECT_EQ(result->exp, 4102444800);
  EXPECT_EQ(result->claims.at("sub"), "user-1");
  EXPECT_EQ(result->claims.at("iat"), 1700000000);
}

TEST(jwt, accepts_pyjwt_hs384_vector_with_matching_validator) {
  auto s = settings_with_validators(R"({"iss":"supabase"})");
  s.secret = "hs384 secret";
  auto result = verify_jwt(pyjwt_b, s, now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->role, "anon");
}

TEST(jwt, accepts_pyjwt_hs512_vector_and_rounds_fractional_exp_and_iat) {
  auto result = verify_jwt(pyjwt_c, settings("hs512 secret"), now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->role, "service_role");
  EXPECT_EQ(result->exp, 4102444801);
  ASSERT_TRUE(result->claims.at("exp").is_int64());
  EXPECT_EQ(result->claims.at("exp"), 4102444801);
  EXPECT_EQ(result->claims.at("iat"), 1700000000);
  EXPECT_EQ(result->claims.at("app"), boost::json::parse(R"({"n":[1,2,3]})"));
}

TEST(jwt, reports_pyjwt_expired_vector_with_seconds_ago) {
  auto result = verify_jwt(pyjwt_d, settings(), 1'000'000'012);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, errc::jwt_expired);
  EXPECT_EQ(result.error().expired_seconds_ago, 12);
  EXPECT_EQ(jwt_failure_message(result.error()), "Token has expired 12 seconds ago");
  EXPECT_EQ(jwt_failure_code(result.error()), "InvalidJWTToken");
}

TEST(jwt, rejects_pyjwt_vectors_with_the_wrong_secret) {
  EXPECT_EQ(failure_code(verify_jwt(pyjwt_a, settings("other"), now)), errc::jwt_bad_signature);
  EXPECT_EQ(failure_code(verify_jwt(pyjwt_b, settings(), now)), errc::jwt_bad_signature);
  EXPECT_EQ(failure_code(verify_jwt(pyjwt_c, settings(), now)), errc::jwt_bad_signature);
}

TEST(jwt, signs_byte_for_byte_like_pyjwt) {
  boost::json::object a{{"role", "authenticated"}, {"sub", "user-1"}, {"exp", 4102444800},
                        {"iat", 1700000000}};
  EXPECT_EQ(sign_jwt("HS256", secret, a), std::string(pyjwt_a));
  boost::json::object b{{"role", "anon"}, {"iss", "supabase"}, {"exp", 4102444800}};
  EXPECT_EQ(sign_jwt("HS384", "hs384 secret", b), std::string(pyjwt_b));
}

// -- sign/verify round trips -------------------------------------------------

TEST(jwt, round_trips_every_hs_algorithm) {
  boost::json::object claims{{"role", "anon"}, {"exp", now + 60}, {"ref", "abc"}};
  for (auto alg : {"HS256", "HS384", "HS512"}) {
    auto token = sign_jwt(alg, secret, claims);
    ASSERT_TRUE(token) << alg;
    auto result = verify_jwt(*token, settings(), now);
    ASSERT_TRUE(result) << alg;
    EXPECT_EQ(result->claims, claims) << alg;
    EXPECT_EQ(result->exp, now + 60);
  }
}

TEST(jwt, sign_refuses_unknown_algorithms) {
  boost::json::object claims{{"role", "anon"}};
  EXPECT_FALSE(sign_jwt("none", secret, claims));
  EXPECT_FALSE(sign_jwt("RS256", secret, claims));
  EXPECT_FALSE(sign_jwt("hs256", secret, claims));
  EXPECT_FALSE(sign_jwt("", secret, claims));
}

TEST(jwt, signs_with_an_empty_secret_that_verification_refuses) {
  boost::json::object claims{{"role", "anon"}, {"exp", now + 60}};
  auto token = sign_jwt("HS256", "", claims);
  ASSERT_TRUE(token);
  EXPECT_EQ(failure_code(verify_jwt(*token, settings(""), now)), errc::jwt_signer_error);
}

// -- token cleaning ----------------------------------------------------------

TEST(jwt, accepts_url_encoded_token) {
  auto token = hs256_token(valid_claims);
  std::string encoded;
  for (char c : token) {
    if (c == '.')
      encoded += "%2E";
    else if (c == '-')
      encoded += "%2d";
    else
      encoded += c;
  }
  EXPECT_TRUE(verify_jwt(encoded, settings(), now));
}

TEST(jwt, removes_whitespace_and_encoded_whitespace) {
  auto token = hs256_token(valid_claims);
  auto spaced = "\n " + token.substr(0, 10) + "%20" + token.substr(10, 10) + "\t\r\n" +
                token.substr(20, 10) + "%0A\v\f" + token.substr(30) + "  %09";
  auto result = verify_jwt(spaced, settings(), now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->role, "authenticated");
}

TEST(jwt, does_not_turn_plus_into_space) {
  auto token = hs256_token(valid_claims);
  EXPECT_EQ(failure_code(verify_jwt(token + "+", settings(), now)), errc::jwt_malformed);
}

// Elixir's URI.decode keeps a '%' that starts no valid escape.
TEST(jwt, keeps_invalid_percent_escapes_literally) {
  auto token = hs256_token(valid_claims);
  EXPECT_EQ(failure_code(verify_jwt(token + "%zz", settings(), now)), errc::jwt_malformed);
  EXPECT_EQ(failure_code(verify_jwt(token + "%", settings(), now)), errc::jwt_malformed);
  auto none = raw_token(R"({"alg":"none"})", valid_claims);
  EXPECT_EQ(failure_code(verify_jwt(none + "%4", settings(), now)), errc::jwt_signer_error);
}

// -- malformed ---------------------------------------------------------------

TEST(jwt, rejects_tokens_without_three_parts) {
  auto token = hs256_token(valid_claims);
  for (std::string bad : {std::string(""), std::string("bad_token"), std::string("a.b"),
                          std::string(".."), token + ".x", "x." + token,
                          base64url_encode("{}")}) {
    EXPECT_EQ(failure_code(verify_jwt(bad, settings(), now)), errc::jwt_malformed) << bad;
  }
}

TEST(jwt, rejects_header_or_claims_that_are_not_base64url) {
  auto token = hs256_token(valid_claims);
  auto dot = token.find('.');
  EXPECT_EQ(failure_code(verify_jwt("*" + token.substr(1), settings(), now)), errc::jwt_malformed);
  auto bad_claims = token;
  bad_claims[dot + 3] = '/';
  EXPECT_EQ(failure_code(verify_jwt(bad_claims, settings(), now)), errc::jwt_malformed);
}

TEST(jwt, rejects_header_or_claims_that_are_not_json_objects) {
  EXPECT_EQ(failure_code(verify_jwt(raw_token("[]", valid_claims), settings(), now)),
            errc::jwt_malformed);
  EXPECT_EQ(failure_code(verify_jwt(raw_token(R"("HS256")", valid_claims), settings(), now)),
            errc::jwt_malformed);
  EXPECT_EQ(failure_code(verify_jwt(raw_token(hs256_header, "[]"), settings(), now)),
            errc::jwt_malformed);
  EXPECT_EQ(failure_code(verify_jwt(raw_token(hs256_header, "123"), settings(), now)),
            errc::jwt_malformed);
  EXPECT_EQ(failure_code(verify_jwt(raw_token(hs256_header, "{\"role\":"), settings(), now)),
            errc::jwt_malformed);
  EXPECT_EQ(failure_code(verify_jwt(raw_token("", valid_claims), settings(), now)),
            errc::jwt_malformed);
}

TEST(jwt, rejects_signature_that_is_not_base64url) {
  auto token = hs256_token(valid_claims);
  token.back() = '!';
  EXPECT_EQ(failure_code(verify_jwt(token, settings(), now)), errc::jwt_malformed);
}

TEST(jwt, malformed_message_and_code) {
  jwt_failure f{errc::jwt_malformed};
  EXPECT_EQ(jwt_failure_message(f), "The token provided is not a valid JWT");
  EXPECT_EQ(jwt_failure_code(f), "MalformedJWT");
}

// -- signer ------------------------------------------------------------------

TEST(jwt, refuses_algorithms_without_a_signer) {
  for (std::string_view header :
       {R"({"alg":"none"})", R"({"alg":"RS256","kid":"k1"})", R"({"alg":"ES256"})",
        R"({"alg":"EdDSA"})", R"({"alg":"hs256"})", R"({"alg":"HS256 "})", R"({"typ":"JWT"})",
        R"({"alg":256})", R"({"alg":null})", "{}"}) {
    EXPECT_EQ(failure_code(verify_jwt(raw_token(header, valid_claims), settings(), now)),
              errc::jwt_signer_error)
      << header;
  }
}

TEST(jwt, refuses_alg_none_with_empty_signature) {
  auto token = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
               base64url_encode(valid_claims) + ".";
  EXPECT_EQ(failure_code(verify_jwt(token, settings(), now)), errc::jwt_signer_error);
}

TEST(jwt, empty_secret_is_a_signer_error) {
  auto token = hs256_token(valid_claims, "");
  EXPECT_EQ(failure_code(verify_jwt(token, settings(""), now)), errc::jwt_signer_error);
}

TEST(jwt, signer_message_and_code) {
  jwt_failure f{errc::jwt_signer_error};
  EXPECT_EQ(jwt_failure_message(f),
            "Failed to generate JWT signer, check your JWT secret or JWKS configuration");
  EXPECT_EQ(jwt_failure_code(f), "JwtSignerError");
}

// -- signature ---------------------------------------------------------------

TEST(jwt, rejects_wrong_secret) {
  auto token = hs256_token(valid_claims, "another secret");
  EXPECT_EQ(failure_code(verify_jwt(token, settings(), now)), errc::jwt_bad_signature);
}

TEST(jwt, rejects_tampered_header) {
  auto token = hs256_token(valid_claims);
  auto signature = token.substr(token.rfind('.'));
  auto payload = token.substr(token.find('.'), token.rfind('.') - token.find('.'));
  auto forged = base64url_encode(R"({"alg":"HS256","typ":"JWS"})") + payload + signature;
  EXPECT_EQ(failure_code(verify_jwt(forged, settings(), now)), errc::jwt_bad_signature);
  auto as_hs512 = base64url_encode(R"({"alg":"HS512","typ":"JWT"})") + payload + signature;
  EXPECT_EQ(failure_code(verify_jwt(as_hs512, settings(), now)), errc::jwt_bad_signature);
}

TEST(jwt, rejects_tampered_claims) {
  auto token = hs256_token(valid_claims);
  auto header = token.substr(0, token.find('.'));
  auto signature = token.substr(token.rfind('.'));
  auto forged = header + "." +
                base64url_encode(R"({"role":"service_role","sub":"user-1","exp":1700003600})") +
                signature;
  EXPECT_EQ(failure_code(verify_jwt(forged, settings(), now)), errc::jwt_bad_signature);
}

TEST(jwt, rejects_tampered_or_truncated_signature) {
  auto token = hs256_token(valid_claims);
  auto flipped = token;
  auto pos = token.rfind('.') + 5;
  flipped[pos] = flipped[pos] == 'A' ? 'B' : 'A';
  EXPECT_EQ(failure_code(verify_jwt(flipped, settings(), now)), errc::jwt_bad_signature);
  auto truncated = token.substr(0, token.size() - 4);
  EXPECT_EQ(failure_code(verify_jwt(truncated, settings(), now)), errc::jwt_bad_signature);
  auto stripped = token.substr(0, token.rfind('.') + 1);
  EXPECT_EQ(failure_code(verify_jwt(stripped, settings(), now)), errc::jwt_bad_signature);
}

TEST(jwt, signature_message_and_code) {
  jwt_failure f{errc::jwt_bad_signature};
  EXPECT_EQ(jwt_failure_message(f), "Failed to validate JWT signature");
  EXPECT_EQ(jwt_failure_code(f), "JwtSignatureError");
}

// -- padding -----------------------------------------------------------------

TEST(jwt, accepts_padded_signature) {
  auto token = hs256_token(valid_claims);
  EXPECT_TRUE(verify_jwt(with_padding(token), settings(), now));
}

// JOSE signs the header segment exactly as sent, padding included.
TEST(jwt, accepts_padded_header_signed_as_sent) {
  constexpr std::string_view header = R"({"alg":"HS256","ab":1})";
  auto input = with_padding(base64url_encode(header)) + "." + base64url_encode(valid_claims);
  ASSERT_NE(input.find('='), std::string::npos);
  auto token = input + "." + hmac_segment(input, secret, EVP_sha256());
  EXPECT_TRUE(verify_jwt(token, settings(), now));
}

// JOSE verifies the payload in its canonical (unpadded) spelling.
TEST(jwt, verifies_padded_payload_over_its_unpadded_spelling) {
  const std::string claims = R"({"role":"anon","exp":1700003600,"a":1})";
  auto payload = base64url_encode(claims);
  ASSERT_NE(payload.size() % 4, 0u);
  auto header = base64url_encode(hs256_header);
  auto canonical_sig = hmac_segment(header + "." + payload, secret, EVP_sha256());
  auto padded = header + "." + with_padding(payload);
  EXPECT_TRUE(verify_jwt(padded + "." + canonical_sig, settings(), now));
  auto padded_sig = hmac_segment(padded, secret, EVP_sha256());
  EXPECT_EQ(failure_code(verify_jwt(padded + "." + padded_sig, settings(), now)),
            errc::jwt_bad_signature);
}

// -- expiry ------------------------------------------------------------------

TEST(jwt, exp_equal_to_now_has_expired_zero_seconds_ago) {
  auto result = verify_jwt(hs256_token(R"({"role":"anon","exp":1700000000})"), settings(), now);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, errc::jwt_expired);
  EXPECT_EQ(result.error().expired_seconds_ago, 0);
  EXPECT_EQ(jwt_failure_message(result.error()), "Token has expired 0 seconds ago");
}

TEST(jwt, exp_one_second_after_now_is_valid) {
  auto result = verify_jwt(hs256_token(R"({"role":"anon","exp":1700000001})"), settings(), now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exp, now + 1);
}

TEST(jwt, counts_seconds_since_expiry) {
  auto result = verify_jwt(hs256_token(R"({"role":"anon","exp":1699999700})"), settings(), now);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().expired_seconds_ago, 300);
  EXPECT_EQ(jwt_failure_message(result.error()), "Token has expired 300 seconds ago");
}

TEST(jwt, clamps_seconds_ago_for_absurd_exp) {
  auto result =
    verify_jwt(hs256_token(R"({"role":"anon","exp":-9223372036854775808})"), settings(), now);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().expired_seconds_ago, std::numeric_limits<std::int64_t>::max());
}

TEST(jwt, rounds_fractional_exp_half_away_from_zero) {
  auto result = verify_jwt(hs256_token(R"({"role":"anon","exp":1700000010.5})"), settings(), now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exp, now + 11);
  EXPECT_EQ(result->claims.at("exp"), now + 11);
}

// Joken compares the unrounded value; at join Supabase then refuses the rounded
// exp <= now as "Token expiration time is invalid", which is the caller's check.
TEST(jwt, fractional_exp_just_after_now_passes_with_rounded_exp_now) {
  auto result = verify_jwt(hs256_token(R"({"role":"anon","exp":1700000000.3})"), settings(), now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exp, now);
}

// Supabase words expiry only for an integer exp; others are a generic claim error.
TEST(jwt, past_fractional_exp_is_an_invalid_claim) {
  auto result = verify_jwt(hs256_token(R"({"role":"anon","exp":1699999999.5})"), settings(), now);
  EXPECT_EQ(failure_code(result), errc::jwt_invalid_claims);
}

TEST(jwt, non_number_exp_is_an_invalid_claim) {
  for (std::string_view exp : {R"("1800000000")", "null", "true", "[1800000000]", "{}"}) {
    auto claims = std::string(R"({"role":"anon","exp":)") + std::string(exp) + "}";
    EXPECT_EQ(failure_code(verify_jwt(hs256_token(claims), settings(), now)),
              errc::jwt_invalid_claims)
      << exp;
  }
}

TEST(jwt, exp_beyond_int64_is_valid_and_clamped) {
  auto result =
    verify_jwt(hs256_token(R"({"role":"anon","exp":18446744073709551615})"), settings(), now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exp, std::numeric_limits<std::int64_t>::max());
}

TEST(jwt, refuses_a_token_not_valid_yet) {
  auto future = verify_jwt(hs256_token(R"({"role":"anon","exp":1700000060,"nbf":1800000000})"),
                           settings(), now);
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().code, errc::jwt_invalid_claims);
  auto text = verify_jwt(hs256_token(R"({"role":"anon","exp":1700000060,"nbf":"soon"})"),
                         settings(), now);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, errc::jwt_invalid_claims);
  EXPECT_TRUE(verify_jwt(hs256_token(R"({"role":"anon","exp":1700000060,"nbf":1600000000})"),
                         settings(), now));
}

TEST(jwt, invalid_expiration_message_and_code) {
  jwt_failure f{errc::jwt_invalid_expiration};
  EXPECT_EQ(jwt_failure_message(f), "Token expiration time is invalid");
  EXPECT_EQ(jwt_failure_code(f), "InvalidJWTToken");
}

// -- iat -----------------------------------------------------------------------

TEST(jwt, iat_must_be_a_number_when_present) {
  auto token = hs256_token(R"({"role":"anon","exp":1700000060,"iat":"1700000000"})");
  auto result = verify_jwt(token, settings(), now);
  EXPECT_EQ(failure_code(result), errc::jwt_invalid_claims);
  EXPECT_TRUE(verify_jwt(hs256_token(R"({"role":"anon","exp":1700000060})"), settings(), now));
}

TEST(jwt, rounds_fractional_iat_and_ignores_future_iat) {
  auto result = verify_jwt(hs256_token(R"({"role":"anon","exp":1700000060,"iat":1800000000.5})"),
                           settings(), now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->claims.at("iat"), 1800000001);
}

// -- validators ----------------------------------------------------------------

TEST(jwt, validators_accept_matching_claims) {
  auto s = settings_with_validators(R"({"iss":"supabase","aud":["a","b"],"lvl":1})");
  auto token = hs256_token(
    R"({"role":"anon","exp":1700000060,"iss":"supabase","aud":["a","b"],"lvl":1.0})");
  EXPECT_TRUE(verify_jwt(token, s, now));
}

TEST(jwt, validators_reject_differing_claims) {
  auto s = settings_with_validators(R"({"iss":"supabase"})");
  auto token = hs256_token(R"({"role":"anon","exp":1700000060,"iss":"someone-else"})");
  auto result = verify_jwt(token, s, now);
  EXPECT_EQ(failure_code(result), errc::jwt_invalid_claims);
  auto typed = hs256_token(R"({"role":"anon","exp":1700000060,"iss":1})");
  EXPECT_EQ(failure_code(verify_jwt(typed, s, now)), errc::jwt_invalid_claims);
}

TEST(jwt, validators_compare_nested_values) {
  auto s = settings_with_validators(R"({"app":{"tier":"pro","n":[1,2]}})");
  auto same = hs256_token(R"({"role":"anon","exp":1700000060,"app":{"n":[1,2.0],"tier":"pro"}})");
  EXPECT_TRUE(verify_jwt(same, s, now));
  auto other = hs256_token(R"({"role":"anon","exp":1700000060,"app":{"n":[1,2],"tier":"x"}})");
  EXPECT_EQ(failure_code(verify_jwt(other, s, now)), errc::jwt_invalid_claims);
  auto extra = hs256_token(
    R"({"role":"anon","exp":1700000060,"app":{"n":[1,2],"tier":"pro","x":0}})");
  EXPECT_EQ(failure_code(verify_jwt(extra, s, now)), errc::jwt_invalid_claims);
}

// Joken checks only the claims a token carries.
TEST(jwt, validators_skip_missing_claims) {
  auto s = settings_with_validators(R"({"iss":"supabase"})");
  EXPECT_TRUE(verify_jwt(hs256_token(R"({"role":"anon","exp":1700000060})"), s, now));
}

TEST(jwt, validators_for_exp_and_iat_are_ignored) {
  auto s = settings_with_validators(R"({"exp":1,"iat":"x"})");
  EXPECT_TRUE(
    verify_jwt(hs256_token(R"({"role":"anon","exp":1700000060,"iat":1700000000})"), s, now));
}

TEST(jwt, invalid_claims_message_and_code) {
  jwt_failure f{errc::jwt_invalid_claims};
  EXPECT_EQ(jwt_failure_message(f), "Unknown Error on Channel");
  EXPECT_EQ(jwt_failure_code(f), "");
}

// -- required claims -------------------------------------------------------------

TEST(jwt, requires_role_and_exp) {
  EXPECT_EQ(failure_code(verify_jwt(hs256_token(R"({"exp":1700000060})"), settings(), now)),
            errc::jwt_missing_claims);
  EXPECT_EQ(failure_code(verify_jwt(hs256_token(R"({"role":"anon"})"), settings(), now)),
            errc::jwt_missing_claims);
  EXPECT_EQ(failure_code(verify_jwt(hs256_token("{}"), settings(), now)), errc::jwt_missing_claims);
}

TEST(jwt, requires_role_to_be_a_string) {
  auto result = verify_jwt(hs256_token(R"({"role":7,"exp":1700000060})"), settings(), now);
  EXPECT_EQ(failure_code(result), errc::jwt_missing_claims);
}

TEST(jwt, missing_claims_message_and_code) {
  jwt_failure f{errc::jwt_missing_claims};
  EXPECT_EQ(jwt_failure_message(f), "Fields `role` and `exp` are required in JWT");
  EXPECT_EQ(jwt_failure_code(f), "InvalidJWTToken");
}

// -- precedence (JwtVerification.verify, then authorize_conn) --------------------

TEST(jwt, malformed_claims_win_over_signer_error) {
  auto token = raw_token(R"({"alg":"none"})", "[]");
  EXPECT_EQ(failure_code(verify_jwt(token, settings(), now)), errc::jwt_malformed);
}

TEST(jwt, signer_error_wins_over_undecodable_signature) {
  auto token = base64url_encode(R"({"alg":"RS256"})") + "." + base64url_encode(valid_claims) +
               ".!!not base64!!";
  EXPECT_EQ(failure_code(verify_jwt(token, settings(), now)), errc::jwt_signer_error);
}

TEST(jwt, bad_signature_wins_over_claim_failures) {
  auto token = hs256_token(R"({"exp":1,"iat":"x"})", "another secret");
  EXPECT_EQ(failure_code(verify_jwt(token, settings(), now)), errc::jwt_bad_signature);
}

TEST(jwt, expired_wins_over_missing_role) {
  auto result = verify_jwt(hs256_token(R"({"exp":1699999990})"), settings(), now);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, errc::jwt_expired);
  EXPECT_EQ(result.error().expired_seconds_ago, 10);
}

TEST(jwt, invalid_claim_wins_over_missing_role) {
  auto result = verify_jwt(hs256_token(R"({"exp":1700000060,"iat":"x"})"), settings(), now);
  EXPECT_EQ(failure_code(result), errc::jwt_invalid_claims);
}

// Joken stops at the first failing claim in byte order of the claim names.
TEST(jwt, first_failing_claim_by_name_wins) {
  auto validators = settings_with_validators(R"({"aud":"authenticated","iss":"supabase"})");
  auto expired_and_bad_iat = hs256_token(R"({"role":"anon","iat":"x","exp":1699999999})");
  EXPECT_EQ(failure_code(verify_jwt(expired_and_bad_iat, settings(), now)), errc::jwt_expired);
  auto expired_and_bad_iss = hs256_token(R"({"role":"anon","iss":"x","exp":1699999999})");
  EXPECT_EQ(failure_code(verify_jwt(expired_and_bad_iss, validators, now)), errc::jwt_expired);
  auto bad_aud_and_expired = hs256_token(R"({"role":"anon","exp":1699999999,"aud":"x"})");
  EXPECT_EQ(failure_code(verify_jwt(bad_aud_and_expired, validators, now)),
            errc::jwt_invalid_claims);
}

} // namespace
} // namespace rt::protocol
