# ModelMonitor as a container: `docker build -t modelmonitor .`, then
#   docker run --rm -p 9464:9464 -e MONITOR_API_TOKEN=change-me -v monitor-data:/data \
#     -v "$PWD/logs:/logs:ro" -v "$PWD/reference.jsonl:/etc/monitor/reference/reference.jsonl:ro" modelmonitor
# The image's default config (deploy/docker/monitor.yaml) follows /logs/*.jsonl, keeps the store
# in /data and listens on 0.0.0.0:9464; mount your own at /etc/monitor/monitor.yaml to change it.
# deploy/kubernetes/ runs it as a sidecar.
#
# scripts/check-image-libs repeats the build stage's `swift build` outside Docker and checks
# with ldd that the binary needs only the libraries the run stage installs (CI has no Docker).

# ---- build ----
FROM swift:6.3.1-bookworm AS build
# Debian stable's point releases pin these for us; exact versions would break on every update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev librdkafka-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product monitor --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/monitor" /out/monitor

# ---- run ----
FROM debian:bookworm-slim
# Only the shared libraries the binary links (the Swift runtime is linked statically, its C++
# support library is not), TLS roots for webhooks and time zones. Keep this list in step with scripts/check-image-libs.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 librdkafka1 libstdc++6 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --no-create-home monitor \
    && mkdir -p /data /etc/monitor \
    && chown 10001:10001 /data
COPY --from=build /out/monitor /usr/local/bin/monitor
COPY deploy/docker/monitor.yaml deploy/docker/alerts.yaml /etc/monitor/
COPY rules/*.yaml /etc/monitor/rules/
USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9464
# Liveness over the HTTP API without adding curl: bash's /dev/tcp sends one request and the
# status line must say 200.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9464 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["monitor"]
CMD ["run", "--config", "/etc/monitor/monitor.yaml"]
