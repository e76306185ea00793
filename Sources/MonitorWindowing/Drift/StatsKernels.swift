import MonitorCore
import MonitorStats

/// The one place MonitorWindowing calls MonitorStats' kernels for drift comparison.
///
/// Both `monitor compare` (``FeatureComparator``, whole columns) and the streaming windows
/// (``WindowManager``, a frozen ``ReferenceProfile`` against accumulated panes) go through the
/// functions below, so that the same events against the same reference give the same numbers:
/// the reference side is summarised once (``ReferenceSummary``), the current side is either a
/// sorted exact sample or a KLL sketch with exact bin counts and moments.
enum StatsKernels {
    static func finiteCount(_ column: UnsafeBufferPointer<Double>) -> Int {
        var n = 0
        for v in column where v.isFinite { n &+= 1 }
        return n
    }

    /// What a numerical comparison needs from the reference, computed once: the frozen bin edges
    /// and the reference's counts over them, its range and its moments.
    struct ReferenceSummary: Sendable, Hashable {
        /// Non-missing reference values.
        var count: Int
        /// Frozen PSI/JS bins (nil when the reference has no value).
        var edges: BinEdges?
        /// Reference counts over `edges` (empty when `edges` is nil).
        var binCounts: [Int]
        var minimum: Double
        var maximum: Double
        var mean: Double
        /// Population standard deviation (ddof 0).
        var standardDeviation: Double
    }

    /// Summary of an exact reference: edges at its numpy-linear deciles, counts by binary search,
    /// moments of the sorted sample.
    static func summarizeReference(sorted ra: UnsafeBufferPointer<Double>, settings: DriftSettings) -> ReferenceSummary {
        let edges = try? BinEdges(sortedReference: ra, bins: settings.bins)
        let rm = Moments(sortedFinite: ra)
        return ReferenceSummary(
            count: ra.count, edges: edges, binCounts: edges?.histogram(sorted: ra).counts ?? [],
            minimum: rm.minimum, maximum: rm.maximum, mean: rm.mean, standardDeviation: rm.standardDeviation(ddof: 0))
    }

    /// Summary of a reference too large to keep: edges at its sketch's quantiles, exact counts
    /// over the whole column, moments of the column.
    static func summarizeReference(sketch sa: KLLSketch, column: UnsafeBufferPointer<Double>, settings: DriftSettings) -> ReferenceSummary {
        let rm = Moments(column)
        let levels = BinEdges.quantileLevels(bins: settings.bins)
        var edgeValues = (try? sa.quantiles(levels)) ?? []
        edgeValues = edgeValues.reduce(into: [Double]()) { acc, e in if acc.last != e { acc.append(e) } }
        let edges = try? BinEdges(edges: edgeValues)
        var counts: [Int] = []
        if let edges {
            counts = [Int](repeating: 0, count: edges.binCount)
            _ = edges.histogram(column, into: &counts)
        }
        return ReferenceSummary(
            count: Int(sa.count), edges: edges, binCounts: counts, minimum: rm.minimum, maximum: rm.maximum,
            mean: rm.mean, standardDeviation: rm.standardDeviation(ddof: 0))
    }

    /// Statistics of a numerical feature, ready to be copied into a result.
    struct Numerical {
        var psi: PSIResult?
        var js: Double?
        var ks: KSResult?
        var wasserstein: Double?
        var wassersteinNormed: Double?
        var outOfRange: Double
        var refMean: Double
        var refStd: Double
        var curMean: Double
        var curStd: Double

        func apply(to r: inout FeatureDriftResult) {
            r.psi = psi?.value
            r.psiContributions = psi?.contributions
            r.jsDistance = js
            if let ks {
                r.ksStatistic = ks.statistic
                r.ksPValue = ks.pValue
                r.ksMethod = ks.method.rawValue
                r.ksStatisticErrorBound = ks.statisticErrorBound
            }
            r.wasserstein = wasserstein
            r.wassersteinNormed = wassersteinNormed
            r.outOfRangeRate = outOfRange
            r.referenceMean = refMean
            r.referenceStddev = refStd
            r.currentMean = curMean
            r.currentStddev = curStd
        }
    }

