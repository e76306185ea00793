public import MonitorCore

/// A drift to inject into simulated prediction logs.
public struct SimulatedDrift: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// Mean shift in units of the feature's standard deviation (numerical).
        case shift(Double)
        /// Multiply the spread around the mean by a factor (numerical).
        case scale(Double)
        /// Replace this share of values by a category the reference never saw (categorical).
        case newCategory(Double)
        /// Make this share of values missing (`null`), any kind.
        case missing(Double)
    }
    public var feature: String
    public var kind: Kind

    public init(feature: String, kind: Kind) {
        self.feature = feature
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .shift(let v): return "\(feature):shift=\(v)"
        case .scale(let v): return "\(feature):scale=\(v)"
        case .newCategory(let v): return "\(feature):new-category=\(v)"
        case .missing(let v): return "\(feature):missing=\(v)"
        }
    }

    /// Parses a drift spec: comma-separated `FEATURE:KIND=VALUE` items, where KIND is `shift`
    /// (mean shift in standard deviations), `scale` (spread factor), `new-category` (share of
    /// values replaced by an unseen category) or `missing` (share of values set to null).
    ///
    /// Example: `amount:shift=0.5,balance:scale=1.5,country:new-category=0.05,age:missing=0.1`.
    /// - Throws: `SimulationError` naming every bad item at once.
    public static func parse(_ spec: String) throws(SimulationError) -> [SimulatedDrift] {
        var out: [SimulatedDrift] = []
        var problems: [String] = []
        for raw in spec.split(separator: ",") {
            let item = raw.trimmingCharacters(in: " ")
            guard let colon = item.firstIndex(of: ":") else {
                problems.append("'\(item)': expected FEATURE:KIND=VALUE")
                continue
            }
            let feature = String(item[..<colon])
            let rest = item[item.index(after: colon)...]
            guard let eq = rest.firstIndex(of: "="), let value = Double(rest[rest.index(after: eq)...]) else {
                problems.append("'\(item)': expected KIND=NUMBER after the feature name")
                continue
            }
            let kind = String(rest[..<eq])
            switch kind {
            case "shift": out.append(.init(feature: feature, kind: .shift(value)))
            case "scale":
                if value <= 0 { problems.append("'\(item)': scale must be > 0") }
                out.append(.init(feature: feature, kind: .scale(value)))
            case "new-category", "missing":
                if !(0...1).contains(value) { problems.append("'\(item)': \(kind) is a share in [0, 1]") }
                out.append(.init(feature: feature, kind: kind == "missing" ? .missing(value) : .newCategory(value)))
            default:
                problems.append("'\(item)': unknown drift kind '\(kind)' (shift, scale, new-category, missing)")
            }
        }
        if !problems.isEmpty { throw SimulationError(problems: problems) }
        return out
    }
}

/// Everything `monitor simulate` needs to produce its files. Deterministic per `seed`.
public struct SimulationSpec: Sendable {
    /// Prediction rows in `predictions.jsonl`.
    public var rows: Int = 100_000
    /// Rows in `reference.jsonl` (the training-period data, never drifted).
    public var referenceRows: Int = 100_000
    public var seed: UInt64 = 42
    /// Start of the prediction period; the reference covers the same duration just before it.
    public var start = Timestamp(milliseconds: 1_793_491_200_000)  // 2026-11-01T00:00:00Z
    /// Length of the prediction period in milliseconds (default 7 days).
    public var durationMilliseconds: Int64 = 7 * 86_400_000
    /// Drift applies to predictions at or after this time (default: `start`).
    public var driftStart: Timestamp? = nil
    public var drifts: [SimulatedDrift] = []
    public var model = "fraud"
    public var version = "3"
    /// Median delay of a label after its prediction (lognormal, σ = 1): one day.
    public var labelMedianDelayMilliseconds: Int64 = 86_400_000
    /// Share of predictions whose label never arrives.
    public var missingLabelRate = 0.03
    /// Model degradation: from `degradationStart` on, this share of predictions gets the
    /// opposite true label (the model is wrong on them where it was right, and right where it
    /// was wrong), so accuracy and AUC drop while the features do not drift. 0 = none.
    public var degradation = 0.0
    /// When the degradation begins (default: `driftStart`, else `start`).
    public var degradationStart: Timestamp? = nil

    public init() {}
}

/// A problem with a simulation request; lists every problem at once.
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self[...]
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
