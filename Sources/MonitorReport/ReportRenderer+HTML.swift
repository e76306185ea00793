import MonitorCore

extension ReportRenderer {
    /// One self-contained HTML page: inline CSS, inline SVG charts, no scripts, no external
    /// assets; `@media print` keeps charts whole when printed to PDF.
    public static func html(_ r: Report) -> String {
        var o = ""
        o.reserveCapacity(1 << 20)
        let title = "Monitoring report: " + (r.scope.models.isEmpty ? "no models" : r.scope.models.joined(separator: ", "))
        o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(Text.escapeHTML(title))</title>\n<style>\n"
        o += """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1f24;max-width:1200px}
            h1{font-size:24px}h2{font-size:19px;border-bottom:1px solid #ccd;padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:18px 0 6px}
            table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccd;padding:3px 7px;text-align:left;vertical-align:top}
            th{background:#eef1f6}td.n{text-align:right;font-variant-numeric:tabular-nums}code,pre{font-family:ui-monospace,Menlo,monospace;font-size:12px}
            pre{background:#f5f6f8;padding:8px;overflow-x:auto;white-space:pre-wrap}.add{color:#116329}.del{color:#a40e26}
            .charts{display:flex;flex-wrap:wrap;gap:10px}.chart{border:1px solid #dde;padding:4px;background:#fff}
            .chart svg{display:block}.bad{color:#a40e26;font-weight:bold}.ok{color:#116329;font-weight:bold}
            .feature,.alert{page-break-inside:avoid;break-inside:avoid}.muted{color:#59636e}
            @media print{body{margin:0;max-width:none}.chart{break-inside:avoid}h2{break-after:avoid}}

            """
        o += "</style></head><body>\n"
        o += "<h1>\(Text.escapeHTML(title))</h1>\n<p class=\"muted\">Store <code>\(Text.escapeHTML(r.scope.store))</code> (schema \(r.scope.schemaVersion)); period "
        o += "\(r.scope.since.map(Text.time) ?? "start of the store") to \(r.scope.until.map(Text.time) ?? "end of the store")"
        if let a = r.scope.firstWindowStart, let b = r.scope.lastWindowEnd { o += "; windows \(Text.time(a)) to \(Text.time(b))" }
        o += ".</p>\n"

        // Summary
        o += "<h2 id=\"summary\">Summary</h2>\n<table><tr><th>model</th><th>windows</th><th>events</th><th>alerts fired</th><th>alerts resolved</th><th>notifications delivered / pending / dead</th><th>decisions</th><th>triggers emitted / suppressed / silenced</th><th>restatements</th></tr>\n"
        for s in r.summaries {
            let decisions = s.notificationDecisions.map { "\($0.reason): \($0.count)" }.joined(separator: ", ")
            o += "<tr><td>\(Text.escapeHTML(s.model))</td><td class=n>\(s.windows)</td><td class=n>\(s.events)</td><td class=n>\(s.alertsFired)</td><td class=n>\(s.alertsResolved)</td><td>\(s.notificationsDelivered) / \(s.notificationsPending) / \(s.notificationsDead)</td><td>\(Text.escapeHTML(decisions.isEmpty ? "–" : decisions))</td><td>\(s.triggersEmitted) / \(s.triggersSuppressed) / \(s.triggersSilenced)</td><td class=n>\(s.restatements)</td></tr>\n"
        }
        o += "</table>\n<h3>Late and rejected events</h3>\n"
        if r.eventCounts.isEmpty {
            o += "<p>None: every event read in the period entered its windows.</p>\n"
        } else {
            o += "<p class=\"muted\">Per source (a rejected record may not name its model), summed over the checkpoints of the period.</p>\n"
            o += "<table class=\"events\"><tr><th>source</th><th>reason</th><th>events</th></tr>\n"
            for e in r.eventCounts {
                o += "<tr><td>\(Text.escapeHTML(e.source))</td><td>\(Text.escapeHTML(e.reason))</td><td class=n>\(e.count)</td></tr>\n"
            }
            o += "</table>\n"
        }

        // Integrity first among the details: the auditor pins these.
        o += "<h2 id=\"integrity\">Integrity</h2>\n"
        let verified = r.integrity.contains { $0.verified }
        o += verified ? (r.integrityOK ? "<p class=\"ok\">Verified: every audit hash chain is intact.</p>\n" : "<p class=\"bad\">Verification FAILED: at least one audit hash chain is broken.</p>\n")
            : "<p>Not verified (run <code>monitor report --verify</code>). Chain heads to pin:</p>\n"
        o += "<table><tr><th>table</th><th>rows</th><th>links</th><th>head (SHA-256)</th><th>status</th></tr>\n"
        for c in r.integrity {
            let status = c.firstBreak.map { "<span class=bad>broken: \(Text.escapeHTML($0.description))</span>" } ?? (c.verified ? "ok" : "not verified")
            o += "<tr><td>\(c.table)</td><td class=n>\(c.rows)</td><td class=n>\(c.links)</td><td><code>\(c.head ?? "-")</code></td><td>\(status)</td></tr>\n"
        }
        o += "</table>\n"

        // Configuration
        o += "<h2 id=\"configuration\">Configuration in effect</h2>\n"
        if r.configs.isEmpty { o += "<p>No config version recorded.</p>\n" }
        for c in r.configs where c.inEffect {
            o += "<h3>Config <code>\(c.hash)</code>, \(Text.escapeHTML(Text.configTook(c)))</h3>\n<pre>"
            let limit = c.diff.allSatisfy { $0.hasPrefix("+") } ? 40 : 200
            for line in c.diff.prefix(limit) {
                let cls = line.hasPrefix("+") ? "add" : "del"
                o += "<span class=\(cls)>\(Text.escapeHTML(line))</span>\n"
            }
            if c.diff.count > limit { o += "… \(c.diff.count - limit) more lines (all of them in the JSON report)\n" }
            o += "</pre>\n"
        }
        o += "<h3>Reference profiles</h3>\n"
        if r.profiles.isEmpty { o += "<p>None.</p>\n" } else {
            o += "<table><tr><th>name</th><th>revision</th><th>rows</th><th>fingerprint</th><th>created</th><th>features</th></tr>\n"
            for p in r.profiles {
                o += "<tr><td>\(Text.escapeHTML(p.name))</td><td class=n>\(p.revision)</td><td class=n>\(p.rowCount)</td><td><code>\(p.fingerprint)</code></td><td>\(Text.time(p.createdAt))</td><td class=n>\(p.features.count)</td></tr>\n"
            }
            o += "</table>\n"
        }

        // Features
        o += "<h2 id=\"features\">Features</h2>\n"
        if r.features.isEmpty { o += "<p>No feature statistics in the period.</p>\n" }
        for f in r.features {
            o += "<div class=\"feature\"><h3>\(Text.escapeHTML(f.model)) · \(Text.escapeHTML(f.feature))</h3>\n<div class=\"charts\">\n"
            for s in f.series {
                o += "<div class=\"chart\">"
                SVGChart.line(into: &o, title: s.metric, points: s.points, thresholds: s.thresholds, shaded: f.driftedWindows)
                o += "</div>\n"
            }
            if let d = f.distribution {
                o += "<div class=\"chart\">"
                SVGChart.bars(into: &o, title: "reference vs latest \(d.window)", distribution: d)
                o += "</div>\n"
            } else if let ref = f.reference, !ref.proportions.isEmpty {
                o += "<div class=\"chart\">"
                SVGChart.bars(into: &o, title: "reference distribution", feature: ref)
                o += "</div>\n"
            }
            o += "</div>\n"
            let step = Text.step(f.series.first?.points.map(\.at) ?? [])
            o += "<p>Drifted windows: " + (f.driftedWindows.isEmpty ? "none" : Text.escapeHTML(Text.ranges(f.driftedWindows, step: step).joined(separator: "; "))) + "</p>\n"
            if let end = f.latestWindowEnd, !f.latest.isEmpty {
                o += "<p class=\"muted\">Latest window (ending \(Text.time(end))): " + Text.escapeHTML(f.latest.map { "\($0.metric) \(Text.number($0.value))" }.joined(separator: ", ")) + "</p>\n"
            }
            o += "</div>\n"
        }

        // Performance
        o += "<h2 id=\"performance\">Performance</h2>\n"
        if r.performance.isEmpty { o += "<p>No performance figures (no delayed labels matured in the period).</p>\n" } else {
            o += "<div class=\"charts\">\n"
            for p in r.performance {
                o += "<div class=\"chart\">"
                SVGChart.line(into: &o, title: "\(p.model) \(p.name)", points: p.points, thresholds: p.thresholds, shaded: [])
                o += "</div>\n"
            }
            o += "</div>\n"
        }

        // Alerts
        o += "<h2 id=\"alerts\">Alerts and decision traces</h2>\n"
        if r.alerts.isEmpty { o += "<p>No alert changed state in the period.</p>\n" }
        for a in r.alerts {
            o += "<div class=\"alert\"><h3>\(Text.escapeHTML(a.rule)) <code>\(Text.escapeHTML(a.labels.description))</code></h3>\n<p>Group <code>\(Text.escapeHTML(a.group))</code>"
            if let h = a.holdMilliseconds { o += "; for \(Text.duration(h)), keep_firing_for \(Text.duration(a.keepFiringMilliseconds ?? 0))" }
            o += "</p>\n"
            if let e = a.expression { o += "<pre>\(Text.escapeHTML(e))</pre>\n" }
            if !a.thresholds.isEmpty { o += "<p>Thresholds: " + Text.escapeHTML(a.thresholds.map { "\($0.metric) \($0.op) \(Text.number($0.value))" }.joined(separator: ", ")) + "</p>\n" }
            o += "<table><tr><th>time</th><th>values</th><th>transition</th></tr>\n"
            for e in a.evaluations {
                o += "<tr><td>\(Text.time(e.at))</td><td>\(Text.escapeHTML(e.values.map { "\($0.metric) \(Text.number($0.value))" }.joined(separator: ", ")))</td><td>\(Text.escapeHTML(e.transition ?? ""))</td></tr>\n"
            }
            o += "</table>\n"
            if a.evaluationsOmitted > 0 { o += "<p class=\"muted\">\(a.evaluationsOmitted) later evaluations omitted (see the JSON report).</p>\n" }
            if a.notifications.isEmpty { o += "<p>Notifications: none.</p>\n" } else {
                o += "<table><tr><th>time</th><th>receiver</th><th>status</th><th>decision</th><th>deliveries</th></tr>\n"
                for n in a.notifications {
                    let deliveries = n.deliveries.map { d in
                        "\(d.integration): \(d.state)" + d.attempts.map { x in
                            "; #\(x.attempt) \(Text.time(x.startedAt)) \(x.outcome)" + (x.statusCode.map { " HTTP \($0)" } ?? "") + " \(x.durationMilliseconds) ms" + (x.error.map { " (\($0))" } ?? "")
                        }.joined()
                    }.joined(separator: "<br>")
                    o += "<tr><td>\(Text.time(n.at))</td><td>\(Text.escapeHTML(n.receiver))</td><td>\(n.status)</td><td>\(Text.escapeHTML(n.reason))</td><td>\(deliveries.isEmpty ? "–" : deliveries)</td></tr>\n"
                }
                o += "</table>\n"
            }
            o += "<p>Retraining triggers: " + (a.triggers.isEmpty ? "none" : Text.escapeHTML(a.triggers.map { "\($0.id) \($0.status)" + ($0.reason.map { " (\($0))" } ?? "") + " at \(Text.time($0.firedAt))" }.joined(separator: "; "))) + "</p></div>\n"
        }

        // Silences
        o += "<h2 id=\"silences\">Silences and inhibitions</h2>\n"
        if r.silences.isEmpty { o += "<p>No silence in effect during the period.</p>\n" } else {
            o += "<table><tr><th>id</th><th>matchers</th><th>from</th><th>to</th><th>by</th><th>comment</th></tr>\n"
            for s in r.silences {
                o += "<tr><td><code>\(s.id)</code></td><td><code>\(Text.escapeHTML(s.matchers))</code></td><td>\(Text.time(s.startsAt))</td><td>\(Text.time(s.endsAt))</td><td>\(Text.escapeHTML(s.createdBy))</td><td>\(Text.escapeHTML(s.comment))</td></tr>\n"
            }
            o += "</table>\n"
        }
        if r.inhibitions.isEmpty { o += "<p>No notification was inhibited.</p>\n" }
        for i in r.inhibitions { o += "<p>Inhibited at \(Text.time(i.at)) for <code>\(Text.escapeHTML(i.receiver))</code>: \(i.alerts) alert(s).</p>\n" }
        o += "</body></html>\n"
        return o
    }
}

