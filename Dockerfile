# dockercloud-workerlistgen: build on Debian 12, run on a slim Debian 12 with
# only the shared libraries the binary links against. Two images: the
# sidecar (the default target) and membership-manager (--target
# membership-manager), the drop-in for Citus's compose file.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkgconf \
      libcaf-dev libboost1.81-dev libsimdjson-dev libspdlog-dev libfmt-dev libssl-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the build reads, so that a change to the tests, scripts or docs
# reuses the cached build layers.
COPY CMakeLists.txt ./
COPY cmake cmake
COPY protocol protocol
COPY config config
COPY pq pq
COPY policy policy
COPY net net
COPY runtime runtime
COPY actors actors
COPY app app
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DWLG_BUILD_TESTS=OFF -DWLG_BUILD_BENCHMARKS=OFF \
 && cmake --build /build --target dockercloud-workerlistgen \
 && strip /build/bin/dockercloud-workerlistgen

# What both images run: the binary, its libraries, its scripts and user.
FROM debian:bookworm-slim AS runtime
# apt's package caches (*.bin) are removed too: a base image without Docker's
# apt-clean configuration would otherwise keep 50 MB of them in this layer.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcaf-core0.17 libsimdjson14 libspdlog1.10 libfmt9 libssl3 libpq5 ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && useradd --system --uid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin workerlistgen
COPY --from=build /build/bin/dockercloud-workerlistgen /usr/local/bin/dockercloud-workerlistgen
COPY reload.sh healthcheck.sh membership-manager.sh /usr/local/bin/
ENV WORKERLISTGEN_LISTEN=127.0.0.1:9753
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["healthcheck.sh"]

# A drop-in for citusdata/membership-manager in Citus's docker-compose.yml
# (docker build --target membership-manager): that image's contract as the
# defaults, read by membership-manager.sh, which starts as root only to give
# the socket's group to the image's user, then runs the sidecar as that user.
FROM runtime AS membership-manager
ENV WORKERLISTGEN_SOURCE=engine \
    WORKERLISTGEN_TARGET=citus \
    WORKERLISTGEN_WORKER_NAME=name \
    DOCKER_HOST=unix:///var/run/docker.sock \
    WORKERLISTGEN_READY_FILE=/healthcheck/manager-ready
RUN mkdir /healthcheck && chown workerlistgen: /healthcheck
ENTRYPOINT ["membership-manager.sh"]

# The default target: the sidecar with the Docker Cloud sidecar's defaults,
# every setting from the environment (the README's "Container image").
FROM runtime AS sidecar
ENV CITUS_CONFDIR=/etc/citus \
    CITUS_SERVICE_NAME=master
RUN mkdir -p /etc/citus && chown workerlistgen: /etc/citus
VOLUME /etc/citus
# Not root: the Docker socket is reached through its group (--group-add), see
# the README's "Container image" section.
USER workerlistgen
# The binary is the entrypoint, so `docker run IMAGE --once` and `docker run
# IMAGE --help` hand their flags to it.
ENTRYPOINT ["dockercloud-workerlistgen"]
