#!/bin/sh
# Forces a full resync, a rewrite of the worker list and a signal to the
# master, as the original's reload.sh did.
set -eu
kill -USR1 "$(cat "${WORKERLISTGEN_PID_FILE:-/tmp/dockercloud-workerlistgen.pid}")"
