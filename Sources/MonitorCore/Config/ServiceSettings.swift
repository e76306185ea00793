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
    /// Kafka topics, one record per message value, through a consumer group (`kafka:`).
    case kafka
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
    /// The consumer settings of a `type: kafka` source (nil for files).
    public var kafka: KafkaSettings?

    public init(name: String, path: Positioned<String>) {
        self.name = name
        self.path = path
    }
}

/// A config value that may hold a secret. A string may reference environment variables
/// (`${SASL_PASSWORD}`), resolved when the service loads the config; `{file: path}` reads the
/// value from a file (trailing line breaks removed; relative to the config file). Neither the
/// resolved value nor the file's content is ever logged or recorded: the store records the
/// config text as written.
public enum SecretValue: Sendable, Hashable {
    /// A string, with `${NAME}` references to environment variables.
    case text(String)
    /// The content of a file.
    case file(Positioned<String>)

    /// The names of the environment variables a text references.
    public var environmentReferences: [String] {
        guard case .text(let s) = self else { return [] }
        var out: [String] = []
        let c = Array(s.unicodeScalars)
        var i = 0
        while i + 1 < c.count {
            if c[i] == "$", c[i + 1] == "{", let end = c[(i + 2)...].firstIndex(of: "}") {
                out.append(String(String.UnicodeScalarView(c[(i + 2)..<end])))
                i = end + 1
            } else {
                i += 1
            }
        }
        return out
    }
}

/// `kafka:` of a `type: kafka` source.
///
/// ```yaml
/// kafka:
///   brokers: [kafka-1:9093, kafka-2:9093]
///   group: model-monitor
///   topics: [fraud-predictions]
///   auto_offset_reset: earliest        # or latest
///   dead_letter_topic: fraud-predictions-dlq
///   properties:                        # any librdkafka property
///     security.protocol: SASL_SSL
///     sasl.mechanisms: SCRAM-SHA-512
///     sasl.username: monitor
///     sasl.password: ${KAFKA_PASSWORD}
///     ssl.ca.location: /etc/ssl/kafka-ca.pem
/// ```
public struct KafkaSettings: Sendable, Hashable {
    /// `bootstrap.servers`, `host:port` each.
    public var brokers: [String] = []
    /// The consumer group: instances in one group split the partitions.
    public var group = ""
    /// The topics to subscribe to.
    public var topics: [String] = []
    /// librdkafka properties, passed through (values may reference secrets).
    public var properties: [String: SecretValue] = [:]
    /// Where a partition without any stored or committed offset starts.
    public var autoOffsetReset: OffsetResetPolicy = .earliest
    /// Where poison messages are produced, if anywhere.
    public var deadLetterTopic: String?

    /// Kafka's `auto.offset.reset`.
    public enum OffsetResetPolicy: String, Sendable, Hashable, CaseIterable {
        case earliest, latest
    }

    /// Properties the source sets itself, with the key to use instead: the offset contract
    /// (offsets live in the store with the window state) depends on them.
    public static let reservedProperties: [String: String] = [
        "bootstrap.servers": "use kafka.brokers", "metadata.broker.list": "use kafka.brokers",
        "group.id": "use kafka.group", "auto.offset.reset": "use kafka.auto_offset_reset",
        "enable.auto.offset.store": "offsets are stored with the window state; the source sets it to false",
        "enable.auto.commit": "the source commits the checkpointed offsets itself",
        "enable.partition.eof": "the source sets it (monitor run --once stops at the partitions' ends)",
    ]

    /// Whether a property name looks like it holds a secret (written inline, it is recorded in
    /// the store with the config text).
    public static func isSecretProperty(_ name: String) -> Bool {
        let n = name.lowercased()
        return n.contains("password") || n.contains("secret") || n.hasSuffix(".key.pem") || n.hasSuffix("key.pem")
            || n.contains("sasl.jaas.config") || n.contains("token")
    }

    public init() {}
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

/// `http:` — the service's HTTP listener (metrics, health, API).
///
/// ```yaml
/// http:
///   listen: 0.0.0.0:9464
///   api_token: ${MONITOR_API_TOKEN}     # or api_token_file: /run/secrets/monitor-api-token
/// ```
public struct HTTPSettings: Sendable, Hashable {
    public var host = "127.0.0.1"
    public var port = 9464
    /// Whether to serve at all (`listen: ""` turns it off).
    public var enabled = true
    /// The bearer token mutating API calls (silences, reload) must carry; nil = none required.
    /// Only a reference: `${ENV}` or a file, never the token itself.
    public var apiToken: AlertsFile.SecretReference?

    public init() {}
}

/// `logging:` — the service's log lines on standard error.
///
/// ```yaml
/// logging:
///   format: json      # json, logfmt or text
///   level: info       # trace, debug, info, notice, warning, error, critical
/// ```
public struct LoggingSettings: Sendable, Hashable {
    /// How each line is written.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// One JSON object per line: `ts`, `level`, `logger`, `msg`, then the metadata.
        case json
        /// `key=value` pairs (logfmt), the same fields.
        case logfmt
        /// swift-log's plain text (the default, for terminals).
        case text
    }

    /// swift-log's levels, lowest first.
    public enum Level: String, Sendable, Hashable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    public var format: Format = .text
    public var level: Level = .info

    public init() {}
}

/// `shutdown:` — what SIGTERM may take.
///
/// ```yaml
/// shutdown:
///   delivery_deadline: 10s
/// ```
public struct ShutdownSettings: Sendable, Hashable {
    /// How long the outbox keeps delivering after intake stopped and the final checkpoint was
    /// written, ms. Kubernetes' default grace period is 30 s, so 10 s leaves room for the
    /// checkpoint and the exit.
    public var deliveryDeadline: Int64 = 10_000

    public init() {}
}
