import MonitorCore
public import MonitorStats

/// The frozen reference of one numerical feature (or of the prediction score): what every
/// window of the feature is compared with.
///
/// ## Invariants
/// - `count` ≤ `rows`; `count` is the number of finite reference values, `rows − count` were
///   missing (NaN; the decoder turns ±∞ into NaN).
/// - `sortedSample` holds all `count` finite values in ascending order when `count` was at most
///   the build's `exactLimit` (``isExact``); it is empty otherwise.
/// - `sketch` is a KLL sketch (default k and seed) of the finite values in row order, always
///   present (≈ 5 KB): the sketch path needs it when a *window* exceeds its exact limit.
/// - `edges` are the frozen PSI/JS bins, nil only when `count` is 0: the 10 %, …, 90 % quantiles
///   (numpy "linear", deduplicated) of `sortedSample` when exact, else of the sketch — exactly
///   what `monitor compare` uses. `binCounts` has `edges.binCount` entries summing to `count`.
/// - `minimum`, `maximum`, `mean`, `standardDeviation` (ddof 0) describe the finite values;
///   for `count` 0 they are +∞, −∞, NaN, NaN.
public struct NumericalReference: Sendable {
    /// The feature's name (`prediction.score` for the score).
    public let name: String
    /// Records in the reference.
    public let rows: Int
    /// Finite reference values.
    public let count: Int
    /// The finite values, ascending, when exact; empty otherwise.
    public let sortedSample: [Double]
    /// KLL sketch of the finite values in row order.
    public let sketch: KLLSketch
    let summary: StatsKernels.ReferenceSummary

    /// The frozen bins (nil when the reference has no value).
    public var edges: BinEdges? { summary.edges }
    /// Reference counts over `edges`.
    public var binCounts: [Int] { summary.binCounts }
    /// Smallest finite value (+∞ when there is none).
    public var minimum: Double { summary.minimum }
    /// Largest finite value (−∞ when there is none).
    public var maximum: Double { summary.maximum }
    /// Mean of the finite values (NaN when there is none).
    public var mean: Double { summary.mean }
    /// Population standard deviation (ddof 0) of the finite values.
    public var standardDeviation: Double { summary.standardDeviation }
    /// Whether the whole sample is kept (KS and Wasserstein can be exact).
    public var isExact: Bool { sortedSample.count == count }

    init(name: String, rows: Int, count: Int, sortedSample: [Double], sketch: KLLSketch, summary: StatsKernels.ReferenceSummary) {
        self.name = name
        self.rows = rows
        self.count = count
        self.sortedSample = sortedSample
        self.sketch = sketch
        self.summary = summary
    }

    /// Profiles one column.
    ///
    /// - Parameters:
    ///   - name: the feature's name.
    ///   - column: the reference values, NaN (or ±∞) for missing.
    ///   - settings: `bins` and `exactLimit` are used.
    ///   - workspace: sort buffers, reused across columns.
    init(name: String, column: UnsafeBufferPointer<Double>, settings: DriftSettings, workspace: ComparisonWorkspace) {
        var sketch = KLLSketch()
        if column.contains(where: { $0.isInfinite }) {
            for v in column where v.isFinite { sketch.add(v) }
        } else {
            sketch.add(contentsOf: column)  // skips NaN; the same sequence of adds as value by value
        }
        let n = Int(sketch.count)
        var sorted: [Double] = []
        let summary: StatsKernels.ReferenceSummary
        if n <= settings.exactLimit {
            let k = RadixSort.sortFinite(column, into: &workspace.reference, scratch: &workspace.scratch)
            sorted = Array(workspace.reference[0..<k])
            summary = sorted.withUnsafeBufferPointer { StatsKernels.summarizeReference(sorted: $0, settings: settings) }
        } else {
            summary = StatsKernels.summarizeReference(sketch: sketch, column: column, settings: settings)
        }
        self.init(name: name, rows: column.count, count: n, sortedSample: sorted, sketch: sketch, summary: summary)
    }
}
