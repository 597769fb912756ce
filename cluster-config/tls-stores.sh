#!/usr/bin/env bash
# Makes the key stores of cluster-config/tls.conf in DIR (default devemu-tls): node.p12 (one cluster key pair,
# shared by all nodes), trust.p12 (its certificate) and password (the stores' password, DEVEMU_TLS_PASSWORD if set,
# else 32 random bytes). Everything is readable by the owner only: umask 077 before anything is written, then
# chmod for stores that existed. See docs/cluster.md, "Security".
#   cluster-config/tls-stores.sh [DIR]
set -euo pipefail
umask 077
dir="${1:-devemu-tls}"
if [ -e "$dir/node.p12" ] || [ -e "$dir/trust.p12" ]; then
  echo "tls-stores.sh: $dir already holds key stores; remove them first" >&2
  exit 2
fi
mkdir -p "$dir"
chmod 700 "$dir"
password="${DEVEMU_TLS_PASSWORD:-$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')}"
printf '%s' "$password" > "$dir/password"
keytool -genkeypair -alias devemu -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
        -dname "CN=devemu-cluster" -validity 365 -storetype PKCS12 \
        -keystore "$dir/node.p12" -storepass:file "$dir/password" -keypass:file "$dir/password" >/dev/null 2>&1
keytool -exportcert -rfc -alias devemu -keystore "$dir/node.p12" -storepass:file "$dir/password" \
        -file "$dir/node.crt" >/dev/null 2>&1
keytool -importcert -noprompt -alias devemu -file "$dir/node.crt" -storetype PKCS12 \
        -keystore "$dir/trust.p12" -storepass:file "$dir/password" >/dev/null 2>&1
chmod 600 "$dir/node.p12" "$dir/trust.p12" "$dir/node.crt" "$dir/password"
echo "made $dir/node.p12 and $dir/trust.p12 (owner-only); their password is in $dir/password"