/// Inline SVG charts: fixed size, no scripts, text in the SVG so they print.
enum SVGChart {
    static let width = 360.0
    static let height = 150.0
    static let left = 60.0
    static let right = 8.0
    static let top = 20.0
    static let bottom = 22.0

    /// A line chart of `points` with thresholds as dashed red lines and `shaded` window ends as
    /// light red bands. Appends to `out` without building intermediate arrays per point.
    static func line(into out: inout String, title: String, points: [Report.Point], thresholds: [Report.Threshold], shaded: [Timestamp]) {
        let finite = points.filter { $0.value.isFinite }
        var lo = finite.map(\.value).min() ?? 0
        var hi = finite.map(\.value).max() ?? 1
        for t in thresholds {
            lo = min(lo, t.value)
            hi = max(hi, t.value)
        }
        if hi - lo < 1e-12 { hi = lo + 1 }
        let t0 = Double(points.first?.at.milliseconds ?? 0)
        var t1 = Double(points.last?.at.milliseconds ?? 1)
        if t1 <= t0 { t1 = t0 + 1 }
        let plotW = width - left - right
        let plotH = height - top - bottom
        func x(_ t: Double) -> Double { left + (t - t0) / (t1 - t0) * plotW }
        func y(_ v: Double) -> Double { top + (1 - (v - lo) / (hi - lo)) * plotH }
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"series\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(Text.escapeHTML(title))\">"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>"
        out += "<text x=\"\(Int(left))\" y=\"13\" font-size=\"12\" font-weight=\"bold\" fill=\"#1b1f24\">\(Text.escapeHTML(title))</text>"
        // Drifted windows: one band per window (step = typical gap).
        let step = Double(Text.step(points.map(\.at)) ?? 0)
        let band = max(1.5, step / (t1 - t0) * plotW)
        for s in shaded {
            out += "<rect class=\"drifted\" x=\"\(fmt(x(Double(s.milliseconds)) - band))\" y=\"\(fmt(top))\" width=\"\(fmt(band))\" height=\"\(fmt(plotH))\" fill=\"#f7c8c8\"/>"
        }
        out += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotW))\" height=\"\(fmt(plotH))\" fill=\"none\" stroke=\"#99a\" stroke-width=\"0.5\"/>"
        out += "<text x=\"\(fmt(left - 3))\" y=\"\(fmt(top + 8))\" font-size=\"10\" text-anchor=\"end\" fill=\"#444\">\(Text.number(hi))</text>"
        out += "<text x=\"\(fmt(left - 3))\" y=\"\(fmt(top + plotH))\" font-size=\"10\" text-anchor=\"end\" fill=\"#444\">\(Text.number(lo))</text>"
        if let first = points.first, let last = points.last {
            out += "<text x=\"\(fmt(left))\" y=\"\(fmt(height - 6))\" font-size=\"10\" fill=\"#444\">\(Text.time(first.at).prefix(16))</text>"
            out += "<text x=\"\(fmt(width - right))\" y=\"\(fmt(height - 6))\" font-size=\"10\" text-anchor=\"end\" fill=\"#444\">\(Text.time(last.at).prefix(16))</text>"
        }
        for t in thresholds {
            out += "<line class=\"threshold\" x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(y(t.value)))\" y2=\"\(fmt(y(t.value)))\" stroke=\"#c62828\" stroke-width=\"1\" stroke-dasharray=\"4 3\"><title>\(Text.escapeHTML("\(t.rule): \(t.metric) \(t.op) \(Text.number(t.value))"))</title></line>"
        }
        // One polyline per run of finite values (NaN = no figure, a gap).
        var open = false
        for p in points {
            if p.value.isFinite {
                out += open ? " " : "<polyline class=\"line\" fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.2\" points=\""
                open = true
                out += fmt(x(Double(p.at.milliseconds)))
                out += ","
                out += fmt(y(p.value))
            } else if open {
                out += "\"/>"
                open = false
            }
        }
        if open { out += "\"/>" }
        out += "</svg>"
    }

    /// A bar chart of a reference profile's proportions per bin or category.
    static func bars(into out: inout String, title: String, feature: ProfileFeature) {
        let n = feature.proportions.count
        let plotW = width - left - right
        let plotH = height - top - bottom
        let hi = max(feature.proportions.max() ?? 1, 1e-9)
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"distribution\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(Text.escapeHTML(title))\">"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>"
        out += "<text x=\"\(Int(left))\" y=\"13\" font-size=\"12\" font-weight=\"bold\" fill=\"#1b1f24\">\(Text.escapeHTML(title))</text>"
        out += "<text x=\"\(fmt(left - 3))\" y=\"\(fmt(top + 8))\" font-size=\"10\" text-anchor=\"end\" fill=\"#444\">\(Text.number(hi))</text>"
        let w = plotW / Double(max(n, 1))
        for (i, p) in feature.proportions.enumerated() {
            let h = p / hi * plotH
            let label = feature.kind == "categorical" ? (i < feature.categories.count ? feature.categories[i] : "other")
                : (i == 0 ? "≤ \(Text.number(feature.edges.first ?? 0))" : "> \(Text.number(feature.edges[min(i - 1, feature.edges.count - 1)]))")
            out += "<rect class=\"bar\" x=\"\(fmt(left + Double(i) * w + 1))\" y=\"\(fmt(top + plotH - h))\" width=\"\(fmt(max(w - 2, 0.5)))\" height=\"\(fmt(h))\" fill=\"#7a9cc6\"><title>\(Text.escapeHTML(label)): \(Text.number(p))</title></rect>"
        }
        out += "</svg>"
    }

    /// A grouped bar chart: per bin of the reference, the reference's proportion (light) beside
    /// the latest window's (dark), with the bin labels under the bars (rotated when there are
    /// many) and the full figures in each bar's `<title>`.
    static func bars(into out: inout String, title: String, distribution d: Report.Distribution) {
        let n = d.bins.count
        let labelRoom = 58.0  // rotated bin labels below the plot
        let h = height + labelRoom
        let plotW = width - left - right
        let plotH = height - top - bottom
        let hi = max((d.reference + d.latest).max() ?? 1, 1e-9)
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"distribution\" width=\"\(Int(width))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(width)) \(Int(h))\" role=\"img\" aria-label=\"\(Text.escapeHTML(title))\">"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(h))\" fill=\"#ffffff\"/>"
        out += "<text x=\"\(Int(left))\" y=\"13\" font-size=\"12\" font-weight=\"bold\" fill=\"#1b1f24\">\(Text.escapeHTML(title))</text>"
        // Legend, top right.
        out += "<rect x=\"\(fmt(width - right - 118))\" y=\"\(fmt(top - 12))\" width=\"8\" height=\"8\" fill=\"#b7c4d6\"/>"
        out += "<text x=\"\(fmt(width - right - 107))\" y=\"\(fmt(top - 4))\" font-size=\"9\" fill=\"#444\">reference</text>"
        out += "<rect x=\"\(fmt(width - right - 58))\" y=\"\(fmt(top - 12))\" width=\"8\" height=\"8\" fill=\"#1f5fbf\"/>"
        out += "<text x=\"\(fmt(width - right - 47))\" y=\"\(fmt(top - 4))\" font-size=\"9\" fill=\"#444\">latest</text>"
        out += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotW))\" height=\"\(fmt(plotH))\" fill=\"none\" stroke=\"#99a\" stroke-width=\"0.5\"/>"
        out += "<text x=\"\(fmt(left - 3))\" y=\"\(fmt(top + 8))\" font-size=\"10\" text-anchor=\"end\" fill=\"#444\">\(Text.percent(hi))</text>"
        out += "<text x=\"\(fmt(left - 3))\" y=\"\(fmt(top + plotH))\" font-size=\"10\" text-anchor=\"end\" fill=\"#444\">0%</text>"
        let group = plotW / Double(max(n, 1))
        let bar = max((group - 2) / 2, 0.5)
        let labelStride = max(1, Int((10 / group).rounded(.up)))
        for i in 0..<n {
            let x0 = left + Double(i) * group + 1
            let label = Text.escapeHTML(d.bins[i])
            let rh = d.reference[i] / hi * plotH
            let lh = d.latest[i] / hi * plotH
            out += "<rect class=\"bar reference\" x=\"\(fmt(x0))\" y=\"\(fmt(top + plotH - rh))\" width=\"\(fmt(bar))\" height=\"\(fmt(rh))\" fill=\"#b7c4d6\"><title>\(label): reference \(Text.percent(d.reference[i]))</title></rect>"
            out += "<rect class=\"bar latest\" x=\"\(fmt(x0 + bar))\" y=\"\(fmt(top + plotH - lh))\" width=\"\(fmt(bar))\" height=\"\(fmt(lh))\" fill=\"#1f5fbf\"><title>\(label): latest \(Text.percent(d.latest[i])) (\(d.latestCounts[i]))</title></rect>"
            // The label under the group, rotated so long ranges and names fit; with many bins
            // every `stride`-th only, at least 10 px apart (each bar's title names its bin).
            guard i % labelStride == 0 else { continue }
            let lx = x0 + group / 2
            let ly = top + plotH + 10
            let short = d.bins[i].count > 14 ? String(d.bins[i].prefix(13)) + "…" : d.bins[i]
            out += "<text class=\"bin\" x=\"\(fmt(lx))\" y=\"\(fmt(ly))\" font-size=\"8\" text-anchor=\"end\" fill=\"#444\" transform=\"rotate(-45 \(fmt(lx)) \(fmt(ly)))\">\(Text.escapeHTML(short))</text>"
        }
        out += "</svg>"
    }

    /// One decimal: enough for a 360-pixel chart, and short.
    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : "\(r)"
    }
}
