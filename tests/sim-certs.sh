#!/bin/sh
# SPDX-License-Identifier: MIT
# sim-certs.sh DIR: make the throw-away PKI the HTTPS simulator (cma-sim) and
# the API tests use.  Needs certtool (Debian: gnutls-bin).  Quiet on success.
#
#   ca.pem, ca-key.pem                  test CA the client is told to trust
#   server.pem, server-key.pem          127.0.0.1 + localhost, valid now, and
#                                       the Atlassian hosts doctor tests
#                                       (reached through CMA_CONNECT_TO)
#   wrong-name.pem, wrong-name-key.pem  valid, but only for wrong.example
#   expired.pem, expired-key.pem        127.0.0.1, validity ended in 2020
#   future.pem, future-key.pem          127.0.0.1, validity starts in 2090
#   other-ca.pem, other-ca-key.pem      unrelated CA ("unknown issuer")
set -e

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
mkdir -p "$dir"
cd "$dir"

command -v certtool >/dev/null 2>&1 || {
  echo "$0: certtool not found (install gnutls-bin)" >&2
  exit 77
}

# ECDSA keys: generating them is instant, unlike RSA.
key () {
  certtool --generate-privkey --key-type=ecdsa --outfile "$1" >/dev/null 2>&1
}

# run LOG ARGS...: keep certtool's chatter unless it fails.
run () {
  log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

ca () {
  name=$1
  key "$name-key.pem"
  cat >"$name.tmpl" <<EOF
cn = "cma-sim $name"
ca
cert_signing_key
crl_signing_key
expiration_days = 3650
EOF
  run "$name.log" certtool --generate-self-signed --template "$name.tmpl" \
    --load-privkey "$name-key.pem" --outfile "$name.pem"
  rm -f "$name.tmpl"
}

# leaf NAME TEMPLATE-LINES: a TLS server certificate signed by ca.pem.
leaf () {
  name=$1
  key "$name-key.pem"
  {
    echo "cn = \"cma-sim $name\""
    echo "tls_www_server"
    echo "signing_key"
    echo "encryption_key"
    printf '%s\n' "$2"
  } >"$name.tmpl"
  run "$name.log" certtool --generate-certificate --template "$name.tmpl" \
    --load-privkey "$name-key.pem" \
    --load-ca-certificate ca.pem --load-ca-privkey ca-key.pem \
    --outfile "$name.pem"
  rm -f "$name.tmpl"
}

ca ca
ca other-ca

# The hosts of Atlassian's migration allowlist (lib/cma-allowlist.c), the
# tests' cloud site standing for *.atlassian.net.
atlassian_names='dns_name = "api.atlassian.com"
dns_name = "api-private.atlassian.com"
dns_name = "api.media.atlassian.com"
dns_name = "migration.atlassian.com"
dns_name = "marketplace.atlassian.com"
dns_name = "rps--prod-east--app-migration-service--ams.s3.amazonaws.com"
dns_name = "rps--prod-west2--migration-orchestrator--task-data-repository.s3.us-west-2.amazonaws.com"
dns_name = "rps--prod-west2--migration-catalogue--migration-storage.s3.us-west-2.amazonaws.com"
dns_name = "acme.atlassian.net"'

leaf server "ip_address = \"127.0.0.1\"
dns_name = \"localhost\"
$atlassian_names
expiration_days = 3650"

leaf wrong-name 'dns_name = "wrong.example"
expiration_days = 3650'

leaf expired 'ip_address = "127.0.0.1"
dns_name = "localhost"
activation_date = "2019-01-01 00:00:00"
expiration_date = "2020-01-01 00:00:00"'

leaf future 'ip_address = "127.0.0.1"
dns_name = "localhost"
activation_date = "2090-01-01 00:00:00"
expiration_date = "2091-01-01 00:00:00"'
