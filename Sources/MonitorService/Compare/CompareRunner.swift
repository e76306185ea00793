public import MonitorCore
public import MonitorWindowing
import MonitorIngest
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `monitor compare` was asked to do.
public struct CompareRequest: Sendable {
    /// The reference JSONL file.
    public var referencePath: String
    /// The current JSONL file.
    public var currentPath: String
    /// An optional config with `schema:` and `drift:`.
    public var configPath: String?
    /// Overrides the config's `drift.correction` when set.
    public var correction: PValueCorrectionKind?
    /// Decoder and statistics threads (default: the machine's active cores).
    public var threads: Int = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 0 ? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) : 1)

    /// A request with the default correction and thread count.
    public init(referencePath: String, currentPath: String, configPath: String? = nil) {
        self.referencePath = referencePath
        self.currentPath = currentPath
        self.configPath = configPath
    }
}

/// Progress of a long comparison, for a terminal indicator.
public enum CompareProgress: Sendable {
    case reading(file: String, bytesDone: Int64, bytesTotal: Int64)
    case computing(featuresDone: Int, featuresTotal: Int)
}

/// The full outcome of `monitor compare`: the drift result and the decode reports.
public struct CompareOutcome: Sendable {
    /// Per-feature statistics and decisions.
    public var result: DatasetDriftResult
    /// What decoding the reference found.
    public var referenceReport: DecodeReport
    /// What decoding the current file found.
    public var currentReport: DecodeReport
    /// The request this answers.
    public var request: CompareRequest
    /// Wall-clock seconds per phase (`decode reference`, `decode current`, `statistics`).
    public var timings: [(phase: String, seconds: Double)] = []

    /// Whether any feature drifted (what `--fail-on-drift` checks).
    public var anyFeatureDrifted: Bool { result.features.contains { $0.drift } }
    /// Problems that did not stop the comparison.
    public var warnings: [String] { result.warnings }
}

/// `monitor compare`: reference file vs current file, feature by feature (DESIGN §12).
public enum CompareRunner {
    /// Loads the config (if any), decodes both files, computes every feature's statistics in
    /// parallel and decides drift.
    ///
    /// - Throws: `ServiceError` — `.usage` for a path that does not exist or is not a file,
    ///   `.config` for an invalid config (all diagnostics in the message), `.input` for files with
    ///   no usable records.
    public static func run(
        _ request: CompareRequest, progress: (@Sendable (CompareProgress) -> Void)? = nil
    ) throws(ServiceError) -> CompareOutcome {
        var config = MonitorConfig()
        if let path = request.configPath {
            config = try loadConfig(path)
        }
        if let c = request.correction { config.drift.correction = c }
        var warnings: [String] = []

        for p in [request.referencePath, request.currentPath] { try checkReadable(p) }
        // Start reading the current file into the page cache while the reference is decoded
        // (on a background thread: the advice itself may block while it queues the reads).
        let currentPath = request.currentPath
        DispatchQueue.global(qos: .utility).async { JSONLFile.prefetch(path: currentPath) }
        var timings: [(phase: String, seconds: Double)] = []
        var mark = monotonicSeconds()
        func lap(_ phase: String) {
            let now = monotonicSeconds()
            timings.append((phase, now - mark))
            mark = now
        }

        // Schema: declared, or inferred from the reference.
        var features = config.schema.declaredFeatures
        if features.isEmpty {
            do {
                features = try JSONLFile.inferFeatures(path: request.referencePath, schema: config.schema)
            } catch {
                throw .usage("\(error)")
            }
        }

        try checkOverrides(config.drift, features: features, configPath: request.configPath, warnings: &warnings)

        var options = DecodeOptions()
        options.threads = request.threads
        let ref: DecodedFile
        do {
            ref = try JSONLFile.decode(
                path: request.referencePath, schema: config.schema, features: features, dictionaries: [:],
                options: options,
                progress: readingProgress(progress, request.referencePath))
        } catch { throw .usage("\(error)") }
        lap("decode reference")
        if ref.batch.count == 0 {
            throw .input("\(request.referencePath): no usable records (\(describe(ref.report)))")
        }
        if features.isEmpty {
            throw .input("\(request.referencePath): no features found under \"\(config.schema.features)\" in the first records; declare them under schema.features in a --config file")
        }
        // Freeze the reference's categories; the current data's new categories get codes after them.
        var dictionaries: [String: CategoryDictionary] = [:]
        for (i, name) in ref.batch.categoricalNames.enumerated() {
            var d = ref.batch.categoricalDictionaries[i]
            d.freeze()
            dictionaries[name] = d
        }
        let cur: DecodedFile
        do {
            cur = try JSONLFile.decode(
                path: request.currentPath, schema: config.schema, features: features, dictionaries: dictionaries,
                options: options,
                progress: readingProgress(progress, request.currentPath))
        } catch { throw .usage("\(error)") }
        lap("decode current")
        if cur.batch.count == 0 {
            throw .input("\(request.currentPath): no usable records (\(describe(cur.report)))")
        }
        for name in cur.unknownFeatures {
            warnings.append("feature \"\(name)\" is in \(request.currentPath) but not in the reference; it is not compared")
        }
        for (label, r, path) in [("reference", ref.report, request.referencePath), ("current", cur.report, request.currentPath)] {
            // compare ignores event time, so records without a usable `ts` (training data often
            // has none) are counted in decode_errors but not warned about.
            let bad = r.counts.filter { $0.key != .emptyLine && $0.key != .badTimestamp }
            if !bad.isEmpty {
                warnings.append("\(label) \(path): \(describe(r, ignoring: [.badTimestamp]))")
            }
        }

        let results = computeFeatures(reference: ref.batch, current: cur.batch, settings: config.drift,
                                      threads: request.threads, progress: progress)
        lap("statistics")
        var all = results
        for f in all where f.note != nil { warnings.append("feature \"\(f.name)\": \(f.note!)") }
        let (share, dataset) = DriftDecision.decide(&all, settings: config.drift)
        let result = DatasetDriftResult(
            referenceRows: ref.report.linesRead, currentRows: cur.report.linesRead, features: all,
            driftedFeatureShare: share, datasetDrift: dataset, settings: config.drift, warnings: warnings)
        return CompareOutcome(
            result: result, referenceReport: ref.report, currentReport: cur.report, request: request, timings: timings)
    }

