public import MonitorCore

/// When each window's model performance may be emitted, and when it is restated: the pure half
/// of the delayed-label join (DESIGN §5). The store holds the predictions and labels and makes
/// the join decisions (`LabelJoinStore`); this value counts, per window, the predictions and
/// the labels that reached them, and decides maturity, release order and restatements.
///
/// ## Windows
/// The window configurations of drift (`WindowSpec`, aligned to multiples of their slide),
/// per model and version. A prediction is counted in the windows of each slide group where it
/// is not **late**, with exactly `WindowManager`'s rule: the watermark is the largest event
/// time seen minus the allowed lateness, and a prediction whose pane ends at or before the
/// watermark as it stood just before it is late. So a window's prediction count is the count
/// of events its drift result saw (unprofiled streams aside: performance needs no profile).
/// Predictions without an id or a timestamp cannot be joined and are counted, not registered.
///
/// ## Maturity
/// A window is **closed** when the watermark passes its end (or at ``closeAll()``); then no
/// prediction joins it any more. A closed window **matures** when its label coverage
/// (labeled / predictions) reaches `labels.min_coverage`, or when the horizon has passed its
/// end: ``joinClock`` ≥ end + horizon — every prediction in it then has its label or has
/// expired. The join clock is the latest event time seen on either side (predictions or labels).
///
/// ## Release order
/// Matured windows are **released** — their figures computed and emitted, revision 1 — in
/// `WindowKey` order (end, start, configuration, model, version): a window is released only
/// when every tracked window ending before it has matured too. Rules are evaluated at each
/// release with the window's end as the evaluation time, and the rule engine ignores times
/// earlier than its last evaluation; releasing in order keeps every matured window in front of
/// the rules (a window maturing early by coverage waits for earlier ones, at most until their
/// horizon passes) instead of silently skipping it. The cost: a model version without labels
/// holds back the others' release until its own windows mature by horizon — the performance
/// counterpart of the single watermark all streams share.
///
/// ## Restatements
/// Labels that reach a released window later **restate** it: a new revision when the coverage
/// has grown by at least ``restatementStep`` since the last revision, when the horizon passes
/// (the final revision) or at the end of a batch run (``release(endOfInput:)``) — each time
/// only if the labeled count changed. A window whose horizon has passed is final: it is
/// forgotten here, and its rows may go from the store (``settledBefore``).
///
/// ## Determinism
/// Counts depend only on the order of predictions and on which labels joined. The revisions at
/// which figures are emitted depend on when ``release(endOfInput:)`` is called (the service
/// calls it after each chunk it reads), so a restart that reads in other chunks may emit other
/// intermediate revisions; the final figures of a window do not change.
///
/// Pure: no I/O, no clock. State survives restarts through ``encode()`` / ``init(decoding:…)``.
public struct PerformanceTracker: Sendable {
    /// Window configurations, as the drift windows use them.
    public let specs: [WindowSpec]
    /// Watermark = max event time − allowedLateness (ms), as `WindowManager`.
    public let allowedLateness: Int64
    /// Horizon and coverage threshold.
    public let settings: LabelSettings
    /// The coverage growth that restates a released window: one percentage point, so a window
    /// is restated at most about `(1 − min_coverage) / 0.01` times (10 with the default 0.9)
    /// plus its final revision, however its late labels trickle in.
    public static let restatementStep = 0.01

    struct Group: Sendable {
        var slide: Int64
        var specs: [Int]
        var maxSize: Int64
    }
    let groups: [Group]

    struct PaneKey: Hashable, Sendable, Comparable {
        var stream: Int32
        var group: Int32
        var start: Int64
        static func < (a: PaneKey, b: PaneKey) -> Bool { (a.stream, a.group, a.start) < (b.stream, b.group, b.start) }
    }
    struct PaneCounts: Sendable, Hashable {
        var predictions = 0
        var labeled = 0
    }
    struct WindowID: Hashable, Sendable {
        var stream: Int32
        var spec: Int32
        var start: Int64
    }
    struct Tracked: Sendable, Hashable {
        /// 0 until released, then the last revision emitted.
        var revision = 0
        var labeledAtRevision = 0
    }

