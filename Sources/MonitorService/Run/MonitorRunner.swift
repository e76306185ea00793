import AsyncHTTPClient
import Foundation
public import Logging
import MonitorAlerting
public import MonitorCore
import MonitorRules
import MonitorStore
import ServiceLifecycle
import UnixSignals
import Synchronization

/// What `monitor run` was asked to do.
public struct RunRequest: Sendable {
    public var configPath: String
    /// Read the sources to their end, close every window, evaluate, deliver, exit.
    public var once: Bool
    /// Overrides `http.listen` (tests use port 0).
    public var listenOverride: (host: String, port: Int)?
    /// Called with the HTTP port once the server listens.
    public var onListening: (@Sendable (Int) -> Void)?
    /// How long `--once` keeps delivering (retries included) before it exits; what is still
    /// pending then stays in the outbox for the next run.
    public var deliveryDeadline: Duration = .seconds(30)
    /// Environment for `${VAR}` secrets (the process environment by default).
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init(configPath: String, once: Bool) {
        self.configPath = configPath
        self.once = once
    }
}

/// What a `monitor run` did.
public struct RunOutcome: Sendable {
    public var totals: RunTotals
    public var storePath: String
    /// The alerts active when the run ended.
    public var activeAlerts: [Alert]
    public var profiles: [String]
    /// Notifications still in the outbox when the run ended.
    public var notificationsPending = 0
}

