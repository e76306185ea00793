#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import MonitorCore

/// Decodes JSON Lines prediction records (DESIGN §3) into a columnar ``MonitorCore/Batch``
/// (DESIGN §4) in one pass over the bytes, without building any intermediate JSON value.
///
/// For each line the decoder walks the object once, matching keys against a trie compiled from
/// the schema's dotted paths (each object level is a small key table, tried first at the key
/// that followed the previous match, since producers write keys in a stable order), extracts the
/// values it needs and validates and skips everything else. Once consecutive lines have shown
/// one exact shape (same members in the same order, no whitespace, plain values), later lines
/// are first matched against that learnt ``LineTemplate`` (literal bytes between values, each
/// value's destination), without key lookups; a line that deviates anywhere is decoded by the
/// general code instead, so results never depend on whether a template was used.
///
/// Values:
/// - numerical features, `prediction.score` and `prediction.value` become `Double` (correctly
///   rounded: equal to `Double(text)`); `null`, an absent key, `NaN`, `Infinity`, `-Infinity`
///   and overflowing numbers (`1e400`) are missing (NaN). A string, boolean, object or array is
///   missing too and counted as `wrongType`.
/// - categorical features, `prediction.label`, `model` and `version` become dictionary codes.
///   Strings are used as decoded (escapes resolved; invalid UTF-8 repaired with U+FFFD);
///   numbers and booleans are used as their JSON text, verbatim (`3` → `"3"`, `1.50` → `"1.50"`,
///   `true` → `"true"`), so a label logged as `1` and one logged as `"1"` are the same category.
///   `null`, an absent key, `NaN` and `±Infinity` are `CategoryDictionary.missingCode`; an
///   object or array is missing and counted as `wrongType`.
/// - `ts`: an RFC 3339 string (see ``RFC3339``), or a number in the schema's `timestampUnit`
///   (fractions allowed, truncated to the millisecond). Absent or unparsable: `Int64.min` and
///   `badTimestamp` counted; the record is kept.
/// - the bare tokens `NaN`, `Infinity` and `-Infinity` are not JSON, but Python's `json.dumps`
///   writes them by default, so they are accepted anywhere a value may appear and read as
///   missing rather than rejecting the whole record.
///
/// Records: a line that is not exactly one well-formed JSON object (unterminated string, bad
/// escape, missing `:` or `,`, trailing garbage, invalid number such as `01`, `+1`, `.5`, `1.`,
/// truncated line, nesting deeper than 128 levels) is dropped and counted as `malformedJSON`.
/// A blank line is `emptyLine`. A line longer than `maxRecordBytes` is `oversized`. A record in
/// which none of the declared features occurs (no features object, an empty one, one that is not
/// an object, or only unknown keys) is kept, every feature missing, and counted as
/// `missingFeatures`; a feature key present with `null` does count as present. `wrongType` is
/// counted once per offending field. When a key occurs twice, the last occurrence wins.
///
/// Paths: a feature whose path is the default `features.<name>` is read from the schema's
/// `features` object (`features: inputs` → `inputs.<name>`); other paths are taken as they are.
/// Keys of that object that are not in the feature list are unknown features: skipped, and their
/// names collected (``unknownFeatures``) for a "present in current but not in reference" warning.
///
/// Dictionaries: each categorical column starts from the caller's dictionary for that feature
/// name (a frozen reference dictionary when decoding current data, so reference categories keep
/// their codes and new ones get codes ≥ `referenceCount`, up to `maxNewCategories`, then
/// `overflowCode`), or from an empty open dictionary.
public struct JSONLDecoder: Sendable {
    let schema: CompiledSchema
    /// The options the decoder was built with.
    public let options: DecodeOptions
    /// The categorical columns' dictionaries, then the label, model and version dictionaries.
    var dictionaries: [CategoryDictionary]
    var caches: [ByteTable]
    var guesses: [Int32]
    var unknownTable = ByteTable()
    /// Unknown feature names (present in the features object, absent from the feature list),
    /// in first-seen order, at most ``unknownFeatureSampleLimit``.
    public private(set) var unknownFeatures: [String] = []
    /// Distinct unknown feature names seen, counted up to ``unknownFeatureCountLimit``.
    public var unknownFeatureCount: Int { unknownTable.count }
    let unitExponent: Int

