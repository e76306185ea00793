/// A value read from a config file, with where it was written (for diagnostics found later,
/// e.g. a rule file pattern that matches nothing).
public struct Positioned<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var path: String
    public var line: Int
    public var column: Int

    public init(_ value: Value, path: String = "", line: Int = 0, column: Int = 0) {
        self.value = value
        self.path = path
        self.line = line
        self.column = column
    }

    /// A diagnostic at this value's position.
    public func diagnostic(_ context: String, _ message: String, severity: ConfigDiagnostic.Severity = .error) -> ConfigDiagnostic {
        ConfigDiagnostic(path: path, line: line, column: column, context: context, message: message, severity: severity)
    }
}

/// What a source carries.
public enum SourceKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Prediction records (DESIGN §3): features, score, predicted label.
    case predictions
    /// Delayed label records, joined to predictions by id.
    case labels
}

/// Where a source reads from.
public enum SourceType: String, Sendable, Hashable, CaseIterable, Codable {
    /// JSONL files: one file, a glob, or a directory.
    case file
}

/// Where a file source starts in a file it has never seen.
public enum StartPosition: String, Sendable, Hashable, CaseIterable, Codable {
    case beginning, end
}

/// One entry of `sources:`.
///
/// ```yaml
/// sources:
///   - name: predictions
///     type: file
///     kind: predictions
///     path: /var/log/fraud/predictions-*.jsonl   # a file, a glob or a directory
///     follow: true
///     start_at: beginning
///     poll_interval: 1s
///     dead_letter: /var/lib/monitor/dead-letters.jsonl
/// ```
public struct SourceSettings: Sendable, Hashable {
    public var name: String
    public var type: SourceType = .file
    public var kind: SourceKind = .predictions
    /// A file, a glob or a directory; relative paths are relative to the config file.
    public var path: Positioned<String>
    /// Tail the files like `tail -F` (ignored by `monitor run --once`).
    public var follow = true
    public var startAt: StartPosition = .beginning
    /// How long a followed source sleeps when nothing new arrived, ms.
    public var pollInterval: Int64 = 1000
    /// Where rejected records are quarantined (JSONL), if anywhere.
    public var deadLetter: String?

    public init(name: String, path: Positioned<String>) {
        self.name = name
        self.path = path
    }
}

/// A reference choice: a stored profile by name, or a file profiled at start.
public struct ReferenceChoice: Sendable, Hashable {
    /// `monitor baseline --name` of a stored profile (its latest revision).
    public var profile: String?
    /// A JSONL file profiled at start (stored as profile `file:<path>` when its content changed).
    public var file: Positioned<String>?

    public init(profile: String? = nil, file: Positioned<String>? = nil) {
        self.profile = profile
        self.file = file
    }
}

/// `reference:` — the default reference and per-model (`fraud`) or per-version (`fraud/4`)
/// overrides. The most specific match is in force for a window.
public struct ReferenceSettings: Sendable, Hashable {
    public var `default`: ReferenceChoice?
    /// Keys are `model` or `model/version`.
    public var overrides: [String: ReferenceChoice] = [:]

    public init() {}

    /// The choice in force for a model and version.
    public func choice(model: String, version: String) -> ReferenceChoice? {
        overrides["\(model)/\(version)"] ?? overrides[model] ?? `default`
    }
}

/// `store:` — the SQLite file.
public struct StoreSettings: Sendable, Hashable {
    /// Relative paths are relative to the config file.
    public var path = "monitor.db"
    /// How often a running service checkpoints (window state + source positions), ms.
    public var checkpointInterval: Int64 = 5000
    /// `normal` survives process crashes (kill -9); `full` also survives power loss.
    public var synchronous: SyncMode = .normal

    public enum SyncMode: String, Sendable, Hashable, CaseIterable { case normal, full }

    public init() {}
}

/// `http:` — the service's HTTP listener (metrics, health).
public struct HTTPSettings: Sendable, Hashable {
    public var host = "127.0.0.1"
    public var port = 9464
    /// Whether to serve at all (`listen: ""` turns it off).
    public var enabled = true

    public init() {}
}
