public import MonitorCore

/// Everything a report is built from, read by the service from the store (and the rule files
/// recorded in it). Plain data: building and rendering a report does no I/O and reads no clock.
public struct ReportInput: Sendable {
    /// The store's file name as shown in the report (not its full path, so the same store reports
    /// the same bytes wherever it lies).
    public var storeName: String
    /// `PRAGMA user_version` of the store.
    public var schemaVersion: Int
    /// Window results of the period and model(s), ordered by end.
    public var windows: [WindowResult]
    /// Performance revisions of the period and model(s).
    public var performance: [PerformanceResult]
    /// Every alert transition in the store, in id order (the builder picks the period's).
    public var transitions: [StoredTransition]
    public var outbox: [OutboxEntry]
    public var attempts: [DeliveryAttempt]
    public var notificationLog: [NotificationLogEntry]
    public var triggers: [TriggerRecord]
    /// Every silence, expired ones included.
    public var silences: [Silence]
    /// Every config version, oldest first.
    public var configs: [ConfigVersion]
    /// Hashes of the configs the period's window results were computed with.
    public var configsInEffect: Set<String>
    public var profiles: [ProfileSummary]
    /// The rules of each config version, by config hash.
    public var rules: [String: [RuleSummary]]
    /// Each audited table's chain.
    public var chains: [AuditChainStatus]
    /// The alerting stage's fingerprint of an alert's labels (as in the notification log).
    public var fingerprint: @Sendable (Labels) -> String
    /// Events kept out of the windows during the period, by source and reason.
    public var eventCounts: [EventCount]
    /// Per config hash, the end of the first window result computed with it.
    public var configFirstWindowEnds: [String: Timestamp]

    public init(
        storeName: String, schemaVersion: Int, windows: [WindowResult], performance: [PerformanceResult],
        transitions: [StoredTransition], outbox: [OutboxEntry], attempts: [DeliveryAttempt],
        notificationLog: [NotificationLogEntry], triggers: [TriggerRecord], silences: [Silence], configs: [ConfigVersion],
        configsInEffect: Set<String>, profiles: [ProfileSummary], rules: [String: [RuleSummary]], chains: [AuditChainStatus],
        fingerprint: @escaping @Sendable (Labels) -> String, eventCounts: [EventCount] = [],
        configFirstWindowEnds: [String: Timestamp] = [:]
    ) {
        self.configFirstWindowEnds = configFirstWindowEnds
        self.eventCounts = eventCounts
        self.storeName = storeName
        self.schemaVersion = schemaVersion
        self.windows = windows
        self.performance = performance
        self.transitions = transitions
        self.outbox = outbox
        self.attempts = attempts
        self.notificationLog = notificationLog
        self.triggers = triggers
        self.silences = silences
        self.configs = configs
        self.configsInEffect = configsInEffect
        self.profiles = profiles
        self.rules = rules
        self.chains = chains
        self.fingerprint = fingerprint
    }
}

/// A reference profile as the report shows it.
public struct ProfileSummary: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var revision: Int
    public var fingerprint: String
    public var rowCount: Int
    public var createdAt: Timestamp
    /// Per feature: kind, bin edges or categories, and the reference's proportions per bin or
    /// category (empty when the profile could not be decoded).
    public var features: [ProfileFeature]

    public init(id: Int64, name: String, revision: Int, fingerprint: String, rowCount: Int, createdAt: Timestamp, features: [ProfileFeature]) {
        self.id = id
        self.name = name
        self.revision = revision
        self.fingerprint = fingerprint
        self.rowCount = rowCount
        self.createdAt = createdAt
        self.features = features
    }
}

/// One feature of a reference profile.
public struct ProfileFeature: Hashable, Sendable {
    public var name: String
    /// `numerical` or `categorical`.
    public var kind: String
    /// Interior PSI bin edges (numerical).
    public var edges: [Double]
    /// Category dictionary (categorical).
    public var categories: [String]
    /// The reference's share of its non-missing values per bin (edges.count + 1 bins) or per
    /// category.
    public var proportions: [Double]
    /// Categorical: the reference's share of values outside `categories` (the decoder's
    /// overflow), so `proportions` and `other` sum to 1. Numerical: 0.
    public var other: Double

    public init(name: String, kind: String, edges: [Double], categories: [String], proportions: [Double], other: Double = 0) {
        self.name = name
        self.kind = kind
        self.edges = edges
        self.categories = categories
        self.proportions = proportions
        self.other = other
    }
}

/// A rule as recorded in a config version.
public struct RuleSummary: Hashable, Sendable {
    public var group: String
    public var name: String
    public var expression: String
    /// `for:` in milliseconds.
    public var holdMilliseconds: Int64
    public var keepFiringMilliseconds: Int64
    public var actions: [String]

    public init(group: String, name: String, expression: String, holdMilliseconds: Int64, keepFiringMilliseconds: Int64, actions: [String]) {
        self.group = group
        self.name = name
        self.expression = expression
        self.holdMilliseconds = holdMilliseconds
        self.keepFiringMilliseconds = keepFiringMilliseconds
        self.actions = actions
    }
}