    /// How many unknown feature names are kept for warnings.
    public static let unknownFeatureSampleLimit = 20
    /// Distinct unknown names are tracked up to this many, bounding memory when a producer puts
    /// ids or free text in feature keys.
    public static let unknownFeatureCountLimit = 10_000

    /// Creates a decoder.
    /// - Parameters:
    ///   - schema: where the record's fields live.
    ///   - features: the features to extract, in column order within each kind.
    ///   - dictionaries: starting dictionaries by categorical feature name; features without an
    ///     entry start with an empty, open dictionary.
    ///   - options: decode options.
    public init(schema: EventSchema, features: [FeatureSpec], dictionaries: [String: CategoryDictionary], options: DecodeOptions) {
        self.init(schema: schema, features: features, dictionaries: dictionaries, options: options, predictionDictionaries: nil)
    }

    /// As the public initializer, plus starting label, model and version dictionaries.
    package init(
        schema: EventSchema, features: [FeatureSpec], dictionaries: [String: CategoryDictionary], options: DecodeOptions,
        predictionDictionaries: [CategoryDictionary]?
    ) {
        let compiled = CompiledSchema(schema: schema, features: features, keepIDs: options.keepIDs)
        self.schema = compiled
        self.options = options
        var dicts = compiled.categoricalNames.map { dictionaries[$0] ?? CategoryDictionary() }
        dicts += predictionDictionaries ?? [CategoryDictionary(), CategoryDictionary(), CategoryDictionary()]
        self.dictionaries = dicts
        var caches: [ByteTable] = []
        for d in dicts {
            var t = ByteTable()
            for (i, name) in d.names.enumerated() {
                var bytes = Array(name.utf8)
                bytes.withUnsafeMutableBufferPointer { b in
                    let base = UnsafePointer(b.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!)
                    t.insert(base, b.count, hash: ByteTable.hash(base, b.count), value: UInt32(i))
                }
            }
            caches.append(t)
        }
        self.caches = caches
        var guesses = [Int32](repeating: -1, count: compiled.nodeCount + Int(compiled.entryCount))
        for i in 0..<compiled.nodeCount {
            let info = compiled.nodes[i]
            if info.count > 0 { guesses[i] = info.first }
            for e in Int(info.first)..<Int(info.first + info.count) where e + 1 < Int(info.first + info.count) {
                guesses[compiled.nodeCount + e] = Int32(e + 1)
            }
        }
        self.guesses = guesses
        unitExponent = schema.timestampUnit == .seconds ? 3 : 0
    }

    /// The categorical features' dictionaries by feature name, as grown so far.
    public var categoryDictionaries: [String: CategoryDictionary] {
        var out: [String: CategoryDictionary] = [:]
        for (i, n) in schema.categoricalNames.enumerated() { out[n] = dictionaries[i] }
        return out
    }

    /// The label, model and version dictionaries, in that order.
    package var predictionDictionaries: [CategoryDictionary] { Array(dictionaries.suffix(3)) }

    /// Column-major staging of the records of one `decode` call (column `c` of record `r` at
    /// `c * numericColumn + r`, `c * codeColumn + r`), appended to the batch's columns at the end. Kept between calls (a fresh 5 MB allocation per 8 MiB chunk costs page faults);
    /// replaced when the decoder value was copied, so copies never share it.
    final class Rows: @unchecked Sendable {
        var numeric: UnsafeMutablePointer<Double>
        var codes: UnsafeMutablePointer<UInt32>
        var times: UnsafeMutablePointer<Int64>
        var capacity: Int
        /// Distance between two columns, in elements: the capacity plus one cache line, so that
        /// the columns of one record fall in different cache sets (with a power-of-two distance
        /// they all map to one set and every record's stores evict each other from L1).
        var numericColumn: Int
        var codeColumn: Int
        let numericStride: Int
        let codeStride: Int

