import Foundation
public import MonitorCore
import MonitorIngest
import MonitorStore
import MonitorWindowing

#if canImport(Glibc)
    import Glibc
#endif

/// What `monitor baseline` was asked to do.
public struct BaselineRequest: Sendable {
    public var configPath: String
    public var dataPath: String
    /// The profile name (default: the config's `reference.profile`, else `baseline`).
    public var name: String?
    /// Only records with event time in [since, until) (for a baseline from "the first day").
    public var since: Timestamp?
    public var until: Timestamp?
    /// Label records (`{"id","ts","label"}`) for the reference data: its performance is recorded
    /// with the profile (`reference_accuracy`, … series).
    public var labelsPath: String?

    public init(configPath: String, dataPath: String, name: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil,
                labelsPath: String? = nil) {
        self.configPath = configPath
        self.dataPath = dataPath
        self.name = name
        self.since = since
        self.until = until
        self.labelsPath = labelsPath
    }
}

/// What `monitor baseline` stored.
public struct BaselineOutcome: Sendable {
    /// The stored profile (payload emptied).
    public var record: ProfileRecord
    public var storePath: String
    public var numericalFeatures: [String]
    public var categoricalFeatures: [String]
    public var report: DecodeReport
    /// Records of the file left out by --since/--until.
    public var excludedRows: Int
    /// The reference performance recorded with `--labels` (plain metric names), else empty.
    public var performance: [Sample] = []
    /// Reference records that had a label (with `--labels`).
    public var labeledRows = 0
}

/// `monitor baseline`: profiles a reference dataset and stores it, versioned, in the store.
public enum BaselineRunner {
    /// Decodes a reference file (schema from the config, features declared or inferred) and
    /// profiles the records whose event time lies in [from, to).
    static func profile(path: String, config: MonitorConfig, from: Timestamp?, to: Timestamp?, keepIDs: Bool = false) throws(ServiceError)
        -> (profile: ReferenceProfile, report: DecodeReport, excluded: Int, batch: Batch)
    {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .usage("\(path): no such file") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .usage("\(path): not a regular file") }
        var features = config.schema.declaredFeatures
        let decoded: DecodedFile
        do {
            if features.isEmpty { features = try JSONLFile.inferFeatures(path: path, schema: config.schema) }
            var options = DecodeOptions()
            options.keepIDs = keepIDs
            decoded = try JSONLFile.decode(path: path, schema: config.schema, features: features, dictionaries: [:],
                                           options: options, progress: nil)
        } catch {
            throw .input("\(path): \(error)")
        }
        guard decoded.batch.count > 0 else {
            throw .input("\(path): no usable record (\(decoded.report.linesRead) lines read)")
        }
        var batch = decoded.batch
        var excluded = 0
        if from != nil || to != nil {
            let rows = batch.rows(from: from, to: to)
            excluded = batch.count - rows.count
            guard !rows.isEmpty else {
                throw .input("\(path): no record has an event time in [\(from?.description ?? "-∞"), \(to?.description ?? "+∞"))")
            }
            batch = batch.selecting(rows: rows)
        }
        var hasher = SHA256()
        let fingerprint: String
        do {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw ServiceError.io("\(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 { throw ServiceError.io("\(path): \(String(cString: strerror(errno)))") }
                if n == 0 { break }
                buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            if from != nil || to != nil {
                hasher.update("|since=\(from?.milliseconds ?? Int64.min)|until=\(to?.milliseconds ?? Int64.max)")
            }
            fingerprint = hasher.hex
        } catch let e as ServiceError {
            throw e
        } catch {
            throw .io("\(path): \(error)")
        }
        let profile = ReferenceProfile(reference: batch, features: features, settings: config.drift, fingerprint: fingerprint)
        return (profile, decoded.report, excluded, batch)
    }

    /// The reference data's performance: its predictions joined in memory, by id, to the label
    /// records of `labelsPath` (the first label of an id wins; the horizon does not apply to
    /// training data), scored as windows are (`PerformanceSeries`).
    static func referencePerformance(batch: Batch, labelsPath: String, settings: LabelSettings, schema: EventSchema) throws(ServiceError)
        -> (samples: [Sample], labeled: Int)
    {
        guard let data = FileManager.default.contents(atPath: labelsPath) else { throw .usage("\(labelsPath): no such file") }
        var labels = LabelBatch()
        var report = DecodeReport()
        data.withUnsafeBytes { LabelDecoder(schema: schema).decode($0, firstLineNumber: 1, into: &labels, report: &report) }
        var byID: [String: Int] = [:]
        for i in 0..<labels.count where !labels.ids[i].isEmpty && byID[labels.ids[i]] == nil { byID[labels.ids[i]] = i }
        var rows = JoinedRows()
        let ids = batch.ids ?? []
        for r in 0..<min(batch.count, ids.count) {
            guard let i = byID[ids[r]] else { continue }
            rows.timestamps.append(batch.timestamps.count == batch.count ? batch.timestamps[r] : 0)
            let code = batch.predictedLabels.count == batch.count ? Int(batch.predictedLabels[r]) : Int.max
            rows.predictedLabels.append(code < batch.labelDictionary.count ? batch.labelDictionary.names[code] : nil)
            rows.scores.append(batch.scores.count == batch.count ? batch.scores[r] : .nan)
            rows.values.append(batch.values.count == batch.count ? batch.values[r] : .nan)
            rows.labels.append(labels.labels[i])
            rows.labelValues.append(labels.values[i])
        }
        guard rows.count > 0 else {
            throw .input("\(labelsPath): no label matches a reference record by id (\(labels.count) labels, \(batch.count) records)")
        }
        return (PerformanceSeries.referenceSamples(rows, settings: settings), rows.count)
    }

    /// Profiles `request.dataPath` and stores the profile as the next revision of its name.
    public static func run(_ request: BaselineRequest, now: Timestamp) throws(ServiceError) -> BaselineOutcome {
        let (loadedOpt, diags) = ConfigLoader.load(path: request.configPath)
        guard let loaded = loadedOpt else {
            throw .config(diags.filter { $0.severity == .error }.map(\.description).joined(separator: "\n"))
        }
        let config = loaded.config
        let name = request.name ?? config.reference.default?.profile ?? "baseline"
        let built = try profile(path: request.dataPath, config: config, from: request.since, to: request.until,
                                keepIDs: request.labelsPath != nil)
        var performance: (samples: [Sample], labeled: Int) = ([], 0)
        if let labelsPath = request.labelsPath {
            performance = try referencePerformance(batch: built.batch, labelsPath: labelsPath, settings: config.labels, schema: config.schema)
        }
        let storePath = loaded.resolve(config.store.path)
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: storePath, configuration: .init(synchronous: config.store.synchronous == .full ? .full : .normal))
        } catch {
            throw .io("\(storePath): \(error)")
        }
        defer { store.close() }
        var record: ProfileRecord
        do {
            record = try store.saveProfile(ProfileRecord(
                name: name, fingerprint: built.profile.fingerprint, rowCount: built.profile.rowCount,
                createdAt: now, payload: built.profile.encode()))
            if request.labelsPath != nil { try store.saveReferencePerformance(profileID: record.id, samples: performance.samples) }
        } catch {
            throw .io("\(storePath): \(error)")
        }
        record.payload = []
        return BaselineOutcome(
            record: record, storePath: storePath, numericalFeatures: built.profile.numerical.map(\.name),
            categoricalFeatures: built.profile.categorical.map(\.name), report: built.report, excludedRows: built.excluded,
            performance: performance.samples, labeledRows: performance.labeled)
    }
}
