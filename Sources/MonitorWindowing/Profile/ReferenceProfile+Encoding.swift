import MonitorCore
import MonitorStats

extension ReferenceProfile {
    /// The format version written by ``encode()``; ``decode(_:)`` reads exactly this version.
    public static let formatVersion: UInt8 = 1
    static let magic: [UInt8] = Array("MMRP".utf8)

    /// The profile as bytes, for the store (`ProfileRecord.payload`).
    ///
    /// Format version 1, integers little-endian, doubles as IEEE-754 bit patterns:
    ///
    /// | field | encoding |
    /// |---|---|
    /// | magic, version | `"MMRP"`, 1 |
    /// | fingerprint | UInt32 length + UTF-8 |
    /// | rowCount, bins, exactLimit | Int64 each |
    /// | numerical features | UInt32 count, then each feature (below) |
    /// | categorical features | UInt32 count, then each feature (below) |
    /// | score?, label? | a 0/1 flag each, followed by the feature when 1 |
    /// | checksum | FNV-1a 64 of every preceding byte |
    ///
    /// A numerical feature: name, rows, count, minimum, maximum, mean, standard deviation, an
    /// edges flag with the edges (UInt32 count + doubles) and the bin counts (UInt32 count +
    /// Int64s), the KLL sketch (UInt32 length + its own self-validating image), the sorted
    /// sample (UInt64 count + doubles). A categorical feature: name, rows, missing, overflow,
    /// UInt32 category count, then name + count per category.
    ///
    /// - Returns: the encoded profile (≈ 8 bytes per kept reference value, plus ≈ 5 KB of sketch
    ///   per numerical feature).
    public func encode() -> [UInt8] {
        let sampleBytes = accumulatedNumerical.reduce(0) { $0 + 8 * $1.sortedSample.count + 6000 }
        var w = ByteWriter(magic: Self.magic, version: Self.formatVersion, capacity: sampleBytes + 4096)
        w.string(fingerprint)
        w.int(rowCount)
        w.int(bins)
        w.int(exactLimit)
        w.u32(numerical.count)
        for f in numerical { Self.write(f, &w) }
        w.u32(categorical.count)
        for f in categorical { Self.write(f, &w) }
        w.bool(predictionScore != nil)
        if let s = predictionScore { Self.write(s, &w) }
        w.bool(predictedLabel != nil)
        if let l = predictedLabel { Self.write(l, &w) }
        return w.finish()
    }

    /// Reads a profile written by ``encode()``, validating it completely.
    ///
    /// - Parameter bytes: the stored payload.
    /// - Returns: the profile.
    /// - Throws: `WindowingError.corruptProfile` naming the problem for truncated, inconsistent
    ///   or corrupted bytes (checksum, unsorted sample, counts that do not add up, an invalid
    ///   sketch…); `WindowingError.unsupportedVersion` for another format version. Never traps.
    public static func decode(_ bytes: [UInt8]) throws -> ReferenceProfile {
        try decodeTyped(bytes)
    }

    static func decodeTyped(_ bytes: [UInt8]) throws(WindowingError) -> ReferenceProfile {
        var r = try ByteReader(bytes, magic: magic, version: formatVersion, what: "reference profile") {
            WindowingError.corruptProfile("reference profile: \($0)")
        }
        let fingerprint = try r.string()
        let rowCount = try r.count(limit: Int.max)
        let bins = try r.count()
        let exactLimit = try r.count(limit: Int.max)
        guard bins >= 1 else { throw r.error("bins = \(bins) < 1") }
        var numerical: [NumericalReference] = []
        for _ in 0..<(try r.u32()) { numerical.append(try readNumerical(&r, rows: rowCount)) }
        var categorical: [CategoricalReference] = []
        for _ in 0..<(try r.u32()) { categorical.append(try readCategorical(&r, rows: rowCount)) }
        let score = try r.bool() ? try readNumerical(&r, rows: rowCount) : nil
        let label = try r.bool() ? try readCategorical(&r, rows: rowCount) : nil
        try r.expectEnd("reference profile")
        let names = numerical.map(\.name) + categorical.map(\.name)
        guard Set(names).count == names.count else { throw r.error("duplicate feature names") }
        return ReferenceProfile(
            fingerprint: fingerprint, rowCount: rowCount, bins: bins, exactLimit: exactLimit, numerical: numerical,
            categorical: categorical, predictionScore: score, predictedLabel: label)
    }

    static func write(_ f: NumericalReference, _ w: inout ByteWriter) {
        w.string(f.name)
        w.int(f.rows)
        w.int(f.count)
        w.f64(f.minimum)
        w.f64(f.maximum)
        w.f64(f.mean)
        w.f64(f.standardDeviation)
        w.bool(f.edges != nil)
        if let e = f.edges {
            w.u32(e.edges.count)
            for v in e.edges { w.f64(v) }
            w.ints(f.binCounts)
        }
        w.blob(f.sketch.serialized())
        f.sortedSample.withUnsafeBufferPointer { w.doubles($0) }
    }

