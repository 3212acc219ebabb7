#!/usr/bin/env bash
# Makes Citus available to the --target=citus tests, when it can:
#   - already installed into PostgreSQL 15: nothing to do;
#   - a Citus source kit (install-citus.sh and its tarball) in $WLG_CITUS_KIT, by default
#     ../shared/citus beside this checkout: builds and installs it (about 2 minutes, once);
#   - neither: says how to get Citus; the Citus tests then skip themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
pkglibdir=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir 2>/dev/null || true)
if [[ -n "$pkglibdir" && -f "$pkglibdir/citus.so" ]]; then
  exit 0
fi
kit=${WLG_CITUS_KIT:-../shared/citus}
if [[ -x "$kit/install-citus.sh" ]]; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo "$kit/install-citus.sh" | tail -1
  exit 0
fi
echo "Citus is not installed: the --target=citus tests will be skipped. Install Citus 13 for" \
     "PostgreSQL 15 (the Citus packages for Debian, or a source tree: ./configure && make install)," \
     "or point WLG_CITUS_KIT at a kit with install-citus.sh." >&2
