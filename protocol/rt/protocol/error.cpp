#include "rt/protocol/error.hpp"

namespace rt::protocol {

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::malformed_json: return "malformed_json";
    case errc::malformed_message: return "malformed_message";
    case errc::field_too_long: return "field_too_long";
    case errc::unknown_binary_kind: return "unknown_binary_kind";
    case errc::binary_not_supported: return "binary_not_supported";
    case errc::invalid_payload_encoding: return "invalid_payload_encoding";
    case errc::ws_protocol_error: return "ws_protocol_error";
    case errc::ws_message_too_big: return "ws_message_too_big";
    case errc::ws_invalid_utf8: return "ws_invalid_utf8";
    case errc::jwt_malformed: return "jwt_malformed";
    case errc::jwt_bad_signature: return "jwt_bad_signature";
    case errc::jwt_signer_error: return "jwt_signer_error";
    case errc::jwt_expired: return "jwt_expired";
    case errc::jwt_invalid_expiration: return "jwt_invalid_expiration";
    case errc::jwt_missing_claims: return "jwt_missing_claims";
    case errc::jwt_invalid_claims: return "jwt_invalid_claims";
  }
  return "unknown";
}

} // namespace rt::protocol