    var mark: Int64 = .min
    var closedThrough: Int64 = .min
    var predictionClock: Int64 = .min
    var labelClock: Int64 = .min
    var streams: [ModelVersion] = []
    var streamIndex: [ModelVersion: Int32] = [:]
    var panes: [PaneKey: PaneCounts] = [:]
    var windows: [WindowID: Tracked] = [:]
    /// Cumulative counters (checkpointed with the state).
    public internal(set) var totals = LabelTotals()

    /// A tracker with no state.
    /// - Parameters:
    ///   - specs: the window configurations (validated by `WindowManager`).
    ///   - allowedLateness: ms.
    ///   - settings: horizon and coverage threshold.
    public init(specs: [WindowSpec], allowedLateness: Int64, settings: LabelSettings) {
        self.specs = specs
        self.allowedLateness = allowedLateness
        self.settings = settings
        var groups: [Group] = []
        for (i, s) in specs.enumerated() {
            if let g = groups.firstIndex(where: { $0.slide == s.slide }) {
                groups[g].specs.append(i)
                groups[g].maxSize = max(groups[g].maxSize, s.size)
            } else {
                groups.append(Group(slide: s.slide, specs: [i], maxSize: s.size))
            }
        }
        precondition(groups.count <= 64, "PerformanceTracker: at most 64 distinct slides")
        self.groups = groups
    }

    /// The latest event time seen among predictions and labels (nil before any): the clock of
    /// the horizon.
    public var joinClock: Timestamp? {
        let c = max(predictionClock, labelClock)
        return c == .min ? nil : Timestamp(milliseconds: c)
    }

    /// The largest prediction event time seen, nil before any.
    public var predictionTime: Timestamp? { predictionClock == .min ? nil : Timestamp(milliseconds: predictionClock) }
    /// The largest label event time seen, nil before any.
    public var labelTime: Timestamp? { labelClock == .min ? nil : Timestamp(milliseconds: labelClock) }

    /// Windows counted and not yet final.
    public var trackedWindowCount: Int { windows.count }
    /// Tracked windows not yet released (awaiting maturity).
    public var immatureWindowCount: Int { windows.values.filter { $0.revision == 0 }.count }

    func stream(_ s: ModelVersion) -> Int32 {
        streamIndex[s] ?? -1
    }

    mutating func addStream(_ s: ModelVersion) -> Int32 {
        if let i = streamIndex[s] { return i }
        streams.append(s)
        let i = Int32(streams.count - 1)
        streamIndex[s] = i
        return i
    }

    static func floorStart(_ t: Int64, _ slide: Int64) -> Int64 {
        let rem = t % slide
        return rem < 0 ? t - rem - slide : t - rem
    }

    /// Event times beyond ±2⁶¹ ms are treated as missing, as `WindowManager` does.
    static let maxAbsTime: Int64 = 1 << 61

