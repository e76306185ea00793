public import MonitorCore

/// Renders a ``Report`` as JSON (`modelmonitor.report/v1`, documented in the README), Markdown
/// (for tickets and pull requests) or HTML (one self-contained file with inline SVG charts).
/// Pure and deterministic: the same report renders to the same bytes.
public enum ReportRenderer {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        case html, md, json
    }

    /// Renders `report` in `format`.
    public static func render(_ report: Report, format: Format) -> String {
        switch format {
        case .json: json(report)
        case .md: markdown(report)
        case .html: html(report)
        }
    }

    // MARK: JSON

    /// The JSON document; see the README's "JSON schema" for every field.
    public static func json(_ r: Report) -> String {
        var w = JSONWriter()
        w.object { w in
            w.string("schema", Report.schema)
            w.object("scope") { w in
                w.string("store", r.scope.store)
                w.int("schema_version", r.scope.schemaVersion)
                w.string("model", r.scope.model)
                w.time("since", r.scope.since)
                w.time("until", r.scope.until)
                w.time("first_window_start", r.scope.firstWindowStart)
                w.time("last_window_end", r.scope.lastWindowEnd)
                w.array("models") { w in for m in r.scope.models { w.string(nil, m) } }
            }
            w.array("summary") { w in
                for s in r.summaries {
                    w.object { w in
                        w.string("model", s.model)
                        w.int("windows", s.windows)
                        w.int("events", s.events)
                        w.int("alerts_fired", s.alertsFired)
                        w.int("alerts_resolved", s.alertsResolved)
                        w.object("notifications") { w in
                            w.int("delivered", s.notificationsDelivered)
                            w.int("pending", s.notificationsPending)
                            w.int("dead", s.notificationsDead)
                            w.object("decisions") { w in for d in s.notificationDecisions { w.int(d.reason, d.count) } }
                        }
                        w.object("triggers") { w in
                            w.int("emitted", s.triggersEmitted)
                            w.int("suppressed", s.triggersSuppressed)
                            w.int("silenced", s.triggersSilenced)
                        }
                        w.int("restatements", s.restatements)
                    }
                }
            }
            w.array("event_counts") { w in
                for e in r.eventCounts {
                    w.object { w in
                        w.string("source", e.source)
                        w.string("reason", e.reason)
                        w.int("count", e.count)
                    }
                }
            }
            w.array("configs") { w in
                for c in r.configs {
                    w.object { w in
                        w.string("hash", c.hash)
                        w.time("first_seen", c.firstSeen.milliseconds == Int64.max ? nil : c.firstSeen)
                        w.time("first_window_end", c.firstWindowEnd)
                        w.bool("in_effect", c.inEffect)
                        w.array("diff") { w in for line in c.diff { w.string(nil, line) } }
                        w.array("rules") { w in
                            for rule in c.rules {
                                w.object { w in
                                    w.string("group", rule.group)
                                    w.string("alert", rule.name)
                                    w.string("expr", rule.expression)
                                    w.int("for_ms", Int(rule.holdMilliseconds))
                                    w.int("keep_firing_for_ms", Int(rule.keepFiringMilliseconds))
                                    w.array("actions") { w in for a in rule.actions { w.string(nil, a) } }
                                }
                            }
                        }
                    }
                }
            }
            w.array("profiles") { w in
                for p in r.profiles {
                    w.object { w in
                        w.int("id", Int(p.id))
                        w.string("name", p.name)
                        w.int("revision", p.revision)
                        w.string("fingerprint", p.fingerprint)
                        w.int("rows", p.rowCount)
                        w.time("created_at", p.createdAt)
                        w.array("features") { w in
                            for f in p.features {
                                w.object { w in
                                    w.string("name", f.name)
                                    w.string("kind", f.kind)
                                    w.array("edges") { w in for e in f.edges { w.number(nil, e) } }
                                    w.array("categories") { w in for c in f.categories { w.string(nil, c) } }
                                    w.array("proportions") { w in for x in f.proportions { w.number(nil, x) } }
                                }
                            }
                        }
                    }
                }
            }
            w.array("features") { w in
                for f in r.features {
                    w.object { w in
                        w.string("model", f.model)
                        w.string("feature", f.feature)
                        w.object("series") { w in
                            for s in f.series {
                                w.object(s.metric) { w in
                                    thresholds(&w, s.thresholds)
                                    w.array("points") { w in for p in s.points { w.point(p.at, p.value) } }
                                }
                            }
                        }
                        w.array("drifted_windows") { w in for t in f.driftedWindows { w.time(nil, t) } }
                        w.object("latest") { w in
                            w.time("window_end", f.latestWindowEnd)
                            for (m, v) in f.latest { w.number(m, v) }
                        }
                        if let d = f.distribution {
                            w.object("distribution") { w in
                                w.string("window", d.window)
                                w.time("window_end", d.windowEnd)
                                w.array("bins") { w in for b in d.bins { w.string(nil, b) } }
                                w.array("reference") { w in for x in d.reference { w.number(nil, x) } }
                                w.array("latest") { w in for x in d.latest { w.number(nil, x) } }
                                w.array("latest_counts") { w in for c in d.latestCounts { w.int(nil, c) } }
                                w.int("latest_missing", d.latestMissing)
                            }
                        } else {
                            w.string("distribution", nil)
                        }
                    }
                }
            }
            w.array("performance") { w in
                for p in r.performance {
                    w.object { w in
                        w.string("model", p.model)
                        w.string("series", p.name)
                        thresholds(&w, p.thresholds)
                        w.array("points") { w in for x in p.points { w.point(x.at, x.value) } }
                    }
                }
            }
            w.array("alerts") { w in
                for a in r.alerts {
                    w.object { w in
                        w.string("group", a.group)
                        w.string("alert", a.rule)
                        w.object("labels") { w in for l in a.labels { w.string(l.name, l.value) } }
                        w.string("expr", a.expression)
                        w.int("for_ms", a.holdMilliseconds.map(Int.init))
                        w.int("keep_firing_for_ms", a.keepFiringMilliseconds.map(Int.init))
                        thresholds(&w, a.thresholds)
                        w.array("transitions") { w in
                            for t in a.transitions {
                                w.object { w in
                                    w.time("at", t.at)
                                    w.string("from", t.from)
                                    w.string("to", t.to)
                                    w.number("value", t.value)
                                }
                            }
                        }
                        w.array("evaluations") { w in
                            for e in a.evaluations {
                                w.object { w in
                                    w.time("at", e.at)
                                    w.object("values") { w in for (m, v) in e.values { w.number(m, v) } }
                                    w.string("transition", e.transition)
                                }
                            }
                        }
                        w.int("evaluations_omitted", a.evaluationsOmitted)
                        w.array("notifications") { w in
                            for n in a.notifications {
                                w.object { w in
                                    w.time("at", n.at)
                                    w.string("receiver", n.receiver)
                                    w.string("reason", n.reason)
                                    w.string("status", n.status)
                                    w.string("notification_id", n.notificationID)
                                    w.array("deliveries") { w in
                                        for d in n.deliveries {
                                            w.object { w in
                                                w.string("integration", d.integration)
                                                w.string("state", d.state)
                                                w.array("attempts") { w in
                                                    for x in d.attempts {
                                                        w.object { w in
                                                            w.int("attempt", x.attempt)
                                                            w.time("started_at", x.startedAt)
                                                            w.int("duration_ms", Int(x.durationMilliseconds))
                                                            w.string("outcome", x.outcome)
                                                            w.int("status_code", x.statusCode)
                                                            w.string("error", x.error)
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        w.array("triggers") { w in
                            for t in a.triggers {
                                w.object { w in
                                    w.string("id", t.id)
                                    w.string("status", t.status)
                                    w.string("reason", t.reason)
                                    w.time("fired_at", t.firedAt)
                                    w.time("closed_at", t.closedAt)
                                }
                            }
                        }
                    }
                }
            }
            w.array("silences") { w in
                for s in r.silences {
                    w.object { w in
                        w.string("id", s.id)
                        w.string("matchers", s.matchers)
                        w.time("starts_at", s.startsAt)
                        w.time("ends_at", s.endsAt)
                        w.string("created_by", s.createdBy)
                        w.string("comment", s.comment)
                    }
                }
            }
            w.array("inhibitions") { w in
                for i in r.inhibitions {
                    w.object { w in
                        w.time("at", i.at)
                        w.string("receiver", i.receiver)
                        w.string("group_key", i.groupKey)
                        w.int("alerts", i.alerts)
                    }
                }
            }
            w.object("integrity") { w in
                w.bool("verified", r.integrity.contains { $0.verified })
                w.bool("ok", r.integrityOK)
                w.array("chains") { w in
                    for c in r.integrity {
                        w.object { w in
                            w.string("table", c.table)
                            w.int("rows", c.rows)
                            w.int("links", c.links)
                            w.string("head", c.head)
                            w.string("head_key", c.headKey)
                            if let b = c.firstBreak {
                                w.object("first_break") { w in
                                    w.string("key", b.key)
                                    w.string("kind", b.kind.rawValue)
                                    w.string("detail", b.detail)
                                }
                            } else {
                                w.string("first_break", nil)
                            }
                        }
                    }
                }
            }
        }
        return w.out + "\n"
    }

    private static func thresholds(_ w: inout JSONWriter, _ list: [Report.Threshold]) {
        w.array("thresholds") { w in
            for t in list {
                w.object { w in
                    w.string("rule", t.rule)
                    w.string("metric", t.metric)
                    w.string("op", t.op)
                    w.number("value", t.value)
                }
            }
        }
    }

    // MARK: Markdown

    /// The Markdown document: summary, configuration, features (a table per feature),
    /// performance, decision traces, silences, integrity.
    public static func markdown(_ r: Report) -> String {
        var o = ""
        o += "# Monitoring report: \(r.scope.models.isEmpty ? "no models" : r.scope.models.joined(separator: ", "))\n\n"
        o += "- Store: `\(r.scope.store)` (schema \(r.scope.schemaVersion))\n"
        o += "- Period requested: \(r.scope.since.map(Text.time) ?? "start of the store") to \(r.scope.until.map(Text.time) ?? "end of the store")\n"
        if let a = r.scope.firstWindowStart, let b = r.scope.lastWindowEnd {
            o += "- Windows in the report: \(Text.time(a)) to \(Text.time(b))\n"
        } else {
            o += "- Windows in the report: none\n"
        }
        o += "\n## Summary\n\n"
        o += "| model | windows | events | alerts fired | alerts resolved | notifications delivered / pending / dead | decisions | triggers emitted / suppressed / silenced | restatements |\n"
        o += "|---|---:|---:|---:|---:|---|---|---|---:|\n"
        for s in r.summaries {
            let decisions = s.notificationDecisions.map { "\($0.reason): \($0.count)" }.joined(separator: ", ")
            o += "| \(Text.cell(s.model)) | \(s.windows) | \(s.events) | \(s.alertsFired) | \(s.alertsResolved) | \(s.notificationsDelivered) / \(s.notificationsPending) / \(s.notificationsDead) | \(decisions.isEmpty ? "–" : decisions) | \(s.triggersEmitted) / \(s.triggersSuppressed) / \(s.triggersSilenced) | \(s.restatements) |\n"
        }
        o += "\n### Late and rejected events\n\n"
        if r.eventCounts.isEmpty {
            o += "None: every event read in the period entered its windows.\n"
        } else {
            o += "Per source (a rejected record may not name its model), summed over the checkpoints of the period.\n\n"
            o += "| source | reason | events |\n|---|---|---:|\n"
            for e in r.eventCounts { o += "| \(Text.cell(e.source)) | \(Text.cell(e.reason)) | \(e.count) |\n" }
        }

        o += "\n## Configuration in effect\n\n"
        if r.configs.isEmpty { o += "No config version recorded.\n" }
        for c in r.configs where c.inEffect {
            o += "### Config `\(c.hash.prefix(16))…`, \(Text.configTook(c))\n\n"
            o += "Full hash: `\(c.hash)`. \(c.rules.count) rule(s).\n\n"
            // The first version is all additions: its start, the JSON report has every line.
            let shown = c.diff.prefix(c.diff.allSatisfy { $0.hasPrefix("+") } ? 40 : 80)
            o += "```diff\n" + shown.joined(separator: "\n") + (c.diff.count > shown.count ? "\n… \(c.diff.count - shown.count) more changed lines" : "") + "\n```\n\n"
        }
        o += "### Reference profiles\n\n"
        if r.profiles.isEmpty { o += "None.\n" }
        for p in r.profiles {
            o += "- `\(p.name)` revision \(p.revision): \(p.rowCount) rows, fingerprint `\(p.fingerprint)`, created \(Text.time(p.createdAt)), \(p.features.count) features\n"
            for f in p.features {
                if f.kind == "categorical" {
                    o += "  - \(f.name) (categorical): \(f.categories.count) categories: \(f.categories.prefix(12).joined(separator: ", "))\(f.categories.count > 12 ? ", …" : "")\n"
                } else {
                    o += "  - \(f.name) (numerical): bin edges \(f.edges.map(Text.number).joined(separator: ", "))\n"
                }
            }
        }

        o += "\n## Features\n\n"
        if r.features.isEmpty { o += "No feature statistics in the period.\n" }
        for f in r.features {
            o += "### \(f.model) · \(f.feature)\n\n"
            o += "| statistic | windows | latest | min | max | threshold | windows beyond |\n|---|---:|---:|---:|---:|---|---:|\n"
            for s in f.series {
                let values = s.points.map(\.value).filter { !$0.isNaN }
                let beyond = s.points.filter { p in s.thresholds.contains { beyondThreshold(p.value, $0) } }.count
                let th = s.thresholds.map { "\($0.op) \(Text.number($0.value)) (\($0.rule))" }.joined(separator: "; ")
                o += "| \(s.metric) | \(s.points.count) | \(Text.number(s.points.last?.value ?? .nan)) | \(Text.number(values.min() ?? .nan)) | \(Text.number(values.max() ?? .nan)) | \(th.isEmpty ? "–" : Text.cell(th)) | \(s.thresholds.isEmpty ? "–" : String(beyond)) |\n"
            }
            let step = Text.step(f.series.first?.points.map(\.at) ?? [])
            o += "\nDrifted windows (drift decision): " + (f.driftedWindows.isEmpty ? "none" : Text.ranges(f.driftedWindows, step: step).joined(separator: "; ")) + "\n"
            if let end = f.latestWindowEnd, !f.latest.isEmpty {
                o += "\nLatest window (ending \(Text.time(end))): " + f.latest.map { "\($0.metric) \(Text.number($0.value))" }.joined(separator: ", ") + "\n"
            }
            if let d = f.distribution {
                o += "\nDistribution, reference vs the latest \(Text.cell(d.window)) window (ending \(Text.time(d.windowEnd)); \(d.latestMissing) missing):\n\n"
                o += "| bin | reference | latest | latest count |\n|---|---:|---:|---:|\n"
                for i in d.bins.indices {
                    o += "| \(Text.cell(d.bins[i])) | \(Text.percent(d.reference[i])) | \(Text.percent(d.latest[i])) | \(d.latestCounts[i]) |\n"
                }
            }
            o += "\n"
        }

        o += "## Performance\n\n"
        if r.performance.isEmpty { o += "No performance figures (no delayed labels matured in the period).\n\n" }
        for p in r.performance {
            let values = p.points.map(\.value).filter { !$0.isNaN }
            o += "- \(p.model) `\(p.name)`: \(p.points.count) windows, latest \(Text.number(p.points.last?.value ?? .nan)), min \(Text.number(values.min() ?? .nan)), max \(Text.number(values.max() ?? .nan))"
            if !p.thresholds.isEmpty { o += ", thresholds " + p.thresholds.map { "\($0.op) \(Text.number($0.value))" }.joined(separator: ", ") }
            o += "\n"
        }
        if !r.performance.isEmpty { o += "\n" }

        o += "## Alerts and decision traces\n\n"
        if r.alerts.isEmpty { o += "No alert changed state in the period.\n\n" }
        for a in r.alerts {
            o += "### \(a.rule) \(a.labels.description)\n\n"
            o += "- Group: `\(a.group)`\n"
            if let e = a.expression { o += "- Expression: `\(e.split(separator: "\n").map { $0.trimmingPrefix(while: { $0 == " " }) }.joined(separator: " "))`\n" }
            if let h = a.holdMilliseconds { o += "- for: \(Text.duration(h)), keep_firing_for: \(Text.duration(a.keepFiringMilliseconds ?? 0))\n" }
            if !a.thresholds.isEmpty { o += "- Thresholds: " + a.thresholds.map { "\($0.metric) \($0.op) \(Text.number($0.value))" }.joined(separator: ", ") + "\n" }
            o += "\n| time | values | transition |\n|---|---|---|\n"
            for e in a.evaluations {
                o += "| \(Text.time(e.at)) | \(e.values.map { "\($0.metric) \(Text.number($0.value))" }.joined(separator: ", ")) | \(e.transition ?? "") |\n"
            }
            if a.evaluationsOmitted > 0 { o += "\n\(a.evaluationsOmitted) later evaluations omitted (see the JSON report).\n" }
            o += "\nNotifications: "
            if a.notifications.isEmpty { o += "none\n" } else {
                o += "\n\n"
                for n in a.notifications {
                    o += "- \(Text.time(n.at)) \(n.status) to `\(n.receiver)`: \(n.reason)" + (n.notificationID.map { " (`\($0)`)" } ?? "") + "\n"
                    for d in n.deliveries {
                        o += "  - \(d.integration): \(d.state)" + d.attempts.map { x in
                            "; attempt \(x.attempt) at \(Text.time(x.startedAt)) \(x.outcome)" + (x.statusCode.map { " HTTP \($0)" } ?? "") + " in \(x.durationMilliseconds) ms" + (x.error.map { " (\($0))" } ?? "")
                        }.joined() + "\n"
                    }
                }
            }
            o += "Retraining triggers: " + (a.triggers.isEmpty ? "none" : a.triggers.map { "`\($0.id)` \($0.status)" + ($0.reason.map { " (\($0))" } ?? "") + " at \(Text.time($0.firedAt))" }.joined(separator: "; ")) + "\n\n"
        }

        o += "## Silences and inhibitions\n\n"
        if r.silences.isEmpty { o += "No silence in effect during the period.\n" }
        for s in r.silences {
            o += "- `\(s.id)` \(s.matchers) from \(Text.time(s.startsAt)) to \(Text.time(s.endsAt)) by \(s.createdBy): \(s.comment)\n"
        }
        if r.inhibitions.isEmpty { o += "No notification was inhibited.\n" }
        for i in r.inhibitions { o += "- inhibited at \(Text.time(i.at)) for `\(i.receiver)`: \(i.alerts) alert(s), group \(i.groupKey)\n" }

        o += "\n## Integrity\n\n"
        let verified = r.integrity.contains { $0.verified }
        o += verified ? (r.integrityOK ? "Verified: every audit hash chain is intact.\n\n" : "**Verification FAILED**: at least one audit hash chain is broken.\n\n")
            : "Not verified (run with `--verify` to recompute the chains). Chain heads to pin:\n\n"
        o += "| table | rows | links | head (SHA-256) | status |\n|---|---:|---:|---|---|\n"
        for c in r.integrity {
            let status = c.firstBreak.map { "broken: \($0.description)" } ?? (c.verified ? "ok" : "not verified")
            o += "| \(c.table) | \(c.rows) | \(c.links) | `\(c.head ?? "-")` | \(Text.cell(status)) |\n"
        }
        return o
    }

    static func beyondThreshold(_ v: Double, _ t: Report.Threshold) -> Bool {
        guard !v.isNaN else { return false }
        switch t.op {
        case ">": return v > t.value
        case ">=": return v >= t.value
        case "<": return v < t.value
        default: return v <= t.value
        }
    }
}
