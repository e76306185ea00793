import Foundation
import Logging
import MonitorCore
import MonitorIngest
import MonitorRules
import MonitorStore
import MonitorWindowing

/// A label file source: the file, its decoder and dead-letter file.
final class FileLabelSourceRuntime: LabelSourceRuntime {
    let settings: SourceSettings
    let file: FileSource
    let decoder: LabelDecoder
    let deadLetters: DeadLetterWriter?
    /// Positions after the last chunk handed to the join.
    var positions: [SourcePosition]
    var rejected = RejectedLines()
    var atEnd: Bool { file.isAtEnd }
    var needsCheckpoint: Bool { false }

    init(settings: SourceSettings, file: FileSource, decoder: LabelDecoder, deadLetters: DeadLetterWriter?) {
        self.settings = settings
        self.file = file
        self.decoder = decoder
        self.deadLetters = deadLetters
        self.positions = file.positions
    }

    func readLabels(into batch: inout LabelBatch, report: inout DecodeReport, logger: Logger) throws(ServiceError) -> SourceRead? {
        let chunk: FileChunk?
        do { chunk = try file.poll() } catch { throw .io("source \"\(settings.name)\": \(error)") }
        for e in file.takeEvents() {
            logger.info("file source event", metadata: ["source": "\(settings.name)", "event": "\(e)"])
        }
        guard let chunk else { return nil }
        rejected.removeAll()
        if let dead = deadLetters {
            chunk.decodeLabels(with: decoder, into: &batch, report: &report, rejected: &rejected)
            if !rejected.isEmpty {
                do { try dead.append(rejected, from: chunk) } catch {
                    throw .io("source \"\(settings.name)\": dead letters: \(error)")
                }
            }
        } else {
            chunk.decodeLabels(with: decoder, into: &batch, report: &report)
        }
        positions = chunk.positions
        return SourceRead(bytes: Int(chunk.range.count))
    }

    func prepareCheckpoint() throws(ServiceError) {
        do { try deadLetters?.flush() } catch { throw .io("source \"\(settings.name)\": dead letters: \(error)") }
    }

    func checkpointed() {}
    func publish(_ status: ServiceStatus, logger: Logger) {}

    func close() {
        file.close()
        try? deadLetters?.close()
    }
}

/// The delayed-label join as the pipeline runs it (DESIGN §5): label sources, the tracker
/// (counts, maturity, release order), the rules that read performance series and the samples
/// they see. The join itself is in the store (`LabelJoinStore`), in the transaction the next
/// checkpoint commits.
final class LabelJoinRuntime {
    let settings: LabelSettings
    var sources: [any LabelSourceRuntime] = []
    var tracker: PerformanceTracker
    /// Rules reading performance series, evaluated when windows mature (in release order).
    var rules: RuleSet
    /// Matured windows' samples, visible for their configuration's slide, as drift samples are.
    var latest = LatestSamples()
    /// The last maturity evaluation time (a window end).
    var lastEvaluation: Timestamp?
    /// Store operations (rows joined or registered) since the last checkpoint: `--once` commits
    /// when it grows large, so the open transaction stays bounded.
    var operationsSinceCheckpoint = 0
    /// The cut-offs of the last expiry and deletion: the store is only asked again when they
    /// moved, so an idle service does not hold the write transaction open.
    var expiredThrough: (predictions: Timestamp, labels: Timestamp)?
    var deletedBefore: Timestamp?
    /// Reference performance by profile id (read once).
    var reference: [Int64: [Sample]] = [:]
    /// Totals already added to the self-metrics counters (counters restart at 0 with the process).
    var published: LabelTotals
    let validity: [String: Int64]

