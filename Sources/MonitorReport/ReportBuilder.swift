public import MonitorCore

/// Builds a ``Report`` from a ``ReportInput`` for a period and model. Pure: no I/O, no clock.
///
/// ```swift
/// let report = ReportBuilder.build(input, model: "fraud", since: nil, until: nil)
/// let markdown = ReportRenderer.markdown(report)
/// ```
///
/// - Complexity: O(samples) over the window results plus O(transitions × windows of their
///   alert) for the decision traces; one pass groups the samples by feature and metric.
public enum ReportBuilder {
    /// The drift statistics charted per feature, in this order, when the windows emit them.
    public static let featureMetrics = [
        SeriesName.psi, SeriesName.ksPValue, SeriesName.chi2PValue, SeriesName.wasserstein, SeriesName.missingRate,
    ]
    /// Summary statistics of the latest window shown beside the reference's bins.
    public static let latestMetrics = [
        SeriesName.mean, SeriesName.stddev, SeriesName.min, SeriesName.max, SeriesName.missingRate,
        SeriesName.outOfRangeRate, SeriesName.newCategoryRate,
    ]
    /// At most this many evaluation rows per decision trace (the first ones, from the window
    /// before the alert went pending): a trace is read by people; the JSON says how many more.
    public static let maxEvaluations = 200