/// `monitor run`: the streaming monitor (DESIGN §11).
public enum MonitorRunner {
    /// Runs until the input ends (`--once`) or SIGTERM/SIGINT (service mode), then checkpoints.
    public static func run(_ request: RunRequest, logger: Logger) async throws(ServiceError) -> RunOutcome {
        // Service mode: a SIGTERM/SIGINT that arrives while the service starts (profiles, store,
        // Kafka consumers) is remembered and honoured once the pipeline runs, instead of killing
        // the process before its signal handlers exist.
        if !request.once { EarlyTermination.install() }
        let (loadedOpt, diags) = ConfigLoader.load(path: request.configPath)
        for d in diags where d.severity == .warning { logger.warning("\(d.description)") }
        guard let loaded = loadedOpt else {
            throw .config(diags.filter { $0.severity == .error }.map(\.description).joined(separator: "\n"))
        }
        let (ruleSetOpt, ruleDiags) = RuleSet.load(loaded.ruleTexts.map { ($0.path, $0.text) })
        guard let ruleSet = ruleSetOpt else {
            throw .config(ruleDiags.filter { $0.severity == .error }.map(\.description).joined(separator: "\n"))
        }
        let config = loaded.config
        guard config.sources.contains(where: { $0.kind == .predictions }) else {
            throw .config("\(config.path): no prediction source: add `sources: [{name: predictions, path: FILE}]`")
        }
        let storePath = loaded.resolve(config.store.path)
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: storePath, configuration: .init(synchronous: config.store.synchronous == .full ? .full : .normal))
        } catch {
            throw .io("\(storePath): \(error)")
        }
        defer { store.close() }
        let now = Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        let profiles = try ReferenceProfiles(loaded: loaded, store: store, now: now)
        for line in profiles.summary { logger.info("reference: \(line)") }
        let status = ServiceStatus(metrics: SelfMetrics(), startedAt: now)
        status.setConfig(path: request.configPath, hash: ConfigRecord(text: Pipeline.effectiveConfigText(loaded)).hash)
        status.metrics.set("monitor_config_last_reload_successful", [], 1)
        // The API token matters only to a server: --once serves nothing.
        let token = request.once || !config.http.enabled ? nil : try APIToken.resolve(loaded, environment: request.environment)
        // The outbox sender: its own HTTP client and task; the pipeline only inserts rows.
        let client = WebhookSender.makeClient()
        var senders: [String: any NotificationSender] = [:]
        do throws(ServiceError) {
            let externalURL = config.http.enabled ? "http://\(config.http.host):\(config.http.port)" : ""
            if let file = loaded.alertsFiles.first {
                senders = try NotificationSetup.senders(for: file, client: client, environment: request.environment, externalURL: externalURL)
            }
            // Retraining-trigger sinks share the outbox and its dispatcher (DESIGN §9).
            senders.merge(try RegistrySetup.senders(for: loaded, client: client, environment: request.environment)) { a, _ in a }
        } catch {
            try? await client.shutdown()
            throw error
        }
        let faults = FaultInjection(environment: request.environment)
        let dispatcher = OutboxDispatcher(
            store: store, senders: senders, clock: ContinuousClock(), now: wallClockNow, logger: logger,
            onEvent: { [status] in
                NotificationSetup.record($0, metrics: status.metrics)
                if case .pending(let n) = $0 { status.setOutboxPending(n) }
            },
            afterSend: { _ in faults.hit(.afterSend) })
        let pipeline: Pipeline
        do throws(ServiceError) {
            pipeline = try Pipeline(loaded: loaded, store: store, profiles: profiles, rules: ruleSet, status: status,
                                    logger: logger, once: request.once)
        } catch {
            try? await client.shutdown()
            throw error
        }
        pipeline.faults = faults
        logger.info("monitor run started", metadata: [
            "config": "\(request.configPath)", "store": "\(storePath)", "rules": "\(ruleSet.rules.count)",
            "mode": "\(request.once ? "once" : "service")"])

        if request.once {
            do {
                // Checkpoints as in service mode, so a crashed backfill resumes where it was.
                let clock = ContinuousClock()
                let interval = Duration.milliseconds(config.store.checkpointInterval)
                var lastCheckpoint = clock.now
                while true {
                    let progressed = try pipeline.step()
                    if !progressed, pipeline.sources.allSatisfy(\.atEnd), pipeline.labels?.sources.allSatisfy(\.atEnd) ?? true { break }
                    if !progressed { usleep(10_000) }  // a Kafka source still reaching its partitions' ends
                    // Bounded transactions: results, and label-join operations since the last commit.
                    if clock.now - lastCheckpoint >= interval || pipeline.pending.results.count > 1000
                        || (pipeline.labels?.operationsSinceCheckpoint ?? 0) > 250_000
                    {
                        try pipeline.checkpoint()
                        lastCheckpoint = clock.now
                    }
                }
                try pipeline.closeAll()
                try pipeline.checkpoint(force: true, finalFlush: true)
            } catch {
                pipeline.close()
                try? await client.shutdown()
                throw error
            }
            pipeline.close()
            // A hard deadline: a delivery that hangs past it is cancelled and stays pending.
            let deadline = request.deliveryDeadline
            let draining = Task { await dispatcher.drain(deadline: deadline) }
            let pending: Int
            if let n = await OutboxService.value(of: draining, within: deadline + .milliseconds(500)) {
                pending = n
            } else {
                draining.cancel()
                // The cancelled attempt records itself (a retryable error: what `triggers list`
                // and the outbox show as the last error) before the process exits.
                _ = await OutboxService.value(of: draining, within: .seconds(2))
                pending = (try? store.pendingNotificationCount()) ?? 0
            }
            try? await client.shutdown()
            var outcome = RunOutcome(totals: pipeline.totals, storePath: storePath, activeAlerts: pipeline.activeAlerts,
                                     profiles: profiles.summary)
            outcome.notificationsPending = pending
            return outcome
        }

        let externalURL = config.http.enabled ? "http://\(config.http.host):\(config.http.port)" : ""
        let apiToken = APIToken(token)
        let reloader = ConfigReloader(configPath: request.configPath, environment: request.environment, client: client,
                                      externalURL: externalURL, status: status, logger: logger, initial: loaded)
        let runner = PipelineService(pipeline: pipeline, checkpointInterval: config.store.checkpointInterval,
                                     pollInterval: config.sources.map(\.pollInterval).min() ?? 1000, logger: logger,
                                     reloader: reloader) { reload in
            // Pipeline thread, between two steps: receivers, token and log level follow the rules.
            var senders = reload.senders
            for (key, sink) in dispatcher.senders where key.hasPrefix(TriggerOutbox.receiver + "/") { senders[key] = sink }
            dispatcher.replaceSenders(senders)
            apiToken.replace(reload.apiToken)
            LogSetup.apply(level: reload.loaded.config.logging.level)
        }
        // Services stop in reverse order: HTTP, then the pipeline (intake stops, final
        // checkpoint with the source offsets), then the outbox, which delivers what that
        // checkpoint added for at most shutdown.delivery_deadline before it exits.
        let outbox = OutboxService(dispatcher: dispatcher, drainDeadline: .milliseconds(config.shutdown.deliveryDeadline), logger: logger)
        var apiStore: SQLiteStore?
        defer { apiStore?.close() }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: outbox, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: runner, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if config.http.enabled {
            let host = request.listenOverride?.host ?? config.http.host
            let port = request.listenOverride?.port ?? config.http.port
            let onListening = request.onListening
            // The API's own connection (silences, window results): reads never wait on the pipeline's.
            let store: SQLiteStore
            do { store = try SQLiteStore(path: storePath) } catch {
                try? await client.shutdown()
                throw .io("\(storePath): \(error)")
            }
            apiStore = store
            let api = HTTPServer.API(store: store, reloader: reloader, token: apiToken)
            let app = HTTPServer.make(status: status, api: api, host: host, port: port, logger: logger) { bound in
                logger.info("listening", metadata: ["address": "\(host):\(bound)"])
                onListening?(bound)
            }
            services.append(.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        // Signals are handled here rather than by the group: SIGHUP reloads, the first SIGTERM or
        // SIGINT drains, a second one exits at once.
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
        // Trapped before the group starts, so a signal after "pipeline running" is never lost.
        let trapped = await UnixSignalsSequence(trapping: .sighup, .sigterm, .sigint)
        let signals = Task { await SignalHandling.run(trapped, group: group, reloader: reloader, logger: logger) }
        do {
            try await group.run()
        } catch {
            signals.cancel()
            try? await client.shutdown()
            throw .io("\(error)")
        }
        signals.cancel()
        try? await client.shutdown()
        if let failure = runner.failure { throw failure }
        return RunOutcome(totals: pipeline.totals, storePath: storePath, activeAlerts: pipeline.activeAlerts,
                          profiles: profiles.summary)
    }
}

