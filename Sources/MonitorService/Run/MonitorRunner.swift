import Foundation
public import Logging
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
}

/// `monitor run`: the streaming monitor (DESIGN §11).
public enum MonitorRunner {
    /// Runs until the input ends (`--once`) or SIGTERM/SIGINT (service mode), then checkpoints.
    public static func run(_ request: RunRequest, logger: Logger) async throws(ServiceError) -> RunOutcome {
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
        let status = ServiceStatus(metrics: SelfMetrics())
        let pipeline = try Pipeline(loaded: loaded, store: store, profiles: profiles, rules: ruleSet, status: status,
                                    logger: logger, once: request.once)
        logger.info("monitor run started", metadata: [
            "config": "\(request.configPath)", "store": "\(storePath)", "rules": "\(ruleSet.rules.count)",
            "mode": "\(request.once ? "once" : "service")"])

        if request.once {
            do {
                while true {
                    let progressed = try pipeline.step()
                    if !progressed, pipeline.sources.allSatisfy(\.atEnd), pipeline.labels?.sources.allSatisfy(\.atEnd) ?? true { break }
                    // Bounded transactions: results, and label-join operations since the last commit.
                    if pipeline.pending.results.count > 1000 || (pipeline.labels?.operationsSinceCheckpoint ?? 0) > 250_000 {
                        try pipeline.checkpoint()
                    }
                }
                try pipeline.closeAll()
                try pipeline.checkpoint(force: true)
            } catch {
                pipeline.close()
                throw error
            }
            pipeline.close()
            return RunOutcome(totals: pipeline.totals, storePath: storePath, activeAlerts: pipeline.activeAlerts,
                              profiles: profiles.summary)
        }

        let runner = PipelineService(pipeline: pipeline, checkpointInterval: config.store.checkpointInterval,
                                     pollInterval: config.sources.map(\.pollInterval).min() ?? 1000, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: runner, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if config.http.enabled {
            let host = request.listenOverride?.host ?? config.http.host
            let port = request.listenOverride?.port ?? config.http.port
            let onListening = request.onListening
            let app = HTTPServer.make(status: status, host: host, port: port, logger: logger) { bound in
                logger.info("listening", metadata: ["address": "\(host):\(bound)"])
                onListening?(bound)
            }
            services.append(.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw .io("\(error)")
        }
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

    init(pipeline: Pipeline, checkpointInterval: Int64, pollInterval: Int64, logger: Logger) {
        self.pipeline = pipeline
        self.checkpointInterval = .milliseconds(checkpointInterval)
        self.pollInterval = .milliseconds(pollInterval)
        self.logger = logger
    }

    func run() async throws {
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
        while !stop.load(ordering: .relaxed) {
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
