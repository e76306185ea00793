import MonitorCore
import MonitorStats

extension WindowManager {
    /// The statistics, decisions and samples of one window.
    static func statistics(
        panes: [Pane], slot: ProfileSlot, key: WindowKey, settings: DriftSettings, buffer: inout [Double], keys: inout [UInt64]
    ) -> ClosedWindow {
        let rows = panes.reduce(0) { $0 + $1.eventCount }
        let profile = slot.resolved.profile
        var numerical: [(FeatureDriftResult, ClosedRange<Double>?)] = []
        var histograms: [FeatureHistogram] = []
        for (f, ref) in slot.numerical.enumerated() {
            let (result, range, histogram) = numericalFeature(
                ref, panes.map { $0.numerical[f] }, rows: rows, settings: settings, buffer: &buffer, keys: &keys)
            numerical.append((result, range))
            if let histogram { histograms.append(histogram) }
        }
        var categorical: [FeatureDriftResult] = []
        for (c, ref) in slot.categorical.enumerated() {
            let (result, histogram) = categoricalFeature(
                ref, panes.map { $0.categorical[c] }, translator: slot.translators[c], rows: rows, settings: settings)
            categorical.append(result)
            histograms.append(histogram)
        }
        let nf = profile.numerical.count
        let cf = profile.categorical.count
        var features = numerical[..<nf].map(\.0) + categorical[..<cf]
        var predictions = numerical[nf...].map(\.0) + categorical[cf...]
        let (share, dataset) = DriftDecision.decide(&features, settings: settings)
        if !predictions.isEmpty { _ = DriftDecision.decide(&predictions, settings: settings) }
        let all = features + predictions
        var extremes: [String: ClosedRange<Double>] = [:]
        for (r, range) in numerical { if let range { extremes[r.name] = range } }

        var samples: [Sample] = []
        let t = key.end
        let windowLabels = key.labels
        func emit(_ metric: String, _ value: Double?, _ labels: Labels) {
            guard let value, value.isFinite else { return }
            samples.append(Sample(metric: metric, labels: labels, value: value, timestamp: t))
        }
        emit(SeriesName.count, Double(rows), windowLabels)
        for r in all {
            let labels = windowLabels.setting(LabelName.feature, to: r.name)
            emit(SeriesName.psi, r.psi, labels)
            switch r.kind {
            case .numerical:
                emit(SeriesName.ksStatistic, r.ksStatistic, labels)
                emit(SeriesName.ksPValue, r.ksPValue, labels)
                emit(SeriesName.wasserstein, r.wasserstein, labels)
                emit(SeriesName.wassersteinNormed, r.wassersteinNormed, labels)
                emit(SeriesName.jsDistance, r.jsDistance, labels)
                emit(SeriesName.missingRate, r.missingRate, labels)
                emit(SeriesName.outOfRangeRate, r.outOfRangeRate, labels)
                emit(SeriesName.mean, r.currentMean, labels)
                emit(SeriesName.stddev, r.currentStddev, labels)
                emit(SeriesName.min, extremes[r.name]?.lowerBound, labels)
                emit(SeriesName.max, extremes[r.name]?.upperBound, labels)
            case .categorical:
                emit(SeriesName.chi2Statistic, r.chi2Statistic, labels)
                emit(SeriesName.chi2PValue, r.chi2PValue, labels)
                emit(SeriesName.jsDistance, r.jsDistance, labels)
                emit(SeriesName.missingRate, r.missingRate, labels)
                emit(SeriesName.newCategoryRate, r.newCategoryRate, labels)
            }
            emit(SeriesName.drift, r.drift ? 1 : 0, labels)
        }
        emit(SeriesName.driftedFeatureShare, share, windowLabels)
        emit(SeriesName.datasetDrift, dataset ? 1 : 0, windowLabels)
        let result = WindowResult(
            key: key, profileID: slot.resolved.id, profileName: slot.resolved.name, eventCount: rows, samples: samples,
            histograms: histograms)
        return ClosedWindow(result: result, features: all, driftedFeatureShare: share, datasetDrift: dataset)
    }