    /// Label sources of the config, resumed from the checkpoint; nil when there are none.
    init?(loaded: LoadedConfig, store: SQLiteStore, checkpoint: LoadedCheckpoint, rules: RuleSet, lastEvaluation: Timestamp?,
          once: Bool, logger: Logger) throws(ServiceError) {
        let config = loaded.config
        let labelSources = config.sources.filter { $0.kind == .labels }
        guard !labelSources.isEmpty else { return nil }
        settings = config.labels
        validity = Dictionary(uniqueKeysWithValues: config.windows.map { ($0.name, $0.slide) })
        if let record = checkpoint.windows.first(where: { $0.key == PerformanceTracker.stateRecordKey }) {
            do {
                tracker = try PerformanceTracker(decoding: record.summary, specs: config.windows, allowedLateness: config.allowedLateness,
                                                 settings: config.labels)
            } catch {
                throw .io("\(store.path): the checkpointed label-join state cannot be restored: \(error)")
            }
        } else {
            tracker = PerformanceTracker(specs: config.windows, allowedLateness: config.allowedLateness, settings: config.labels)
        }
        published = tracker.totals
        self.rules = rules
        self.lastEvaluation = lastEvaluation
        self.rules.restore(checkpoint.alerts, lastEvaluation: lastEvaluation)
        for s in labelSources {
            let mine = checkpoint.positions.filter { $0.source == s.name }
            var dead: DeadLetterWriter?
            if let dl = s.deadLetter {
                do { dead = try DeadLetterWriter(path: loaded.resolve(dl)) } catch {
                    throw .io("source \"\(s.name)\": dead_letter: \(error)")
                }
            }
            switch s.type {
            case .file:
                let file: FileSource
                do {
                    file = try FileSource(FileSource.Configuration(name: s.name, target: Pipeline.fileTarget(loaded.resolve(s.path.value)),
                                                                   follow: once ? false : s.follow, startAt: s.startAt == .end ? .end : .beginning),
                                          resumeFrom: mine)
                } catch {
                    throw .io("source \"\(s.name)\": \(error)")
                }
                let rt = FileLabelSourceRuntime(settings: s, file: file, decoder: LabelDecoder(schema: config.schema), deadLetters: dead)
                if !mine.isEmpty { rt.positions = mine }
                sources.append(rt)
            case .kafka:
                let (configuration, _) = try Pipeline.kafkaConfiguration(s, loaded: loaded, once: once)
                let kafka: KafkaSource
                do { kafka = try KafkaSource(configuration, labelDecoder: LabelDecoder(schema: config.schema), resumeFrom: mine) } catch {
                    throw .config("source \"\(s.name)\": \(error)")
                }
                sources.append(KafkaSourceRuntime(settings: s, kafka: kafka, deadLetters: dead))
            }
        }
        logger.info("label join", metadata: [
            "sources": "\(labelSources.map(\.name))", "horizon": "\(PrometheusDuration.format(settings.horizon))",
            "min_coverage": "\(settings.minCoverage)", "maturity_rules": "\(rules.rules.count)",
        ])
    }

    /// Whether every label up to the predictions' time has been read (or there is nothing more
    /// to read now): only then may the horizon expire predictions and mature windows.
    var caughtUp: Bool {
        if sources.allSatisfy(\.atEnd) { return true }
        guard let l = tracker.labelTime else { return tracker.predictionTime == nil }
        guard let p = tracker.predictionTime else { return true }
        return l >= p
    }

    func declareMetrics(_ m: SelfMetrics) {
        for side in ["prediction", "label"] {
            m.declare("monitor_labels_expired_total", [("side", side)])
            m.declare("monitor_labels_duplicates_total", [("side", side)])
        }
        m.declare("monitor_labels_joined_total", [])
        m.declare("monitor_labels_late_total", [])
        for kind in ["matured", "restated"] { m.declare("monitor_performance_windows_total", [("kind", kind)]) }
        for s in sources {
            m.declare("monitor_events_total", [("source", s.settings.name)])
            for r in DecodeErrorReason.allCases where r != .emptyLine && r != .missingFeatures {
                m.declare("monitor_decode_errors_total", [("source", s.settings.name), ("reason", r.rawValue)])
            }
        }
    }

