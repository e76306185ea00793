#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The area under the ROC curve of a binary classifier's scores, computed exactly.
///
/// - Parameters:
///   - scores: a score per observation (higher = more likely positive); any finite value.
///   - positive: whether each observation is of the positive class.
/// - Returns: P(score of a random positive > score of a random negative) + ½·P(tie), in [0, 1];
///   nil when all observations are of one class (the ROC curve is undefined — scikit-learn's
///   `roc_auc_score` raises there).
/// - Throws: ``StatsError/emptyInput(_:)`` for no observations;
///   ``StatsError/lengthMismatch(_:)``; ``StatsError/invalidArgument(_:)`` for a NaN or
///   infinite score.
/// - Complexity: O(n log n) time (two radix sorts), O(n) memory.
///
/// ## Discussion
/// The Mann–Whitney form of the AUC (Hanley & McNeil 1982): with P positives and N negatives,
/// AUC = (Σ over positives of #negatives with a lower score + ½·#negatives with the same score)
/// / (P·N). Ties count one half, which is what the trapezoidal rule gives on the ROC curve with
/// tied thresholds, so the value equals `sklearn.metrics.roc_auc_score`.
///
/// ## Numerical notes
/// The numerator is accumulated as an integer (twice the sum, so halves stay exact) and divided
/// once: the result is the correctly rounded quotient of two integers, exact up to one rounding
/// while 2·P·N < 2⁵³ (n up to ~1.3·10⁸). scikit-learn integrates the curve in floating point
/// (cumulative sums, `np.trapezoid`), which differs by a few ulps; tests allow 1e-12.
///
/// ## References
/// J. A. Hanley, B. J. McNeil, "The meaning and use of the area under a receiver operating
/// characteristic (ROC) curve", Radiology 143(1), 1982, eq. 1–2.
/// T. Fawcett, "An introduction to ROC analysis", Pattern Recognition Letters 27, 2006, §3–4.
///
/// ## Example
/// ```swift
/// let s: [Double] = [0.1, 0.4, 0.35, 0.8]
/// let y = [false, false, true, true]
/// try s.withUnsafeBufferPointer { s in try y.withUnsafeBufferPointer { try rocAUC(scores: s, positive: $0) } }  // 0.75
/// ```
public func rocAUC(scores: UnsafeBufferPointer<Double>, positive: UnsafeBufferPointer<Bool>) throws -> Double? {
    guard scores.count == positive.count else {
        throw StatsError.lengthMismatch("rocAUC: \(scores.count) scores vs \(positive.count) classes")
    }
    guard !scores.isEmpty else { throw StatsError.emptyInput("rocAUC: no observations") }
    var pos: [Double] = []
    var neg: [Double] = []
    for i in scores.indices {
        let s = scores[i]
        guard s.isFinite else { throw StatsError.invalidArgument("rocAUC: score \(s) at \(i) is not finite") }
        if positive[i] { pos.append(s) } else { neg.append(s) }
    }
    guard !pos.isEmpty, !neg.isEmpty else { return nil }
    RadixSort.sort(&pos)
    RadixSort.sort(&neg)
    // For each run of equal positive scores: negatives strictly below and equal to it.
    var twiceNumerator: UInt64 = 0
    var below = 0
    var i = 0
    while i < pos.count {
        let s = pos[i]
        var j = i
        while j < pos.count && pos[j] == s { j += 1 }
        while below < neg.count && neg[below] < s { below += 1 }
        var equal = below
        while equal < neg.count && neg[equal] == s { equal += 1 }
        let run = UInt64(j - i)
        twiceNumerator += run * UInt64(2 * below + (equal - below))
        i = j
    }
    return Double(twiceNumerator) / (2 * Double(pos.count) * Double(neg.count))
}

/// As ``rocAUC(scores:positive:)`` over arrays.
public func rocAUC(scores: [Double], positive: [Bool]) throws -> Double? {
    try scores.withUnsafeBufferPointer { s in try positive.withUnsafeBufferPointer { try rocAUC(scores: s, positive: $0) } }
}

