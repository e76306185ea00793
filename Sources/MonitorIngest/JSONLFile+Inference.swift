public import MonitorCore

extension JSONLFile {
    /// Infers the features of a JSONL file from the keys of its features object (the schema's
    /// `features` path).
    ///
    /// Rules, per key, over the first `sampleLines` well-formed lines:
    /// - only numbers → `numerical`; only strings or booleans → `categorical`;
    /// - both numbers and strings/booleans → `categorical` when strings and booleans are
    ///   strictly more than half of the non-missing values, else `numerical` (the odd strings are
    ///   then counted as `wrongType` when decoding);
    /// - `null`, `NaN`, `±Infinity`, objects and arrays are not counted; a key seen with nothing
    ///   else is null-only. After `sampleLines` lines, reading continues (to the end of the file
    ///   at most) only while some key is still null-only, and only for those keys; a key that
    ///   stays null-only is `numerical` (all missing).
    ///
    /// Features come back in first-seen order, with their default path (`features.<name>`).
    /// When the schema declares features, they are returned as they are and the file is not read.
    /// - Parameters:
    ///   - path: the file.
    ///   - schema: where the features object lives.
    ///   - sampleLines: how many lines decide the kinds (default 10 000: enough to see every
    ///     category-vs-number mix a real producer has, at a few milliseconds of reading).
    /// - Returns: the inferred features.
    /// - Throws: ``IngestError`` when the file is missing, a directory or unreadable.
    public static func inferFeatures(path: String, schema: EventSchema, sampleLines: Int = 10_000) throws -> [FeatureSpec] {
        if !schema.declaredFeatures.isEmpty { return schema.declaredFeatures }
        let file = try OpenedFile(path: path)
        defer { file.close() }
        var options = DecodeOptions()
        options.readSize = 1 << 20
        var inference = FeatureInference(sampleLines: sampleLines)
        var decoder = JSONLDecoder(schema: schema, features: [], dictionaries: [:], options: options)
        _ = try readLines(
            file, start: 0, end: nil, readSize: options.readSize, maxRecordBytes: options.maxRecordBytes,
            finalLineComplete: true, counter: nil
        ) { event in
            guard case .lines(let bytes) = event else { return true }
            return decoder.visitFeatureKeys(bytes) { keys, count in inference.observe(keys, count) }
        }
        return inference.features
    }
}

/// Tallies of value kinds per features-object key (see ``JSONLFile/inferFeatures(path:schema:sampleLines:)``).
struct FeatureInference {
    struct Tally {
        var name: String
        var numbers = 0
        var texts = 0
        var nullOnly: Bool { numbers == 0 && texts == 0 }
    }
    let sampleLines: Int
    var lines = 0
    var tallies: [Tally] = []
    var index = ByteTable()
    var nullOnlyCount = 0

    init(sampleLines: Int) { self.sampleLines = sampleLines }

    /// Counts one line's keys; returns false when reading can stop.
    mutating func observe(_ keys: UnsafeMutablePointer<UnknownKey>, _ count: Int) -> Bool {
        let sampling = lines < sampleLines
        for i in 0..<count {
            let k = keys[i]
            let h = ByteTable.hash(k.base, k.count)
            var t: Int
            if let found = index.find(k.base, k.count, hash: h) {
                t = Int(found)
            } else {
                guard sampling else { continue }
                t = tallies.count
                index.insert(k.base, k.count, hash: h, value: UInt32(t))
                tallies.append(Tally(name: String(decoding: UnsafeBufferPointer(start: k.base, count: k.count), as: UTF8.self)))
                nullOnlyCount += 1
            }
            let wasNullOnly = tallies[t].nullOnly
            guard sampling || wasNullOnly else { continue }
            switch k.kind {
            case .number: tallies[t].numbers += 1
            case .string, .bool: tallies[t].texts += 1
            case .missing, .other: break
            }
            if wasNullOnly && !tallies[t].nullOnly { nullOnlyCount -= 1 }
        }
        lines += 1
        return lines < sampleLines || nullOnlyCount > 0
    }

    var features: [FeatureSpec] {
        tallies.map { t in
            FeatureSpec(name: t.name, kind: t.texts > t.numbers ? .categorical : .numerical)
        }
    }
}
