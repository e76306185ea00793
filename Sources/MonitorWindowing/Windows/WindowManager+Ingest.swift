public import MonitorCore

extension WindowManager {
    /// Where a profile's accumulated features live in a batch.
    struct ColumnMap {
        static let absent = -1
        /// `batch.scores` / `batch.predictedLabels`.
        static let prediction = -2
        var numerical: [Int]
        var categorical: [Int]
    }

    /// Assigns the rows of a batch to panes, per model and version, and accumulates them.
    ///
    /// Rows are taken in order; each is judged against the watermark as it stood just before it
    /// (so the outcome does not depend on batch boundaries), counted, and either dropped (no
    /// timestamp, no profile, late) or added to its pane in every slide group. The features are
    /// then accumulated column by column over each pane's rows (a contiguous slice when the
    /// pane's rows are consecutive, as they are for in-order data, else gathered once).
    ///
    /// - Parameters:
    ///   - batch: decoded records; categorical codes refer to the batch's (decoder's)
    ///     dictionaries, which may grow from batch to batch. A missing model or version is `""`.
    ///   - rows: the rows to take (default: all).
    /// - Returns: what happened to the rows (the cumulative counts are in ``counters``).
    /// - Complexity: O(rows × features); no allocation per event.
    @discardableResult
    public mutating func ingest(_ batch: Batch, rows: Range<Int>? = nil) -> IngestSummary {
        let all = 0..<batch.count
        let range = (rows ?? all).clamped(to: all)
        var summary = IngestSummary()
        guard !range.isEmpty else { return summary }
        var s = Scratch()
        swap(&s, &scratch)
        defer { swap(&s, &scratch) }
        let n = range.count
        if s.rowPane.count < n * groups.count { s.rowPane = [Int32](repeating: -1, count: n * groups.count) }
        assignPanes(batch, range, &s.rowPane, &summary)
        var maps: [Int: ColumnMap] = [:]
        for g in groups.indices { accumulate(batch, range, group: g, &s, &maps) }
        stateDirty = true
        return summary
    }

    /// Pass 1, sequential: stream, timestamp, watermark, lateness and pane of every row.
    private mutating func assignPanes(_ batch: Batch, _ range: Range<Int>, _ rowPane: inout [Int32], _ summary: inout IngestSummary) {
        let n = range.count
        let groupCount = groups.count
        let hasModels = batch.models.count == batch.count
        let hasVersions = batch.versions.count == batch.count
        let hasTimes = batch.timestamps.count == batch.count
        var pairCache: [UInt64: Int] = [:]
        var havePair = false
        var lastPair: UInt64 = 0
        var stream = 0
        var slot = -1
        var cacheStream = [Int](repeating: -1, count: groupCount)
        var cacheStart = [Int64](repeating: 0, count: groupCount)
        var cachePane = [Int](repeating: 0, count: groupCount)
        let lateness = allowedLateness
        for i in 0..<n {
            let r = range.lowerBound + i
            let m = hasModels ? batch.models[r] : CategoryDictionary.missingCode
            let v = hasVersions ? batch.versions[r] : CategoryDictionary.missingCode
            let pair = UInt64(m) << 32 | UInt64(v)
            if !havePair || pair != lastPair {
                if let st = pairCache[pair] {
                    stream = st
                } else {
                    stream = self.stream(model: Self.name(m, batch.modelDictionary), version: Self.name(v, batch.versionDictionary))
                    pairCache[pair] = stream
                }
                slot = streams[stream].profileSlot ?? -1
                lastPair = pair
                havePair = true
            }
            let t = hasTimes ? batch.timestamps[r] : .min
            guard t != .min, t >= -Self.maxAbsTime, t <= Self.maxAbsTime else {
                streams[stream].noTimestamp += 1
                summary.noTimestamp += 1
                for g in 0..<groupCount { rowPane[g * n + i] = -1 }
                continue
            }
            let before = mark
            if t - lateness > mark { mark = t - lateness }
            guard slot >= 0 else {
                streams[stream].unprofiled += 1
                summary.unprofiled += 1
                for g in 0..<groupCount { rowPane[g * n + i] = -1 }
                continue
            }
            var accepted = false
            var late = false
            for g in 0..<groupCount {
                let slide = groups[g].slide
                let rem = t % slide
                let start = rem < 0 ? t - rem - slide : t - rem
                if start + slide <= before {
                    for si in groups[g].specs { streams[stream].late[si] += 1 }
                    late = true
                    rowPane[g * n + i] = -1
                    continue
                }
                accepted = true
                let p: Int
                if cacheStream[g] == stream && cacheStart[g] == start {
                    p = cachePane[g]
                } else {
                    p = pane(stream: stream, group: g, start: start, slot: slot)
                    cacheStream[g] = stream
                    cacheStart[g] = start
                    cachePane[g] = p
                }
                rowPane[g * n + i] = Int32(p)
            }
            if accepted {
                streams[stream].accepted += 1
                summary.accepted += 1
            }
            if late { summary.late += 1 }
        }
    }

