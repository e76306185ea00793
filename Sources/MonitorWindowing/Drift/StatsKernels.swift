import MonitorCore
import MonitorStats

/// The one place MonitorWindowing calls MonitorStats' kernels for drift comparison.
enum StatsKernels {
    static func finiteCount(_ column: UnsafeBufferPointer<Double>) -> Int {
        var n = 0
        for v in column where v.isFinite { n &+= 1 }
        return n
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

    static func exactNumerical(
        referenceSorted ra: UnsafeBufferPointer<Double>, currentSorted cb: UnsafeBufferPointer<Double>, settings: DriftSettings
    ) -> Numerical {
        do {
            do {
                let edges = try? BinEdges(sortedReference: ra, bins: settings.bins)
                var psi: PSIResult? = nil
                var js: Double? = nil
                if let edges {
                    let rc = edges.histogram(sorted: ra).counts
                    let cc = edges.histogram(sorted: cb).counts
                    psi = try? populationStabilityIndex(referenceCounts: rc, currentCounts: cc, epsilon: settings.psiEpsilon)
                    js = try? jensenShannonDistance(rc, cc)
                }
                // KS and Wasserstein-1 share one merge of the sorted samples.
                let both = try? kolmogorovSmirnovAndWasserstein(sorted: ra, sorted: cb)
                let ks = both?.ks
                let w = both?.wasserstein
                let rm = Moments(sortedFinite: ra)
                let cm = Moments(sortedFinite: cb)
                let refStd = rm.standardDeviation(ddof: 0)
                // Out of range: current values outside the reference's [min, max].
                let lo = lowerBound(cb, ra[0])
                let hi = upperBound(cb, ra[ra.count - 1])
                let outside = lo + (cb.count - hi)
                return Numerical(
                    psi: psi, js: js, ks: ks, wasserstein: w,
                    wassersteinNormed: w.map { $0 / max(refStd, normedStdFloor) },
                    outOfRange: Double(outside) / Double(cb.count),
                    refMean: rm.mean, refStd: refStd, curMean: cm.mean, curStd: cm.standardDeviation(ddof: 0))
            }
        }
    }

    /// Sketch path: KLL sketches for KS and Wasserstein; exact bin counts over sketch-quantile edges.
    static func sketchNumerical(reference: UnsafeBufferPointer<Double>, current: UnsafeBufferPointer<Double>, settings: DriftSettings) -> Numerical {
        var sa = KLLSketch()
        var sb = KLLSketch()
        sa.add(contentsOf: reference)
        sb.add(contentsOf: current)
        let rm = Moments(reference)
        let cm = Moments(current)
        let refStd = rm.standardDeviation(ddof: 0)
        let levels = BinEdges.quantileLevels(bins: settings.bins)
        var edgeValues = (try? sa.quantiles(levels)) ?? []
        edgeValues = edgeValues.reduce(into: [Double]()) { acc, e in if acc.last != e { acc.append(e) } }
        var psi: PSIResult? = nil
        var js: Double? = nil
        if let edges = try? BinEdges(edges: edgeValues) {
            var rc = [Int](repeating: 0, count: edges.binCount)
            var cc = [Int](repeating: 0, count: edges.binCount)
            _ = edges.histogram(reference, into: &rc)
            _ = edges.histogram(current, into: &cc)
            psi = try? populationStabilityIndex(referenceCounts: rc, currentCounts: cc, epsilon: settings.psiEpsilon)
            js = try? jensenShannonDistance(rc, cc)
        }
        let ks = try? kolmogorovSmirnov(sketch: sa, sketch: sb)
        let w = sketchWasserstein(sa, sb)
        var outside = 0
        var n = 0
        for v in current where v.isFinite {
            n &+= 1
            if v < rm.minimum || v > rm.maximum { outside &+= 1 }
        }
        return Numerical(
            psi: psi, js: js, ks: ks, wasserstein: w, wassersteinNormed: w / max(refStd, normedStdFloor),
            outOfRange: n == 0 ? 0 : Double(outside) / Double(n),
            refMean: rm.mean, refStd: refStd, curMean: cm.mean, curStd: cm.standardDeviation(ddof: 0))
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
