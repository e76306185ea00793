import MonitorCore

@testable import MonitorRules

/// A `LatestSamples` holding the given samples at time 0, valid for an hour.
func makeSource(_ samples: [(String, Labels, Double)], at time: Int64 = 0, validFor: Int64 = 3_600_000) -> LatestSamples {
    var s = LatestSamples()
    s.add(samples.map { Sample(metric: $0.0, labels: $0.1, value: $0.2, timestamp: Timestamp(milliseconds: time)) }, validFor: validFor)
    return s
}

/// Evaluates `text` at `time` and renders the value: `scalar(2)`, or the samples sorted by
/// metric and labels as `psi{a="x"} 0.3`, separated by `; ` (an empty vector is `[]`), or
/// `error: message`.
func render(_ text: String, _ source: some SampleSource, at time: Int64 = 0) -> String {
    let e: Expression
    do {
        e = try Expression(text, knownMetrics: nil)
    } catch {
        return "parse error: \(error)"
    }
    do {
        switch try e.evaluate(at: Timestamp(milliseconds: time), source: source) {
        case .scalar(let v): return "scalar(\(ValueFormatter.shortest(v)))"
        case .vector(let v):
            if v.isEmpty { return "[]" }
            return v.sorted { ($0.metric ?? "", $0.labels) < ($1.metric ?? "", $1.labels) }.map(\.description).joined(separator: "; ")
        }
    } catch {
        return "error: \((error as? ExpressionError)?.message ?? "\(error)")"
    }
}

let hour: Int64 = 3_600_000

func ts(_ ms: Int64) -> Timestamp { Timestamp(milliseconds: ms) }