    static func name(_ code: UInt32, _ dictionary: CategoryDictionary) -> String {
        Int(code) < dictionary.count ? dictionary.names[Int(code)] : ""
    }

    /// Pass 2, per slide group: rows grouped by pane (a counting sort that keeps row order),
    /// then each pane's features accumulated column by column.
    private mutating func accumulate(_ batch: Batch, _ range: Range<Int>, group g: Int, _ s: inout Scratch, _ maps: inout [Int: ColumnMap]) {
        let n = range.count
        let base = g * n
        if s.paneLocal.count < panes.count {
            s.paneLocal.append(contentsOf: repeatElement(-1, count: panes.count - s.paneLocal.count))
        }
        var touched: [Int] = []
        var sizes: [Int] = []
        for i in 0..<n {
            let p = Int(s.rowPane[base + i])
            guard p >= 0 else { continue }
            var l = Int(s.paneLocal[p])
            if l < 0 {
                l = touched.count
                s.paneLocal[p] = Int32(l)
                touched.append(p)
                sizes.append(0)
            }
            sizes[l] += 1
        }
        guard !touched.isEmpty else { return }
        var offsets = [Int](repeating: 0, count: touched.count)
        var total = 0
        for l in touched.indices {
            offsets[l] = total
            total += sizes[l]
        }
        if s.perm.count < total { s.perm = [Int32](repeating: 0, count: max(total, 2 * s.perm.count)) }
        var fill = offsets
        for i in 0..<n {
            let p = Int(s.rowPane[base + i])
            guard p >= 0 else { continue }
            let l = Int(s.paneLocal[p])
            s.perm[fill[l]] = Int32(range.lowerBound + i)
            fill[l] += 1
        }
        for p in touched { s.paneLocal[p] = -1 }
        let longest = sizes.max() ?? 0
        if s.gathered.count < longest { s.gathered = [Double](repeating: 0, count: longest) }
        if s.gatheredCodes.count < longest { s.gatheredCodes = [UInt32](repeating: 0, count: longest) }
        if s.finite.count < longest { s.finite = [Double](repeating: 0, count: longest) }
        for (l, p) in touched.enumerated() {
            let slot = panes[p].profileSlot
            if maps[slot] == nil {
                maps[slot] = columnMap(slot: slot, batch: batch)
                syncTranslators(slot: slot, batch: batch, map: maps[slot]!)
            }
            let rows = Array(s.perm[offsets[l]..<(offsets[l] + sizes[l])])
            accumulatePane(p, rows: rows, batch: batch, map: maps[slot]!, &s)
        }
    }