    /// The predictions of a decoded batch that can join labels, in row order, with the slide
    /// groups that count each (lateness as `WindowManager` judges it); advances the watermark.
    ///
    /// Rows without an id (`batch.ids` nil or empty string) or without a timestamp are counted
    /// in ``totals`` and left out; so are rows late in every group.
    /// - Parameter batch: decoded predictions (decoded with `keepIDs`).
    /// - Returns: the rows to hand to `LabelJoinStore.registerPredictions`, then to
    ///   ``record(_:outcomes:)``.
    public mutating func predictionRows(from batch: Batch) -> PredictionRows {
        var out = PredictionRows()
        let n = batch.count
        guard n > 0 else { return out }
        var localStream: [UInt64: Int32] = [:]
        let hasTimes = batch.timestamps.count == n
        let hasModels = batch.models.count == n
        let hasVersions = batch.versions.count == n
        let hasLabels = batch.predictedLabels.count == n
        let hasScores = batch.scores.count == n
        let hasValues = batch.values.count == n
        out.ids.reserveCapacity(n)
        for r in 0..<n {
            guard let id = batch.ids?[r], !id.isEmpty else {
                totals.predictionsWithoutID += 1
                continue
            }
            let t = hasTimes ? batch.timestamps[r] : .min
            guard t != .min, t >= -Self.maxAbsTime, t <= Self.maxAbsTime else {
                totals.predictionsWithoutTime += 1
                continue
            }
            let before = mark
            if t - allowedLateness > mark { mark = t - allowedLateness }
            if t > predictionClock { predictionClock = t }
            var mask: UInt64 = 0
            for (g, group) in groups.enumerated() where Self.floorStart(t, group.slide) + group.slide > before {
                mask |= 1 << UInt64(g)
            }
            guard mask != 0 else {
                totals.latePredictions += 1
                continue
            }
            let m = hasModels ? batch.models[r] : CategoryDictionary.missingCode
            let v = hasVersions ? batch.versions[r] : CategoryDictionary.missingCode
            let pair = UInt64(m) << 32 | UInt64(v)
            let local: Int32
            if let l = localStream[pair] {
                local = l
            } else {
                local = Int32(out.streamNames.count)
                out.streamNames.append(ModelVersion(model: Self.name(m, batch.modelDictionary), version: Self.name(v, batch.versionDictionary)))
                localStream[pair] = local
            }
            out.ids.append(id)
            out.timestamps.append(t)
            out.streams.append(local)
            if hasLabels, Int(batch.predictedLabels[r]) < batch.labelDictionary.count {
                out.predictedLabels.append(batch.labelDictionary.names[Int(batch.predictedLabels[r])])
            } else {
                out.predictedLabels.append(nil)
            }
            out.scores.append(hasScores ? batch.scores[r] : .nan)
            out.values.append(hasValues ? batch.values[r] : .nan)
            out.windowGroups.append(mask)
        }
        return out
    }

    static func name(_ code: UInt32, _ dictionary: CategoryDictionary) -> String {
        Int(code) < dictionary.count ? dictionary.names[Int(code)] : ""
    }

    /// Counts the predictions the join stored (pending or joined at once) in their windows, and
    /// the labels of those that joined.
    /// - Parameters:
    ///   - rows: what ``predictionRows(from:)`` returned.
    ///   - outcomes: the store's outcome per row.
    public mutating func record(_ rows: PredictionRows, outcomes: [PredictionJoinOutcome]) {
        precondition(outcomes.count == rows.count, "PerformanceTracker.record: \(outcomes.count) outcomes for \(rows.count) rows")
        let streamMap = rows.streamNames.map { addStream($0) }
        for i in 0..<rows.count {
            switch outcomes[i] {
            case .duplicate:
                totals.duplicatePredictions += 1
                continue
            case .pending:
                totals.predictions += 1
            case .joined:
                totals.predictions += 1
                totals.joined += 1
            }
            let s = streamMap[Int(rows.streams[i])]
            let t = rows.timestamps[i]
            for g in groups.indices where rows.windowGroups[i] & (1 << UInt64(g)) != 0 {
                let key = PaneKey(stream: s, group: Int32(g), start: Self.floorStart(t, groups[g].slide))
                if panes[key] == nil { addPane(key) }
                panes[key]!.predictions += 1
                if outcomes[i] == .joined { panes[key]!.labeled += 1 }
            }
        }
    }

    /// Creates a pane and starts tracking every window that contains it.
    mutating func addPane(_ key: PaneKey) {
        panes[key] = PaneCounts()
        let g = groups[Int(key.group)]
        for si in g.specs {
            let size = specs[si].size
            var start = key.start - size + g.slide
            while start <= key.start {
                let id = WindowID(stream: key.stream, spec: Int32(si), start: start)
                if windows[id] == nil { windows[id] = Tracked() }
                start += g.slide
            }
        }
    }