    /// One numerical feature over a window's panes: the exact path when the reference and the
    /// merged sample are both within the exact limit (`monitor compare`'s rule), else the sketch
    /// path. Returns the result, the current [min, max] and the window's counts over the
    /// reference's PSI bins (nil when the reference has no bins).
    static func numericalFeature(
        _ ref: NumericalReference, _ accumulators: [NumericalAccumulator], rows: Int, settings: DriftSettings,
        buffer: inout [Double], keys: inout [UInt64]
    ) -> (FeatureDriftResult, ClosedRange<Double>?, FeatureHistogram?) {
        var merged = accumulators[0]
        for a in accumulators.dropFirst() { merged.merge(a, exactLimit: settings.exactLimit) }
        let exact = merged.isExact && merged.count <= settings.exactLimit && ref.isExact && ref.count <= settings.exactLimit
        let result = FeatureComparator.numericalResult(
            name: ref.name, referenceCount: ref.count, currentCount: merged.count, currentRows: rows,
            method: exact ? "exact" : "sketch", settings: settings
        ) {
            if exact {
                let k = merged.sample.withUnsafeBufferPointer { RadixSort.sortFinite($0, into: &buffer, scratch: &keys) }
                return ref.sortedSample.withUnsafeBufferPointer { ra in
                    buffer.withUnsafeBufferPointer { b in
                        StatsKernels.exactNumerical(
                            reference: ref.summary, referenceSorted: ra, currentSorted: UnsafeBufferPointer(rebasing: b[0..<k]),
                            currentBinCounts: ref.edges == nil ? nil : merged.binCounts, settings: settings)
                    }
                }
            }
            let (sketch, moments) = merged.sketchAndMoments()
            return StatsKernels.sketchNumerical(
                reference: ref.summary, referenceSketch: ref.sketch, currentSketch: sketch, currentBinCounts: merged.binCounts,
                currentMoments: moments, currentOutside: merged.outOfRange, currentCount: merged.count, settings: settings)
        }
        let histogram = ref.edges == nil ? nil : FeatureHistogram(feature: ref.name, counts: merged.binCounts, missing: merged.missing)
        return (result, merged.count > 0 ? merged.minimum...merged.maximum : nil, histogram)
    }

    /// One categorical feature over a window's panes. Columns: the reference's categories in the
    /// profile's order, then the window's new categories by name (byte order, so that the
    /// result does not depend on the order this process met them), then the decoder's overflow.
    /// Also returns the window's histogram: the reference's categories, then everything else in
    /// one bucket.
    static func categoricalFeature(
        _ ref: CategoricalReference, _ accumulators: [CategoricalAccumulator], translator: CategoryTranslator, rows: Int,
        settings: DriftSettings
    ) -> (FeatureDriftResult, FeatureHistogram) {
        var merged = CategoricalAccumulator()
        for a in accumulators { merged.merge(a) }
        let k = ref.categories.count
        var current = merged.counts
        if current.count < k { current.append(contentsOf: repeatElement(0, count: k - current.count)) }
        let names = translator.names
        let new = (k..<current.count).filter { current[$0] > 0 }.sorted {
            names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8)
        }
        let referenceCounts = ref.counts + repeatElement(0, count: new.count) + [ref.overflow]
        let currentCounts = Array(current[..<k]) + new.map { current[$0] } + [merged.overflow]
        let result = FeatureComparator.categoricalResult(
            name: ref.name, referenceCounts: referenceCounts, currentCounts: currentCounts, currentMissing: merged.missing,
            currentRows: rows, settings: settings)
        let other = new.reduce(0) { $0 + current[$1] } + merged.overflow
        return (result, FeatureHistogram(feature: ref.name, counts: Array(current[..<k]) + [other], missing: merged.missing))
    }
}
