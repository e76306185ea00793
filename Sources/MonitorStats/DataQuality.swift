/// The number of missing values in a buffer: NaN, +∞ and −∞ (DESIGN §6).
///
/// - Parameter values: the values of one numerical feature in a window (null/absent values are
///   counted by the caller, who adds them to this count).
/// - Returns: the number of non-finite values.
/// - Complexity: O(n).
///
/// ## Example
/// ```swift
/// [1, .nan, .infinity].withUnsafeBufferPointer { missingCount($0) }   // 2
/// ```
public func missingCount(_ values: UnsafeBufferPointer<Double>) -> Int {
    var n = 0
    for v in values where !v.isFinite { n &+= 1 }
    return n
}

/// The missing rate: missing / total rows.
///
/// - Parameters:
///   - missing: rows whose value is null, absent, NaN or ±∞.
///   - total: all rows of the window, including missing ones.
/// - Returns: missing / total in [0, 1].
/// - Throws: ``StatsError/emptyInput(_:)`` when total is 0;
///   ``StatsError/invalidArgument(_:)`` when missing < 0 or missing > total.
///
/// ## Example
/// ```swift
/// try missingRate(missing: 3, total: 12)   // 0.25
/// ```
public func missingRate(missing: Int, total: Int) throws -> Double {
    guard total > 0 else { throw StatsError.emptyInput("missingRate: no rows") }
    guard missing >= 0 && missing <= total else {
        throw StatsError.invalidArgument("missingRate: missing = \(missing) not in 0...\(total)")
    }
    return Double(missing) / Double(total)
}

/// The out-of-range rate: the share of non-missing current values outside the reference's
/// [min, max].
///
/// - Parameters:
///   - values: current values; NaN and ±∞ are missing and excluded from both numerator and
///     denominator (they are reported by the missing rate instead).
///   - referenceMinimum: the smallest finite reference value.
///   - referenceMaximum: the largest finite reference value.
/// - Returns: #{v finite : v < min or v > max} / #{v finite}; the bounds themselves are in range.
/// - Throws: ``StatsError/emptyInput(_:)`` when no value is finite;
///   ``StatsError/invalidArgument(_:)`` when the bounds are not finite or min > max.
/// - Complexity: O(n).
///
/// ## Example
/// ```swift
/// try [0, 5, 11, .nan].withUnsafeBufferPointer {
///     try outOfRangeRate($0, referenceMinimum: 0, referenceMaximum: 10)
/// }   // 1/3
/// ```
public func outOfRangeRate(_ values: UnsafeBufferPointer<Double>, referenceMinimum: Double, referenceMaximum: Double) throws -> Double {
    guard referenceMinimum.isFinite && referenceMaximum.isFinite && referenceMinimum <= referenceMaximum else {
        throw StatsError.invalidArgument("outOfRangeRate: invalid reference range [\(referenceMinimum), \(referenceMaximum)]")
    }
    var finite = 0
    var outside = 0
    for v in values where v.isFinite {
        finite &+= 1
        if v < referenceMinimum || v > referenceMaximum { outside &+= 1 }
    }
    guard finite > 0 else { throw StatsError.emptyInput("outOfRangeRate: no non-missing values") }
    return Double(outside) / Double(finite)
}

/// The new-category rate: the share of current (non-missing) observations whose category never
/// occurs in the reference.
///
/// - Parameters:
///   - referenceCounts: reference counts per category, over the union of categories.
///   - currentCounts: current counts over the same categories.
/// - Returns: Σ{cᵢ : rᵢ = 0} / Σ cᵢ in [0, 1].
/// - Throws: ``StatsError/lengthMismatch(_:)``; ``StatsError/emptyInput(_:)`` when the current
///   counts total 0; ``StatsError/invalidArgument(_:)`` for a negative count.
///
/// ## Discussion
/// Weighted by observations, not by distinct categories: one new category holding half of the
/// window gives 0.5. (`categorical_tests` in anchors.py also reports the number of distinct new
/// categories, `new_in_current`; that is `zip(r, c).filter { $0 == 0 && $1 > 0 }.count`.)
///
/// ## Example
/// ```swift
/// try newCategoryRate(referenceCounts: [5, 5, 0], currentCounts: [2, 2, 4])   // 0.5
/// ```
public func newCategoryRate(referenceCounts: [Int], currentCounts: [Int]) throws -> Double {
    guard referenceCounts.count == currentCounts.count else {
        throw StatsError.lengthMismatch("newCategoryRate: \(referenceCounts.count) vs \(currentCounts.count) categories")
    }
    var total = 0
    var new = 0
    for i in currentCounts.indices {
        guard referenceCounts[i] >= 0 && currentCounts[i] >= 0 else {
            throw StatsError.invalidArgument("newCategoryRate: negative count in category \(i)")
        }
        total += currentCounts[i]
        if referenceCounts[i] == 0 { new += currentCounts[i] }
    }
    guard total > 0 else { throw StatsError.emptyInput("newCategoryRate: no current observations") }
    return Double(new) / Double(total)
}