    /// The report.
    ///
    /// - Parameters:
    ///   - input: What the store holds (window results already limited to the period and model).
    ///   - model: Only this model (all when nil).
    ///   - since: Event time from which (inclusive) windows, transitions and notifications count.
    ///   - until: Event time before which (exclusive) they count.
    public static func build(_ input: ReportInput, model: String?, since: Timestamp?, until: Timestamp?) -> Report {
        let lower = since?.milliseconds ?? Int64.min
        let upper = until?.milliseconds ?? Int64.max
        func inPeriod(_ t: Timestamp) -> Bool { t.milliseconds >= lower && t.milliseconds < upper }
        func modelMatches(_ labels: Labels) -> Bool { model == nil || labels[LabelName.model] == model }

        let windows = input.windows.filter { (model == nil || $0.key.model == model) && inPeriod($0.key.end) }
        let performance = input.performance.filter { (model == nil || $0.key.model == model) && inPeriod($0.key.end) }
        let transitions = input.transitions.filter { inPeriod($0.transition.at) && modelMatches($0.transition.alert.labels) }

        var models = Set(windows.map(\.key.model))
        models.formUnion(performance.map(\.key.model))
        for t in transitions { if let m = t.transition.alert.labels[LabelName.model] { models.insert(m) } }
        if let model { models = [model] }
        let modelList = models.sorted()

        // Configs: those the period's windows were computed with (each result records its config),
        // and those first seen inside the period (a reload without windows yet).
        var configs: [Report.ConfigEntry] = []
        var previous: [Substring] = []
        for c in input.configs {
            let lines = c.text.split(separator: "\n", omittingEmptySubsequences: false)
            let inEffect = input.configsInEffect.contains(c.hash) || inPeriod(c.firstSeen)
            configs.append(Report.ConfigEntry(
                hash: c.hash, firstSeen: c.firstSeen, firstWindowEnd: input.configFirstWindowEnds[c.hash], inEffect: inEffect, diff: LineDiff.diff(previous, lines),
                rules: input.rules[c.hash] ?? []))
            previous = lines
        }
        let rules = configs.last(where: \.inEffect).map(\.rules) ?? configs.last?.rules ?? []
        let thresholdsByRule = Dictionary(rules.map { ("\($0.group)/\($0.name)", Thresholds.extract(from: $0)) }, uniquingKeysWith: { a, _ in a })
        let allThresholds = rules.flatMap { Thresholds.extract(from: $0) }

        let features = featureSections(windows: windows, thresholds: allThresholds, profiles: input.profiles)
        let perf = performanceSeries(performance, thresholds: allThresholds)
        let alerts = alertTraces(transitions, windows: windows, performance: performance, rules: rules, thresholdsByRule: thresholdsByRule, input: input,
                                 inPeriod: inPeriod)

        // Summaries.
        let alertKeys = Set(alerts.map { input.fingerprint($0.labels) })
        let log = input.notificationLog.filter { e in inPeriod(e.at) && (model == nil || (e.firing + e.resolved).contains(where: alertKeys.contains)) }
        let sentIDs = Set(log.compactMap(\.notificationID))
        let outbox = input.outbox.filter { sentIDs.contains($0.notification.id) }
        let triggers = input.triggers.filter { (model == nil || $0.trigger.model == model) && inPeriod(Timestamp(milliseconds: $0.trigger.firedAtMilliseconds)) }
        var summaries: [Report.Summary] = []
        for m in modelList {
            var s = Report.Summary(model: m)
            for w in windows where w.key.model == m {
                s.windows += 1
                s.events += w.eventCount
            }
            for t in transitions where t.transition.alert.labels[LabelName.model] == m {
                if t.transition.to == .firing { s.alertsFired += 1 }
                if t.transition.to == .resolved { s.alertsResolved += 1 }
            }
            s.restatements = performance.filter { $0.key.model == m && $0.revision > 1 }.count
            for r in triggers where r.trigger.model == m {
                switch r.status {
                case .emitted: s.triggersEmitted += 1
                case .suppressed: s.triggersSuppressed += 1
                case .silenced: s.triggersSilenced += 1
                }
            }
            summaries.append(s)
        }
        // Notifications are per alert group, not per model: counted once, on every model's row
        // when there is one model, else in a row of their own ("*").
        var notificationCounts = Report.Summary(model: "*")
        for o in outbox {
            switch o.state {
            case .delivered: notificationCounts.notificationsDelivered += 1
            case .pending: notificationCounts.notificationsPending += 1
            case .dead: notificationCounts.notificationsDead += 1
            }
        }
        var reasons: [String: Int] = [:]
        for e in log { reasons[e.reason, default: 0] += 1 }
        notificationCounts.notificationDecisions = reasons.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if summaries.count == 1 {
            summaries[0].notificationsDelivered = notificationCounts.notificationsDelivered
            summaries[0].notificationsPending = notificationCounts.notificationsPending
            summaries[0].notificationsDead = notificationCounts.notificationsDead
            summaries[0].notificationDecisions = notificationCounts.notificationDecisions
        } else if !outbox.isEmpty || !log.isEmpty {
            summaries.append(notificationCounts)
        }

        let silences = input.silences
            .filter { $0.startsAt.milliseconds < upper && $0.endsAt.milliseconds > lower }
            .sorted { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
            .map {
                Report.SilenceEntry(
                    id: $0.id, matchers: "{" + $0.matchers.map(\.description).joined(separator: ", ") + "}", startsAt: $0.startsAt,
                    endsAt: $0.endsAt, createdBy: $0.createdBy, comment: $0.comment)
            }
        let inhibitions = input.notificationLog.filter { inPeriod($0.at) && $0.reason.hasPrefix("inhibit") }.map {
            Report.Inhibition(at: $0.at, receiver: $0.receiver, groupKey: $0.groupKey, alerts: $0.firing.count + $0.resolved.count)
        }

        let usedProfiles = Set(windows.map(\.profileID))
        let profiles = input.profiles.filter { usedProfiles.isEmpty || usedProfiles.contains($0.id) }

        let scope = Report.Scope(
            store: input.storeName, schemaVersion: input.schemaVersion, model: model, since: since, until: until,
            firstWindowStart: windows.map(\.key.start).min(), lastWindowEnd: windows.map(\.key.end).max(), models: modelList)
        return Report(
            scope: scope, summaries: summaries,
            eventCounts: input.eventCounts.sorted { ($0.source, $0.reason) < ($1.source, $1.reason) }, configs: configs, profiles: profiles, features: features, performance: perf,
            alerts: alerts, silences: silences, inhibitions: inhibitions, integrity: input.chains)
    }

    /// Groups the samples of `windows` by (model, feature) and metric in one pass.
    static func featureSections(windows: [WindowResult], thresholds: [Report.Threshold], profiles: [ProfileSummary]) -> [Report.FeatureSection] {
        struct Key: Hashable {
            var model: String
            var feature: String
        }
        let charted = Set(featureMetrics)
        let latestSet = Set(latestMetrics)
        var series: [Key: [String: [Report.Point]]] = [:]
        var drifted: [Key: [Timestamp]] = [:]
        var latest: [Key: (end: Timestamp, values: [String: Double])] = [:]
        var latestHistogram: [Key: (window: WindowKey, profileID: Int64, histogram: FeatureHistogram)] = [:]
        var profileOf: [String: Int64] = [:]
        for w in windows {
            profileOf[w.key.model] = w.profileID
            // Windows come ordered by end: the last one seen is the latest (of equal ends, the
            // last in the store's order, as for the statistics).
            for h in w.histograms {
                let key = Key(model: w.key.model, feature: h.feature)
                if latestHistogram[key].map({ $0.window.end <= w.key.end }) ?? true { latestHistogram[key] = (w.key, w.profileID, h) }
            }
            for s in w.samples {
                guard let feature = s.labels[LabelName.feature] else { continue }
                let key = Key(model: w.key.model, feature: feature)
                if charted.contains(s.metric) {
                    series[key, default: [:]][s.metric, default: []].append(Report.Point(at: w.key.end, value: s.value))
                }
                if s.metric == SeriesName.drift, s.value == 1 { drifted[key, default: []].append(w.key.end) }
                if latestSet.contains(s.metric) {
                    if latest[key].map({ $0.end < w.key.end }) ?? true { latest[key] = (w.key.end, [:]) }
                    if latest[key]!.end == w.key.end { latest[key]!.values[s.metric] = s.value }
                }
            }
        }
        let profilesByID = Dictionary(profiles.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return series.keys.sorted { ($0.model, $0.feature) < ($1.model, $1.feature) }.map { key in
            let byMetric = series[key]!
            let list = featureMetrics.compactMap { metric -> Report.MetricSeries? in
                guard var points = byMetric[metric] else { return nil }
                points.sort { $0.at < $1.at }
                let t = thresholds.filter { $0.metric == metric && Thresholds.applies($0, feature: key.feature) }
                return Report.MetricSeries(metric: metric, points: points, thresholds: uniqueThresholds(t))
            }
            let reference = profileOf[key.model].flatMap { profilesByID[$0] }?.features.first { $0.name == key.feature }
            let l = latest[key]
            let distribution = latestHistogram[key].flatMap { h in
                profilesByID[h.profileID]?.features.first { $0.name == key.feature }.flatMap {
                    self.distribution(reference: $0, window: h.window, histogram: h.histogram)
                }
            }
            return Report.FeatureSection(
                model: key.model, feature: key.feature, series: list, driftedWindows: (drifted[key] ?? []).sorted(), reference: reference,
                latest: latestMetrics.compactMap { m in l?.values[m].map { (m, $0) } }, latestWindowEnd: l?.end, distribution: distribution)
        }
    }

    /// The reference's and a window's proportions over the reference's bins; nil when the
    /// histogram does not fit the reference (another profile's bins).
    static func distribution(reference f: ProfileFeature, window: WindowKey, histogram h: FeatureHistogram) -> Report.Distribution? {
        let bins: [String]
        let reference: [Double]
        if f.kind == "categorical" {
            guard h.counts.count == f.categories.count + 1, f.proportions.count == f.categories.count else { return nil }
            bins = f.categories + ["(other)"]
            reference = f.proportions + [f.other]
        } else {
            guard h.counts.count == f.edges.count + 1, f.proportions.count == h.counts.count else { return nil }
            let e = f.edges.map(Text.number)
            bins = e.isEmpty ? ["all"] : ["≤ \(e[0])"] + zip(e, e.dropFirst()).map { "(\($0), \($1)]" } + ["> \(e[e.count - 1])"]
            reference = f.proportions
        }
        let total = h.counts.reduce(0, +)
        let latest = h.counts.map { total > 0 ? Double($0) / Double(total) : 0 }
        return Report.Distribution(
            window: window.window, windowEnd: window.end, bins: bins, reference: reference, latest: latest, latestCounts: h.counts,
            latestMissing: h.missing)
    }

    static func uniqueThresholds(_ t: [Report.Threshold]) -> [Report.Threshold] {
        var seen = Set<Report.Threshold>()
        return t.filter { seen.insert($0).inserted }
    }

    static func performanceSeries(_ results: [PerformanceResult], thresholds: [Report.Threshold]) -> [Report.PerformanceSeries] {
        // The latest revision of each window wins (a restatement replaces the figure).
        var latest: [WindowKey: PerformanceResult] = [:]
        for r in results where latest[r.key].map({ $0.revision < r.revision }) ?? true { latest[r.key] = r }
        struct Key: Hashable {
            var model: String
            var name: String
            var metric: String
        }
        var points: [Key: [Report.Point]] = [:]
        for r in latest.values {
            for s in r.samples where s.metric != SeriesName.confusionMatrix && !s.metric.hasPrefix("reference_") {
                let extra = s.labels.filter { ![LabelName.model, LabelName.version, LabelName.window].contains($0.name) }
                let name = s.metric + (extra.isEmpty ? "" : "{" + extra.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}")
                points[Key(model: r.key.model, name: name, metric: s.metric), default: []].append(Report.Point(at: r.key.end, value: s.value))
            }
        }
        return points.keys.sorted { ($0.model, $0.name) < ($1.model, $1.name) }.map { k in
            Report.PerformanceSeries(
                model: k.model, name: k.name, metric: k.metric, points: points[k]!.sorted { $0.at < $1.at },
                thresholds: uniqueThresholds(thresholds.filter { $0.metric == k.metric }))
        }
    }

    static func alertTraces(
        _ transitions: [StoredTransition], windows: [WindowResult], performance: [PerformanceResult], rules: [RuleSummary], thresholdsByRule: [String: [Report.Threshold]],
        input: ReportInput, inPeriod: (Timestamp) -> Bool
    ) -> [Report.AlertTrace] {
        struct Key: Hashable {
            var group: String
            var rule: String
            var labels: Labels
        }
        var order: [Key] = []
        var byKey: [Key: [StoredTransition]] = [:]
        for t in transitions {
            let a = t.transition.alert
            let key = Key(group: a.group, rule: a.rule, labels: a.labels)
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(t)
        }
        // Performance figures of each window (latest revision), for rules over them.
        var latestPerformance: [WindowKey: PerformanceResult] = [:]
        for r in performance where latestPerformance[r.key].map({ $0.revision < r.revision }) ?? true { latestPerformance[r.key] = r }
        let rulesByKey = Dictionary(rules.map { ("\($0.group)/\($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
        var traces: [Report.AlertTrace] = []
        for key in order {
            let list = byKey[key]!
            let rule = rulesByKey["\(key.group)/\(key.rule)"]
            let thresholds = thresholdsByRule["\(key.group)/\(key.rule)"] ?? []
            let metrics = Thresholds.metrics(in: rule?.expression ?? "")
            let first = list.first!.transition.at
            let last = list.last!.transition.at
            // Evaluations: the windows of the alert's model, version and window whose end lies
            // from one window before the first transition to the last, with the values of the
            // metrics the expression reads for the alert's labels.
            var evaluations: [Report.Evaluation] = []
            var omitted = 0
            let model = key.labels[LabelName.model]
            let feature = key.labels[LabelName.feature]
            let windowName = key.labels[LabelName.window]
            let relevant = windows.filter {
                (model == nil || $0.key.model == model) && (windowName == nil || $0.key.window == windowName)
                    && (key.labels[LabelName.version] == nil || $0.key.version == key.labels[LabelName.version])
            }
            let startIndex = max(0, (relevant.firstIndex { $0.key.end >= first } ?? relevant.count) - 1)
            var transitionsAt: [Timestamp: String] = [:]
            for t in list {
                let text = "\(t.transition.from.rawValue) → \(t.transition.to.rawValue)"
                transitionsAt[t.transition.at] = transitionsAt[t.transition.at].map { $0 + ", " + text } ?? text
            }
            var seenTransitions = Set<Timestamp>()
            // Listed: the windows while the alert was pending or firing, each transition and the
            // window before it. Quiet windows between (inactive or resolved, nothing changing)
            // are left out: the series charts show them.
            let span = Array(relevant[startIndex...].prefix { $0.key.end <= last })
            var active = false
            for (i, w) in span.enumerated() {
                let changes = list.filter { $0.transition.at == w.key.end }
                let nextChanges = i + 1 < span.count && transitionsAt[span[i + 1].key.end] != nil
                let wasActive = active
                if let lastChange = changes.last { active = lastChange.transition.to == .pending || lastChange.transition.to == .firing }
                guard wasActive || !changes.isEmpty || nextChanges else { continue }
                if evaluations.count >= maxEvaluations {
                    omitted += 1
                    continue
                }
                var values: [(String, Double)] = []
                for m in metrics {
                    let matches: (Sample) -> Bool = { $0.metric == m && (feature == nil || $0.labels[LabelName.feature] == feature) }
                    if let s = w.samples.first(where: matches) ?? latestPerformance[w.key]?.samples.first(where: matches) {
                        values.append((m, s.value))
                    }
                }
                seenTransitions.insert(w.key.end)
                evaluations.append(Report.Evaluation(at: w.key.end, values: values, transition: transitionsAt[w.key.end]))
            }
            // Transitions at times that are no window end of this model (e.g. performance maturity).
            for t in list where !seenTransitions.contains(t.transition.at) {
                seenTransitions.insert(t.transition.at)
                evaluations.append(Report.Evaluation(at: t.transition.at, values: [("value", t.transition.alert.value)], transition: transitionsAt[t.transition.at]))
            }
            evaluations.sort { $0.at < $1.at }

            let fingerprint = input.fingerprint(key.labels)
            var notifications: [Report.NotificationTrace] = []
            for e in input.notificationLog where inPeriod(e.at) {
                let status: String
                if e.firing.contains(fingerprint) { status = "firing" } else if e.resolved.contains(fingerprint) { status = "resolved" } else { continue }
                var deliveries: [(String, String, [Report.Attempt])] = []
                if let id = e.notificationID {
                    for o in input.outbox where o.notification.id == id {
                        let attempts = input.attempts.filter { $0.notificationID == id }.sorted { $0.attempt < $1.attempt }.map {
                            Report.Attempt(attempt: $0.attempt, startedAt: $0.startedAt, durationMilliseconds: $0.durationMilliseconds,
                                           outcome: $0.outcome.rawValue, statusCode: $0.statusCode, error: $0.error)
                        }
                        deliveries.append((o.notification.integration, o.state.rawValue, attempts))
                    }
                }
                notifications.append(Report.NotificationTrace(
                    at: e.at, receiver: e.receiver, reason: e.reason, status: status, notificationID: e.notificationID, deliveries: deliveries))
            }
            let alertKey = "\(key.group)/\(key.rule)\(key.labels.description)"
            let triggers = input.triggers.filter { $0.alertKey == alertKey }.map {
                (id: $0.trigger.id, status: $0.status.rawValue, reason: $0.statusReason, firedAt: Timestamp(milliseconds: $0.trigger.firedAtMilliseconds),
                 closedAt: $0.closedAt)
            }
            traces.append(Report.AlertTrace(
                group: key.group, rule: key.rule, labels: key.labels, expression: rule?.expression, holdMilliseconds: rule?.holdMilliseconds,
                keepFiringMilliseconds: rule?.keepFiringMilliseconds, thresholds: thresholds,
                transitions: list.map { ($0.transition.at, $0.transition.from.rawValue, $0.transition.to.rawValue, $0.transition.alert.value) },
                evaluations: evaluations, evaluationsOmitted: omitted, notifications: notifications, triggers: triggers))
        }
        return traces
    }
}
