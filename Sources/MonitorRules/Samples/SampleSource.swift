public import MonitorCore

/// Where an expression's selectors read samples from at an evaluation time.
///
/// The source decides which samples are visible at `at` (staleness, validity); the expression
/// engine applies the selector's label matchers itself. Conformers must be pure: the same
/// arguments give the same answer.
public protocol SampleSource {
    /// The samples of one metric visible at `at`. Order does not matter.
    /// - Parameters:
    ///   - metric: The metric name, e.g. `psi`.
    ///   - at: The evaluation time.
    /// - Returns: Every visible sample of `metric`; the engine filters them by labels.
    func samples(metric: String, at: Timestamp) -> [Sample]

    /// Metric names that may have samples at `at`, consulted only by selectors without a plain
    /// metric name (`{__name__=~"psi|ks_.*"}`). Defaults to `SeriesName.all`.
    /// - Parameter at: The evaluation time.
    /// - Returns: Candidate metric names.
    func metricNames(at: Timestamp) -> [String]
}

extension SampleSource {
    /// The known series names (`SeriesName.all`), sorted.
    public func metricNames(at: Timestamp) -> [String] { SeriesName.all.sorted() }
}