        static func columnDistances(_ capacity: Int) -> (Int, Int) { (capacity + 8, capacity + 16) }

        init(capacity: Int, numericStride: Int, codeStride: Int) {
            self.capacity = capacity
            self.numericStride = numericStride
            self.codeStride = codeStride
            (numericColumn, codeColumn) = Self.columnDistances(capacity)
            numeric = .allocate(capacity: numericColumn * numericStride)
            codes = .allocate(capacity: codeColumn * codeStride)
            times = .allocate(capacity: capacity)
        }

        func grow(keeping n: Int) {
            let c = capacity * 2
            let (nc, cc0) = Self.columnDistances(c)
            let nn = UnsafeMutablePointer<Double>.allocate(capacity: nc * numericStride)
            for k in 0..<numericStride { (nn + k * nc).update(from: numeric + k * numericColumn, count: n) }
            numeric.deallocate()
            numeric = nn
            let cc = UnsafeMutablePointer<UInt32>.allocate(capacity: cc0 * codeStride)
            for k in 0..<codeStride { (cc + k * cc0).update(from: codes + k * codeColumn, count: n) }
            numericColumn = nc
            codeColumn = cc0
            codes.deallocate()
            codes = cc
            let tt = UnsafeMutablePointer<Int64>.allocate(capacity: c)
            tt.update(from: times, count: n)
            times.deallocate()
            times = tt
            capacity = c
        }

        deinit {
            numeric.deallocate()
            codes.deallocate()
            times.deallocate()
        }
    }
    var rowStorage: Rows? = nil

    /// Line-template state, carried across calls (see ``LineTemplate``): the active template,
    /// the candidate being confirmed and how many consecutive lines produced it, and when the
    /// next line may be examined (lines without a template shape back off exponentially).
    var template: LineTemplate? = nil
    var candidate: LineTemplate? = nil
    var candidateStreak = 0
    var templateMisses = 0
    var examineCountdown = 0
    var examineBackoff = 1
    /// Lines decoded through a template so far (tests check that templates were exercised).
    package private(set) var templateLines = 0
    /// Consecutive lines with one template before it is used; consecutive misses before it is dropped.
    static let templateConfirmations = 8
    static let templateMissLimit = 8

