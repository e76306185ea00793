/// The q-th quantile of an ascending sample, numpy's default `method="linear"`
/// (Hyndman & Fan type 7).
///
/// - Parameters:
///   - sorted: the sample in ascending order, without NaN (±∞ are allowed and propagate).
///   - q: the probability, in [0, 1].
/// - Returns: `sorted[⌊h⌋] + (h − ⌊h⌋)·(sorted[⌊h⌋+1] − sorted[⌊h⌋])` with h = q·(n − 1),
///   evaluated exactly as `numpy.quantile` does, so the two agree bit for bit.
/// - Throws: ``StatsError/emptyInput(_:)`` when `sorted` is empty;
///   ``StatsError/invalidArgument(_:)`` when q is NaN or outside [0, 1].
///
/// ## Discussion
/// The linear method interpolates between the order statistics that bracket the virtual index
/// h = q(n−1); q = 0 and q = 1 give the minimum and the maximum. PSI bin edges
/// (``BinEdges``) are these quantiles of the reference sample.
///
/// ## Complexity
/// O(1) — the sample is already sorted.
///
/// ## Numerical notes
/// numpy interpolates as `a + (b−a)·g` when g < 0.5 and `b − (b−a)·(1−g)` when g ≥ 0.5 (its
/// `_lerp`), which is monotone in g and exact at both ends; this function uses the same two
/// formulas so that edges match numpy to the last bit (a value lying exactly on an edge must land
/// in the same bin as in the reference implementation). The sortedness precondition is not
/// checked (that would cost O(n)).
///
/// ## References
/// Hyndman, R. J. & Fan, Y. (1996). "Sample quantiles in statistical packages", *The American
/// Statistician* 50(4), 361–365, definition 7.
///
/// ## Example
/// ```swift
/// try quantileSorted([1, 2, 3, 4], 0.5)   // 2.5
/// ```
public func quantileSorted(_ sorted: UnsafeBufferPointer<Double>, _ q: Double) throws -> Double {
    guard !sorted.isEmpty else { throw StatsError.emptyInput("quantileSorted: empty sample") }
    guard q >= 0 && q <= 1 else { throw StatsError.invalidArgument("quantileSorted: q = \(q) is not in [0, 1]") }
    return linearQuantile(sorted, q)
}

/// Array overload of `quantileSorted(_:_:)`.
///
/// - Parameters:
///   - sorted: the sample in ascending order, without NaN.
///   - q: the probability, in [0, 1].
/// - Returns: numpy's linear quantile.
/// - Throws: ``StatsError`` for an empty sample or q outside [0, 1].
///
/// ## Example
/// ```swift
/// try quantileSorted([0, 10], 0.25)   // 2.5
/// ```
public func quantileSorted(_ sorted: [Double], _ q: Double) throws -> Double {
    try sorted.withUnsafeBufferPointer { try quantileSorted($0, q) }
}

/// numpy `_quantile` with method "linear" on a non-empty sorted buffer; q in [0, 1].
@inline(__always)
func linearQuantile(_ s: UnsafeBufferPointer<Double>, _ q: Double) -> Double {
    let n = s.count
    let h = Double(n - 1) * q  // numpy: (n - 1) * quantiles
    if h >= Double(n - 1) { return s[n - 1] }
    if h < 0 { return s[0] }
    let lo = h.rounded(.down)
    let g = h - lo
    let i = Int(lo)
    let a = s[i]
    let b = s[i + 1]
    let diff = b - a
    return g >= 0.5 ? b - diff * (1 - g) : a + diff * g
}