    /// Evidently's normalisation floor: a constant reference column would otherwise divide by 0.
    static let normedStdFloor = 0.001

    /// PSI and JS over the reference's frozen bins.
    static func binned(_ reference: ReferenceSummary, _ currentCounts: [Int], _ settings: DriftSettings) -> (PSIResult?, Double?) {
        guard reference.edges != nil else { return (nil, nil) }
        let psi = try? populationStabilityIndex(
            referenceCounts: reference.binCounts, currentCounts: currentCounts, epsilon: settings.psiEpsilon)
        return (psi, try? jensenShannonDistance(reference.binCounts, currentCounts))
    }

    /// Exact path: both samples sorted and finite. KS and Wasserstein share one merge; the
    /// current moments, range and (unless given) bin counts come from the sorted sample.
    ///
    /// - Parameter currentBinCounts: the current sample's counts over `reference.edges` when
    ///   already known (a window's accumulated histogram); computed from `cb` when nil.
    static func exactNumerical(
        reference: ReferenceSummary, referenceSorted ra: UnsafeBufferPointer<Double>,
        currentSorted cb: UnsafeBufferPointer<Double>, currentBinCounts: [Int]? = nil, settings: DriftSettings
    ) -> Numerical {
        var psi: PSIResult? = nil
        var js: Double? = nil
        if let edges = reference.edges {
            (psi, js) = binned(reference, currentBinCounts ?? edges.histogram(sorted: cb).counts, settings)
        }
        // KS and Wasserstein-1 share one merge of the sorted samples.
        let both = try? kolmogorovSmirnovAndWasserstein(sorted: ra, sorted: cb)
        let w = both?.wasserstein
        let cm = Moments(sortedFinite: cb)
        // Out of range: current values outside the reference's [min, max].
        let lo = lowerBound(cb, reference.minimum)
        let hi = upperBound(cb, reference.maximum)
        let outside = lo + (cb.count - hi)
        return Numerical(
            psi: psi, js: js, ks: both?.ks, wasserstein: w,
            wassersteinNormed: w.map { $0 / max(reference.standardDeviation, normedStdFloor) },
            outOfRange: Double(outside) / Double(cb.count),
            refMean: reference.mean, refStd: reference.standardDeviation, curMean: cm.mean,
            curStd: cm.standardDeviation(ddof: 0))
    }

    /// Sketch path: KS and Wasserstein from KLL sketches; bin counts, moments and the
    /// out-of-range count stay exact (they are given).
    ///
    /// - Parameters:
    ///   - currentOutside: current values outside the reference's [min, max].
    ///   - currentCount: non-missing current values.
    static func sketchNumerical(
        reference: ReferenceSummary, referenceSketch sa: KLLSketch, currentSketch sb: KLLSketch,
        currentBinCounts: [Int], currentMoments cm: Moments, currentOutside: Int, currentCount n: Int,
        settings: DriftSettings
    ) -> Numerical {
        let (psi, js) = binned(reference, currentBinCounts, settings)
        let ks = try? kolmogorovSmirnov(sketch: sa, sketch: sb)
        let w = sketchWasserstein(sa, sb)
        return Numerical(
            psi: psi, js: js, ks: ks, wasserstein: w, wassersteinNormed: w / max(reference.standardDeviation, normedStdFloor),
            outOfRange: n == 0 ? 0 : Double(currentOutside) / Double(n),
            refMean: reference.mean, refStd: reference.standardDeviation, curMean: cm.mean,
            curStd: cm.standardDeviation(ddof: 0))
    }

