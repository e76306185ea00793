public import MonitorCore
import MonitorStats

/// Buffers reused from one feature to the next (one per worker thread), so that sorting column
/// after column allocates nothing: fresh pages cost more than the sorts in `monitor compare`.
/// It may be handed from thread to thread, but only one may use it at a time (a pool that
/// checks workspaces out and in, as `monitor compare` does, guarantees that).
public final class ComparisonWorkspace: @unchecked Sendable {
    var reference: [Double] = []
    var current: [Double] = []
    var scratch: [UInt64] = []

    public init() {}
}

/// Computes one feature's drift statistics from a reference column and a current column.
///
/// Pure: columns in, `FeatureDriftResult` out. Missing values (NaN in numerical columns,
/// `CategoryDictionary.missingCode` in categorical ones) are counted and never enter a
/// distribution. The decision fields (`drift`, `pValueAdjusted`) are filled by `DriftDecision`.
public enum FeatureComparator {
    /// Compares a numerical feature.
    ///
    /// Exact path (both sides have at most `settings.exactLimit` non-missing values): both samples
    /// are radix-sorted once; KS, Wasserstein, quantile bin edges, bin counts, out-of-range share
    /// and moments all come from the sorted arrays in linear time. Sketch path: the samples are
    /// summarised by KLL sketches; bin counts stay exact (edges come from the reference sketch).
    public static func compareNumerical(
        name: String, reference: UnsafeBufferPointer<Double>, current: UnsafeBufferPointer<Double>,
        settings: DriftSettings, workspace: ComparisonWorkspace = ComparisonWorkspace()
    ) -> FeatureDriftResult {
        // Exact when both sides fit `exactLimit` (counting finite values only when the column is
        // longer than the limit).
        let refN0 = reference.count <= settings.exactLimit ? nil : StatsKernels.finiteCount(reference)
        let curN0 = current.count <= settings.exactLimit ? nil : StatsKernels.finiteCount(current)
        let exact = (refN0 ?? 0) <= settings.exactLimit && (curN0 ?? 0) <= settings.exactLimit
        var refN = refN0 ?? 0
        var curN = curN0 ?? 0
        if exact {
            refN = RadixSort.sortFinite(reference, into: &workspace.reference, scratch: &workspace.scratch)
            curN = RadixSort.sortFinite(current, into: &workspace.current, scratch: &workspace.scratch)
        }
        return numericalResult(
            name: name, referenceCount: refN, currentCount: curN, currentRows: current.count,
            method: exact ? "exact" : "sketch", settings: settings
        ) {
            if exact {
                return workspace.reference.withUnsafeBufferPointer { a in
                    workspace.current.withUnsafeBufferPointer { b in
                        let ra = UnsafeBufferPointer(rebasing: a[0..<refN])
                        return StatsKernels.exactNumerical(
                            reference: StatsKernels.summarizeReference(sorted: ra, settings: settings),
                            referenceSorted: ra, currentSorted: UnsafeBufferPointer(rebasing: b[0..<curN]), settings: settings)
                    }
                }
            }
            return StatsKernels.sketchNumerical(reference: reference, current: current, settings: settings)
        }
    }

    /// The result shell of a numerical feature (test, counts, missing rate), with the statistics
    /// filled in by `statistics` when both sides have values. Shared by `monitor compare` and the
    /// windows, so that both decide the same way.
    ///
    /// - Parameters:
    ///   - currentRows: records in the current data (the missing rate's denominator).
    ///   - method: `exact` or `sketch`, recorded when the statistics are computed.
    static func numericalResult(
        name: String, referenceCount refN: Int, currentCount curN: Int, currentRows: Int, method: String,
        settings: DriftSettings, statistics: () -> StatsKernels.Numerical
    ) -> FeatureDriftResult {
        let (test, threshold) = DriftDecision.test(for: .numerical, referenceCount: refN, name: name, settings: settings)
        var r = FeatureDriftResult(
            name: name, kind: .numerical, test: test, threshold: threshold,
            missingRate: currentRows == 0 ? 0 : Double(currentRows - curN) / Double(currentRows))
        r.referenceCount = refN
        r.currentCount = curN
        guard refN > 0, curN > 0 else {
            r.note = refN == 0 ? "no non-missing values in the reference" : "no non-missing values in the current data"
            return r
        }
        r.method = method
        statistics().apply(to: &r)
        return r
    }