    static func readingProgress(
        _ p: (@Sendable (CompareProgress) -> Void)?, _ file: String
    ) -> (@Sendable (Int64, Int64) -> Void)? {
        guard let p else { return nil }
        return { done, total in p(.reading(file: file, bytesDone: done, bytesTotal: total)) }
    }

    /// Computes every feature's statistics, `threads` features at a time, in schema order.
    static func computeFeatures(
        reference: Batch, current: Batch, settings: DriftSettings, threads: Int,
        progress: (@Sendable (CompareProgress) -> Void)?
    ) -> [FeatureDriftResult] {
        let numerical = reference.numericalNames.count
        let total = numerical + reference.categoricalNames.count
        let slots = UnsafeMutableBufferPointer<FeatureDriftResult?>.allocate(capacity: total)
        slots.initialize(repeating: nil)
        defer { slots.deallocate() }
        nonisolated(unsafe) let out = slots
        let done = Counter()
        let pool = WorkspacePool()
        let work: @Sendable (Int) -> Void = { i in
            if i < numerical {
                let workspace = pool.checkOut()
                defer { pool.checkIn(workspace) }
                let name = reference.numericalNames[i]
                let j = current.numericalNames.firstIndex(of: name)
                out[i] = reference.numerical[i].withUnsafeBufferPointer { a in
                    if let j {
                        return current.numerical[j].withUnsafeBufferPointer { b in
                            FeatureComparator.compareNumerical(name: name, reference: a, current: b, settings: settings, workspace: workspace)
                        }
                    }
                    let empty = [Double](repeating: .nan, count: current.count)
                    return empty.withUnsafeBufferPointer { b in
                        FeatureComparator.compareNumerical(name: name, reference: a, current: b, settings: settings, workspace: workspace)
                    }
                }
            } else {
                let c = i - numerical
                let name = reference.categoricalNames[c]
                let j = current.categoricalNames.firstIndex(of: name)
                let dict = j.map { current.categoricalDictionaries[$0] } ?? reference.categoricalDictionaries[c]
                out[i] = reference.categorical[c].withUnsafeBufferPointer { a in
                    let codes = j.map { current.categorical[$0] }
                        ?? [UInt32](repeating: CategoryDictionary.missingCode, count: current.count)
                    return codes.withUnsafeBufferPointer { b in
                        FeatureComparator.compareCategorical(name: name, reference: a, current: b, dictionary: dict, settings: settings)
                    }
                }
            }
            progress?(.computing(featuresDone: done.increment(), featuresTotal: total))
        }
        if threads <= 1 {
            for i in 0..<total { work(i) }
        } else {
            // Biggest work first: numerical features (sorting) before categorical ones.
            DispatchQueue.concurrentPerform(iterations: total, execute: work)
        }
        return (0..<total).map { out[$0]! }
    }

