import MonitorCore
import MonitorWindowing

/// Renders a comparison as DESIGN §12's JSON object, or as a table for people.
public enum CompareRendering {
    /// One JSON object: numbers as JSON numbers at full precision (shortest round-trip form);
    /// fields that do not apply to a feature are absent, never null.
    public static func json(_ outcome: CompareOutcome) -> String {
        let r = outcome.result
        var o = JSONObjectWriter()
        o.int("reference_rows", r.referenceRows)
        o.int("current_rows", r.currentRows)
        var features: [String] = []
        for f in r.features {
            var w = JSONObjectWriter()
            w.string("name", f.name)
            w.string("kind", f.kind.rawValue)
            w.string("method", f.method)
            w.string("test", f.test.rawValue)
            w.double("threshold", f.threshold)
            w.int("reference_count", f.referenceCount)
            w.int("current_count", f.currentCount)
            w.double("psi", f.psi)
            w.double("ks_statistic", f.ksStatistic)
            w.double("ks_pvalue", f.ksPValue)
            w.string("ks_method", f.ksMethod)
            if let b = f.ksStatisticErrorBound, b > 0 { w.double("ks_statistic_error_bound", b) }
            w.double("wasserstein", f.wasserstein)
            w.double("wasserstein_normed", f.wassersteinNormed)
            w.double("chi2_statistic", f.chi2Statistic)
            w.double("chi2_pvalue", f.chi2PValue)
            if let d = f.chi2DegreesOfFreedom { w.int("chi2_dof", d) }
            w.double("js_distance", f.jsDistance)
            if r.settings.correction != .none { w.double("pvalue_adjusted", f.pValueAdjusted) }
            w.double("missing_rate", f.missingRate)
            w.double("out_of_range_rate", f.outOfRangeRate)
            w.double("new_category_rate", f.newCategoryRate)
            w.double("mean_reference", f.referenceMean)
            w.double("mean_current", f.currentMean)
            w.bool("drift", f.drift)
            if let n = f.note { w.string("note", n) }
            features.append(w.finish())
        }
        o.raw("features", "[" + features.joined(separator: ",") + "]")
        o.double("drifted_feature_share", r.driftedFeatureShare)
        o.bool("dataset_drift", r.datasetDrift)
        o.string("correction", r.settings.correction.rawValue)
        o.double("alpha", r.settings.alpha)
        var decode = JSONObjectWriter()
        for (label, rep) in [("reference", outcome.referenceReport), ("current", outcome.currentReport)] {
            var d = JSONObjectWriter()
            for reason in DecodeErrorReason.allCases { if let n = rep.counts[reason], n > 0 { d.int(reason.rawValue, n) } }
            decode.raw(label, d.finish())
        }
        o.raw("decode_errors", decode.finish())
        if !r.warnings.isEmpty { o.raw("warnings", "[" + r.warnings.map(JSONObjectWriter.quote).joined(separator: ",") + "]") }
        return o.finish()
    }

