#!/usr/bin/env bash
# Runs netsplit.netns.mjs inside network namespaces of its own: the test
# (and its clients) in T, cluster node A in namespace A, nodes B and C in
# namespace B. T reaches A and B over veth links of their own; A and B reach
# each other only over the A-B link, which the test takes down (a netsplit)
# and up again. Needs root (ip netns); exits 77 (skipped) without it.
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "skipped: needs root and iproute2 for network namespaces"
  exit 77
fi
tag="rt$$"
T="${tag}t" A="${tag}a" B="${tag}b"
cleanup() { for ns in "$T" "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done; }
trap cleanup EXIT
if ! ip netns add "$T" 2>/dev/null; then
  echo "skipped: cannot create network namespaces here"
  exit 77
fi
ip netns add "$A"
ip netns add "$B"
for ns in "$T" "$A" "$B"; do ip -n "$ns" link set lo up; done
# link NAME1 NS1 ADDR1 NAME2 NS2 ADDR2
link() {
  ip link add "$1" netns "$2" type veth peer name "$4" netns "$5"
  ip -n "$2" addr add "$3/24" dev "$1"
  ip -n "$5" addr add "$6/24" dev "$4"
  ip -n "$2" link set "$1" up
  ip -n "$5" link set "$4" up
}
link "${tag}ta" "$T" 10.77.1.1 "${tag}at" "$A" 10.77.1.2
link "${tag}tb" "$T" 10.77.2.1 "${tag}bt" "$B" 10.77.2.2
link "${tag}ab" "$A" 10.77.3.1 "${tag}ba" "$B" 10.77.3.2
ip netns exec "$T" env NETSPLIT_NS_A="$A" NETSPLIT_NS_B="$B" \
  NETSPLIT_LINK_A="${tag}ab" NETSPLIT_LINK_B="${tag}ba" \
  node --test --test-concurrency=1 netsplit.netns.mjs
