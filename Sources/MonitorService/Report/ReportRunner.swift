import Foundation
import MonitorAlerting
public import MonitorCore
public import MonitorReport
import MonitorRules
import MonitorStats
import MonitorStore
import MonitorWindowing

/// `monitor report`: reads a store, builds the audit report and renders it (issue 8).
///
/// The store is only read: opening it migrates an older schema (which links the existing audit
/// rows into their hash chains, see the store's migration 5), and nothing else is written.
public enum ReportRunner {
    /// What to report.
    public struct Request: Sendable {
        public var storePath: String
        public var model: String?
        public var since: Timestamp?
        public var until: Timestamp?
        public var format: ReportRenderer.Format
        /// The file to write (atomically); nil prints to standard output.
        public var outPath: String?
        /// Recompute every hash chain and fail when one is broken.
        public var verify: Bool

        public init(storePath: String, model: String?, since: Timestamp?, until: Timestamp?, format: ReportRenderer.Format, outPath: String?, verify: Bool) {
            self.storePath = storePath
            self.model = model
            self.since = since
            self.until = until
            self.format = format
            self.outPath = outPath
            self.verify = verify
        }
    }

    /// What happened.
    public struct Outcome: Sendable {
        /// The rendered report.
        public var text: String
        /// Every broken chain's first break (empty when intact or not verified).
        public var breaks: [AuditBreak]
        /// The chains as read (heads to pin).
        public var chains: [AuditChainStatus]
    }

    /// Builds and renders the report; writes it to `outPath` when given.
    ///
    /// - Throws: `.input` for a missing store, an empty store, an unknown model or a period with
    ///   no window results (each message says what the store does hold); `.usage` when `since`
    ///   is not before `until`; `.io` when the store cannot be read or the file written.
    public static func run(_ request: Request) throws(ServiceError) -> Outcome {
        if let s = request.since, let u = request.until, s >= u {
            throw .usage("--since \(s) is not before --until \(u)")
        }
        let path = request.storePath
        guard FileManager.default.fileExists(atPath: path) else { throw .input("\(path): no such store") }
        let store: SQLiteStore
        do { store = try SQLiteStore(path: path) } catch { throw .io("\(path): \(error)") }
        defer { store.close() }

        let input: ReportInput
        do {
            let all = try store.windowResults(model: nil, from: nil, to: nil)
            let transitions = try store.transitions(since: nil)
            if all.isEmpty && transitions.isEmpty {
                throw ServiceError.input("\(path): the store holds no window results yet: nothing to report (run `monitor run` with this store first)")
            }
            let models = Set(all.map(\.key.model)).sorted()
            if let m = request.model, !models.contains(m) {
                throw ServiceError.input("\(path): model '\(m)' has no window results (models in the store: \(models.joined(separator: ", ")))")
            }
            let inModel = all.filter { request.model == nil || $0.key.model == request.model }
            let lower = request.since?.milliseconds ?? .min
            let upper = request.until?.milliseconds ?? .max
            let windows = inModel.filter { $0.key.end.milliseconds >= lower && $0.key.end.milliseconds < upper }
            if windows.isEmpty, let first = inModel.map(\.key.start).min(), let last = inModel.map(\.key.end).max() {
                throw ServiceError.input(
                    "\(path): no window of \(request.model ?? "any model") ends between \(request.since.map(\.rfc3339) ?? "the start") and \(request.until.map(\.rfc3339) ?? "the end") (its windows span \(first) to \(last))")
            }
            let configs = try store.configVersions()
            var rules: [String: [RuleSummary]] = [:]
            for c in configs { rules[c.hash] = ruleSummaries(configText: c.text) }
            let profiles = try store.listProfiles().sorted { $0.id < $1.id }.map { p -> ProfileSummary in
                let full = (try? store.profile(id: p.id)) ?? nil
                return ProfileSummary(
                    id: p.id, name: p.name, revision: p.revision, fingerprint: p.fingerprint, rowCount: p.rowCount, createdAt: p.createdAt,
                    features: full.map { profileFeatures($0.payload) } ?? [])
            }
            input = ReportInput(
                storeName: URL(fileURLWithPath: path).lastPathComponent, schemaVersion: try store.fileSchemaVersion(),
                windows: windows, performance: try store.performanceResults(model: request.model, from: request.since, to: request.until),
                transitions: transitions, outbox: try store.outboxEntries(state: nil), attempts: try store.deliveryAttempts(notificationID: nil),
                notificationLog: try store.notificationLog(since: nil), triggers: try store.triggers(model: request.model),
                silences: try store.silences(at: Timestamp(milliseconds: 0), includeExpired: true), configs: configs,
                configsInEffect: try store.configHashes(model: request.model, from: request.since, to: request.until), profiles: profiles,
                rules: rules, chains: try store.auditChains(verify: request.verify), fingerprint: { AlertFingerprint.of($0) },
                eventCounts: try store.eventCounts(from: request.since, to: request.until),
                configFirstWindowEnds: try store.configFirstWindowEnds())
        } catch let e as ServiceError {
            throw e
        } catch {
            throw .io("\(path): \(error)")
        }
        let report = ReportBuilder.build(input, model: request.model, since: request.since, until: request.until)
        let text = ReportRenderer.render(report, format: request.format)
        if let out = request.outPath {
            let file = try AtomicOutputFile(path: out)
            try file.write(text)
            try file.commit()
        }
        return Outcome(text: text, breaks: report.integrity.compactMap(\.firstBreak), chains: report.integrity)
    }

    /// The rules recorded in a config version's effective text (the config file, then each rule
    /// and alerts file after a `# file: PATH` line, as the service records it).
    static func ruleSummaries(configText: String) -> [RuleSummary] {
        var out: [RuleSummary] = []
        let parts = configText.components(separatedBy: "\n# file: ")
        for part in parts.dropFirst() {
            guard let newline = part.firstIndex(of: "\n") else { continue }
            let filePath = String(part[..<newline])
            let text = String(part[part.index(after: newline)...])
            guard text.contains("groups:") else { continue }
            let (file, _) = RuleFile.parse(text, path: filePath)
            for r in file?.rules ?? [] {
                out.append(RuleSummary(
                    group: r.group, name: r.name, expression: r.expression.text, holdMilliseconds: r.holdDuration,
                    keepFiringMilliseconds: r.keepFiringFor, actions: r.actions.map(\.rawValue)))
            }
        }
        return out
    }

    /// The bins of a stored profile, per feature (empty when the payload cannot be decoded).
    static func profileFeatures(_ payload: [UInt8]) -> [ProfileFeature] {
        guard let p = try? ReferenceProfile.decode(payload) else { return [] }
        var out: [ProfileFeature] = []
        for n in p.numerical + [p.predictionScore].compactMap({ $0 }) {
            let total = Double(n.binCounts.reduce(0, +))
            out.append(ProfileFeature(
                name: n.name, kind: "numerical", edges: n.edges?.edges ?? [], categories: [],
                proportions: total > 0 ? n.binCounts.map { Double($0) / total } : []))
        }
        for c in p.categorical + [p.predictedLabel].compactMap({ $0 }) {
            let total = Double(c.counts.reduce(0, +) + c.overflow)
            out.append(ProfileFeature(
                name: c.name, kind: "categorical", edges: [], categories: c.categories,
                proportions: total > 0 ? c.counts.map { Double($0) / total } : [], other: total > 0 ? Double(c.overflow) / total : 0))
        }
        return out
    }
}