    /// A fixed-width table, one feature per line, then a summary line.
    public static func table(_ outcome: CompareOutcome) -> String {
        let r = outcome.result
        let req = outcome.request
        var lines: [String] = []
        lines.append("reference: \(req.referencePath) (\(r.referenceRows) rows)")
        lines.append("current:   \(req.currentPath) (\(r.currentRows) rows)")
        lines.append("")
        let header = ["feature", "kind", "test", "value", "threshold", "p-value", "PSI", "missing", "drift"]
        var rows: [[String]] = []
        for f in r.features {
            let value: Double?
            switch f.test {
            case .ks: value = f.ksStatistic
            case .chi2: value = f.chi2Statistic
            case .psi: value = f.psi
            case .wassersteinNormed: value = f.wassersteinNormed
            case .jsDistance: value = f.jsDistance
            }
            let p = f.pValueAdjusted ?? f.significancePValue
            rows.append([
                f.name, f.kind == .numerical ? "num" : "cat", f.test.rawValue + (f.method == "sketch" ? "*" : ""),
                fmt(value), fmt(f.threshold), fmtP(p), fmt(f.psi),
                f.missingRate == 0 ? "0%" : percent(f.missingRate), f.drift ? "DRIFT" : (f.note != nil ? "n/a" : "-"),
            ])
        }
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == 0 || i == 1 || i == 2 ? c.padding(widths[i]) : c.leftPadding(widths[i])
            }.joined(separator: "  ")
        }
        lines.append(line(header))
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for row in rows { lines.append(line(row)) }
        lines.append("")
        let drifted = r.features.filter(\.drift).count
        let corr = r.settings.correction == .none ? "" : ", p-values adjusted (\(r.settings.correction.rawValue))"
        lines.append("drift in \(drifted) of \(r.features.count) features (\(percent(r.driftedFeatureShare))); dataset drift: \(r.datasetDrift ? "YES" : "no") (threshold \(percent(r.settings.datasetDriftShare)) of features\(corr))")
        if r.features.contains(where: { $0.method == "sketch" }) {
            lines.append("* computed from KLL sketches (more than \(r.settings.exactLimit) values); KS carries an error bound, see --format json")
        }
        for w in r.warnings { lines.append("warning: \(w)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func fmt(_ x: Double?) -> String {
        guard let x else { return "" }
        if x == 0 { return "0" }
        if abs(x) >= 1e5 || abs(x) < 1e-3 { return sci(x) }
        return fixed(x, 4)
    }

    static func fmtP(_ x: Double?) -> String {
        guard let x else { return "" }
        if x == 0 { return "<1e-300" }
        if x < 1e-3 { return sci(x) }
        return fixed(x, 4)
    }

    static func percent(_ x: Double) -> String { fixed(x * 100, 1) + "%" }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let v = (abs(x) * p).rounded()
        let intPart = Int64(v / p)
        var frac = String(Int64(v) - intPart * Int64(p))
        while frac.count < digits { frac = "0" + frac }
        return (x < 0 && v != 0 ? "-" : "") + "\(intPart)" + (digits > 0 ? "." + frac : "")
    }

    static func sci(_ x: Double) -> String {
        var e = 0
        var m = abs(x)
        while m >= 10 { m /= 10; e += 1 }
        while m < 1 && m > 0 { m *= 10; e -= 1 }
        if m.rounded(.toNearestOrEven) >= 9.95 { m /= 10; e += 1 }
        return (x < 0 ? "-" : "") + fixed(m, 1) + "e" + (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + "\(abs(e))"
    }
}

extension String {
    func padding(_ w: Int) -> String { count >= w ? self : self + String(repeating: " ", count: w - count) }
    func leftPadding(_ w: Int) -> String { count >= w ? self : String(repeating: " ", count: w - count) + self }
}

/// Builds one JSON object by hand (no Foundation), in insertion order.
struct JSONObjectWriter {
    private var parts: [String] = []

    mutating func raw(_ key: String, _ json: String) { parts.append(Self.quote(key) + ":" + json) }
    mutating func string(_ key: String, _ v: String?) { if let v { raw(key, Self.quote(v)) } }
    mutating func int(_ key: String, _ v: Int) { raw(key, String(v)) }
    mutating func bool(_ key: String, _ v: Bool) { raw(key, v ? "true" : "false") }
    /// Non-finite values have no JSON form and are left out, as absent fields.
    mutating func double(_ key: String, _ v: Double?) {
        guard let v, v.isFinite else { return }
        raw(key, Self.number(v))
    }
    func finish() -> String { "{" + parts.joined(separator: ",") + "}" }

    /// Shortest round-trip decimal form; integral values keep a ".0" so readers see a float.
    static func number(_ v: Double) -> String { "\(v)" }

    static func quote(_ s: String) -> String { JSONString.quoted(s) }
}
