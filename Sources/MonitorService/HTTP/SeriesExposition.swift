public import MonitorCore

/// Renders window series samples in the Prometheus text exposition format (version 0.0.4).
///
/// Every series is a gauge named as in DESIGN §6 (`psi`, `ks_pvalue`, …), so a PromQL query in
/// Prometheus reads like a ModelMonitor rule. Samples carry no timestamp: Prometheus stamps them
/// at scrape time (an explicit window-end timestamp would be rejected as out of bounds once a
/// window is older than the TSDB head). Non-finite values are written `NaN`, `+Inf`, `-Inf`.
public enum SeriesExposition {
    /// Help text per series name.
    static let help: [String: String] = [
        SeriesName.psi: "Population stability index of the last closed window against the reference.",
        SeriesName.ksStatistic: "Two-sample Kolmogorov-Smirnov statistic (window vs reference).",
        SeriesName.ksPValue: "Two-sample Kolmogorov-Smirnov p-value (scipy ks_2samp method=auto).",
        SeriesName.wasserstein: "Wasserstein-1 distance between window and reference values.",
        SeriesName.wassersteinNormed: "Wasserstein-1 distance divided by max(reference std, 0.001).",
        SeriesName.jsDistance: "Jensen-Shannon distance (base 2) over the reference bins or categories.",
        SeriesName.chi2Statistic: "Chi-square homogeneity statistic (window vs reference categories).",
        SeriesName.chi2PValue: "Chi-square homogeneity p-value.",
        SeriesName.missingRate: "Share of events whose value is missing (null, absent, NaN, Inf).",
        SeriesName.outOfRangeRate: "Share of values outside the reference's [min, max].",
        SeriesName.newCategoryRate: "Share of values whose category is absent from the reference.",
        SeriesName.mean: "Mean of the window's non-missing values.",
        SeriesName.stddev: "Standard deviation of the window's non-missing values.",
        SeriesName.min: "Minimum of the window's non-missing values.",
        SeriesName.max: "Maximum of the window's non-missing values.",
        SeriesName.drift: "1 when the feature's drift decision fired in the last closed window, else 0.",
        SeriesName.count: "Events in the last closed window.",
        SeriesName.driftedFeatureShare: "Share of features whose drift decision fired.",
        SeriesName.datasetDrift: "1 when the drifted feature share reached the dataset drift threshold.",
    ]

    /// Appends the samples, grouped by metric name (sorted), each group with HELP and TYPE lines.
    public static func render(_ samples: [Sample], into out: inout [UInt8]) {
        let groups = Dictionary(grouping: samples, by: \.metric)
        for name in groups.keys.sorted() {
            let series = groups[name]!.sorted { $0.labels < $1.labels }
            let helpText = help[name] ?? "ModelMonitor window series \(name)."
            out.append(contentsOf: "# HELP \(name) \(helpText)\n# TYPE \(name) gauge\n".utf8)
            for s in series {
                out.append(contentsOf: name.utf8)
                if !s.labels.isEmpty {
                    out.append(UInt8(ascii: "{"))
                    var first = true
                    for l in s.labels {
                        if !first { out.append(UInt8(ascii: ",")) }
                        first = false
                        out.append(contentsOf: "\(l.name)=\"\(Labels.escape(l.value))\"".utf8)
                    }
                    out.append(UInt8(ascii: "}"))
                }
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: format(s.value).utf8)
                out.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// A sample value as Prometheus writes it.
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        return "\(v)"
    }
}
