#!/usr/bin/env bash
# make-test-certs.sh DIR HOSTNAME
# A test CA (DIR/ca.pem) and a server certificate for HOSTNAME signed by it
# (DIR/server.pem, DIR/server.key), made with the openssl command.
set -euo pipefail
dir=$1
host=$2
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout ca.key -out ca.pem -subj "/CN=workerlistgen test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout server.key -out server.csr -subj "/CN=$host" 2>/dev/null
printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$host" >ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile ext.cnf -out server.pem 2>/dev/null
# A hashed directory of trusted certificates, for SSL_CERT_DIR.
mkdir -p trusted
cp ca.pem trusted/
openssl rehash trusted 2>/dev/null || c_rehash trusted >/dev/null