    /// Adds what the totals gained since the last call to the counters, and sets the gauges.
    func publishMetrics(_ m: SelfMetrics) {
        let t = tracker.totals
        let p = published
        m.add("monitor_labels_expired_total", [("side", "prediction")], t.expiredPredictions - p.expiredPredictions)
        m.add("monitor_labels_expired_total", [("side", "label")], t.expiredLabels - p.expiredLabels)
        m.add("monitor_labels_duplicates_total", [("side", "prediction")], t.duplicatePredictions - p.duplicatePredictions)
        m.add("monitor_labels_duplicates_total", [("side", "label")], t.duplicateLabels - p.duplicateLabels)
        m.add("monitor_labels_joined_total", [], t.joined - p.joined)
        m.add("monitor_labels_late_total", [], t.labelsBeyondHorizon - p.labelsBeyondHorizon)
        m.add("monitor_performance_windows_total", [("kind", "matured")], t.released - p.released)
        m.add("monitor_performance_windows_total", [("kind", "restated")], t.restated - p.restated)
        published = t
        m.set("monitor_performance_windows_immature", [], Double(tracker.immatureWindowCount))
    }
}

extension Pipeline {
    /// Hands a decoded prediction batch to the join (store) and counts it (tracker).
    func joinPredictions(_ batch: Batch) throws(ServiceError) {
        guard let l = labels else { return }
        let rows = l.tracker.predictionRows(from: batch)
        guard rows.count > 0 else { return }
        let outcomes: [PredictionJoinOutcome]
        do { outcomes = try store.registerPredictions(rows, horizon: l.settings.horizon) } catch {
            throw .io("\(store.path): label join: \(error)")
        }
        l.tracker.record(rows, outcomes: outcomes)
        l.operationsSinceCheckpoint += rows.count
        pendingDirty = true
    }

    /// Reads label chunks while the labels are not ahead of the predictions (or the predictions
    /// made no progress this step), joins them, then expires, matures and restates.
    ///
    /// Reading labels in step with the predictions' event time keeps the join clock honest in
    /// replays (`--once` over files): a label file read ahead of its predictions would make
    /// every label wait, and predictions read ahead would expire before their labels are read.
    /// - Returns: whether a label chunk was read.
    func stepLabels(predictionsProgressed: Bool) throws(ServiceError) -> Bool {
        guard let l = labels else { return false }
        var progressed = false
        // A few chunks per step at most, so checkpoints and window closes keep their pace.
        for _ in 0..<8 {
            if predictionsProgressed, let p = l.tracker.predictionTime, let t = l.tracker.labelTime, t > p { break }
            if predictionsProgressed, l.tracker.predictionTime == nil { break }
            var read = false
            for src in l.sources {
                if src.needsCheckpoint { try checkpoint(force: true) }
                var batch = LabelBatch()
                var report = DecodeReport()
                let chunk = try src.readLabels(into: &batch, report: &report, logger: logger)
                src.publish(status, logger: logger)
                guard let chunk else { continue }
                read = true
                status.metrics.record(decode: report, source: src.settings.name)
                status.metrics.add("monitor_source_bytes_total", [("source", src.settings.name)], chunk.bytes)
                totals.labelRecords += report.recordsDecoded
                totals.decodeErrors += report.counts.filter { $0.key != .emptyLine && $0.key != .badTimestamp }.values.reduce(0, +)
                for (reason, n) in report.counts where reason != .emptyLine {
                    pending.addEventCount(source: src.settings.name, reason: reason.rawValue, count: n)
                }
                if let w = finiteWatermark { pending.eventCountsAt = max(pending.eventCountsAt, w) }
                let rows = l.tracker.labelRows(from: batch)
                if rows.count > 0 {
                    let result: LabelJoinResult
                    do { result = try store.joinLabels(rows, horizon: l.settings.horizon) } catch {
                        throw .io("\(store.path): label join: \(error)")
                    }
                    l.tracker.record(result)
                    l.operationsSinceCheckpoint += rows.count
                }
                pendingDirty = true
            }
            if !read { break }
            progressed = true
        }
        let changed = try maintainJoin(endOfInput: false)
        if progressed || changed { publish() }
        return progressed
    }

    /// End of input (`--once`): every window is closed for predictions; windows that matured are
    /// released and changed ones restated.
    func closeAllLabels() throws(ServiceError) {
        guard let l = labels else { return }
        l.tracker.closeAll()
        try maintainJoin(endOfInput: true)
        publish()
        totals.immatureWindows = l.tracker.immatureWindowCount
    }