    /// Decodes the lines of `bytes` and appends the well-formed records to `batch`.
    ///
    /// Lines are separated by `\n` (a `\r` before it is ignored); a final line without `\n` is
    /// a record. Every line, including rejected and blank ones, counts in `report.linesRead`.
    /// - Parameters:
    ///   - bytes: UTF-8 JSON lines.
    ///   - firstLineNumber: the 1-based line number of the first line, for the report.
    ///   - batch: receives the records; must be empty or built by this decoder.
    ///   - report: receives line counts and problems.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, firstLineNumber: Int, into batch: inout Batch, report: inout DecodeReport) {
        decodeLines(bytes, firstLineNumber: firstLineNumber, into: &batch, report: &report, rejected: nil)
    }

    /// Decodes as ``decode(_:firstLineNumber:into:report:)`` and also lists the lines it rejected
    /// or flagged (for the reasons `rejected` collects), with their byte ranges in `bytes`, so
    /// that a caller can quarantine them in a dead-letter file (DESIGN §13).
    ///
    /// The records, the batch and the report are exactly those of the call without a collector;
    /// the collector is only touched on the rejection paths, so a clean line costs nothing more.
    /// - Parameters:
    ///   - bytes: UTF-8 JSON lines.
    ///   - firstLineNumber: the 1-based line number of the first line, for the report.
    ///   - batch: receives the records; must be empty or built by this decoder.
    ///   - report: receives line counts and problems.
    ///   - rejected: receives the rejected lines, appended in line order.
    public mutating func decode(
        _ bytes: UnsafeRawBufferPointer, firstLineNumber: Int, into batch: inout Batch, report: inout DecodeReport,
        rejected: inout RejectedLines
    ) {
        withUnsafeMutablePointer(to: &rejected) { r in
            decodeLines(bytes, firstLineNumber: firstLineNumber, into: &batch, report: &report, rejected: r)
        }
    }

    /// The decode loop; `rejected` is nil when nobody collects rejections.
    private mutating func decodeLines(
        _ bytes: UnsafeRawBufferPointer, firstLineNumber: Int, into batch: inout Batch, report: inout DecodeReport,
        rejected: UnsafeMutablePointer<RejectedLines>?
    ) {
        prepare(&batch)
        guard let raw = bytes.baseAddress, bytes.count > 0 else {
            setDictionaries(of: &batch)
            return
        }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let compiled = schema
        let numericStride = compiled.numericSlots
        let textSlots = compiled.textSlots
        let codeStride = compiled.categoricalCount + 3
        if rowStorage == nil || !isKnownUniquelyReferenced(&rowStorage!) {
            rowStorage = Rows(capacity: max(64, bytes.count / 256), numericStride: numericStride, codeStride: codeStride)
        }
        let rows = rowStorage!
        // Locals, not class properties, in the loop: no exclusivity checks per record.
        var numericRows = rows.numeric
        var codeRows = rows.codes
        var timeRows = rows.times
        var capacity = rows.capacity
        var numericColumn = rows.numericColumn
        var codeColumn = rows.codeColumn
        let text = UnsafeMutablePointer<TextSlice>.allocate(capacity: textSlots)
        let guess = UnsafeMutablePointer<Int32>.allocate(capacity: guesses.count)
        for (i, g) in guesses.enumerated() { guess[i] = g }
        var parser = LineParser(schema: compiled, guess: guess, unitExponent: unitExponent, text: text)
        var tail: UnsafeMutablePointer<UInt8>? = nil
        var ids: [String] = []
        defer {
            parser.release()
            text.deallocate()
            guess.deallocate()
            tail?.deallocate()
        }
        let maxRecordBytes = options.maxRecordBytes
        let keepIDs = options.keepIDs
        let nFeatures = compiled.numericalCount + compiled.categoricalCount
        // Lookups go through plain-pointer views of the caches (no reference counting per
        // value); a view is refreshed after its cache grows.
        let views = UnsafeMutablePointer<ByteTable.View>.allocate(capacity: codeStride)
        for j in 0..<codeStride { (views + j).initialize(to: caches[j].view) }
        defer { views.deallocate() }
        // The active template as plain pointers (its arrays are immutable and kept alive by
        // `template` while it is active; `setTemplate` refreshes these).
        let templatesOn = options.lineTemplates
        var activeSlots: UnsafePointer<TemplateSlot>? = nil
        var activeWords: UnsafeRawPointer? = nil
        var activeCount = 0
        var activeSawFeature = false
        var activeTemplate: LineTemplate? = nil
        var activeHints = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer { activeHints.deallocate() }
        func setTemplate(_ t: LineTemplate?) {
            template = t
            activeTemplate = t
            templateMisses = 0
            candidate = nil
            candidateStreak = 0
            if let t {
                activeSlots = UnsafePointer(t.slotPointer)
                activeWords = UnsafeRawPointer(t.wordPointer)
                activeCount = t.slots.count
                activeHints.deallocate()
                activeHints = .allocate(capacity: activeCount)
                activeHints.initialize(repeating: -1, count: activeCount)
                activeSawFeature = t.sawFeature
            } else {
                activeSlots = nil
                activeWords = nil
            }
        }
        func examine(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) {
            if examineCountdown > 0 {
                examineCountdown -= 1
                return
            }
            guard let t = LineTemplate.build(schema: compiled, start, end) else {
                candidate = nil
                candidateStreak = 0
                examineCountdown = examineBackoff
                examineBackoff = min(examineBackoff * 2, 4096)
                return
            }
            examineBackoff = 1
            if let c = candidate, c == t {
                candidateStreak += 1
            } else {
                candidate = t
                candidateStreak = 1
            }
            if candidateStreak >= Self.templateConfirmations { setTemplate(t) }
        }
        if templatesOn, let t = template { setTemplate(t) } else if !templatesOn { template = nil }
        defer { withExtendedLifetime(activeTemplate) {} }
        var templateHits = 0
        defer { templateLines += templateHits }
        var n = 0
        var line = firstLineNumber
        var p = UnsafePointer(base)
        let end = p + bytes.count
        while p < end {
            let nl = memchr(p, 0x0A, end - p)
            var lineEnd = nl.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
            let next = nl == nil ? end : lineEnd + 1
            let length = lineEnd - p
            report.linesRead += 1
            defer {
                line += 1
                p = next
            }
            if length > maxRecordBytes {
                report.record(.oversized, line: line)
                if let rejected { rejected.pointee.note(.oversized, line: line, offset: base.distance(to: p), length: length) }
                continue
            }
            var start = p
            if nl == nil {
                // Last line without a line break: copy it so that it has a sentinel.
                let t = UnsafeMutablePointer<UInt8>.allocate(capacity: length + 1)
                t.update(from: p, count: length)
                t[length] = 0x0A
                tail = t
                start = UnsafePointer(t)
                lineEnd = start + length
            }
            if n == capacity {
                rows.grow(keeping: n)
                numericRows = rows.numeric
                codeRows = rows.codes
                timeRows = rows.times
                capacity = rows.capacity
                numericColumn = rows.numericColumn
                codeColumn = rows.codeColumn
            }
            parser.begin(start, lineEnd, row: numericRows + n, stride: numericColumn)
            var matched = false
            if activeSlots != nil {
                matched = parser.matchTemplate(activeSlots!, activeCount, activeWords!, hints: activeHints, sawFeature: activeSawFeature)
                if !matched {
                    templateMisses += 1
                    if templateMisses >= Self.templateMissLimit { setTemplate(nil) }
                    parser.begin(start, lineEnd, row: numericRows + n, stride: numericColumn)
                } else {
                    templateMisses = 0
                    templateHits += 1
                }
            }
            if !matched {
                guard let ok = parser.parseLine() else {
                    report.record(.emptyLine, line: line)
                    if let rejected { rejected.pointee.note(.emptyLine, line: line, offset: base.distance(to: p), length: length) }
                    continue
                }
                guard ok else {
                    report.record(.malformedJSON, line: line)
                    if let rejected { rejected.pointee.note(.malformedJSON, line: line, offset: base.distance(to: p), length: length) }
                    continue
                }
                if templatesOn && activeSlots == nil { examine(start, lineEnd) }
            }
            // Commit.
            let codes = codeRows + n
            for j in 0..<codeStride {
                let t = text[j]
                guard let b = t.base else {
                    codes[j &* codeColumn] = CategoryDictionary.missingCode
                    continue
                }
                let h = ByteTable.hash(b, t.count)
                if let c = views[j].find(b, t.count, hash: h) {
                    codes[j &* codeColumn] = c
                } else {
                    codes[j &* codeColumn] = addCategory(j, b, t.count, hash: h)
                    views[j] = caches[j].view
                }
            }
            timeRows[n] = parser.timestamp
            if parser.timestampBad { report.record(.badTimestamp, line: line) }
            if parser.wrongTypes > 0 { for _ in 0..<parser.wrongTypes { report.record(.wrongType, line: line) } }
            if nFeatures > 0 && !parser.sawFeature { report.record(.missingFeatures, line: line) }
            if let rejected, parser.timestampBad || parser.wrongTypes > 0 || (nFeatures > 0 && !parser.sawFeature) {
                noteKept(rejected, line: line, offset: base.distance(to: p), length: length, badTimestamp: parser.timestampBad,
                         wrongType: parser.wrongTypes > 0, missingFeatures: nFeatures > 0 && !parser.sawFeature)
            }
            if parser.unknownCount > 0 { noteUnknown(parser.unknown, parser.unknownCount) }
            if keepIDs {
                let s = text[compiled.idSlot]
                ids.append(s.base.map { String(decoding: UnsafeBufferPointer(start: $0, count: s.count), as: UTF8.self) } ?? "")
            }
            n += 1
        }
        for i in 0..<guesses.count { guesses[i] = guess[i] }
        report.recordsDecoded += n
        flush(rows, count: n, ids: ids, into: &batch)
    }

    /// Lists a kept record's problems in a rejection collector (off the hot path).
    @inline(never)
    private func noteKept(
        _ rejected: UnsafeMutablePointer<RejectedLines>, line: Int, offset: Int, length: Int, badTimestamp: Bool, wrongType: Bool,
        missingFeatures: Bool
    ) {
        if badTimestamp { rejected.pointee.note(.badTimestamp, line: line, offset: offset, length: length) }
        if wrongType { rejected.pointee.note(.wrongType, line: line, offset: offset, length: length) }
        if missingFeatures { rejected.pointee.note(.missingFeatures, line: line, offset: offset, length: length) }
    }

    /// The code of a value not in column `j`'s cache: asks the dictionary, then caches it.
    @inline(never)
    private mutating func addCategory(_ j: Int, _ b: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> UInt32 {
        let name = String(decoding: UnsafeBufferPointer(start: b, count: n), as: UTF8.self)
        let c = dictionaries[j].code(for: name)
        // Overflow answers are not cached: the cache stays bounded by the dictionary's size.
        if c != CategoryDictionary.overflowCode { caches[j].insert(b, n, hash: h, value: c) }
        return c
    }

    private mutating func noteUnknown(_ keys: UnsafeMutablePointer<UnknownKey>, _ count: Int) {
        for i in 0..<count {
            let k = keys[i]
            let h = ByteTable.hash(k.base, k.count)
            if unknownTable.find(k.base, k.count, hash: h) != nil { continue }
            guard unknownTable.count < Self.unknownFeatureCountLimit else { return }
            unknownTable.insert(k.base, k.count, hash: h, value: 0)
            if unknownFeatures.count < Self.unknownFeatureSampleLimit {
                unknownFeatures.append(String(decoding: UnsafeBufferPointer(start: k.base, count: k.count), as: UTF8.self))
            }
        }
    }

    /// Reserves room for `records` more records in every column of `batch` (a file reader's
    /// estimate from its first chunk: saves the copies and page faults of geometric growth).
    package func reserve(_ records: Int, in batch: inout Batch) {
        let total = batch.count + records
        for j in batch.numerical.indices { batch.numerical[j].reserveCapacity(total) }
        for j in batch.categorical.indices { batch.categorical[j].reserveCapacity(total) }
        batch.timestamps.reserveCapacity(total)
        batch.scores.reserveCapacity(total)
        batch.values.reserveCapacity(total)
        batch.predictedLabels.reserveCapacity(total)
        batch.models.reserveCapacity(total)
        batch.versions.reserveCapacity(total)
    }

    /// Gives an empty batch its column layout.
    private func prepare(_ batch: inout Batch) {
        if batch.count == 0 && batch.numericalNames.isEmpty && batch.categoricalNames.isEmpty {
            batch.numericalNames = schema.numericalNames
            batch.categoricalNames = schema.categoricalNames
            batch.numerical = Array(repeating: [], count: schema.numericalCount)
            batch.categorical = Array(repeating: [], count: schema.categoricalCount)
            batch.ids = options.keepIDs ? [] : nil
        }
        precondition(
            batch.numericalNames == schema.numericalNames && batch.categoricalNames == schema.categoricalNames,
            "JSONLDecoder.decode: the batch was built for other features")
    }

    private func flush(_ rows: Rows, count n: Int, ids: [String], into batch: inout Batch) {
        guard n > 0 else {
            setDictionaries(of: &batch)
            return
        }
        func column<T>(_ base: UnsafeMutablePointer<T>, stride: Int, _ c: Int, into a: inout [T]) {
            // Geometric growth: reserving exactly `count + n` on every chunk would copy the whole
            // column each time.
            if a.capacity < a.count + n { a.reserveCapacity(max(a.count + n, 2 * a.capacity)) }
            a.append(contentsOf: UnsafeBufferPointer(start: base + c * stride, count: n))
        }
        let ns = rows.numericColumn
        let cs = rows.codeColumn
        for c in 0..<schema.numericalCount { column(rows.numeric, stride: ns, c, into: &batch.numerical[c]) }
        column(rows.numeric, stride: ns, schema.scoreSlot, into: &batch.scores)
        column(rows.numeric, stride: ns, schema.valueSlot, into: &batch.values)
        for c in 0..<schema.categoricalCount { column(rows.codes, stride: cs, c, into: &batch.categorical[c]) }
        column(rows.codes, stride: cs, schema.labelSlot, into: &batch.predictedLabels)
        column(rows.codes, stride: cs, schema.modelSlot, into: &batch.models)
        column(rows.codes, stride: cs, schema.versionSlot, into: &batch.versions)
        batch.timestamps.append(contentsOf: UnsafeBufferPointer(start: rows.times, count: n))
        if options.keepIDs {
            if batch.ids == nil { batch.ids = [] }
            batch.ids!.append(contentsOf: ids)
        }
        batch.count += n
        setDictionaries(of: &batch)
    }

    /// Hands the dictionaries as grown so far to the batch.
    private func setDictionaries(of batch: inout Batch) {
        batch.categoricalDictionaries = Array(dictionaries.prefix(schema.categoricalCount))
        let k = schema.categoricalCount
        batch.labelDictionary = dictionaries[k]
        batch.modelDictionary = dictionaries[k + 1]
        batch.versionDictionary = dictionaries[k + 2]
    }
}