    /// Sketch path over two whole columns (`monitor compare`): sketches of both, edges from the
    /// reference sketch, exact counts and moments of both columns.
    static func sketchNumerical(reference: UnsafeBufferPointer<Double>, current: UnsafeBufferPointer<Double>, settings: DriftSettings) -> Numerical {
        var sa = KLLSketch()
        var sb = KLLSketch()
        sa.add(contentsOf: reference)
        sb.add(contentsOf: current)
        let summary = summarizeReference(sketch: sa, column: reference, settings: settings)
        var cc: [Int] = []
        if let edges = summary.edges {
            cc = [Int](repeating: 0, count: edges.binCount)
            _ = edges.histogram(current, into: &cc)
        }
        var outside = 0
        var n = 0
        for v in current where v.isFinite {
            n &+= 1
            if v < summary.minimum || v > summary.maximum { outside &+= 1 }
        }
        return sketchNumerical(
            reference: summary, referenceSketch: sa, currentSketch: sb, currentBinCounts: cc,
            currentMoments: Moments(current), currentOutside: outside, currentCount: n, settings: settings)
    }

    /// ∫|F_a − F_b| dx with the sketches' step CDFs, by merging their sorted views: O(r_a + r_b).
    static func sketchWasserstein(_ a: KLLSketch, _ b: KLLSketch) -> Double {
        let va = a.sortedView()
        let vb = b.sortedView()
        guard !va.values.isEmpty, !vb.values.isEmpty else { return .nan }
        let na = Double(va.totalWeight)
        let nb = Double(vb.totalWeight)
        var i = 0
        var j = 0
        var fa = 0.0
        var fb = 0.0
        var total = 0.0
        var last = Swift.min(va.values[0], vb.values[0])
        while i < va.values.count || j < vb.values.count {
            let x = j >= vb.values.count || (i < va.values.count && va.values[i] <= vb.values[j]) ? va.values[i] : vb.values[j]
            total += abs(fa - fb) * (x - last)
            while i < va.values.count && va.values[i] == x {
                fa = Double(va.cumulativeWeights[i]) / na
                i += 1
            }
            while j < vb.values.count && vb.values[j] == x {
                fb = Double(vb.cumulativeWeights[j]) / nb
                j += 1
            }
            last = x
        }
        return total
    }

    struct Categorical {
        var psi: PSIResult?
        var js: Double?
        var chi2: ChiSquareResult?
        func apply(to r: inout FeatureDriftResult) {
            r.psi = psi?.value
            r.psiContributions = psi?.contributions
            r.jsDistance = js
            r.chi2Statistic = chi2?.statistic
            r.chi2PValue = chi2?.pValue
            r.chi2DegreesOfFreedom = chi2?.degreesOfFreedom
        }
    }

    static func categorical(referenceCounts a: [Int], currentCounts b: [Int], settings: DriftSettings) -> Categorical {
        Categorical(
            psi: try? populationStabilityIndex(referenceCounts: a, currentCounts: b, epsilon: settings.psiEpsilon),
            js: try? jensenShannonDistance(a, b),
            chi2: try? chiSquareHomogeneity(a, b))
    }

    static func adjust(_ p: [Double], _ kind: PValueCorrectionKind) -> [Double] {
        switch kind {
        case .none: return p
        case .bonferroni: return (try? adjustPValues(p, method: .bonferroni)) ?? p
        case .bh: return (try? adjustPValues(p, method: .bh)) ?? p
        }
    }

    /// First index with `s[i] >= x`.
    static func lowerBound(_ s: UnsafeBufferPointer<Double>, _ x: Double) -> Int {
        var lo = 0
        var hi = s.count
        while lo < hi {
            let m = (lo + hi) >> 1
            if s[m] < x { lo = m + 1 } else { hi = m }
        }
        return lo
    }

    /// First index with `s[i] > x`.
    static func upperBound(_ s: UnsafeBufferPointer<Double>, _ x: Double) -> Int {
        var lo = 0
        var hi = s.count
        while lo < hi {
            let m = (lo + hi) >> 1
            if s[m] <= x { lo = m + 1 } else { hi = m }
        }
        return lo
    }
}
