#!/usr/bin/env bash
# Builds CAF's core library (the only one the project loads) from Debian's own source package
# (actor-framework, the version libcaf-dev ships) with a sanitizer, for
# scripts/sanitize.sh thread. ThreadSanitizer sees only instrumented code:
# with Debian's uninstrumented libcaf, an actor's hand-over between worker
# threads goes through atomics it cannot see, and it reports every actor's
# state as raced. The sidecar links libcaf_core.so.0.17.6 dynamically, so
# these libraries replace the packaged ones through LD_LIBRARY_PATH, with no
# rebuild of the project.
#   scripts/instrumented-caf.sh thread DIR   -> DIR/lib/libcaf_core.so.0.17.6
# Later calls with the libraries in place return at once.
set -euo pipefail
kind=${1:?usage: scripts/instrumented-caf.sh thread DIR}
dir=${2:?usage: scripts/instrumented-caf.sh thread DIR}
[[ "$kind" == thread ]] || { echo "only 'thread' needs an instrumented CAF" >&2; exit 2; }
if [[ -e "$dir/lib/libcaf_core.so.0.17.6" ]]; then
  exit 0
fi
version=$(dpkg-query -W -f='${Version}' libcaf-dev)
version=${version%+b*} # a binary rebuild (+bN) comes from the same source version
upstream=${version%%-*}
mkdir -p "$dir/apt/lists/partial" "$dir/apt/parts" "$dir/src"
dir=$(cd "$dir" && pwd)
# Debian's source archive, through an apt configuration of our own: the
# system's sources stay as they are.
sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$dir/apt/parts/debian.sources"
apt_options=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$dir/apt/parts"
             -o "Dir::State::Lists=$dir/apt/lists")
apt-get "${apt_options[@]}" update -qq
(cd "$dir/src" && apt-get "${apt_options[@]}" source -qq --tar-only "actor-framework=$version")
tar -xzf "$dir/src/actor-framework_${upstream}.orig.tar.gz" -C "$dir/src"
cmake -S "$dir/src/actor-framework-${upstream}" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O1 -g1 -fsanitize=thread -Wno-tsan" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
  -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_TOOLS=yes -DCAF_NO_PYTHON=yes \
  -DCAF_NO_OPENCL=yes -DCAF_NO_OPENSSL=yes -DCAF_NO_SUMMARY=yes >/dev/null
cmake --build "$dir/build" -j"$(nproc)" --target libcaf_core_shared
mkdir -p "$dir/lib"
find "$dir/build" -name 'libcaf_core.so*' | xargs -I{} cp -P {} "$dir/lib/"
ls "$dir/lib/libcaf_core.so.0.17.6" >/dev/null
