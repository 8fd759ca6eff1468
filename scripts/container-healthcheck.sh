#!/usr/bin/env bash
# Readiness probe for images without curl or wget (the aspnet and debootstrap bases): a bare HTTP/1.1 GET
# over bash's /dev/tcp. Exit 0 only on a 200 from /health/ready.
#   container-healthcheck.sh [port] [path]      defaults: $HEALTHCHECK_PORT or 8080, /health/ready
set -u

port="${1:-${HEALTHCHECK_PORT:-8080}}"
path="${2:-/health/ready}"

exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status_line <&3 || exit 1
exec 3<&-

case "$status_line" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "GET $path on port $port: ${status_line%$'\r'}" >&2; exit 1 ;;
esac
