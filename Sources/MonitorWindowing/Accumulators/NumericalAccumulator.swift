package import MonitorStats

/// Accumulates one numerical feature (or the prediction score) of one window pane; mergeable.
///
/// Exact up to `exactLimit` finite values, then a KLL sketch: the values buffered so far are fed
/// to the sketch in arrival order and every later value goes there too, so memory is bounded by
/// `8 · exactLimit` bytes plus ≈ 5 KB of sketch, and the sketch is the one `monitor compare`
/// builds from the same values in the same order.
///
/// ## Invariants
/// - `count + missing` is the number of values added; `count` counts the finite ones. NaN and
///   ±∞ are missing and never enter a distribution.
/// - `binCounts` has one entry per bin of the reference's frozen edges (none when the reference
///   has no edges) and sums to `count`; `outOfRange` counts finite values outside the
///   reference's [minimum, maximum]; `minimum`/`maximum` are the exact extremes (±∞ when empty).
///   These are maintained for every value, with the SIMD histogram.
/// - Exact mode (`sketch == nil`): `sample` holds the `count` finite values in arrival order,
///   `count ≤ exactLimit`. The moments are a function of `sample` (``moments``).
/// - Sketch mode: `sample` is empty; `sketch` and `sketchMoments` summarise all `count` values.
///   The switch happens when the `exactLimit + 1`-th finite value arrives, with exactly
///   `exactLimit` values buffered (the first values of a batch are taken to fill the sample), so
///   the state never depends on how the stream was cut into batches.
/// - Every update is a deterministic function of the sequence of values, whatever the batch
///   boundaries: counts are integers, the sample is an ordered list, the sketch consumes values
///   one by one in order (`add(contentsOf:)` is equivalent to repeated `add`), and the streamed
///   moments use Welford's per-value update (``Moments/add(_:)``) rather than per-batch two-pass
///   sums, whose rounding would depend on where batches begin. That is what makes a checkpoint
///   restore continue bit for bit.
package struct NumericalAccumulator: Sendable {
    /// Finite values added.
    package private(set) var count = 0
    /// Missing (NaN, ±∞) values added.
    package private(set) var missing = 0
    /// Finite values outside the reference's [minimum, maximum].
    package private(set) var outOfRange = 0
    /// Smallest finite value (+∞ when none).
    package private(set) var minimum = Double.infinity
    /// Largest finite value (−∞ when none).
    package private(set) var maximum = -Double.infinity
    /// Counts over the reference's frozen bins.
    package private(set) var binCounts: [Int]
    /// Exact mode: the finite values in arrival order.
    package private(set) var sample: [Double] = []
    /// Sketch mode: the KLL sketch of every finite value, in arrival order.
    package private(set) var sketch: KLLSketch? = nil
    /// Sketch mode: moments streamed value by value (Welford).
    var sketchMoments = Moments()
    /// Sample values already written to a checkpoint chunk.
    var checkpointedSampleCount = 0

    /// An empty accumulator over `binCount` bins (the reference's `edges.binCount`, 0 without edges).
    package init(binCount: Int) {
        binCounts = [Int](repeating: 0, count: binCount)
    }

    init(
        count: Int, missing: Int, outOfRange: Int, minimum: Double, maximum: Double, binCounts: [Int], sample: [Double],
        sketch: KLLSketch?, sketchMoments: Moments
    ) {
        self.count = count
        self.missing = missing
        self.outOfRange = outOfRange
        self.minimum = minimum
        self.maximum = maximum
        self.binCounts = binCounts
        self.sample = sample
        self.sketch = sketch
        self.sketchMoments = sketchMoments
        self.checkpointedSampleCount = sample.count
    }

    /// Whether every finite value is still kept.
    package var isExact: Bool { sketch == nil }

    /// Count, mean, M₂, extremes of the finite values: the sample's two-pass compensated moments
    /// in exact mode, the streamed ones in sketch mode.
    package var moments: Moments { isExact ? Moments(sample) : sketchMoments }

    /// Adds a block of values.
    ///
    /// - Parameters:
    ///   - values: the pane's values of one batch, in arrival order; NaN/±∞ are missing.
    ///   - reference: the feature's reference (edges, range).
    ///   - exactLimit: finite values kept exactly before switching to the sketch.
    ///   - scratch: room for `values.count` doubles (the finite values are compacted there).
    /// - Complexity: O(n): the SIMD histogram, one branch-free pass for the range and the
    ///   compaction, a copy into the sample (or the sketch, ≈ 25 ns per value, in sketch mode).
    package mutating func add(
        _ values: UnsafeBufferPointer<Double>, reference: NumericalReference, exactLimit: Int,
        scratch: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(scratch.count >= values.count, "NumericalAccumulator.add: scratch too small")
        if let edges = reference.edges { _ = edges.histogram(values, into: &binCounts) }
        let rmin = reference.minimum
        let rmax = reference.maximum
        var k = 0
        var outside = 0
        var lo = minimum
        var hi = maximum
        let out = scratch.baseAddress!
        for v in values {
            out[k] = v
            let finite = v.isFinite
            k &+= finite ? 1 : 0
            outside &+= finite && (v < rmin || v > rmax) ? 1 : 0
            lo = finite && v < lo ? v : lo
            hi = finite && v > hi ? v : hi
        }
        count &+= k
        missing &+= values.count &- k
        outOfRange &+= outside
        minimum = lo
        maximum = hi
        guard k > 0 else { return }
        var rest = UnsafeBufferPointer(start: out, count: k)
        if sketch == nil {
            let room = max(0, exactLimit - sample.count)
            let taken = min(room, k)
            if taken > 0 {
                let needed = sample.count + taken
                // Geometric growth, capped at the limit: the sample never holds more than
                // `exactLimit` doubles of capacity (doubling past it would waste up to half).
                if sample.capacity < needed {
                    sample.reserveCapacity(min(max(needed, 2 * sample.capacity), max(exactLimit, needed)))
                }
                sample.append(contentsOf: UnsafeBufferPointer(start: out, count: taken))
            }
            guard taken < k else { return }
            switchToSketch()
            rest = UnsafeBufferPointer(start: out + taken, count: k - taken)
        }
        sketch!.add(contentsOf: rest)
        for v in rest { sketchMoments.add(v) }
    }

    /// Adds `n` missing values (a feature the batch does not carry).
    package mutating func addMissing(_ n: Int) { missing &+= n }

    /// Moves to sketch mode: the buffered values go to the sketch in arrival order.
    mutating func switchToSketch() {
        guard sketch == nil else { return }
        let (s, m) = Self.summarize(sample)
        sketch = s
        sketchMoments = m
        sample = []
        checkpointedSampleCount = 0
    }

    /// A sketch and moments of values kept exactly, as the sketch path needs them.
    static func summarize(_ values: [Double]) -> (KLLSketch, Moments) {
        var s = KLLSketch()
        s.add(contentsOf: values)
        return (s, Moments(values))
    }

    /// The sketch and moments of all finite values (built from the sample in exact mode).
    package func sketchAndMoments() -> (KLLSketch, Moments) {
        if let sketch { return (sketch, sketchMoments) }
        return Self.summarize(sample)
    }

    /// Adds another accumulator of the same feature and reference (a later pane): the result
    /// describes both streams, `self`'s values first.
    ///
    /// Stays exact while the two samples together fit `exactLimit`; otherwise both sides are
    /// summarised by sketches and merged (the KLL merge's bound is that of the smaller k).
    package mutating func merge(_ other: NumericalAccumulator, exactLimit: Int) {
        count &+= other.count
        missing &+= other.missing
        outOfRange &+= other.outOfRange
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        if binCounts.isEmpty {
            binCounts = other.binCounts
        } else if !other.binCounts.isEmpty {
            precondition(binCounts.count == other.binCounts.count, "NumericalAccumulator.merge: different bins")
            for i in binCounts.indices { binCounts[i] &+= other.binCounts[i] }
        }
        if sketch == nil && other.sketch == nil && sample.count + other.sample.count <= exactLimit {
            sample.append(contentsOf: other.sample)
            return
        }
        switchToSketch()
        let (s, m) = other.sketchAndMoments()
        sketch!.merge(s)
        sketchMoments.merge(m)
    }
}
