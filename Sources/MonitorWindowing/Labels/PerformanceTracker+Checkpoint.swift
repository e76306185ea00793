public import MonitorCore

extension PerformanceTracker {
    /// The key of the tracker's record among the window-state records of a checkpoint.
    public static let stateRecordKey = "labels"
    static let magic: [UInt8] = Array("MMLT".utf8)
    static let formatVersion: UInt8 = 1

    /// The whole state (clocks, counts per pane, tracked windows and their revisions, totals)
    /// as one record, for `CheckpointWrite.windowUpserts` under ``stateRecordKey``: commit it
    /// in the same transaction as the join operations it counted. A few dozen bytes per pane
    /// and window: with hourly windows and a 7-day horizon, a few KB per model version.
    public func encode() -> [UInt8] {
        var w = ByteWriter(magic: Self.magic, version: Self.formatVersion, capacity: 256 + 24 * panes.count + 32 * windows.count)
        w.i64(mark)
        w.i64(closedThrough)
        w.i64(predictionClock)
        w.i64(labelClock)
        w.u32(streams.count)
        for s in streams {
            w.string(s.model)
            w.string(s.version)
        }
        w.u32(groups.count)
        for g in groups { w.i64(g.slide) }
        w.u32(panes.count)
        for (k, c) in panes.sorted(by: { $0.key < $1.key }) {
            w.u32(Int(k.stream))
            w.u32(Int(k.group))
            w.i64(k.start)
            w.int(c.predictions)
            w.int(c.labeled)
        }
        w.u32(windows.count)
        for (id, t) in windows.sorted(by: { ($0.key.stream, $0.key.spec, $0.key.start) < ($1.key.stream, $1.key.spec, $1.key.start) }) {
            w.u32(Int(id.stream))
            w.string(specs[Int(id.spec)].name)
            w.i64(id.start)
            w.int(t.revision)
            w.int(t.labeledAtRevision)
        }
        let counters = totals.fields
        w.u32(counters.count)
        for c in counters { w.int(c) }
        return w.finish()
    }

    /// Restores a tracker from ``encode()``'s bytes, for the given (possibly reloaded)
    /// configuration: panes of a slide no configuration has any more and windows of a
    /// configuration that is gone are dropped.
    /// - Throws: `WindowingError.corruptState` for bytes that do not decode;
    ///   `.unsupportedVersion` for another format version.
    public init(decoding bytes: [UInt8], specs: [WindowSpec], allowedLateness: Int64, settings: LabelSettings) throws {
        self.init(specs: specs, allowedLateness: allowedLateness, settings: settings)
        var r = try ByteReader(bytes, magic: Self.magic, version: Self.formatVersion, what: "label tracker") {
            WindowingError.corruptState("label tracker: \($0)")
        }
        mark = try r.i64()
        closedThrough = try r.i64()
        predictionClock = try r.i64()
        labelClock = try r.i64()
        let streamCount = try r.u32()
        for _ in 0..<streamCount {
            _ = addStream(ModelVersion(model: try r.string(), version: try r.string()))
        }
        let groupCount = try r.u32()
        var groupMap: [Int32?] = []
        for _ in 0..<groupCount {
            let slide = try r.i64()
            groupMap.append(groups.firstIndex { $0.slide == slide }.map(Int32.init))
        }
        let paneCount = try r.u32()
        for _ in 0..<paneCount {
            let s = try r.u32()
            let g = try r.u32()
            let start = try r.i64()
            let c = PaneCounts(predictions: try r.int(), labeled: try r.int())
            guard s < streams.count, g < groupMap.count else { throw r.error("pane refers to stream \(s), group \(g)") }
            if let mapped = groupMap[g] { panes[PaneKey(stream: Int32(s), group: mapped, start: start)] = c }
        }
        let windowCount = try r.u32()
        for _ in 0..<windowCount {
            let s = try r.u32()
            let name = try r.string()
            let start = try r.i64()
            let t = Tracked(revision: try r.int(), labeledAtRevision: try r.int())
            guard s < streams.count else { throw r.error("window refers to stream \(s)") }
            if let spec = specs.firstIndex(where: { $0.name == name }) {
                windows[WindowID(stream: Int32(s), spec: Int32(spec), start: start)] = t
            }
        }
        let counterCount = try r.u32()
        var counters: [Int] = []
        for _ in 0..<counterCount { counters.append(try r.int()) }
        totals = LabelTotals(fields: counters)
        try r.expectEnd("label tracker")
    }
}

extension ByteReader {
    mutating func int() throws(WindowingError) -> Int { Int(try i64()) }
}

extension LabelTotals {
    /// The counters in a fixed order (append new ones at the end: older records then read as 0).
    var fields: [Int] {
        [predictions, duplicatePredictions, latePredictions, predictionsWithoutID, predictionsWithoutTime, labels,
         labelsWithoutID, labelsWithoutTime, joined, waitingLabels, duplicateLabels, labelsBeyondHorizon,
         expiredPredictions, expiredLabels, released, restated]
    }

    init(fields f: [Int]) {
        self.init()
        func at(_ i: Int) -> Int { i < f.count ? f[i] : 0 }
        predictions = at(0)
        duplicatePredictions = at(1)
        latePredictions = at(2)
        predictionsWithoutID = at(3)
        predictionsWithoutTime = at(4)
        labels = at(5)
        labelsWithoutID = at(6)
        labelsWithoutTime = at(7)
        joined = at(8)
        waitingLabels = at(9)
        duplicateLabels = at(10)
        labelsBeyondHorizon = at(11)
        expiredPredictions = at(12)
        expiredLabels = at(13)
        released = at(14)
        restated = at(15)
    }
}