    func columnMap(slot: Int, batch: Batch) -> ColumnMap {
        let profile = profiles[slot]!
        let nf = profile.resolved.profile.numerical.count
        let cf = profile.resolved.profile.categorical.count
        let numerical = profile.numerical.enumerated().map { f, ref in
            f >= nf ? ColumnMap.prediction : batch.numericalNames.firstIndex(of: ref.name) ?? ColumnMap.absent
        }
        let categorical = profile.categorical.enumerated().map { c, ref in
            c >= cf ? ColumnMap.prediction : batch.categoricalNames.firstIndex(of: ref.name) ?? ColumnMap.absent
        }
        return ColumnMap(numerical: numerical, categorical: categorical)
    }

    /// Brings each translator of a profile up to date with the batch's dictionaries.
    mutating func syncTranslators(slot: Int, batch: Batch, map: ColumnMap) {
        for (c, col) in map.categorical.enumerated() {
            if col == ColumnMap.prediction {
                profiles[slot]!.translators[c].sync(with: batch.labelDictionary)
            } else if col >= 0 && col < batch.categoricalDictionaries.count {
                profiles[slot]!.translators[c].sync(with: batch.categoricalDictionaries[col])
            }
        }
    }

    /// Accumulates one pane's rows (ascending row indices) feature by feature.
    private mutating func accumulatePane(_ p: Int, rows: [Int32], batch: Batch, map: ColumnMap, _ s: inout Scratch) {
        let count = rows.count
        let first = Int(rows[0])
        let contiguous = Int(rows[count - 1]) - first + 1 == count
        let slot = profiles[panes[p].profileSlot]!
        let limit = groups[Int(panes[p].key.group)].paneExactLimit(settings.exactLimit)
        panes[p].eventCount += count
        panes[p].dirty = true
        for (f, col) in map.numerical.enumerated() {
            let column: [Double]
            if col == ColumnMap.prediction {
                column = batch.scores
            } else if col >= 0 && col < batch.numerical.count {
                column = batch.numerical[col]
            } else {
                column = []
            }
            guard column.count == batch.count, count > 0 else {
                panes[p].numerical[f].addMissing(count)
                continue
            }
            let ref = slot.numerical[f]
            column.withUnsafeBufferPointer { c in
                s.finite.withUnsafeMutableBufferPointer { fin in
                    if contiguous {
                        panes[p].numerical[f].add(
                            UnsafeBufferPointer(rebasing: c[first..<(first + count)]), reference: ref, exactLimit: limit, scratch: fin)
                    } else {
                        s.gathered.withUnsafeMutableBufferPointer { g in
                            for k in 0..<count { g[k] = c[Int(rows[k])] }
                            panes[p].numerical[f].add(
                                UnsafeBufferPointer(rebasing: g[0..<count]), reference: ref, exactLimit: limit, scratch: fin)
                        }
                    }
                }
            }
        }
        for (c, col) in map.categorical.enumerated() {
            let codes: [UInt32]
            if col == ColumnMap.prediction {
                codes = batch.predictedLabels
            } else if col >= 0 && col < batch.categorical.count {
                codes = batch.categorical[col]
            } else {
                codes = []
            }
            guard codes.count == batch.count else {
                panes[p].categorical[c].addMissing(count)
                continue
            }
            let translator = slot.translators[c]
            let categoryCount = translator.names.count
            translator.table.withUnsafeBufferPointer { table in
                codes.withUnsafeBufferPointer { k in
                    if contiguous {
                        panes[p].categorical[c].add(
                            UnsafeBufferPointer(rebasing: k[first..<(first + count)]), translation: table, categoryCount: categoryCount)
                    } else {
                        s.gatheredCodes.withUnsafeMutableBufferPointer { g in
                            for i in 0..<count { g[i] = k[Int(rows[i])] }
                            panes[p].categorical[c].add(
                                UnsafeBufferPointer(rebasing: g[0..<count]), translation: table, categoryCount: categoryCount)
                        }
                    }
                }
            }
        }
    }
}
