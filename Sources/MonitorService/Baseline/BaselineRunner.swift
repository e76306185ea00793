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

    public init(configPath: String, dataPath: String, name: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil) {
        self.configPath = configPath
        self.dataPath = dataPath
        self.name = name
        self.since = since
        self.until = until
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
}

/// `monitor baseline`: profiles a reference dataset and stores it, versioned, in the store.
public enum BaselineRunner {
    /// Decodes a reference file (schema from the config, features declared or inferred) and
    /// profiles the records whose event time lies in [from, to).
    static func profile(path: String, config: MonitorConfig, from: Timestamp?, to: Timestamp?) throws(ServiceError)
        -> (profile: ReferenceProfile, report: DecodeReport, excluded: Int)
    {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .usage("\(path): no such file") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .usage("\(path): not a regular file") }
        var features = config.schema.declaredFeatures
        let decoded: DecodedFile
        do {
            if features.isEmpty { features = try JSONLFile.inferFeatures(path: path, schema: config.schema) }
            decoded = try JSONLFile.decode(path: path, schema: config.schema, features: features, dictionaries: [:],
                                           options: DecodeOptions(), progress: nil)
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
        return (profile, decoded.report, excluded)
    }

    /// Profiles `request.dataPath` and stores the profile as the next revision of its name.
    public static func run(_ request: BaselineRequest, now: Timestamp) throws(ServiceError) -> BaselineOutcome {
        let (loadedOpt, diags) = ConfigLoader.load(path: request.configPath)
        guard let loaded = loadedOpt else {
            throw .config(diags.filter { $0.severity == .error }.map(\.description).joined(separator: "\n"))
        }
        let config = loaded.config
        let name = request.name ?? config.reference.default?.profile ?? "baseline"
        let built = try profile(path: request.dataPath, config: config, from: request.since, to: request.until)
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
        } catch {
            throw .io("\(storePath): \(error)")
        }
        record.payload = []
        return BaselineOutcome(
            record: record, storePath: storePath, numericalFeatures: built.profile.numerical.map(\.name),
            categoricalFeatures: built.profile.categorical.map(\.name), report: built.report, excludedRows: built.excluded)
    }
}