extension JSONLDecoder {
    /// Every unknown feature name seen so far (up to ``unknownFeatureCountLimit``), in first-seen
    /// order; used to merge the results of parallel decoders.
    package var allUnknownFeatures: [String] { (0..<unknownTable.count).map { unknownTable.key($0) } }

    /// Walks the well-formed lines of `bytes`, handing each line's unknown features-object keys
    /// (with the kinds of their values) to `visit`; stops when `visit` returns false.
    /// Used by schema inference, with a decoder built for no features.
    /// - Returns: false when `visit` asked to stop.
    mutating func visitFeatureKeys(_ bytes: UnsafeRawBufferPointer, _ visit: (UnsafeMutablePointer<UnknownKey>, Int) -> Bool) -> Bool {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return true }
        let compiled = schema
        let text = UnsafeMutablePointer<TextSlice>.allocate(capacity: compiled.textSlots)
        let row = UnsafeMutablePointer<Double>.allocate(capacity: compiled.numericSlots)
        let guess = UnsafeMutablePointer<Int32>.allocate(capacity: guesses.count)
        for (i, g) in guesses.enumerated() { guess[i] = g }
        var parser = LineParser(schema: compiled, guess: guess, unitExponent: unitExponent, text: text)
        var tail: UnsafeMutablePointer<UInt8>? = nil
        defer {
            parser.release()
            text.deallocate()
            row.deallocate()
            guess.deallocate()
            tail?.deallocate()
        }
        var p = UnsafePointer(raw.assumingMemoryBound(to: UInt8.self))
        let end = p + bytes.count
        while p < end {
            let nl = memchr(p, 0x0A, end - p)
            var lineEnd = nl.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
            let next = nl == nil ? end : lineEnd + 1
            defer { p = next }
            let length = lineEnd - p
            if length > options.maxRecordBytes { continue }
            var start = p
            if nl == nil {
                let t = UnsafeMutablePointer<UInt8>.allocate(capacity: length + 1)
                t.update(from: p, count: length)
                t[length] = 0x0A
                tail = t
                start = UnsafePointer(t)
                lineEnd = start + length
            }
            parser.begin(start, lineEnd, row: row, stride: 1)
            guard parser.parseLine() == true else { continue }
            if !visit(parser.unknown, parser.unknownCount) { return false }
        }
        return true
    }
}
