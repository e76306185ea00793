import Foundation
import Logging
import MonitorAlerting
public import MonitorCore
import MonitorIngest
import MonitorRules
import MonitorStore
import MonitorWindowing

/// Counters of one run, reported at the end of `--once`.
public struct RunTotals: Sendable {
    public var events = 0
    public var decodeErrors = 0
    public var late = 0
    public var untimed = 0
    public var unprofiled = 0
    public var windowsClosed = 0
    public var checkpoints = 0
    /// Transitions to firing during this run.
    public var fired: [AlertTransition] = []
    public var resolved: [AlertTransition] = []
    /// Notifications written to the outbox.
    public var notificationsEnqueued = 0
    /// Notification decisions muted by silences or inhibit rules.
    public var notificationsMuted = 0
    /// The label join's counters (nil without label sources).
    public var labels: LabelTotals?
    /// Label records decoded.
    public var labelRecords = 0
    /// Windows whose performance awaits maturity at the end of the run.
    public var immatureWindows = 0
    /// Retraining triggers by what the policy and silences decided.
    public var triggers: [TriggerStatus: Int] = [:]
}

/// The streaming pipeline: sources → decoder → windows → series → rules → routing → store
/// (outbox); the `OutboxDispatcher` delivers from there on its own task.
///
/// Runs on one dedicated thread (`step()`, `checkpoint()`); it is the only writer of its state.
/// Exactly-once: window state, closed-window results, alert state and transitions, and source
/// positions are committed in one transaction (`checkpoint()`), so after a crash the run
/// resumes from the last checkpoint and recomputes everything after it identically — window
/// membership depends only on event order (see `WindowManager`), and rules are evaluated at
/// each window end in order. The alert groups (`AlertGrouper`) and the notifications they
/// produce are committed in the same transaction, so a notification is in the outbox exactly
/// when the transitions behind it are in the store.
final class Pipeline {
    let loaded: LoadedConfig
    let store: SQLiteStore
    let profiles: ReferenceProfiles
    let status: ServiceStatus
    let logger: Logger
    var sources: [any SourceRuntime] = []
    var windows: WindowManager
    /// Rules evaluated at window close (drift, data quality).
    var rules: RuleSet
    var latest = LatestSamples()
    /// Label sources, the label join's counts and the rules evaluated at maturity (see
    /// `Pipeline+Labels.swift`); `labels` is nil without a label source.
    var labels: LabelJoinRuntime?
    var pending = CheckpointWrite()
    var pendingDirty = false
    var configRecorded = false
    /// The config in effect (replaced by a reload), recorded with the next checkpoint.
    var configRecord: ConfigRecord
    var lastEvaluation: Timestamp?
    var totals = RunTotals()
    /// Routing (nil without an alerts file) and the alert groups, in event time.
    var alerting: AlertingPlan?
    var grouper = AlertGrouper()
    var faults: FaultInjection?
    /// Retraining triggers: the sinks and the policy's state.
    var triggers: TriggerRuntime
    /// Validity of a window's samples: its slide (seen until the next window of the same
    /// configuration closes).
    let validity: [String: Int64]

