#!/bin/bash
# The image's HEALTHCHECK: exit 0 when GET /healthz on $WORKERLISTGEN_LISTEN
# answers 200, 1 otherwise. Uses only bash (no curl or wget in the image).
set -u
listen=${WORKERLISTGEN_LISTEN:-}
if [[ -z "$listen" ]]; then
  echo "WORKERLISTGEN_LISTEN is not set: no health endpoint to ask" >&2
  exit 1
fi
host=${listen%:*}
port=${listen##*:}
host=${host#[}
host=${host%]}
[[ "$host" == "0.0.0.0" ]] && host=127.0.0.1
[[ "$host" == "::" ]] && host=::1
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 5 status_line <&3 || exit 1
body=$(timeout 5 cat <&3 | tail -n 1)
echo "$body"
[[ "$status_line" == *" 200 "* ]]
