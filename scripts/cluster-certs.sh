#!/usr/bin/env bash
# cluster-certs.sh OUTDIR NODE [NODE...]: certificates for CLUSTER_TLS_*
#
# Creates (only if missing -> idempotent) in OUTDIR:
#   ca.key, ca.pem               cluster CA (EC P-256, self-signed, CA:TRUE)
#   <node>.key, <node>.pem       node key + cert signed by ca.pem
#                                CN=<node>, SAN=DNS:<node>,DNS:localhost,IP:127.0.0.1
#                                EKU serverAuth+clientAuth (usable for both TLS roles)
# Env: CA_CN (default "realtime-cluster-ca"), DAYS (default 3650), EXTRA_SAN (e.g. "IP:10.0.0.5").
# Keys are unencrypted PEM (PKCS#8); chmod 600.
# Another cluster (or a stranger) is another OUTDIR with its own CA.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OUTDIR NODE [NODE...]" >&2; exit 2; }
out=$1; shift
mkdir -p "$out"
cd "$out"
umask 077
DAYS=${DAYS:-3650}
CA_CN=${CA_CN:-realtime-cluster-ca}

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [ ! -s ca.key ] || [ ! -s ca.pem ]; then
  newkey ca.key
  openssl req -x509 -new -key ca.key -sha256 -days "$DAYS" -subj "/CN=$CA_CN" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out ca.pem
fi

for n in "$@"; do
  [ -s "$n.key" ] && [ -s "$n.pem" ] && continue
  newkey "$n.key"
  san="DNS:$n,DNS:localhost,IP:127.0.0.1${EXTRA_SAN:+,$EXTRA_SAN}"
  openssl req -new -key "$n.key" -subj "/CN=$n" -out "$n.csr"
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyAgreement" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=$san" \
    "authorityKeyIdentifier=keyid" > "$n.ext"
  openssl x509 -req -in "$n.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
    -sha256 -days "$DAYS" -extfile "$n.ext" -out "$n.pem" 2>/dev/null
  rm -f "$n.csr" "$n.ext"
done
chmod 600 ./*.key
chmod 644 ./*.pem
