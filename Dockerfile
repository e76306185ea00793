# ModelMonitor: `docker build -t modelmonitor .` then
#   docker run --rm -v "$PWD:/data" -p 9464:9464 modelmonitor run --config /data/monitor.yaml
# (set `http.listen: 0.0.0.0:9464` in the config to reach /metrics from outside the container).

# ---- build ----
FROM swift:6.1-bookworm AS build
# Debian stable's point releases pin these for us; exact versions would break on every update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product monitor --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/monitor" /out/monitor

# ---- run ----
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/monitor --create-home monitor
COPY --from=build /out/monitor /usr/local/bin/monitor
COPY rules /etc/monitor/rules
COPY alerts /etc/monitor/alerts
USER 10001
WORKDIR /var/lib/monitor
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/monitor"]
CMD ["--help"]