/// The log loss (cross-entropy) of predicted probabilities of the positive class.
///
/// - Parameters:
///   - probabilities: P(positive) per observation, in [0, 1].
///   - positive: whether each observation is of the positive class.
/// - Returns: −(1/n) Σ [yᵢ·ln pᵢ + (1 − yᵢ)·ln(1 − pᵢ)], with pᵢ and 1 − pᵢ each clipped to
///   [ε, 1 − ε], ε = 2⁻⁵² (the float64 machine epsilon), as scikit-learn's `log_loss` does; so a
///   confident wrong prediction costs at most −ln ε ≈ 36.04 instead of +∞. Defined with one
///   class only.
/// - Throws: ``StatsError/emptyInput(_:)``; ``StatsError/lengthMismatch(_:)``;
///   ``StatsError/invalidArgument(_:)`` for a probability outside [0, 1] (or NaN).
/// - Complexity: O(n).
///
/// ## Numerical notes
/// Per-row losses are computed as scikit-learn does (1 − p first, then clipping, then `log`)
/// and averaged with numpy's pairwise order (``numpySum(_:)``); the remaining difference is the
/// platform `log`'s last-place rounding: tests allow 1e-12.
///
/// ## References
/// C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer 2006, eq. 4.90.
///
/// ## Example
/// ```swift
/// try logLoss(probabilities: [0.9, 0.2], positive: [true, false])   // (−ln 0.9 − ln 0.8)/2 ≈ 0.164252
/// ```
public func logLoss(probabilities: UnsafeBufferPointer<Double>, positive: UnsafeBufferPointer<Bool>) throws -> Double {
    try checkProbabilities(probabilities, positive, "logLoss")
    let eps = Double.ulpOfOne
    var losses = [Double](repeating: 0, count: probabilities.count)
    for i in probabilities.indices {
        let p = probabilities[i]
        let q = positive[i] ? p : 1 - p
        losses[i] = -log(min(max(q, eps), 1 - eps))
    }
    return losses.withUnsafeBufferPointer { numpySum($0) } / Double(losses.count)
}

/// As ``logLoss(probabilities:positive:)`` over arrays.
public func logLoss(probabilities: [Double], positive: [Bool]) throws -> Double {
    try probabilities.withUnsafeBufferPointer { p in try positive.withUnsafeBufferPointer { try logLoss(probabilities: p, positive: $0) } }
}

/// The Brier score: the mean squared difference between the predicted probability of the
/// positive class and the outcome (1 positive, 0 negative).
///
/// - Parameters:
///   - probabilities: P(positive) per observation, in [0, 1].
///   - positive: whether each observation is of the positive class.
/// - Returns: (1/n) Σ (pᵢ − yᵢ)² in [0, 1] (scikit-learn's `brier_score_loss` for binary
///   outcomes). Defined with one class only.
/// - Throws: as ``logLoss(probabilities:positive:)``.
/// - Complexity: O(n).
///
/// ## References
/// G. W. Brier, "Verification of forecasts expressed in terms of probability", Monthly Weather
/// Review 78(1), 1950.
///
/// ## Example
/// ```swift
/// try brierScore(probabilities: [0.9, 0.2], positive: [true, false])   // (0.01 + 0.04)/2 = 0.025
/// ```
public func brierScore(probabilities: UnsafeBufferPointer<Double>, positive: UnsafeBufferPointer<Bool>) throws -> Double {
    try checkProbabilities(probabilities, positive, "brierScore")
    var squares = [Double](repeating: 0, count: probabilities.count)
    for i in probabilities.indices {
        let d = probabilities[i] - (positive[i] ? 1 : 0)
        squares[i] = d * d
    }
    return squares.withUnsafeBufferPointer { numpySum($0) } / Double(squares.count)
}

/// As ``brierScore(probabilities:positive:)`` over arrays.
public func brierScore(probabilities: [Double], positive: [Bool]) throws -> Double {
    try probabilities.withUnsafeBufferPointer { p in try positive.withUnsafeBufferPointer { try brierScore(probabilities: p, positive: $0) } }
}

private func checkProbabilities(_ p: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Bool>, _ name: String) throws {
    guard p.count == y.count else { throw StatsError.lengthMismatch("\(name): \(p.count) probabilities vs \(y.count) classes") }
    guard !p.isEmpty else { throw StatsError.emptyInput("\(name): no observations") }
    for i in p.indices where !(p[i] >= 0 && p[i] <= 1) {
        throw StatsError.invalidArgument("\(name): probability \(p[i]) at \(i) is not in [0, 1]")
    }
}
