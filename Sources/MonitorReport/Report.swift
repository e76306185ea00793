public import MonitorCore

/// An audit report: what was monitored, what was found, who was told, what was done, and the
/// hash-chain heads that pin the record (issue 8). Built by ``ReportBuilder`` from a
/// ``ReportInput``; rendered by ``ReportRenderer`` as JSON, Markdown or HTML.
///
/// Invariants: every list is in a fixed order (time, then names), so the same input renders to
/// the same bytes; no field holds the time the report was made.
public struct Report: Sendable {
    /// The JSON schema identifier; bumped on an incompatible change.
    public static let schema = "modelmonitor.report/v1"

    /// What was asked for.
    public struct Scope: Sendable {
        public var store: String
        public var schemaVersion: Int
        public var model: String?
        public var since: Timestamp?
        public var until: Timestamp?
        /// The first window start and last window end of the data in scope.
        public var firstWindowStart: Timestamp?
        public var lastWindowEnd: Timestamp?
        public var models: [String]
    }

    /// Counts per model.
    public struct Summary: Sendable {
        public var model: String
        public var windows = 0
        public var events = 0
        public var alertsFired = 0
        public var alertsResolved = 0
        public var notificationsDelivered = 0
        public var notificationsPending = 0
        public var notificationsDead = 0
        /// Notification decisions by reason (`sent`, `silenced`, `inhibited`, …).
        public var notificationDecisions: [(reason: String, count: Int)] = []
        public var triggersEmitted = 0
        public var triggersSuppressed = 0
        public var triggersSilenced = 0
        public var restatements = 0
    }

    /// One config version and what changed from the previous one.
    public struct ConfigEntry: Sendable {
        public var hash: String
        /// Event time (the watermark) of the first checkpoint that recorded the config: the
        /// store's clock is event time, so for a `--once` run over old files this is a time in
        /// the data, not the day of the run (0 when no event had been read yet).
        public var firstSeen: Timestamp
        /// End of the first window evaluated with this config: from then on its rules decided.
        /// Nil when no window was closed under it.
        public var firstWindowEnd: Timestamp?
        /// Whether it was in effect during the period.
        public var inEffect: Bool
        /// Changed lines against the previous version (`+ line`, `- line`); the whole text
        /// (as `+` lines) for the first version.
        public var diff: [String]
        public var rules: [RuleSummary]
    }

    /// A threshold a rule compares a metric against.
    public struct Threshold: Hashable, Sendable {
        public var rule: String
        public var metric: String
        /// `>`, `>=`, `<` or `<=`: the alerting side.
        public var op: String
        public var value: Double
    }

    /// A point of a series.
    public struct Point: Hashable, Sendable {
        public var at: Timestamp
        public var value: Double
    }

    /// One statistic of one feature over time.
    public struct MetricSeries: Sendable {
        public var metric: String
        public var points: [Point]
        public var thresholds: [Threshold]
    }

    /// A feature of a model.
    public struct FeatureSection: Sendable {
        public var model: String
        public var feature: String
        public var series: [MetricSeries]
        /// Ends of the windows whose drift decision (`drift` series) was 1.
        public var driftedWindows: [Timestamp]
        /// The reference profile's bins for this feature, when known.
        public var reference: ProfileFeature?
        /// Latest window's summary (mean, stddev, min, max, missing_rate, …).
        public var latest: [(metric: String, value: Double)]
        public var latestWindowEnd: Timestamp?
        /// The reference's and the latest window's distributions over the reference's bins; nil
        /// when the windows carry no histogram of the feature (stores written before schema 5)
        /// or the reference profile is unknown.
        public var distribution: Distribution?
    }

    /// A feature's distribution in the reference and in the latest window of the period, over
    /// the reference's bins.
    ///
    /// Invariants: `bins`, `reference`, `latest` and `latestCounts` have equal counts;
    /// `reference` and `latest` are proportions of the non-missing values (each sums to 1, or
    /// `latest` is all 0 when the window had no non-missing value).
    public struct Distribution: Sendable {
        /// The window (configuration name and end) the latest figures come from.
        public var window: String
        public var windowEnd: Timestamp
        /// Bin labels: `≤ e₁`, `(e₁, e₂]`, …, `> e_k` (numerical, right-closed as the PSI
        /// bins), or the reference's categories and then `(other)` (categorical).
        public var bins: [String]
        public var reference: [Double]
        public var latest: [Double]
        public var latestCounts: [Int]
        /// Missing values in the latest window (in no bin).
        public var latestMissing: Int
    }

    /// A performance series of a model (latest revision per window).
    public struct PerformanceSeries: Sendable {
        public var model: String
        /// The metric and its non-window labels, e.g. `f1{class="fraud"}`.
        public var name: String
        public var metric: String
        public var points: [Point]
        public var thresholds: [Threshold]
    }

    /// A delivery attempt of a notification.
    public struct Attempt: Sendable {
        public var attempt: Int
        public var startedAt: Timestamp
        public var durationMilliseconds: Int64
        public var outcome: String
        public var statusCode: Int?
        public var error: String?
    }

    /// A notification decision about an alert, and what became of it.
    public struct NotificationTrace: Sendable {
        public var at: Timestamp
        public var receiver: String
        public var reason: String
        /// `firing` or `resolved`: in which list of the notification the alert was.
        public var status: String
        public var notificationID: String?
        /// Outbox rows of the notification, one per integration: integration, state, attempts.
        public var deliveries: [(integration: String, state: String, attempts: [Attempt])]
    }

    /// One evaluation row of a decision trace: a window end and the values the rule saw.
    public struct Evaluation: Sendable {
        public var at: Timestamp
        public var values: [(metric: String, value: Double)]
        /// The transition recorded at this time, if any (`pending → firing`).
        public var transition: String?
    }

    /// The decision trace of one alert instance.
    public struct AlertTrace: Sendable {
        public var group: String
        public var rule: String
        public var labels: Labels
        public var expression: String?
        public var holdMilliseconds: Int64?
        public var keepFiringMilliseconds: Int64?
        public var thresholds: [Threshold]
        public var transitions: [(at: Timestamp, from: String, to: String, value: Double)]
        public var evaluations: [Evaluation]
        /// Evaluations left out (only the first ``ReportBuilder/maxEvaluations`` are listed).
        public var evaluationsOmitted: Int
        public var notifications: [NotificationTrace]
        public var triggers: [(id: String, status: String, reason: String?, firedAt: Timestamp, closedAt: Timestamp?)]
    }

    /// A silence in effect during the period.
    public struct SilenceEntry: Sendable {
        public var id: String
        public var matchers: String
        public var startsAt: Timestamp
        public var endsAt: Timestamp
        public var createdBy: String
        public var comment: String
    }

    /// A notification the inhibition rules held back.
    public struct Inhibition: Sendable {
        public var at: Timestamp
        public var receiver: String
        public var groupKey: String
        public var alerts: Int
    }

    public var scope: Scope
    public var summaries: [Summary]
    /// Late and rejected events of the period by source and reason (per source, not per model:
    /// a rejected record may not name its model), ordered by source and reason.
    public var eventCounts: [EventCount]
    public var configs: [ConfigEntry]
    public var profiles: [ProfileSummary]
    public var features: [FeatureSection]
    public var performance: [PerformanceSeries]
    public var alerts: [AlertTrace]
    public var silences: [SilenceEntry]
    public var inhibitions: [Inhibition]
    public var integrity: [AuditChainStatus]

    /// Whether every verified chain is intact (true when nothing was verified).
    public var integrityOK: Bool { integrity.allSatisfy { $0.firstBreak == nil } }
}
