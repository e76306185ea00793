import AsyncHTTPClient
import Foundation
import Logging
import MonitorAlerting
import MonitorCore
import MonitorRules
import Synchronization

/// A config, its rules and alert files, read and checked by a reload, waiting for the pipeline
/// to apply it at its next step.
struct ValidatedReload: @unchecked Sendable {
    var loaded: LoadedConfig
    var rules: RuleSet
    /// The alert receivers' senders; the retraining-trigger sinks stay as they are (`registry:`
    /// needs a restart), so the dispatcher keeps its own for those.
    var senders: [String: any NotificationSender]
    var apiToken: [UInt8]?
    /// Hash of the effective config text (the config and every rule and alert file).
    var hash: String
    /// Changed sections that only a restart applies.
    var restartRequired: [String]
}

/// What a reload did.
public enum ReloadOutcome: Sendable {
    /// Valid: applied at the pipeline's next step.
    case accepted(hash: String, warnings: [String])
    /// Invalid: the running config stays; the errors name file, line and column.
    case rejected(errors: [String])
}

/// Re-reads the config, its rule files and its alert files on `SIGHUP` or `POST /-/reload`.
///
/// Validation happens on the caller's thread; a valid set is handed to the pipeline, which
/// swaps rules (alert state carried over by group and rule name), routing and receivers at its
/// next step, between two evaluations, so window state, pending alerts and the outbox stay as
/// they are. Sections that shape state already on disk or in memory (sources, schema,
/// reference, windows, lateness, store, labels, drift, registry, the listener, the log format)
/// keep their running values until a restart; the reload says so in its warnings.
public final class ConfigReloader: Sendable {
    let configPath: String
    let environment: [String: String]
    let client: HTTPClient
    let externalURL: String
    let status: ServiceStatus
    let logger: Logger
    /// The config the process started with (what restart-only sections are compared with).
    let initial: LoadedConfig
    private let pending = Mutex<ValidatedReload?>(nil)
    /// One reload at a time (a SIGHUP and an HTTP call may race).
    private let serial = Mutex<Void>(())

    init(configPath: String, environment: [String: String], client: HTTPClient, externalURL: String, status: ServiceStatus,
         logger: Logger, initial: LoadedConfig) {
        self.configPath = configPath
        self.environment = environment
        self.client = client
        self.externalURL = externalURL
        self.status = status
        self.logger = logger
        self.initial = initial
    }

    /// Reads and checks everything; on success queues it for the pipeline.
    /// - Parameter trigger: What asked (`SIGHUP`, `http`), for the log.
    public func reload(trigger: String) -> ReloadOutcome {
        serial.withLock { _ in
            let outcome = validate()
            let metrics = status.metrics
            let now = wallClockNow()
            metrics.add("monitor_config_reloads_total", [("result", outcome.isAccepted ? "success" : "failure")], 1)
            switch outcome {
            case .accepted(let hash, let warnings):
                metrics.set("monitor_config_last_reload_successful", [], 1)
                metrics.set("monitor_config_last_reload_success_timestamp_seconds", [], Double(now.milliseconds) / 1000)
                status.recordReload(at: now, successful: true, errors: [], hash: hash)
                logger.notice("config reload accepted; applied at the next step", metadata: [
                    "trigger": "\(trigger)", "config.hash": "\(hash)", "warnings": "\(warnings)"])
            case .rejected(let errors):
                metrics.set("monitor_config_last_reload_successful", [], 0)
                status.recordReload(at: now, successful: false, errors: errors, hash: nil)
                logger.error("config reload rejected; the running config stays", metadata: [
                    "trigger": "\(trigger)", "errors": "\(errors.joined(separator: "\n"))"])
            }
            return outcome
        }
    }

    /// The reload waiting to be applied, if any (the pipeline thread takes it).
    func take() -> ValidatedReload? { pending.withLock { p in defer { p = nil }; return p } }

