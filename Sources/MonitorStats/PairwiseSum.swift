/// The sum of a buffer exactly as numpy's `np.sum` computes it for a contiguous `float64` array:
/// pairwise summation with blocks of 128 values, each summed by eight interleaved accumulators.
///
/// - Parameter values: the values (NaN and ±∞ propagate as in any sum).
/// - Returns: Σ values, bit-for-bit equal to `float(np.sum(values))`.
/// - Complexity: O(n), O(log n) stack.
///
/// ## Discussion
/// Scikit-learn averages per-class scores and per-row losses with `np.mean` / `np.average`, that
/// is `np.sum(a) / n`. Reproducing numpy's order of additions makes averaged rates (macro
/// precision, recall, F1) agree with scikit-learn exactly, not just to a tolerance.
///
/// ## Numerical notes
/// The rounding error is O(ε log n)·Σ|xᵢ| (Higham 1993), against (n−1)ε·Σ|xᵢ| for a plain loop.
/// numpy's algorithm (`pairwise_sum` in `numpy/_core/src/umath/loops_utils.h.src`): below 8
/// values a plain loop from 0; up to 128 values eight partial sums `r[j] += a[i + j]`, combined as
/// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, then the remainder added one by one;
/// beyond 128 the buffer is split at `n/2` rounded down to a multiple of 8 and both halves are
/// summed recursively.
///
/// ## References
/// N. J. Higham, "The accuracy of floating point summation", SIAM J. Sci. Comput. 14(4), 1993.
///
/// ## Example
/// ```swift
/// [0.1, 0.2, 0.3].withUnsafeBufferPointer { numpySum($0) }   // 0.6000000000000001, as np.sum
/// ```
public func numpySum(_ values: UnsafeBufferPointer<Double>) -> Double {
    guard let base = values.baseAddress else { return 0 }
    return pairwiseSum(base, values.count)
}

/// The mean as `np.mean` computes it: ``numpySum(_:)`` divided by the count.
///
/// - Parameter values: the values.
/// - Returns: Σ values / n.
/// - Throws: ``StatsError/emptyInput(_:)`` when the buffer is empty.
public func numpyMean(_ values: UnsafeBufferPointer<Double>) throws -> Double {
    guard !values.isEmpty else { throw StatsError.emptyInput("numpyMean: no values") }
    return numpySum(values) / Double(values.count)
}

private func pairwiseSum(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
    if n < 8 {
        var res = 0.0
        for i in 0..<n { res += a[i] }
        return res
    }
    if n <= 128 {
        var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
        var i = 8
        let whole = n - n % 8
        while i < whole {
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        }
        var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n {
            res += a[i]
            i += 1
        }
        return res
    }
    var half = n / 2
    half -= half % 8
    return pairwiseSum(a, half) + pairwiseSum(a + half, n - half)
}