    /// Per-feature test overrides must name a test that applies to the feature's kind; overrides
    /// of features that are not in the data are reported as warnings.
    static func checkOverrides(
        _ drift: DriftSettings, features: [FeatureSpec], configPath: String?, warnings: inout [String]
    ) throws(ServiceError) {
        var problems: [String] = []
        for (name, o) in drift.overrides.sorted(by: { $0.key < $1.key }) {
            guard let f = features.first(where: { $0.name == name }) else {
                warnings.append("drift.overrides.\(name): no feature \"\(name)\" in the data; the override is unused")
                continue
            }
            let ok: Bool
            switch o.test {
            case .ks, .wassersteinNormed: ok = f.kind == .numerical
            case .chi2: ok = f.kind == .categorical
            case .psi, .jsDistance: ok = true
            }
            if !ok {
                let needs = f.kind == .numerical ? "categorical" : "numerical"
                problems.append("\(configPath ?? "config"): drift.overrides.\(name): test \(o.test.rawValue) applies to \(needs) features; \"\(name)\" is \(f.kind.rawValue)")
            }
        }
        if !problems.isEmpty { throw .config(problems.joined(separator: "\n")) }
    }

    static func loadConfig(_ path: String) throws(ServiceError) -> MonitorConfig {
        let text: String
        do { text = try readTextFile(path) } catch { throw .usage("\(error)") }
        let (config, diagnostics) = MonitorConfig.parse(text, path: path)
        guard let config else {
            throw .config(diagnostics.map(\.description).joined(separator: "\n"))
        }
        return config
    }

    static func checkReadable(_ path: String) throws(ServiceError) {
        var st = stat()
        if stat(path, &st) != 0 { throw .usage("\(path): \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .usage("\(path): is a directory, expected a JSONL file") }
        if access(path, R_OK) != 0 { throw .usage("\(path): \(String(cString: strerror(errno)))") }
    }

    static func describe(_ r: DecodeReport, ignoring: Set<DecodeErrorReason> = []) -> String {
        if r.linesRead == 0 { return "the file is empty" }
        var parts = ["\(r.linesRead) lines read, \(r.recordsDecoded) decoded"]
        for reason in DecodeErrorReason.allCases where !ignoring.contains(reason) {
            guard let n = r.counts[reason], n > 0 else { continue }
            let lines = r.sampleLines[reason, default: []].map(String.init).joined(separator: ", ")
            parts.append("\(n) \(reason.rawValue) (line\(r.sampleLines[reason, default: []].count == 1 ? "" : "s") \(lines)\(n > DecodeReport.sampleLimit ? ", …" : ""))")
        }
        return parts.joined(separator: "; ")
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Comparison workspaces shared by the worker threads: each work item checks one out and returns
/// it, so there are at most as many as threads and their buffers are reused feature to feature.
final class WorkspacePool: Sendable {
    private let free = Mutex<[ComparisonWorkspace]>([])

    func checkOut() -> ComparisonWorkspace {
        free.withLock { $0.popLast() } ?? ComparisonWorkspace()
    }

    func checkIn(_ w: ComparisonWorkspace) {
        free.withLock { $0.append(w) }
    }
}

/// A thread-safe counter for progress reports.
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}

/// Reads a whole (small) text file, e.g. a config.
func readTextFile(_ path: String) throws(ServiceError) -> String {
    guard let f = fopen(path, "rb") else { throw .usage("\(path): \(String(cString: strerror(errno)))") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBufferPointer { fread($0.baseAddress, 1, $0.count, f) }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}