    init(loaded: LoadedConfig, store: SQLiteStore, profiles: ReferenceProfiles, rules: RuleSet, status: ServiceStatus,
         logger: Logger, once: Bool) throws(ServiceError) {
        self.loaded = loaded
        self.store = store
        self.profiles = profiles
        // Rules reading performance series run at maturity, the others at window close.
        self.rules = RuleSet(rules: rules.rules.filter { !$0.readsMaturitySeries })
        let maturityRules = RuleSet(rules: rules.rules.filter(\.readsMaturitySeries))
        self.status = status
        self.logger = logger
        let config = loaded.config
        configRecord = ConfigRecord(text: Self.effectiveConfigText(loaded))
        validity = Dictionary(uniqueKeysWithValues: config.windows.map { ($0.name, $0.slide) })
        do {
            windows = try WindowManager(specs: config.windows, allowedLateness: config.allowedLateness,
                                        settings: config.drift, resolver: profiles.resolver)
        } catch {
            throw .config("\(config.path): windows: \(error)")
        }
        alerting = loaded.alertsFiles.first.map(AlertingPlan.init)
        do { triggers = TriggerRuntime(settings: config.registry, stored: try store.triggers(model: nil)) } catch {
            throw .io("\(store.path): cannot load the retraining triggers: \(error)")
        }

        // Resume.
        let checkpoint: LoadedCheckpoint
        do { checkpoint = try store.loadCheckpoint() } catch { throw .io("\(store.path): cannot load the checkpoint: \(error)") }
        let windowRecords = checkpoint.windows.filter { $0.key != PerformanceTracker.stateRecordKey }
        if !windowRecords.isEmpty {
            do {
                let report = try windows.restore(from: windowRecords)
                for (key, reason) in report.droppedPanes {
                    logger.warning("open window dropped on restore", metadata: ["window.key": "\(key)", "reason": "\(reason)"])
                }
            } catch {
                throw .io("\(store.path): the checkpointed window state cannot be restored: \(error)")
            }
        }
        let (evaluated, maturityEvaluated) = Self.decodeServiceState(checkpoint.serviceState)
        lastEvaluation = evaluated
        self.rules.restore(checkpoint.alerts, lastEvaluation: lastEvaluation)
        do { grouper = try AlertGrouper(encoded: checkpoint.notificationState) } catch {
            throw .io("\(store.path): \(error)")
        }
        try rebuildLatestSamples()
        labels = try LabelJoinRuntime(loaded: loaded, store: store, checkpoint: checkpoint, rules: maturityRules,
                                      lastEvaluation: maturityEvaluated, once: once, logger: logger)
        // A trigger is open while its alert fires; one whose alert is gone from the restored
        // state (its rule was removed or changed) is closed now, or it would hold its model's
        // max_open_triggers forever.
        let firing = Set(allAlerts.filter { $0.state == .firing }.map(TriggerRecord.alertKey))
        for (model, open) in triggers.policy.open {
            for (key, id) in open.sorted(by: { $0.key < $1.key }) where !firing.contains(key) {
                _ = triggers.policy.close(alertKey: key, model: model)
                pending.triggerClosures.append(TriggerClosure(triggerID: id, at: checkpoint.at ?? Timestamp(milliseconds: 0)))
                pendingDirty = true
            }
        }
        if labels == nil, !maturityRules.rules.isEmpty {
            logger.warning("rules read performance series but no label source is configured: they never fire",
                           metadata: ["rules": "\(maturityRules.rules.map(\.name))"])
        }

        for s in config.sources where s.kind == .predictions {
            let mine = checkpoint.positions.filter { $0.source == s.name }
            var dead: DeadLetterWriter?
            if let dl = s.deadLetter {
                do { dead = try DeadLetterWriter(path: loaded.resolve(dl)) } catch {
                    throw .io("source \"\(s.name)\": dead_letter: \(error)")
                }
            }
            // Ids are kept only for the label join.
            let decoder = JSONLDecoder(schema: config.schema, features: profiles.features, dictionaries: [:],
                                       options: DecodeOptions(keepIDs: config.sources.contains { $0.kind == .labels }, threads: 1))
            switch s.type {
            case .file:
                sources.append(try Self.fileSource(s, loaded: loaded, once: once, positions: mine, decoder: decoder, deadLetters: dead))
            case .kafka:
                sources.append(try Self.kafkaSource(s, loaded: loaded, once: once, positions: mine, decoder: decoder, deadLetters: dead))
            }
        }
        for s in sources {
            status.metrics.declare("monitor_events_total", [("source", s.settings.name)])
            status.metrics.declare("monitor_late_events_total", [("source", s.settings.name)])
            for r in DecodeErrorReason.allCases where r != .emptyLine {
                status.metrics.declare("monitor_decode_errors_total", [("source", s.settings.name), ("reason", r.rawValue)])
            }
        }
        labels?.declareMetrics(status.metrics)
        status.metrics.set("monitor_rules_loaded", [], Double(self.rules.rules.count + maturityRules.rules.count))
        status.setReady("store", nil)
        status.setReady("sources", nil)
        publish()
    }

