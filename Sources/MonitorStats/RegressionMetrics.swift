/// Errors of a regression model's predictions against the true values, as scikit-learn's
/// `sklearn.metrics` defines them.
///
/// | field | definition | scikit-learn |
/// |---|---|---|
/// | `meanAbsoluteError` | (1/n) Σ \|yᵢ − ŷᵢ\| | `mean_absolute_error` |
/// | `rootMeanSquaredError` | √((1/n) Σ (yᵢ − ŷᵢ)²) | `root_mean_squared_error` |
/// | `meanAbsolutePercentageError` | (1/n) Σ \|yᵢ − ŷᵢ\| / max(\|yᵢ\|, ε), ε = 2⁻⁵² | `mean_absolute_percentage_error` (a ratio, not ×100) |
/// | `r2` | 1 − Σ (yᵢ − ŷᵢ)² / Σ (yᵢ − ȳ)² | `r2_score` |
///
/// ## Discussion
/// MAPE divides by max(|y|, ε) as scikit-learn does, so a true value of 0 gives a huge but
/// finite term rather than ∞: MAPE is only meaningful for values bounded away from 0. R² is
/// nil (undefined) for fewer than two observations; for constant true values (Σ (yᵢ − ȳ)² = 0)
/// it is 1 when every prediction is exact and 0 otherwise, scikit-learn's `force_finite=True`.
///
/// ## Numerical notes
/// Every mean is numpy's pairwise sum divided by n (``numpySum(_:)``), ȳ included, so the
/// results follow scikit-learn's order of operations; tests allow 1e-12 relative for the
/// square root and division rounding of the platform.
///
/// ## References
/// R. J. Hyndman, A. B. Koehler, "Another look at measures of forecast accuracy", International
/// Journal of Forecasting 22(4), 2006 (MAE, RMSE, MAPE); N. R. Draper, H. Smith, *Applied
/// Regression Analysis*, 3rd ed., Wiley 1998, §1.4 (R²).
///
/// ## Example
/// ```swift
/// let e = try RegressionErrors(actual: [3, -0.5, 2, 7], predicted: [2.5, 0.0, 2, 8])
/// e.meanAbsoluteError        // 0.5
/// e.rootMeanSquaredError     // 0.6123724356957945
/// e.r2                       // 0.9486081370449679
/// ```
public struct RegressionErrors: Hashable, Sendable {
    /// Observations.
    public var count: Int
    public var meanAbsoluteError: Double
    public var rootMeanSquaredError: Double
    /// A ratio (0.05 = 5 %).
    public var meanAbsolutePercentageError: Double
    /// Nil for fewer than two observations.
    public var r2: Double?

    /// Computes every error.
    /// - Parameters:
    ///   - actual: the true values, finite.
    ///   - predicted: the predictions, finite.
    /// - Throws: ``StatsError/emptyInput(_:)``; ``StatsError/lengthMismatch(_:)``;
    ///   ``StatsError/invalidArgument(_:)`` for a non-finite value.
    /// - Complexity: O(n) time and memory.
    public init(actual: UnsafeBufferPointer<Double>, predicted: UnsafeBufferPointer<Double>) throws {
        guard actual.count == predicted.count else {
            throw StatsError.lengthMismatch("RegressionErrors: \(actual.count) actual vs \(predicted.count) predicted values")
        }
        guard !actual.isEmpty else { throw StatsError.emptyInput("RegressionErrors: no observations") }
        for i in actual.indices where !actual[i].isFinite || !predicted[i].isFinite {
            throw StatsError.invalidArgument("RegressionErrors: non-finite value at \(i) (\(actual[i]), \(predicted[i]))")
        }
        let n = actual.count
        let eps = Double.ulpOfOne
        var absolute = [Double](repeating: 0, count: n)
        var squared = [Double](repeating: 0, count: n)
        var percentage = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let d = predicted[i] - actual[i]
            absolute[i] = abs(d)
            squared[i] = d * d
            percentage[i] = abs(d) / max(abs(actual[i]), eps)
        }
        func mean(_ a: [Double]) -> Double { a.withUnsafeBufferPointer { numpySum($0) } / Double(n) }
        count = n
        meanAbsoluteError = mean(absolute)
        rootMeanSquaredError = mean(squared).squareRoot()
        meanAbsolutePercentageError = mean(percentage)
        if n < 2 {
            r2 = nil
        } else {
            let yMean = numpySum(actual) / Double(n)
            var centred = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let c = actual[i] - yMean
                centred[i] = c * c
            }
            let residual = squared.withUnsafeBufferPointer { numpySum($0) }
            let total = centred.withUnsafeBufferPointer { numpySum($0) }
            if total == 0 {
                r2 = residual == 0 ? 1 : 0
            } else {
                r2 = 1 - residual / total
            }
        }
    }

    /// As ``init(actual:predicted:)`` over arrays.
    public init(actual: [Double], predicted: [Double]) throws {
        self = try actual.withUnsafeBufferPointer { a in
            try predicted.withUnsafeBufferPointer { p in try RegressionErrors(actual: a, predicted: p) }
        }
    }
}
