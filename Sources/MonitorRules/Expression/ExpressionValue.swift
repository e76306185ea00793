public import MonitorCore

/// The value of an evaluated expression.
public enum ExpressionValue: Sendable, Hashable {
    /// A single number.
    case scalar(Double)
    /// An instant vector: labelled samples, in a deterministic order.
    case vector([VectorSample])

    /// The samples of a vector value, or nil for a scalar.
    public var samples: [VectorSample]? {
        if case .vector(let v) = self { return v }
        return nil
    }
}

/// One element of an instant vector.
///
/// `metric` is the metric name while it is still meaningful: selectors and comparison filters
/// keep it; arithmetic, `bool` comparisons and aggregations drop it (nil), as in PromQL.
public struct VectorSample: Sendable, Hashable, CustomStringConvertible {
    /// The metric name, or nil once an operation dropped it.
    public var metric: String?
    /// The labels, without the metric name.
    public var labels: Labels
    /// The sample's value.
    public var value: Double

    /// Creates a vector element.
    /// - Parameters:
    ///   - metric: The metric name, or nil.
    ///   - labels: The labels (without the metric name).
    ///   - value: The value.
    public init(metric: String?, labels: Labels, value: Double) {
        self.metric = metric
        self.labels = labels
        self.value = value
    }

    /// `psi{feature="amount"} 0.31`.
    public var description: String { "\(metric ?? "")\(labels) \(ValueFormatter.shortest(value))" }
}