    /// Advances the label clock to the batch's latest time and counts labels the join could not
    /// take (no id, no time); returns the rows to hand to `LabelJoinStore.joinLabels`.
    public mutating func labelRows(from batch: LabelBatch) -> LabelBatch {
        var out = LabelBatch()
        for i in 0..<batch.count {
            let t = batch.timestamps[i]
            guard !batch.ids[i].isEmpty else {
                totals.labelsWithoutID += 1
                continue
            }
            guard t != .min, t >= -Self.maxAbsTime, t <= Self.maxAbsTime else {
                totals.labelsWithoutTime += 1
                continue
            }
            if t > labelClock { labelClock = t }
            out.append(id: batch.ids[i], timestamp: t, label: batch.labels[i], value: batch.values[i])
        }
        totals.labels += out.count
        return out
    }

    /// Counts what the join did with labels: each joined label in its prediction's windows.
    public mutating func record(_ result: LabelJoinResult) {
        totals.joined += result.joined.count
        totals.waitingLabels += result.pending
        totals.duplicateLabels += result.duplicates
        totals.labelsBeyondHorizon += result.beyondHorizon
        totals.expiredPredictions += result.expiredPredictions
        for j in result.joined {
            guard let s = streamIndex[j.stream] else { continue }
            for g in groups.indices where j.windowGroups & (1 << UInt64(g)) != 0 {
                let key = PaneKey(stream: s, group: Int32(g), start: Self.floorStart(j.timestamp, groups[g].slide))
                // A pane already dropped belongs to final windows only: nothing left to restate.
                panes[key]?.labeled += 1
            }
        }
    }

    /// Counts expiries done by `LabelJoinStore.expirePending`.
    public mutating func recordExpired(predictions: Int, labels: Int) {
        totals.expiredPredictions += predictions
        totals.expiredLabels += labels
    }

    /// End of input (`monitor run --once`): every window is closed for predictions (later
    /// predictions are late, as for drift windows). The horizon clock is unchanged.
    public mutating func closeAll() {
        closedThrough = .max
        mark = .max
    }

    /// Predictions and labels of a window, summed over its panes.
    func counts(_ id: WindowID) -> PaneCounts {
        let spec = specs[Int(id.spec)]
        let g = groups.firstIndex { $0.specs.contains(Int(id.spec)) }!
        var c = PaneCounts()
        var start = id.start
        while start < id.start + spec.size {
            if let p = panes[PaneKey(stream: id.stream, group: Int32(g), start: start)] {
                c.predictions += p.predictions
                c.labeled += p.labeled
            }
            start += spec.slide
        }
        return c
    }

    func key(_ id: WindowID) -> WindowKey {
        let s = streams[Int(id.stream)]
        let spec = specs[Int(id.spec)]
        return WindowKey(model: s.model, version: s.version, window: spec.name, start: Timestamp(milliseconds: id.start),
                         end: Timestamp(milliseconds: id.start + spec.size))
    }

