#!/usr/bin/env bash
# Installs the system programs the test suite drives for real (Debian packages),
# when they are missing. Runs before `npm test`; a no-op when all are present.
set -euo pipefail
# program:package pairs: add one here when a test starts driving a new system program.
# ip and iptables: the chaos suite's kernel faults, in network namespaces it makes (test/chaos.test.ts).
DEPS=(tinyproxy:tinyproxy chromium:chromium redis-server:redis-server janus:janus ip:iproute2 iptables:iptables)
need=()
for pair in "${DEPS[@]}"; do
  prog=${pair%%:*}
  pkg=${pair##*:}
  command -v "$prog" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: missing ${need[*]} and no apt-get to install them" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "ensure-test-deps: installing ${need[*]}"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