    /// Expires what the horizon passed, releases matured windows (evaluating the maturity rules
    /// at each window end, in order), restates changed ones and deletes rows of final windows.
    /// - Returns: whether anything changed.
    @discardableResult
    func maintainJoin(endOfInput: Bool) throws(ServiceError) -> Bool {
        guard let l = labels else { return false }
        defer { totals.labels = l.tracker.totals }
        guard l.caughtUp || endOfInput else { return false }
        var changed = false
        do {
            if let cutoffs = l.tracker.expiryCutoffs,
                l.expiredThrough.map({ $0.predictions < cutoffs.predictions || $0.labels < cutoffs.labels }) ?? true
            {
                l.expiredThrough = cutoffs
                let expired = try store.expirePending(predictionsBefore: cutoffs.predictions, labelsBefore: cutoffs.labels)
                if expired.predictions + expired.labels > 0 {
                    l.tracker.recordExpired(predictions: expired.predictions, labels: expired.labels)
                    pendingDirty = true
                    changed = true
                }
            }
        } catch {
            throw .io("\(store.path): label join: \(error)")
        }
        let due = l.tracker.release(endOfInput: endOfInput)
        if !due.isEmpty {
            pendingDirty = true
            changed = true
            let computedAt = l.tracker.joinClock ?? Timestamp(milliseconds: 0)
            // Releases come first, in window-end order: the samples of the windows ending at one
            // instant are added, the rules evaluated there, then the next instant's (the source
            // holds the latest sample per series only).
            var pendingEnd: Timestamp?
            for d in due {
                if let end = pendingEnd, d.revision > 1 || d.key.end != end {
                    evaluateMaturity(at: end)
                    pendingEnd = nil
                }
                let rows: JoinedRows
                do { rows = try store.joinedRows(ModelVersion(model: d.key.model, version: d.key.version), from: d.key.start, to: d.key.end) } catch {
                    throw .io("\(store.path): label join: \(error)")
                }
                let samples = PerformanceSeries.samples(key: d.key, predictions: d.predictions, rows: rows, settings: l.settings,
                                                        reference: try referencePerformance(d.key.model, d.key.version))
                pending.performanceResults.append(PerformanceResult(key: d.key, revision: d.revision, computedAt: computedAt,
                                                                    predictionCount: d.predictions, labeledCount: rows.count, samples: samples))
                logger.info(d.revision == 1 ? "window performance matured" : "window performance restated", metadata: [
                    "window": "\(d.key.window)", "model": "\(d.key.model)", "version": "\(d.key.version)",
                    "window.start": "\(d.key.start)", "window.end": "\(d.key.end)", "revision": "\(d.revision)",
                    "labeled": "\(rows.count)", "predictions": "\(d.predictions)"])
                guard d.revision == 1 else { continue }
                l.latest.add(samples, validFor: l.validity[d.key.window] ?? 1)
                pendingEnd = d.key.end
            }
            if let end = pendingEnd { evaluateMaturity(at: end) }
        }
        if let before = l.tracker.settledBefore, l.deletedBefore.map({ $0 < before }) ?? true {
            l.deletedBefore = before
            do { try store.deleteSettled(before: before) } catch { throw .io("\(store.path): label join: \(error)") }
            pendingDirty = true
        }
        return changed
    }

    /// The reference performance of the profile in force for a model version (empty without one).
    func referencePerformance(_ model: String, _ version: String) throws(ServiceError) -> [Sample] {
        guard let l = labels, let profile = profiles.resolver.inForce(model, version) else { return [] }
        if let cached = l.reference[profile.id] { return cached }
        let samples: [Sample]
        do { samples = try store.referencePerformance(profileID: profile.id) } catch { throw .io("\(store.path): \(error)") }
        l.reference[profile.id] = samples
        return samples
    }

    /// Evaluates the maturity rules at a released window's end (in release order, so times
    /// never go backwards for them).
    func evaluateMaturity(at time: Timestamp) {
        guard let l = labels else { return }
        if let last = l.lastEvaluation, time < last { return }
        let evaluation = l.rules.evaluate(at: time, source: l.latest)
        l.lastEvaluation = time
        l.latest.removeExpired(at: time)
        record(evaluation, at: time, samples: l.latest)
    }
}