    private func validate() -> ReloadOutcome {
        let (loadedOpt, diags) = ConfigLoader.load(path: configPath)
        var warnings = diags.filter { $0.severity == .warning }.map(\.description)
        guard let loaded = loadedOpt else { return .rejected(errors: diags.filter { $0.severity == .error }.map(\.description)) }
        let (ruleSetOpt, ruleDiags) = RuleSet.load(loaded.ruleTexts.map { ($0.path, $0.text) })
        warnings += ruleDiags.filter { $0.severity == .warning }.map(\.description)
        guard let ruleSet = ruleSetOpt else { return .rejected(errors: ruleDiags.filter { $0.severity == .error }.map(\.description)) }
        var senders: [String: any NotificationSender] = [:]
        let token: [UInt8]?
        do throws(ServiceError) {
            if let file = loaded.alertsFiles.first {
                senders = try NotificationSetup.senders(for: file, client: client, environment: environment, externalURL: externalURL)
            }
            token = try APIToken.resolve(loaded, environment: environment)
        } catch {
            return .rejected(errors: [error.message])
        }
        let restart = Self.restartRequired(old: initial.config, new: loaded.config)
        if !restart.isEmpty {
            warnings.append("changed, applied at the next restart: \(restart.joined(separator: ", "))")
        }
        let hash = ConfigRecord(text: Pipeline.effectiveConfigText(loaded)).hash
        pending.withLock {
            $0 = ValidatedReload(loaded: loaded, rules: ruleSet, senders: senders, apiToken: token, hash: hash, restartRequired: restart)
        }
        return .accepted(hash: hash, warnings: warnings)
    }

    /// Sections a reload cannot apply to a running pipeline, by their config key.
    static func restartRequired(old: MonitorConfig, new: MonitorConfig) -> [String] {
        var out: [String] = []
        if old.sources != new.sources { out.append("sources") }
        if old.schema != new.schema { out.append("schema") }
        if old.reference != new.reference { out.append("reference") }
        if old.windows != new.windows { out.append("windows") }
        if old.allowedLateness != new.allowedLateness { out.append("allowed_lateness") }
        if old.store != new.store { out.append("store") }
        if old.labels != new.labels { out.append("labels") }
        if old.drift != new.drift { out.append("drift") }
        if old.registry != new.registry { out.append("registry") }
        if old.http.host != new.http.host || old.http.port != new.http.port || old.http.enabled != new.http.enabled {
            out.append("http.listen")
        }
        if old.logging.format != new.logging.format { out.append("logging.format") }
        if old.shutdown != new.shutdown { out.append("shutdown") }
        return out
    }
}

extension ReloadOutcome {
    var isAccepted: Bool { if case .accepted = self { true } else { false } }
}

/// The bearer token of the mutating API calls, replaced by reloads.
final class APIToken: Sendable {
    private let token = Mutex<[UInt8]?>(nil)

    init(_ value: [UInt8]?) { token.withLock { $0 = value } }

    func replace(_ value: [UInt8]?) { token.withLock { $0 = value } }

    /// Whether a request may mutate: no token configured, or `Authorization: Bearer <token>`
    /// with the right token, compared in constant time.
    func authorizes(authorizationHeader: String?) -> Bool {
        guard let expected = token.withLock({ $0 }) else { return true }
        guard let header = authorizationHeader else { return false }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else { return false }
        let given = Array(header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces).utf8)
        return ConstantTime.equal(given, expected)
    }

    /// The configured token's bytes (`http.api_token` / `api_token_file`), or nil.
    static func resolve(_ loaded: LoadedConfig, environment: [String: String]) throws(ServiceError) -> [UInt8]? {
        guard let ref = loaded.config.http.apiToken else { return nil }
        let key: String
        switch ref {
        case .environment: key = "http.api_token"
        case .file: key = "http.api_token_file"
        }
        var problems: [String] = []
        guard let value = SecretReferences.value(ref, context: "\(loaded.config.path): \(key)", environment: environment,
                                                 resolve: { loaded.resolve($0) }, problems: &problems) else {
            throw .config(problems.joined(separator: "\n"))
        }
        guard value.utf8.count >= 16 else {
            throw .config("\(loaded.config.path): http.api_token: the token must be at least 16 bytes long")
        }
        return Array(value.utf8)
    }
}

/// Comparisons whose time does not depend on where two secrets differ.
enum ConstantTime {
    /// Whether `a == b`. Both sides are hashed first (SHA-256), so the time taken depends on
    /// their lengths only through the hash, and the 32-byte digests are compared with every
    /// byte visited, differences OR-ed together.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let x = SHA256.hash(a)
        let y = SHA256.hash(b)
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