    /// Compares a categorical feature over the union of the reference's and the current data's
    /// categories.
    ///
    /// - Parameters:
    ///   - dictionary: the dictionary both columns are coded with; codes below
    ///     `dictionary.referenceCount` are reference categories, codes above are new ones.
    public static func compareCategorical(
        name: String, reference: UnsafeBufferPointer<UInt32>, current: UnsafeBufferPointer<UInt32>,
        dictionary: CategoryDictionary, settings: DriftSettings
    ) -> FeatureDriftResult {
        // One extra column collects categories beyond the dictionary's new-category budget.
        let k = dictionary.count + 1
        var refCounts = [Int](repeating: 0, count: k)
        var curCounts = [Int](repeating: 0, count: k)
        _ = count(reference, into: &refCounts)
        let curMissing = count(current, into: &curCounts)
        return categoricalResult(
            name: name, referenceCounts: refCounts, currentCounts: curCounts, currentMissing: curMissing,
            currentRows: current.count, settings: settings)
    }

    /// A categorical feature's result from aligned count vectors (one column per category, the
    /// reference's first; categories absent from both sides are dropped, as scipy's table would).
    /// Shared by `monitor compare` and the windows.
    ///
    /// - Parameters:
    ///   - referenceCounts: non-missing reference values per column.
    ///   - currentCounts: non-missing current values per column, aligned with `referenceCounts`.
    ///   - currentMissing: missing current values.
    ///   - currentRows: records in the current data (the missing rate's denominator).
    static func categoricalResult(
        name: String, referenceCounts refCounts: [Int], currentCounts curCounts: [Int], currentMissing curMissing: Int,
        currentRows: Int, settings: DriftSettings
    ) -> FeatureDriftResult {
        let k = refCounts.count
        let refN = refCounts.reduce(0, &+)
        let curN = curCounts.reduce(0, &+)
        let (test, threshold) = DriftDecision.test(for: .categorical, referenceCount: refN, name: name, settings: settings)
        var r = FeatureDriftResult(
            name: name, kind: .categorical, test: test, threshold: threshold,
            missingRate: currentRows == 0 ? 0 : Double(curMissing) / Double(currentRows))
        r.referenceCount = refN
        r.currentCount = curN
        guard refN > 0, curN > 0 else {
            r.note = refN == 0 ? "no non-missing values in the reference" : "no non-missing values in the current data"
            return r
        }
        // New categories: present in the current data, absent from the reference counts.
        var new = 0
        for c in 0..<k where refCounts[c] == 0 { new += curCounts[c] }
        r.newCategoryRate = Double(new) / Double(curN)
        // Keep only categories observed on either side (the union), as scipy's table would.
        var a: [Int] = []
        var b: [Int] = []
        for c in 0..<k where refCounts[c] + curCounts[c] > 0 {
            a.append(refCounts[c])
            b.append(curCounts[c])
        }
        StatsKernels.categorical(referenceCounts: a, currentCounts: b, settings: settings).apply(to: &r)
        return r
    }

    private static func count(_ codes: UnsafeBufferPointer<UInt32>, into counts: inout [Int]) -> Int {
        var missing = 0
        let overflowColumn = counts.count - 1
        counts.withUnsafeMutableBufferPointer { c in
            for code in codes {
                if code == CategoryDictionary.missingCode {
                    missing &+= 1
                } else if code == CategoryDictionary.overflowCode || Int(code) >= overflowColumn {
                    c[overflowColumn] &+= 1
                } else {
                    c[Int(code)] &+= 1
                }
            }
        }
        return missing
    }
}
