#pragma once

// The proof a node shows the others that it knows the cluster secret,
// without sending the secret itself: HMAC-SHA256(secret, "rt-cluster:" +
// node name), base64url. It keeps strangers that can reach the cluster port
// out of the membership; it does not hide traffic (use TLS for that).

#include <string>
#include <string_view>

namespace rt::protocol {

/// The proof for node `name` under `secret`.
[[nodiscard]] std::string cluster_proof(std::string_view secret, std::string_view name);

/// Whether `proof` is node `name`'s proof under `secret` (constant time). An
/// empty secret accepts every proof.
[[nodiscard]] bool cluster_proof_valid(std::string_view secret, std::string_view name,
                                       std::string_view proof);

} // namespace rt::protocol
