public import MonitorCore
import MonitorStats

/// What ``WindowManager/restore(from:)`` rebuilt, and what it had to leave out.
public struct RestoreReport: Sendable {
    /// Panes rebuilt from the records.
    public var restoredPanes = 0
    /// Panes that could not be rebuilt, with the reason: no window configuration with their
    /// slide any more, or their profile is neither in force nor found by id. Their records are
    /// deleted by the next ``WindowManager/checkpointDelta()``.
    public var droppedPanes: [(key: String, reason: String)] = []

    /// An empty report.
    public init() {}
}

extension WindowManager {
    /// The key of the record holding the watermark, the streams and their counters.
    public static let stateRecordKey = "state"
    /// The format version of the checkpoint records; ``restore(from:)`` reads exactly this one.
    public static let checkpointFormatVersion: UInt8 = 1
    static let stateMagic: [UInt8] = Array("MMWS".utf8)
    static let paneMagic: [UInt8] = Array("MMWP".utf8)
    static let chunkMagic: [UInt8] = Array("MMWC".utf8)

    /// `pane|<slide>|<start>|<model>|<version>`, with `%` and `|` escaped in names.
    func storageKey(of key: PaneKey) -> String {
        let s = streams[Int(key.stream)]
        return "pane|\(groups[Int(key.group)].slide)|\(key.start)|\(Self.escape(s.model))|\(Self.escape(s.version))"
    }

    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "%" || $0 == "|" }) else { return s }
        var out = ""
        for ch in s {
            switch ch {
            case "%": out += "%25"
            case "|": out += "%7C"
            default: out.append(ch)
            }
        }
        return out
    }

    /// The records of what changed since the previous call (or since the restore), and the keys
    /// of panes freed since then.
    ///
    /// - A changed pane gives one record: its summary (counts, histograms, extremes, category
    ///   counts by name, the sketch and streamed moments once in sketch mode; a few KB, replaced
    ///   each time) and, when its exact samples grew, one chunk with just the new values
    ///   (append-only: the store appends it to the pane's earlier chunks).
    /// - The record ``stateRecordKey`` (watermark, streams, counters) is included when any of
    ///   them changed.
    /// - `deletes` are panes whose windows have all closed, so their records go.
    ///
    /// Commit the result in the same transaction as the source positions of the last event
    /// ingested, and the results of the windows closed since the previous checkpoint.
    ///
    /// - Returns: upserts ordered by key, and deletes.
    public mutating func checkpointDelta() -> (upserts: [WindowStateRecord], deletes: [String]) {
        var upserts: [WindowStateRecord] = []
        for p in paneIndex.values.sorted() where panes[p].dirty {
            let (summary, chunk) = encodePane(panes[p])
            upserts.append(WindowStateRecord(key: storageKey(of: panes[p].key), summary: summary, chunks: chunk.map { [$0] } ?? []))
            panes[p].dirty = false
            panes[p].persisted = true
            for f in panes[p].numerical.indices where panes[p].numerical[f].isExact {
                panes[p].numerical[f].checkpointedSampleCount = panes[p].numerical[f].sample.count
            }
        }
        if stateDirty {
            upserts.append(WindowStateRecord(key: Self.stateRecordKey, summary: encodeState()))
            stateDirty = false
        }
        upserts.sort { $0.key < $1.key }
        let deletes = pendingDeletes
        pendingDeletes = []
        return (upserts, deletes)
    }

    func encodeState() -> [UInt8] {
        var w = ByteWriter(magic: Self.stateMagic, version: Self.checkpointFormatVersion)
        w.i64(mark)
        w.i64(closedThrough)
        w.u32(streams.count)
        for s in streams {
            w.string(s.model)
            w.string(s.version)
            w.int(s.accepted)
            w.int(s.noTimestamp)
            w.int(s.unprofiled)
            w.int(s.windowsClosed)
            let late = s.late.enumerated().filter { $0.element > 0 }
            w.u32(late.count)
            for (i, n) in late {
                w.string(specs[i].name)
                w.int(n)
            }
        }
        return w.finish()
    }

    func encodePane(_ pane: Pane) -> (summary: [UInt8], chunk: [UInt8]?) {
        let slot = profiles[pane.profileSlot]!
        let stream = streams[Int(pane.key.stream)]
        var w = ByteWriter(magic: Self.paneMagic, version: Self.checkpointFormatVersion, capacity: 1024)
        w.i64(groups[Int(pane.key.group)].slide)
        w.i64(pane.key.start)
        w.string(stream.model)
        w.string(stream.version)
        w.i64(slot.resolved.id)
        w.int(pane.eventCount)
        w.u32(pane.numerical.count)
        var grew = false
        for (f, a) in pane.numerical.enumerated() {
            w.string(slot.numerical[f].name)
            w.int(a.count)
            w.int(a.missing)
            w.int(a.outOfRange)
            w.f64(a.minimum)
            w.f64(a.maximum)
            w.ints(a.binCounts)
            if let sketch = a.sketch {
                w.bool(true)
                let m = a.sketchMoments.state
                w.int(m.count)
                w.int(m.missing)
                w.f64(m.shift)
                w.f64(m.shiftedMean)
                w.f64(m.sumOfSquaredDeviations)
                w.f64(m.minimum)
                w.f64(m.maximum)
                w.blob(sketch.serialized())
            } else {
                w.bool(false)
                w.int(a.sample.count)
                grew = grew || a.sample.count > a.checkpointedSampleCount
            }
        }
        w.u32(pane.categorical.count)
        for (c, a) in pane.categorical.enumerated() {
            let names = slot.translators[c].names
            w.string(slot.categorical[c].name)
            w.int(a.missing)
            w.int(a.overflow)
            let entries = a.counts.enumerated().filter { $0.element > 0 }.map { (names[$0.offset], $0.element) }
                .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            w.u32(entries.count)
            for (name, n) in entries {
                w.string(name)
                w.int(n)
            }
        }
        let summary = w.finish()
        guard grew else { return (summary, nil) }
        let newValues = pane.numerical.reduce(0) { $0 + ($1.isExact ? $1.sample.count - $1.checkpointedSampleCount : 0) }
        var chunk = ByteWriter(magic: Self.chunkMagic, version: Self.checkpointFormatVersion, capacity: 8 * newValues + 64)
        chunk.u32(pane.numerical.count)
        for a in pane.numerical {
            if a.isExact {
                chunk.int(a.checkpointedSampleCount)
                a.sample.withUnsafeBufferPointer { chunk.doubles(UnsafeBufferPointer(rebasing: $0[a.checkpointedSampleCount...])) }
            } else {
                chunk.int(0)
                chunk.doubles(UnsafeBufferPointer(start: nil, count: 0))
            }
        }
        return (summary, chunk.finish())
    }

    /// Rebuilds the state from the records of a store (every record's summary, with its chunks
    /// in the order they were written), into a manager that has seen nothing yet.
    ///
    /// Category counts come back by name and get this process's ids; open windows keep the
    /// profile they were built with (looked up by id through the resolver when it is no longer
    /// the one in force). Streams re-resolve the profile in force for their new panes.
    ///
    /// - Parameter records: the stored records (``stateRecordKey`` and the panes'); empty for a
    ///   fresh start.
    /// - Returns: what was restored and which panes had to be dropped.
    /// - Throws: `WindowingError.corruptState` (or `.unsupportedVersion`) for records that are
    ///   truncated, corrupted or inconsistent with their profile. Never traps on bad bytes.
    public mutating func restore(from records: [WindowStateRecord]) throws -> RestoreReport {
        try restoreTyped(records)
    }

    mutating func restoreTyped(_ records: [WindowStateRecord]) throws(WindowingError) -> RestoreReport {
        precondition(streams.isEmpty && paneIndex.isEmpty && mark == .min, "WindowManager.restore(from:) needs a fresh manager")
        var report = RestoreReport()
        guard !records.isEmpty else { return report }
        guard let state = records.first(where: { $0.key == Self.stateRecordKey }) else {
            throw .corruptState("window state: no \"\(Self.stateRecordKey)\" record among \(records.count)")
        }
        try decodeState(state.summary)
        var seen = Set<String>()
        for record in records where record.key != Self.stateRecordKey {
            guard seen.insert(record.key).inserted else { throw .corruptState("window state: duplicate record \(record.key)") }
            if let reason = try restorePane(record) {
                report.droppedPanes.append((record.key, reason))
                pendingDeletes.append(record.key)
            } else {
                report.restoredPanes += 1
            }
        }
        stateDirty = false
        collectProfiles()
        return report
    }

    private mutating func decodeState(_ bytes: [UInt8]) throws(WindowingError) {
        var r = try ByteReader(bytes, magic: Self.stateMagic, version: Self.checkpointFormatVersion, what: "window state") {
            WindowingError.corruptState("window state: \($0)")
        }
        let m = try r.i64()
        let c = try r.i64()
        guard c <= m || c == .min else { throw r.error("closed through \(c) beyond the watermark \(m)") }
        mark = m
        closedThrough = c
        for _ in 0..<(try r.u32()) {
            let model = try r.string()
            let version = try r.string()
            guard streamIndex[StreamName(model: model, version: version)] == nil else {
                throw r.error("duplicate stream \(model)/\(version)")
            }
            let i = stream(model: model, version: version)
            streams[i].accepted = try r.count(limit: .max)
            streams[i].noTimestamp = try r.count(limit: .max)
            streams[i].unprofiled = try r.count(limit: .max)
            streams[i].windowsClosed = try r.count(limit: .max)
            for _ in 0..<(try r.u32()) {
                let name = try r.string()
                let n = try r.count(limit: .max)
                // Counters of a configuration that no longer exists are dropped with it.
                if let si = specs.firstIndex(where: { $0.name == name }) { streams[i].late[si] = n }
            }
        }
        try r.expectEnd("window state")
    }

    /// The profile slot for a restored pane: the one in force if it has the id, else by id.
    private mutating func restoredSlot(id: Int64, model: String, version: String) -> Int? {
        if let s = slotOfProfileID[id], profiles[s] != nil { return s }
        if let r = resolver.inForce(model, version), r.id == id { return slot(for: r) }
        return slot(for: resolver.byID(id))
    }

    /// Rebuilds one pane; returns why it was dropped, or nil.
    private mutating func restorePane(_ record: WindowStateRecord) throws(WindowingError) -> String? {
        let key = record.key
        var r = try ByteReader(record.summary, magic: Self.paneMagic, version: Self.checkpointFormatVersion, what: "pane \(key)") {
            WindowingError.corruptState("pane \(key): \($0)")
        }
        let slide = try r.i64()
        let start = try r.i64()
        let model = try r.string()
        let version = try r.string()
        let profileID = try r.i64()
        let eventCount = try r.count(limit: .max)
        guard slide > 0, start % slide == 0, abs(start) <= Self.maxAbsTime else { throw r.error("invalid pane [\(start), +\(slide))") }
        guard let group = groups.firstIndex(where: { $0.slide == slide }) else {
            return "no window configuration slides by \(slide) ms any more"
        }
        let stream = self.stream(model: model, version: version)
        let paneKey = PaneKey(stream: Int32(stream), group: Int32(group), start: start)
        guard paneIndex[paneKey] == nil else { throw r.error("pane restored twice") }
        guard let slotIndex = restoredSlot(id: profileID, model: model, version: version) else {
            return "profile \(profileID) is not available"
        }
        let slot = profiles[slotIndex]!
        var pane = Pane(key: paneKey, profileSlot: slotIndex, slot: slot)
        pane.eventCount = eventCount
        let numericalCount = try r.u32()
        guard numericalCount == slot.numerical.count else {
            throw r.error("\(numericalCount) numerical features, profile \(profileID) has \(slot.numerical.count)")
        }
        var exactCounts = [Int?](repeating: nil, count: numericalCount)
        for f in 0..<numericalCount {
            let ref = slot.numerical[f]
            let name = try r.string()
            guard name == ref.name else { throw r.error("feature \"\(name)\" where profile \(profileID) has \"\(ref.name)\"") }
            let count = try r.count(limit: .max)
            let missing = try r.count(limit: .max)
            let outside = try r.count(limit: .max)
            let minimum = try r.f64()
            let maximum = try r.f64()
            let bins = try r.ints()
            guard count + missing == eventCount, outside <= count else { throw r.error("feature \"\(name)\": counts do not add up") }
            guard bins.count == (ref.edges?.binCount ?? 0), bins.reduce(0, &+) == (bins.isEmpty ? 0 : count) else {
                throw r.error("feature \"\(name)\": histogram does not match the profile's bins")
            }
            if count > 0 {
                guard minimum.isFinite, maximum.isFinite, minimum <= maximum else { throw r.error("feature \"\(name)\": invalid range") }
            } else {
                guard minimum == .infinity, maximum == -.infinity else { throw r.error("feature \"\(name)\": range of nothing") }
            }
            var sketch: KLLSketch? = nil
            var moments = Moments()
            if try r.bool() {
                let state = Moments.State(
                    count: try r.count(limit: .max), missing: try r.count(limit: .max), shift: try r.f64(), shiftedMean: try r.f64(),
                    sumOfSquaredDeviations: try r.f64(), minimum: try r.f64(), maximum: try r.f64())
                guard state.count == count, state.sumOfSquaredDeviations >= 0 || state.sumOfSquaredDeviations.isNaN else {
                    throw r.error("feature \"\(name)\": moments do not match the counts")
                }
                moments = Moments(state: state)
                let bytes = try r.blob()
                do {
                    sketch = try KLLSketch(serialized: bytes)
                } catch {
                    throw r.error("feature \"\(name)\": \(error)")
                }
                guard sketch!.count == UInt64(count) else { throw r.error("feature \"\(name)\": the sketch holds \(sketch!.count) values, not \(count)") }
            } else {
                let sampleCount = try r.count(limit: .max)
                guard sampleCount == count else { throw r.error("feature \"\(name)\": \(sampleCount) sample values for \(count)") }
                exactCounts[f] = sampleCount
            }
            pane.numerical[f] = NumericalAccumulator(
                count: count, missing: missing, outOfRange: outside, minimum: minimum, maximum: maximum, binCounts: bins,
                sample: [], sketch: sketch, sketchMoments: moments)
        }
        let categoricalCount = try r.u32()
        guard categoricalCount == slot.categorical.count else {
            throw r.error("\(categoricalCount) categorical features, profile \(profileID) has \(slot.categorical.count)")
        }
        for c in 0..<categoricalCount {
            let name = try r.string()
            guard name == slot.categorical[c].name else {
                throw r.error("feature \"\(name)\" where profile \(profileID) has \"\(slot.categorical[c].name)\"")
            }
            let missing = try r.count(limit: .max)
            let overflow = try r.count(limit: .max)
            var acc = CategoricalAccumulator(counts: [], missing: missing, overflow: overflow)
            var total = missing + overflow
            var names = Set<String>()
            for _ in 0..<(try r.u32()) {
                let category = try r.string()
                let n = try r.count(limit: .max)
                guard names.insert(category).inserted, n > 0 else { throw r.error("feature \"\(name)\": bad category entry") }
                acc.add(id: profiles[slotIndex]!.translators[c].id(for: category), count: n)
                total += n
            }
            guard total == eventCount else { throw r.error("feature \"\(name)\": counts do not add up") }
            pane.categorical[c] = acc
        }
        try r.expectEnd("pane \(key)")

        // The exact samples, chunk by chunk in the order they were written.
        var samples = [[Double]](repeating: [], count: numericalCount)
        for (i, bytes) in record.chunks.enumerated() {
            var cr = try ByteReader(bytes, magic: Self.chunkMagic, version: Self.checkpointFormatVersion, what: "pane \(key) chunk \(i)") {
                WindowingError.corruptState("pane \(key) chunk \(i): \($0)")
            }
            guard try cr.u32() == numericalCount else { throw cr.error("feature count differs from the summary") }
            for f in 0..<numericalCount {
                let from = try cr.count(limit: .max)
                let values = try cr.doubles()
                guard let expected = exactCounts[f] else { continue }  // in sketch mode now: superseded
                guard from == samples[f].count, samples[f].count + values.count <= expected else {
                    throw cr.error("feature \"\(slot.numerical[f].name)\": chunk starts at \(from), \(samples[f].count) values restored")
                }
                guard values.allSatisfy(\.isFinite) else { throw cr.error("non-finite sample value") }
                samples[f].append(contentsOf: values)
            }
            try cr.expectEnd("pane \(key) chunk \(i)")
        }
        for f in 0..<numericalCount {
            guard let expected = exactCounts[f] else { continue }
            guard samples[f].count == expected else {
                throw .corruptState("pane \(key): feature \"\(slot.numerical[f].name)\" has \(samples[f].count) of \(expected) sample values")
            }
            let a = pane.numerical[f]
            if let lo = samples[f].min(), let hi = samples[f].max() {
                guard lo == a.minimum, hi == a.maximum else { throw .corruptState("pane \(key): sample range differs from the summary") }
            }
            pane.numerical[f] = NumericalAccumulator(
                count: a.count, missing: a.missing, outOfRange: a.outOfRange, minimum: a.minimum, maximum: a.maximum,
                binCounts: a.binCounts, sample: samples[f], sketch: nil, sketchMoments: Moments())
        }
        pane.dirty = false
        pane.persisted = true
        let p: Int
        if let free = freePanes.popLast() {
            panes[free] = pane
            p = free
        } else {
            panes.append(pane)
            p = panes.count - 1
        }
        paneIndex[paneKey] = p
        return nil
    }
}