    /// The windows whose figures are due now: releases (revision 1) in `WindowKey` order, then
    /// restatements; final windows are forgotten.
    ///
    /// - Parameter endOfInput: the end of a batch run: every released window whose labeled
    ///   count changed since its last revision is restated.
    /// - Returns: what to compute and emit, releases first, each group in `WindowKey` order.
    public mutating func release(endOfInput: Bool = false) -> [PerformanceDue] {
        if mark > closedThrough { closedThrough = mark }
        let clock = max(predictionClock, labelClock)
        let horizon = settings.horizon
        func horizonPassed(_ end: Int64) -> Bool { clock != .min && end <= clock - horizon }
        var due: [PerformanceDue] = []
        let ordered = windows.keys.map { ($0, key($0)) }.sorted { $0.1 < $1.1 }
        var blocked = false
        var finals: [WindowID] = []
        for (id, key) in ordered {
            let end = key.end.milliseconds
            var tracked = windows[id]!
            let c = counts(id)
            if tracked.revision == 0 {
                if blocked { continue }
                let closed = end <= closedThrough
                let coverage = c.predictions > 0 ? Double(c.labeled) / Double(c.predictions) : 0
                guard closed, coverage >= settings.minCoverage || horizonPassed(end) else {
                    blocked = true
                    continue
                }
                tracked.revision = 1
                tracked.labeledAtRevision = c.labeled
                due.append(PerformanceDue(key: key, revision: 1, predictions: c.predictions, labeled: c.labeled))
            } else if c.labeled != tracked.labeledAtRevision {
                let step = Double(c.labeled - tracked.labeledAtRevision) / Double(max(c.predictions, 1))
                if step >= Self.restatementStep - 1e-12 || horizonPassed(end) || endOfInput {
                    tracked.revision += 1
                    tracked.labeledAtRevision = c.labeled
                    due.append(PerformanceDue(key: key, revision: tracked.revision, predictions: c.predictions, labeled: c.labeled))
                }
            }
            windows[id] = tracked
            if tracked.revision > 0 && horizonPassed(end) { finals.append(id) }
        }
        for id in finals { windows[id] = nil }
        if !finals.isEmpty { dropUnusedPanes() }
        let releases = due.filter { $0.revision == 1 }
        let restatements = due.filter { $0.revision > 1 }
        totals.released += releases.count
        totals.restated += restatements.count
        return releases + restatements
    }

    /// Drops panes that no tracked window contains.
    mutating func dropUnusedPanes() {
        for key in panes.keys {
            let g = groups[Int(key.group)]
            var used = false
            for si in g.specs where !used {
                var start = key.start - specs[si].size + g.slide
                while start <= key.start && !used {
                    if windows[WindowID(stream: key.stream, spec: Int32(si), start: start)] != nil { used = true }
                    start += g.slide
                }
            }
            if !used { panes[key] = nil }
        }
    }

    /// Cut-offs for `LabelJoinStore.expirePending`, nil before any event.
    ///
    /// - `predictions`: the join clock minus the horizon. A pending prediction older than that
    ///   can no longer be joined: a label more than the horizon after it does not join it.
    ///   Call it only once the labels have been read up to the predictions' time (the service
    ///   checks), or a label still unread could miss its prediction.
    /// - `labels`: the *predictions'* latest time minus the horizon. A waiting label waits for
    ///   its prediction, so it is the prediction stream that must have moved on: a label file
    ///   read ahead of the predictions (a replay reads whole chunks) must not expire labels
    ///   whose predictions are still to be read.
    public var expiryCutoffs: (predictions: Timestamp, labels: Timestamp)? {
        let clock = max(predictionClock, labelClock)
        guard clock != .min else { return nil }
        let labels = predictionClock == .min ? Int64.min : predictionClock - settings.horizon
        return (Timestamp(milliseconds: clock - settings.horizon), Timestamp(milliseconds: labels))
    }

    /// Prediction rows before this time belong only to final windows (forgotten by
    /// ``release(endOfInput:)``): `LabelJoinStore.deleteSettled(before:)` may remove them.
    /// Nil while there is nothing to delete.
    public var settledBefore: Timestamp? {
        let clock = max(predictionClock, labelClock)
        guard clock != .min, closedThrough != .min else { return nil }
        let maxSize = groups.map(\.maxSize).max() ?? 0
        // Every window containing t ends at or before t + maxSize; it is final once closed and
        // the horizon has passed its end.
        let byHorizon = clock - settings.horizon - maxSize
        let byClose = closedThrough == .max ? Int64.max : closedThrough - maxSize
        let cutoff = min(byHorizon, byClose)
        guard let earliest = windows.keys.map({ $0.start }).min() else { return Timestamp(milliseconds: cutoff) }
        return Timestamp(milliseconds: min(cutoff, earliest))
    }
}

/// A window whose performance figures are due: computed from its joined rows and emitted.
public struct PerformanceDue: Hashable, Sendable {
    public var key: WindowKey
    /// 1 for the release at maturity, more for restatements.
    public var revision: Int
    /// Predictions counted in the window.
    public var predictions: Int
    /// Of them, labeled.
    public var labeled: Int
}