    static func fileSource(_ s: SourceSettings, loaded: LoadedConfig, once: Bool, positions: [SourcePosition], decoder: JSONLDecoder,
                           deadLetters: DeadLetterWriter?) throws(ServiceError) -> FileSourceRuntime {
        let fileConfig = FileSource.Configuration(
            name: s.name, target: fileTarget(loaded.resolve(s.path.value)), follow: once ? false : s.follow,
            startAt: s.startAt == .end ? .end : .beginning)
        let file: FileSource
        do { file = try FileSource(fileConfig, resumeFrom: positions) } catch {
            throw .io("source \"\(s.name)\": \(error)")
        }
        let rt = FileSourceRuntime(settings: s, file: file, decoder: decoder, deadLetters: deadLetters)
        if !positions.isEmpty { rt.positions = positions }
        return rt
    }

    static func kafkaSource(_ s: SourceSettings, loaded: LoadedConfig, once: Bool, positions: [SourcePosition], decoder: JSONLDecoder,
                            deadLetters: DeadLetterWriter?) throws(ServiceError) -> KafkaSourceRuntime {
        let (configuration, _) = try kafkaConfiguration(s, loaded: loaded, once: once)
        let kafka: KafkaSource
        do { kafka = try KafkaSource(configuration, decoder: decoder, resumeFrom: positions) } catch {
            throw .config("source \"\(s.name)\": \(error)")
        }
        return KafkaSourceRuntime(settings: s, kafka: kafka, deadLetters: deadLetters)
    }