/// Runs the pipeline on its own thread (file reads and SQLite block; the Swift concurrency
/// pool has two threads here and must stay free for HTTP), and stops it on graceful shutdown
/// after a final checkpoint.
final class PipelineService: Service, @unchecked Sendable {
    let pipeline: Pipeline
    let checkpointInterval: Duration
    let pollInterval: Duration
    let logger: Logger
    let stop = Atomic<Bool>(false)
    private let failureBox = Mutex<ServiceError?>(nil)
    var failure: ServiceError? { failureBox.withLock { $0 } }

    let reloader: ConfigReloader?
    let onReload: (ValidatedReload) -> Void

    init(pipeline: Pipeline, checkpointInterval: Int64, pollInterval: Int64, logger: Logger, reloader: ConfigReloader? = nil,
         onReload: @escaping (ValidatedReload) -> Void = { _ in }) {
        self.pipeline = pipeline
        self.reloader = reloader
        self.onReload = onReload
        self.checkpointInterval = .milliseconds(checkpointInterval)
        self.pollInterval = .milliseconds(pollInterval)
        self.logger = logger
    }

    func run() async throws {
        // The service group has installed its SIGTERM/SIGINT handlers by now: from here on a
        // signal drains (tests wait for this line before sending one).
        logger.info("pipeline running; SIGTERM or SIGINT drains")
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, any Error>) in
                let thread = Thread { [self] in
                    do {
                        try self.loop()
                        cont.resume()
                    } catch {
                        self.failureBox.withLock { $0 = error as? ServiceError ?? .io("\(error)") }
                        cont.resume(throwing: error)
                    }
                }
                thread.name = "monitor-pipeline"
                thread.start()
            }
        } onGracefulShutdown: { [self] in
            self.stop.store(true, ordering: .relaxed)
        }
    }

    private func loop() throws {
        let clock = ContinuousClock()
        var lastCheckpoint = clock.now
        defer { pipeline.close() }
        // A signal caught by the start-up handler (before or while the group installs its own)
        // stops the loop like a graceful shutdown; the group then shuts down with it.
        while !stop.load(ordering: .relaxed) && !EarlyTermination.requested {
            if let reload = reloader?.take() {
                pipeline.apply(reload)
                onReload(reload)
            }
            let progressed = try pipeline.step()
            if clock.now - lastCheckpoint >= checkpointInterval {
                try pipeline.checkpoint()
                lastCheckpoint = clock.now
            }
            if !progressed {
                // Sleep in short slices so a shutdown is not held up by a long poll interval.
                let until = clock.now + pollInterval
                while clock.now < until, !stop.load(ordering: .relaxed) {
                    Thread.sleep(forTimeInterval: min(0.05, Double((until - clock.now).components.attoseconds) * 1e-18 + Double((until - clock.now).components.seconds)))
                }
            }
        }
        logger.info("draining: final checkpoint")
        try pipeline.checkpoint(force: true)
    }
}

/// Remembers a SIGTERM/SIGINT received before the service group installs its own handlers.
enum EarlyTermination {
    private static let flag = Atomic<Bool>(false)

    /// Whether a signal arrived during start-up.
    static var requested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        _ = requested  // initialise the global before a handler can touch it
        var action = sigaction()
        #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { _ in EarlyTermination.flag.store(true, ordering: .relaxed) }
        #else
            action.__sigaction_u.__sa_handler = { _ in EarlyTermination.flag.store(true, ordering: .relaxed) }
        #endif
        sigemptyset(&action.sa_mask)
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        // SIGHUP's default action ends the process: ignored until the reload handler runs.
        signal(SIGHUP, SIG_IGN)
    }
}

/// `monitor run`'s signals: SIGHUP reloads the config; the first SIGTERM or SIGINT starts a
/// graceful shutdown (intake stops, final checkpoint, outbox drained up to
/// `shutdown.delivery_deadline`, exit 0); a second one exits at once with 128 + the signal
/// number. The last checkpoint keeps the store consistent either way: a restart resumes there.
enum SignalHandling {
    static func run(_ signals: UnixSignalsSequence, group: ServiceGroup, reloader: ConfigReloader, logger: Logger) async {
        var terminating = false
        for await signal in signals {
            if signal == .sighup {
                _ = await Task.detached { reloader.reload(trigger: "SIGHUP") }.value
                continue
            }
            if terminating {
                logger.warning("second termination signal: exiting now; the store holds the last checkpoint",
                               metadata: ["signal": "\(signal)"])
                _exit(128 + (signal == .sigint ? SIGINT : SIGTERM))
            }
            terminating = true
            logger.notice("termination signal: draining (a second signal exits at once)", metadata: ["signal": "\(signal)"])
            await group.triggerGracefulShutdown()
        }
    }
}