    static func readNumerical(_ r: inout ByteReader, rows: Int) throws(WindowingError) -> NumericalReference {
        let name = try r.string()
        let fr = try r.count(limit: Int.max)
        let count = try r.count(limit: Int.max)
        guard fr == rows else { throw r.error("feature \"\(name)\": \(fr) rows, the profile has \(rows)") }
        guard count <= fr else { throw r.error("feature \"\(name)\": \(count) values in \(fr) rows") }
        let minimum = try r.f64()
        let maximum = try r.f64()
        let mean = try r.f64()
        let std = try r.f64()
        if count > 0 {
            guard minimum.isFinite, maximum.isFinite, minimum <= maximum, mean.isFinite, std.isFinite, std >= 0 else {
                throw r.error("feature \"\(name)\": invalid range or moments")
            }
        }
        var edges: BinEdges? = nil
        var binCounts: [Int] = []
        if try r.bool() {
            let k = try r.u32()
            guard k <= r.remaining / 8 else { throw r.error("feature \"\(name)\": \(k) edges announced") }
            var values: [Double] = []
            for _ in 0..<k { values.append(try r.f64()) }
            guard let e = try? BinEdges(edges: values) else { throw r.error("feature \"\(name)\": edges not finite and increasing") }
            edges = e
            binCounts = try r.ints()
            guard binCounts.count == e.binCount else { throw r.error("feature \"\(name)\": \(binCounts.count) bin counts for \(e.binCount) bins") }
            var total = 0
            for c in binCounts {
                let (s, o) = total.addingReportingOverflow(c)
                guard !o else { throw r.error("feature \"\(name)\": bin counts overflow") }
                total = s
            }
            guard total == count else { throw r.error("feature \"\(name)\": bin counts sum to \(total), not \(count)") }
        } else if count > 0 {
            throw r.error("feature \"\(name)\": \(count) values but no bin edges")
        }
        let sketchBytes = try r.blob()
        let sketch: KLLSketch
        do {
            sketch = try KLLSketch(serialized: sketchBytes)
        } catch {
            throw r.error("feature \"\(name)\": \(error)")
        }
        guard sketch.count == UInt64(count) else { throw r.error("feature \"\(name)\": the sketch holds \(sketch.count) values, not \(count)") }
        let sample = try r.doubles()
        guard sample.isEmpty || sample.count == count else {
            throw r.error("feature \"\(name)\": \(sample.count) sample values, expected 0 or \(count)")
        }
        if let first = sample.first {
            guard first == minimum, sample[sample.count - 1] == maximum else { throw r.error("feature \"\(name)\": sample range differs from min/max") }
            for i in 1..<sample.count where !(sample[i - 1] <= sample[i]) {
                throw r.error("feature \"\(name)\": sample not sorted at \(i)")
            }
        }
        let summary = StatsKernels.ReferenceSummary(
            count: count, edges: edges, binCounts: binCounts, minimum: minimum, maximum: maximum, mean: mean,
            standardDeviation: std)
        return NumericalReference(name: name, rows: fr, count: count, sortedSample: sample, sketch: sketch, summary: summary)
    }

    static func write(_ f: CategoricalReference, _ w: inout ByteWriter) {
        w.string(f.name)
        w.int(f.rows)
        w.int(f.missing)
        w.int(f.overflow)
        w.u32(f.categories.count)
        for (name, count) in zip(f.categories, f.counts) {
            w.string(name)
            w.int(count)
        }
    }

    static func readCategorical(_ r: inout ByteReader, rows: Int) throws(WindowingError) -> CategoricalReference {
        let name = try r.string()
        let fr = try r.count(limit: Int.max)
        let missing = try r.count(limit: Int.max)
        let overflow = try r.count(limit: Int.max)
        guard fr == rows else { throw r.error("feature \"\(name)\": \(fr) rows, the profile has \(rows)") }
        let k = try r.u32()
        guard k <= r.remaining / 12 else { throw r.error("feature \"\(name)\": \(k) categories announced") }
        var categories: [String] = []
        var counts: [Int] = []
        var seen = Set<String>()
        var total = missing.addingReportingOverflow(overflow)
        for _ in 0..<k {
            let c = try r.string()
            guard seen.insert(c).inserted else { throw r.error("feature \"\(name)\": duplicate category \"\(c)\"") }
            let n = try r.count(limit: Int.max)
            categories.append(c)
            counts.append(n)
            let s = total.partialValue.addingReportingOverflow(n)
            total = (s.partialValue, total.overflow || s.overflow)
        }
        guard !total.overflow, total.partialValue == fr else {
            throw r.error("feature \"\(name)\": counts do not add up to \(fr) rows")
        }
        return CategoricalReference(name: name, rows: fr, categories: categories, counts: counts, missing: missing, overflow: overflow)
    }
}
