#!/bin/bash
# The entrypoint of the membership-manager image: a drop-in for
# citusdata/membership-manager in Citus's docker-compose.yml. It reads that
# image's contract and runs the sidecar, never as root:
#   - the coordinator from CITUS_HOST (default master), POSTGRES_USER (default
#     postgres), POSTGRES_DB (default the user) and POSTGRES_PASSWORD or
#     PGPASSWORD (given to libpq in the environment, never on a command line);
#   - the workers: containers labelled com.citusdata.role=Worker in this
#     container's compose project, by container name, port 5432, through the
#     Docker socket at /var/run/docker.sock (the image's settings);
#   - /healthcheck/manager-ready, removed at start and made once the
#     coordinator is reached, for the workers' wait-for-manager.sh.
# Started as root (Citus's file has no user:), it gives the image's user the
# socket's group, makes the ready file's folder its own, and execs the sidecar
# as that user: the container's PID 1 is then the sidecar, and SIGTERM stops it.
# Any WORKERLISTGEN_* setting given still wins over these. Arguments go to the
# binary, so `docker exec MANAGER membership-manager.sh status` runs a command
# with the same settings.
set -euo pipefail

# A libpq connection string value, quoted.
conninfo_value() { local v=${1//\\/\\\\}; printf "'%s'" "${v//\'/\\\'}"; }

if [[ -z "${WORKERLISTGEN_COORDINATOR:-}" && -z "${WORKERLISTGEN_COORDINATOR_FILE:-}" ]]; then
  user=${POSTGRES_USER:-postgres}
  export WORKERLISTGEN_COORDINATOR="host=$(conninfo_value "${CITUS_HOST:-master}") port=5432 user=$(conninfo_value "$user") dbname=$(conninfo_value "${POSTGRES_DB:-$user}")"
fi
if [[ -z "${PGPASSWORD:-}" && -n "${POSTGRES_PASSWORD:-}" ]]; then
  export PGPASSWORD=$POSTGRES_PASSWORD
fi
if [[ -z "${PGPASSWORD:-}" && -z "${PGPASSFILE:-}" && -n "${POSTGRES_PASSWORD_FILE:-}" ]]; then
  export PGPASSWORD=$(<"$POSTGRES_PASSWORD_FILE") # as the postgres image reads it
fi

if [[ "$(id -u)" != 0 ]]; then # a user: was given; it brings its own groups
  exec dockercloud-workerlistgen "$@"
fi

socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
socket=${socket#unix://}
groups=()
if [[ -S "$socket" ]]; then
  groups=(--groups "$(stat -c %g "$socket")")
else
  groups=(--clear-groups) # the sidecar says what is missing, and waits for it
fi
# The sidecar removes a ready file left from before, and makes it once it
# reaches the coordinator: in a volume another container made first, the
# default folder may be root's, so it is made the image user's. Another folder
# is left as it is.
if [[ "$(dirname "${WORKERLISTGEN_READY_FILE:-}")" == /healthcheck && -d /healthcheck ]]; then
  chown workerlistgen /healthcheck
fi
# libpq reads ~/.postgresql: not root's.
export HOME=/nonexistent
exec setpriv --reuid=workerlistgen --regid=workerlistgen "${groups[@]}" --inh-caps=-all --bounding-set=-all \
  -- dockercloud-workerlistgen "$@"
