public import MonitorCore

/// Every alerting rule of a set of rule files, evaluated together: what the service holds and
/// calls at each window close.
///
/// ```swift
/// var rules = RuleSet(files: files)            // from RuleFile.parse
/// rules.restore(store.loadAlerts())            // continue `for:` timers after a restart
/// let outcome = rules.evaluate(at: windowEnd, source: latestSamples)
/// deliver(outcome.transitions); log(outcome.errors)
/// ```
///
/// Rules are evaluated in file order; each keeps its own `AlertStateMachine`. Rules are
/// identified by (group name, alert name) for `restore`, so a reload that keeps names keeps
/// state: build the new set and `restore(old.alerts)`.
public struct RuleSet: Sendable {
    /// One machine per rule, in file order.
    public private(set) var machines: [AlertStateMachine]

    /// Creates a set from rules.
    /// - Parameter rules: The rules, in evaluation order.
    public init(rules: [AlertRule]) { machines = rules.map(AlertStateMachine.init(rule:)) }

    /// Creates a set from parsed rule files.
    /// - Parameter files: The files, in evaluation order.
    public init(files: [RuleFile]) { self.init(rules: files.flatMap(\.rules)) }

    /// Parses rule files and checks that group names are unique across them (the identity
    /// `restore` relies on).
    /// - Parameters:
    ///   - files: Each file's path and text.
    ///   - knownMetrics: Metric names selectors may use.
    /// - Returns: The set when no file had an error, and every diagnostic of every file.
    public static func load(_ files: [(path: String, text: String)],
                            knownMetrics: Set<String> = SeriesName.all) -> (RuleSet?, [ConfigDiagnostic]) {
        var parsed: [RuleFile] = []
        var diagnostics: [ConfigDiagnostic] = []
        var groups: [String: String] = [:]
        var ok = true
        for (path, text) in files {
            let (file, d) = RuleFile.parse(text, path: path, knownMetrics: knownMetrics)
            diagnostics += d
            guard let file else {
                ok = false
                continue
            }
            for g in file.groups {
                if let other = groups[g.name] {
                    diagnostics.append(ConfigDiagnostic(path: path, line: g.line, column: 0, context: "group \"\(g.name)\"",
                                                        message: "group \"\(g.name)\" is also defined in \(other); group names must be unique across rule files"))
                    ok = false
                } else {
                    groups[g.name] = path
                }
            }
            parsed.append(file)
        }
        return (ok ? RuleSet(files: parsed) : nil, diagnostics)
    }

    /// The rules, in evaluation order.
    public var rules: [AlertRule] { machines.map(\.rule) }

    /// Every stored alert (pending, firing, recently resolved) of every rule.
    public var alerts: [Alert] { machines.flatMap(\.alerts) }

    /// Pending and firing alerts of every rule.
    public var activeAlerts: [Alert] { machines.flatMap(\.activeAlerts) }

    /// Hands persisted alerts to their rules (by group and rule name); see
    /// `AlertStateMachine.restore(_:lastEvaluation:)`.
    /// - Parameters:
    ///   - alerts: Persisted alerts.
    ///   - lastEvaluation: The last evaluation time, when known.
    public mutating func restore(_ alerts: [Alert], lastEvaluation: Timestamp? = nil) {
        let byRule = Dictionary(grouping: alerts) { RuleKey(group: $0.group, rule: $0.rule) }
        for i in machines.indices {
            let key = RuleKey(group: machines[i].rule.group, rule: machines[i].rule.name)
            machines[i].restore(byRule[key] ?? [], lastEvaluation: lastEvaluation)
        }
    }

    /// Evaluates every rule at `time`.
    /// - Parameters:
    ///   - time: The evaluation time (the closing window's end).
    ///   - source: The samples visible at `time`.
    /// - Returns: All transitions (rule order, then label order), the per-rule errors and the
    ///   per-rule outcomes.
    public mutating func evaluate(at time: Timestamp, source: some SampleSource) -> RuleSetEvaluation {
        let cached = CachedSource(source, time: time)
        var outcome = RuleSetEvaluation(time: time)
        outcome.rules.reserveCapacity(machines.count)
        for i in machines.indices {
            let e = machines[i].evaluate(at: time, source: cached)
            outcome.transitions += e.transitions
            if let error = e.error {
                outcome.errors.append(RuleEvaluationError(rule: machines[i].rule, error: error))
            }
            outcome.rules.append(e)
        }
        return outcome
    }

    /// `ALERTS`-style samples (as Prometheus exports them): one per pending or firing alert with
    /// its labels plus `alertstate`, value 1, at `time`.
    /// - Parameter time: The sample timestamp.
    /// - Returns: The samples.
    public func alertSamples(at time: Timestamp) -> [Sample] {
        activeAlerts.map {
            Sample(metric: "ALERTS", labels: $0.labels.setting("alertstate", to: $0.state.rawValue), value: 1, timestamp: time)
        }
    }

    private struct RuleKey: Hashable {
        var group: String
        var rule: String
    }
}

/// The outcome of evaluating a rule set at one time.
public struct RuleSetEvaluation: Sendable {
    /// The evaluation time.
    public var time: Timestamp
    /// Every transition, in rule order then label order.
    public var transitions: [AlertTransition] = []
    /// Rules whose evaluation failed (their alerts are unchanged).
    public var errors: [RuleEvaluationError] = []
    /// One outcome per rule, in rule order.
    public var rules: [RuleEvaluation] = []

    /// Creates an empty outcome.
    /// - Parameter time: The evaluation time.
    public init(time: Timestamp) { self.time = time }
}

/// A rule whose evaluation failed, with where it is defined.
public struct RuleEvaluationError: Error, Sendable, CustomStringConvertible {
    /// The rule's group.
    public var group: String
    /// The rule's alert name.
    public var rule: String
    /// The rule file.
    public var path: String
    /// The rule's line in the file.
    public var line: Int
    /// What went wrong.
    public var error: ExpressionError

    /// Creates an error for a rule.
    /// - Parameters:
    ///   - rule: The rule.
    ///   - error: What went wrong.
    public init(rule: AlertRule, error: ExpressionError) {
        group = rule.group
        self.rule = rule.name
        path = rule.path
        line = rule.line
        self.error = error
    }

    /// `rules/drift.yaml:12: group "g", rule "R": many-to-many matching not allowed …`
    public var description: String { "\(path):\(line): group \"\(group)\", rule \"\(rule)\": \(error.message)" }
}

/// Memoises a source's answers for one evaluation time, so that rules selecting the same metric
/// read it once per evaluation.
final class CachedSource<Base: SampleSource>: SampleSource {
    private let base: Base
    private let time: Timestamp
    private var cache: [String: [Sample]] = [:]
    private var names: [String]?

    init(_ base: Base, time: Timestamp) {
        self.base = base
        self.time = time
    }

    func samples(metric: String, at: Timestamp) -> [Sample] {
        guard at == time else { return base.samples(metric: metric, at: at) }
        if let s = cache[metric] { return s }
        let s = base.samples(metric: metric, at: at)
        cache[metric] = s
        return s
    }

    func metricNames(at: Timestamp) -> [String] {
        guard at == time else { return base.metricNames(at: at) }
        if let names { return names }
        let n = base.metricNames(at: at)
        names = n
        return n
    }
}