    /// A source path as a file source target: a glob, a directory (its `*.jsonl`) or a file.
    static func fileTarget(_ path: String) -> FileSource.Target {
        var isDir: ObjCBool = false
        if path.contains(where: { "*?[".contains($0) }) { return .glob(path) }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return .directory(path) }
        return .file(path)
    }

    /// The consumer settings of a `type: kafka` source, secrets resolved.
    static func kafkaConfiguration(_ s: SourceSettings, loaded: LoadedConfig, once: Bool) throws(ServiceError)
        -> (KafkaSource.Configuration, KafkaSettings)
    {
        guard let k = s.kafka else { throw .config("source \"\(s.name)\": missing kafka settings") }
        let properties = try KafkaProperties.resolve(k, source: s.name, loaded: loaded)
        let configuration = KafkaSource.Configuration(
            name: s.name, brokers: k.brokers.joined(separator: ","), group: k.group, topics: k.topics, properties: properties,
            autoOffsetReset: k.autoOffsetReset == .latest ? .latest : .earliest, deadLetterTopic: k.deadLetterTopic, stopAtEnd: once)
        return (configuration, k)
    }

    /// The config text recorded with each evaluation: the config file and every rule and alert
    /// file it names, each with a `# file:` header.
    static func effectiveConfigText(_ loaded: LoadedConfig) -> String {
        var text = "# file: \(loaded.config.path)\n\(loaded.config.text)"
        for r in loaded.ruleTexts { text += "\n# file: \(r.path)\n\(r.text)" }
        for a in loaded.alertsFiles {
            if let t = ConfigLoader.readText(a.path) { text += "\n# file: \(a.path)\n\(t)" }
        }
        return text
    }

    /// Re-adds the samples of recently closed windows (still visible at the last evaluation) after
    /// a restart, so rules see what an uninterrupted run sees.
    func rebuildLatestSamples() throws(ServiceError) {
        guard let last = lastEvaluation else { return }
        let horizon = validity.values.max() ?? 0
        let results: [WindowResult]
        do {
            results = try store.windowResults(model: nil, from: Timestamp(milliseconds: last.milliseconds - horizon + 1),
                                              to: Timestamp(milliseconds: last.milliseconds + 1))
        } catch { throw .io("\(store.path): \(error)") }
        for r in results {
            guard let v = validity[r.key.window] else { continue }
            latest.add(r.samples, validFor: v)
        }
    }

    /// Reads at most one chunk from every source and folds it in. Returns whether anything was read.
    func step() throws(ServiceError) -> Bool {
        var progressed = false
        for src in sources {
            if src.needsCheckpoint { try checkpoint(force: true) }
            var batch = Batch()
            var report = DecodeReport()
            let read = try src.read(into: &batch, report: &report, logger: logger)
            src.publish(status, logger: logger)
            guard let read else { continue }
            progressed = true
            status.metrics.record(decode: report, source: src.settings.name)
            status.metrics.add("monitor_source_bytes_total", [("source", src.settings.name)], read.bytes)
            totals.events += report.recordsDecoded
            totals.decodeErrors += report.counts.filter { $0.key != .emptyLine && $0.key != .badTimestamp }.values.reduce(0, +)
            let summary = windows.ingest(batch)
            if labels != nil { try joinPredictions(batch) }
            totals.late += summary.late
            totals.untimed += summary.noTimestamp
            totals.unprofiled += summary.unprofiled
            status.metrics.add("monitor_untimed_events_total", [("source", src.settings.name)], summary.noTimestamp)
            status.metrics.add("monitor_late_events_total", [("source", src.settings.name)], summary.late)
            // The same counts, committed with the checkpoint for the report. A record with a bad
            // timestamp is counted once, as `untimed` (the windows' verdict), not also as the
            // decoder's `bad_timestamp`.
            for (reason, n) in report.counts where reason != .emptyLine && reason != .badTimestamp {
                pending.addEventCount(source: src.settings.name, reason: reason.rawValue, count: n)
            }
            pending.addEventCount(source: src.settings.name, reason: "late", count: summary.late)
            pending.addEventCount(source: src.settings.name, reason: "untimed", count: summary.noTimestamp)
            pending.addEventCount(source: src.settings.name, reason: "unprofiled", count: summary.unprofiled)
            if let w = finiteWatermark { pending.eventCountsAt = max(pending.eventCountsAt, w) }
            pendingDirty = true
            let started = ContinuousClock.now
            let closed = windows.closeReady()
            if !closed.isEmpty { status.metrics.observeWindowClose(seconds: Self.seconds(ContinuousClock.now - started)) }
            try closeReady(closed)
        }
        if labels != nil { progressed = try stepLabels(predictionsProgressed: progressed) || progressed }
        return progressed
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// End of input (`--once`, or a drain that closes everything): closes every open window.
    func closeAll() throws(ServiceError) {
        try closeReady(windows.closeAll())
        if labels != nil { try closeAllLabels() }
    }

    func closeReady(_ closed: [ClosedWindow]) throws(ServiceError) {
        guard !closed.isEmpty else { return }
        pendingDirty = true
        var i = 0
        while i < closed.count {
            let end = closed[i].result.key.end
            var j = i
            while j < closed.count, closed[j].result.key.end == end {
                let r = closed[j].result
                latest.add(r.samples, validFor: validity[r.key.window] ?? 1)
                pending.results.append(r)
                totals.windowsClosed += 1
                status.metrics.add("monitor_windows_closed_total", [("window", r.key.window)], 1)
                logger.info("window closed", metadata: [
                    "window": "\(r.key.window)", "model": "\(r.key.model)", "version": "\(r.key.version)",
                    "window.start": "\(r.key.start)", "window.end": "\(r.key.end)", "events": "\(r.eventCount)",
                    "drifted_feature_share": "\(closed[j].driftedFeatureShare)"])
                j += 1
            }
            evaluate(at: end)
            i = j
        }
        publish()
    }

    func evaluate(at time: Timestamp) {
        if let last = lastEvaluation, time < last { return }
        let started = ContinuousClock.now
        let evaluation = rules.evaluate(at: time, source: latest)
        let elapsed = ContinuousClock.now - started
        status.metrics.observeRuleEvaluation(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        lastEvaluation = time
        latest.removeExpired(at: time)
        record(evaluation, at: time)
    }

    /// Queues an evaluation's transitions for the next checkpoint, counts and logs them.
    func record(_ evaluation: RuleSetEvaluation, at time: Timestamp, samples: LatestSamples? = nil) {
        for e in evaluation.errors { logger.error("rule evaluation failed", metadata: ["rule": "\(e)"]) }
        for t in evaluation.transitions {
            pending.transitions.append(t)
            status.metrics.add("monitor_alert_transitions_total", [("state", t.to.rawValue)], 1)
            if t.to == .firing { totals.fired.append(t) }
            if t.to == .resolved { totals.resolved.append(t) }
            let level: Logger.Level = t.to == .firing ? .warning : .info
            logger.log(level: level, "alert \(t.to.rawValue)", metadata: [
                "rule.name": "\(t.alert.rule)", "alert.labels": "\(t.alert.labels)", "value": "\(t.alert.value)",
                "at": "\(t.at)", "from": "\(t.from.rawValue)"])
        }
        recordTriggers(evaluation.transitions, samples: samples ?? latest)
        if let plan = alerting {
            grouper.ingest(evaluation.transitions, plan: plan)
            // Event time has reached the watermark (≥ this window's end plus the allowed
            // lateness), so a group_wait shorter than that has already passed.
            flushGroups(at: max(time, finiteWatermark ?? time))
        }
    }

    /// The watermark, unless `closeAll()` pushed it to the end of time.
    var finiteWatermark: Timestamp? {
        guard let w = windows.watermark, w.milliseconds < Int64.max / 4 else { return nil }
        return w
    }

    /// Flushes the alert groups that are due at `time` (event time) into the pending checkpoint.
    func flushGroups(at time: Timestamp, force: Bool = false) {
        guard let plan = alerting else { return }
        let wallNow = wallClockNow()
        var silences: [Silence] = []
        do { silences = try store.silences(at: wallNow, includeExpired: false) } catch {
            logger.error("cannot read silences; notifying without them", metadata: ["error": "\(error)"])
        }
        let mute = AlertGrouper.MuteContext(firing: allAlerts.filter { $0.state == .firing }.map(\.labels), silences: silences,
                                            wallNow: wallNow)
        let out = grouper.flush(at: time, plan: plan, mute: mute, enqueuedAt: wallNow, force: force)
        guard !out.notifications.isEmpty || !out.log.isEmpty else { return }
        pendingDirty = true
        pending.notifications += out.notifications
        pending.notificationLog += out.log
        totals.notificationsEnqueued += out.notifications.count
        for n in out.notifications {
            status.metrics.add("monitor_notifications_enqueued_total", [("receiver", n.receiver)], 1)
        }
        for e in out.log where e.notificationID == nil {
            let kind = e.reason.hasPrefix("silenced") ? "silenced" : e.reason.hasPrefix("inhibited") ? "inhibited" : nil
            guard let kind else { continue }
            totals.notificationsMuted += 1
            status.metrics.add("monitor_notifications_total", [("receiver", e.receiver), ("status", kind)], 1)
            logger.info("notification \(kind)", metadata: ["receiver": "\(e.receiver)", "group.key": "\(e.groupKey)", "reason": "\(e.reason)"])
        }
    }

    /// Commits window state, results, alerts, source positions, the alert groups and the
    /// notifications they produced in one transaction. Groups whose timer passed are flushed
    /// first, at the watermark (event time keeps moving between window closes).
    ///
    /// - Parameter finalFlush: Flush every group, due or not (end of a `--once` run).
    func checkpoint(force: Bool = false, finalFlush: Bool = false) throws(ServiceError) {
        if alerting != nil, let now = [finiteWatermark, lastEvaluation].compactMap({ $0 }).max() {
            flushGroups(at: now, force: finalFlush)
        }
        guard pendingDirty || force || !configRecorded || store.hasUncommittedJoins else { return }
        let started = ContinuousClock.now
        for s in sources { try s.prepareCheckpoint() }
        for s in labels?.sources ?? [] { try s.prepareCheckpoint() }
        var (upserts, deletes) = windows.checkpointDelta()
        if let l = labels {
            upserts.append(WindowStateRecord(key: PerformanceTracker.stateRecordKey, summary: l.tracker.encode()))
            upserts.sort { $0.key < $1.key }
        }
        var w = pending
        w.windowUpserts = upserts
        w.windowDeletes = deletes
        w.positions = sources.flatMap(\.positions) + (labels?.sources.flatMap(\.positions) ?? [])
        w.alerts = rules.alerts + (labels?.rules.alerts ?? [])
        if lastEvaluation != nil || labels?.lastEvaluation != nil {
            w.serviceState = Self.encodeServiceState(lastEvaluation, labels?.lastEvaluation)
        }
        if !configRecorded { w.config = configRecord }
        if alerting != nil { w.notificationState = grouper.encoded() }
        w.at = windows.watermark ?? Timestamp(milliseconds: 0)
        do { try store.commit(w) } catch { throw .io("\(store.path): checkpoint failed: \(error)") }
        if !w.notifications.isEmpty { faults?.hit(.afterCommit) }
        configRecorded = true
        for s in sources { s.checkpointed() }
        for s in labels?.sources ?? [] { s.checkpointed() }
        pending = CheckpointWrite()
        pendingDirty = false
        labels?.operationsSinceCheckpoint = 0
        totals.checkpoints += 1
        status.metrics.add("monitor_checkpoints_total", [], 1)
        publishProgress()
        let elapsed = ContinuousClock.now - started
        status.metrics.observeCheckpoint(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// Publishes samples, alerts and gauges for `/metrics`.
    func publish() {
        let at = lastEvaluation ?? Timestamp(milliseconds: Int64.min / 2)
        var samples = latest.all(at: at) + rules.alertSamples(at: at)
        if let l = labels, let matured = l.lastEvaluation {
            samples += l.latest.all(at: matured) + l.rules.alertSamples(at: matured)
        }
        status.publish(samples: samples, alerts: allAlerts, watermark: windows.watermark)
        publishProgress()
        if let wm = windows.watermark { status.metrics.set("monitor_watermark_seconds", [], Double(wm.milliseconds) / 1000) }
        status.metrics.set("monitor_open_windows", [], Double(windows.openPaneCount))
        var byState: [AlertState: Int] = [.pending: 0, .firing: 0]
        for a in activeAlerts { byState[a.state, default: 0] += 1 }
        if let l = labels {
            l.publishMetrics(status.metrics)
            // The join's in-memory id index (0 until the join first runs in this process).
            if let bytes = try? store.labelJoinIndexBytes() { status.metrics.set("monitor_label_join_index_bytes", [], Double(bytes)) }
        }
        for (s, n) in byState { status.metrics.set("monitor_alerts", [("state", s.rawValue)], Double(n)) }
    }

    /// Publishes source positions, open windows and the last evaluation for `/api/v1/status`.
    func publishProgress() {
        let describe: (SourceSettings, [SourcePosition]) -> ServiceStatus.SourceInfo = { s, p in
            ServiceStatus.SourceInfo(name: s.name, type: s.type, kind: s.kind,
                                     positions: p.map { (s.type == .kafka ? $0.key : $0.path, $0.offset) })
        }
        status.publishProgress(
            sources: sources.map { describe($0.settings, $0.positions) } + (labels?.sources.map { describe($0.settings, $0.positions) } ?? []),
            openWindows: windows.openPaneCount, watermark: finiteWatermark, lastEvaluation: lastEvaluation,
            rulesLoaded: rules.rules.count + (labels?.rules.rules.count ?? 0))
    }

    func close() {
        for s in sources { s.close() }
        for s in labels?.sources ?? [] { s.close() }
    }

    /// Every stored alert instance, window-close and maturity rules together.
    var allAlerts: [Alert] { rules.alerts + (labels?.rules.alerts ?? []) }
    /// Pending and firing alerts of every rule.
    var activeAlerts: [Alert] { rules.activeAlerts + (labels?.rules.activeAlerts ?? []) }

    /// Service state, format 2: `[2]`, the last window-close evaluation and the last maturity
    /// evaluation (ms, little-endian, `Int64.min` = none). Format 1 (`[1]` + the first) is read.
    static func encodeServiceState(_ evaluation: Timestamp?, _ maturity: Timestamp?) -> [UInt8] {
        var state: [UInt8] = [2]
        for t in [evaluation?.milliseconds ?? .min, maturity?.milliseconds ?? .min] {
            for i in 0..<8 { state.append(UInt8(truncatingIfNeeded: t >> (8 * Int64(i)))) }
        }
        return state
    }

    static func decodeServiceState(_ state: [UInt8]?) -> (Timestamp?, Timestamp?) {
        guard let state, state.count >= 9, state[0] == 1 || state[0] == 2 else { return (nil, nil) }
        func at(_ offset: Int) -> Timestamp? {
            var ms: Int64 = 0
            for i in 0..<8 { ms |= Int64(state[offset + i]) << (8 * Int64(i)) }
            return ms == .min ? nil : Timestamp(milliseconds: ms)
        }
        if state[0] == 1 { return (at(1), nil) }
        guard state.count >= 17 else { return (nil, nil) }
        return (at(1), at(9))
    }
}
