#include "rt/protocol/cluster_proof.hpp"

#include <gtest/gtest.h>

namespace rt::protocol {
namespace {

TEST(cluster_proof, a_proof_is_valid_for_its_secret_and_name_only) {
  auto proof = cluster_proof("s3cret", "node-a");
  EXPECT_TRUE(cluster_proof_valid("s3cret", "node-a", proof));
  EXPECT_FALSE(cluster_proof_valid("s3cret", "node-b", proof));
  EXPECT_FALSE(cluster_proof_valid("other", "node-a", proof));
  EXPECT_FALSE(cluster_proof_valid("s3cret", "node-a", ""));
  EXPECT_FALSE(cluster_proof_valid("s3cret", "node-a", proof.substr(1)));
}

TEST(cluster_proof, the_proof_does_not_contain_the_secret) {
  auto proof = cluster_proof("a-long-cluster-secret", "n");
  EXPECT_EQ(proof.find("a-long-cluster-secret"), std::string::npos);
  EXPECT_EQ(proof.size(), 43u); // SHA-256, base64url without padding
}

TEST(cluster_proof, without_a_secret_every_proof_is_accepted) {
  EXPECT_TRUE(cluster_proof_valid("", "node-a", ""));
  EXPECT_TRUE(cluster_proof_valid("", "node-a", "anything"));
}

} // namespace
} // namespace rt::protocol
