import Foundation
public import MonitorCore
import Synchronization

/// What the HTTP endpoints show, published by the pipeline after each step. Readers take a
/// snapshot under a lock; the pipeline never waits on a scrape for longer than a copy.
public final class ServiceStatus: Sendable {
    /// A source as `/api/v1/status` shows it.
    struct SourceInfo: Sendable {
        var name: String
        var type: SourceType
        var kind: SourceKind
        /// (file path or Kafka partition key, byte offset or next offset)
        var positions: [(String, Int64)]
    }

    struct State {
        var samples: [Sample] = []
        var alerts: [Alert] = []
        var notReady: [String: String] = ["store": "not open yet", "sources": "not started yet"]
        var watermark: Timestamp?
        var sources: [SourceInfo] = []
        var kafkaLag: [String: Int64] = [:]
        var openWindows = 0
        var lastEvaluation: Timestamp?
        var rulesLoaded = 0
        var outboxPending = 0
        var configPath = ""
        var configHash = ""
        var lastReloadAt: Timestamp?
        var lastReloadSuccessful = true
        var lastReloadErrors: [String] = []
    }
    private let state = Mutex(State())
    /// The service's own metrics.
    public let metrics: SelfMetrics
    /// When the service started (wall clock).
    let startedAt: Timestamp

    public init(metrics: SelfMetrics, startedAt: Timestamp = Timestamp(milliseconds: 0)) {
        self.metrics = metrics
        self.startedAt = startedAt
    }

    /// Replaces the latest series samples (what `/metrics` shows).
    public func publish(samples: [Sample], alerts: [Alert], watermark: Timestamp?) {
        state.withLock {
            $0.samples = samples
            $0.alerts = alerts
            $0.watermark = watermark
        }
    }

    func publishProgress(sources: [SourceInfo], openWindows: Int, watermark: Timestamp?, lastEvaluation: Timestamp?, rulesLoaded: Int) {
        state.withLock {
            $0.sources = sources
            $0.openWindows = openWindows
            $0.watermark = watermark
            $0.lastEvaluation = lastEvaluation
            $0.rulesLoaded = rulesLoaded
        }
    }

    func setKafkaLag(source: String, _ lag: Int64) { state.withLock { $0.kafkaLag[source] = lag } }
    func setOutboxPending(_ n: Int) { state.withLock { $0.outboxPending = n } }
    func setConfig(path: String, hash: String) { state.withLock { $0.configPath = path; $0.configHash = hash } }
    func setConfigHash(_ hash: String) { state.withLock { $0.configHash = hash } }

    func recordReload(at: Timestamp, successful: Bool, errors: [String], hash: String?) {
        state.withLock {
            $0.lastReloadAt = at
            $0.lastReloadSuccessful = successful
            $0.lastReloadErrors = errors
        }
    }

    /// Marks a component ready (nil reason) or not (with the reason `/readyz` reports).
    public func setReady(_ component: String, _ reasonNotReady: String?) {
        state.withLock { $0.notReady[component] = reasonNotReady }
    }

    /// Components that are not ready, with reasons (empty = ready).
    public var notReady: [String: String] { state.withLock { $0.notReady } }

    public var alerts: [Alert] { state.withLock { $0.alerts } }

    /// The full `/metrics` body: window series, then the service's own metrics.
    public func exposition() -> [UInt8] {
        let samples = state.withLock { $0.samples }
        var out: [UInt8] = []
        out.reserveCapacity(64 * samples.count + 8192)
        SeriesExposition.render(samples, into: &out)
        metrics.render(into: &out)
        return out
    }

    /// The `/api/v1/status` body (docs/openapi.yaml, `Status`).
    func statusJSON() -> String {
        let s = state.withLock { $0 }
        let q = AlertJSON.quote
        var out = "{\"status\":\"success\",\"data\":{"
        out += "\"startedAt\":\(q(startedAt.rfc3339)),\"ready\":\(s.notReady.isEmpty),\"notReady\":{"
        out += s.notReady.keys.sorted().map { "\(q($0)):\(q(s.notReady[$0]!))" }.joined(separator: ",") + "}"
        out += ",\"config\":{\"path\":\(q(s.configPath)),\"hash\":\(q(s.configHash)),\"lastReloadSuccessful\":\(s.lastReloadSuccessful)"
        if let at = s.lastReloadAt { out += ",\"lastReloadAt\":\(q(at.rfc3339))" }
        out += ",\"lastReloadErrors\":[" + s.lastReloadErrors.map(q).joined(separator: ",") + "]}"
        out += ",\"sources\":[" + s.sources.map { src in
            var o = "{\"name\":\(q(src.name)),\"type\":\(q(src.type.rawValue)),\"kind\":\(q(src.kind.rawValue)),\"positions\":["
            o += src.positions.map { "{\"key\":\(q($0.0)),\"offset\":\($0.1)}" }.joined(separator: ",") + "]"
            switch src.type {
            case .kafka:
                if let lag = s.kafkaLag[src.name] { o += ",\"lag\":\(lag)" }
            case .file:
                // Bytes written to the followed files and not read yet.
                var lag: Int64 = 0
                for (path, offset) in src.positions {
                    if let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber {
                        lag += max(0, size.int64Value - offset)
                    }
                }
                o += ",\"lag\":\(lag)"
            }
            return o + "}"
        }.joined(separator: ",") + "]"
        out += ",\"windows\":{\"open\":\(s.openWindows)"
        if let w = s.watermark { out += ",\"watermark\":\(q(w.rfc3339))" }
        if let e = s.lastEvaluation { out += ",\"lastEvaluation\":\(q(e.rfc3339))" }
        out += "}"
        let pending = s.alerts.filter { $0.state == .pending }.count
        let firing = s.alerts.filter { $0.state == .firing }.count
        out += ",\"rules\":{\"loaded\":\(s.rulesLoaded),\"pending\":\(pending),\"firing\":\(firing)}"
        out += ",\"outboxPending\":\(s.outboxPending)}}"
        return out
    }
}
