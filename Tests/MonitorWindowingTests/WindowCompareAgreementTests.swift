import MonitorCore
import MonitorWindowing
import Testing

/// The statistics of a window equal those of `monitor compare` (its `FeatureComparator` and
/// `DriftDecision`, as `CompareRunner` calls them) for the same events against the same
/// reference.
@Suite("Windows agree with monitor compare")
struct WindowCompareAgreementTests {
    static let day: Int64 = 86_400_000
    static let dayStart: Int64 = 1_763_769_600_000  // 2025-11-22T00:00:00Z, a multiple of a day

    /// The reference and current data of one case: compare's batches (current coded with the
    /// frozen reference dictionaries, as `CompareRunner` decodes it) and the window's (current
    /// coded by another decoder that met the categories in another order).
    struct Case {
        var reference: Batch
        var compareCurrent: Batch
        var windowCurrent: Batch
    }

    static func makeCase(seed: UInt64, referenceRows: Int = 3000, currentRows: Int = 2000) -> Case {
        var compareDecoder = builder()
        let reference = compareDecoder.batch(generateRows(referenceRows, start: dayStart, step: 1, seed: seed))
        for j in compareDecoder.dictionaries.indices { compareDecoder.dictionaries[j].freeze() }
        var rows = generateRows(currentRows, start: dayStart + 1000, step: 7, shift: 0.3, newCategories: true, seed: seed + 1)
        // New categories first met in name order, so compare's column order (first seen) is the
        // windows' (by name) and even the summation order agrees.
        for (i, name) in ["AT", "BE", "CH"].enumerated() { rows[i].categorical = [name + "0", name + "1"] }
        let compareCurrent = compareDecoder.batch(rows)
        var windowDecoder = builder()
        _ = windowDecoder.batch(generateRows(50, models: ["other"], seed: 99))  // different code order
        let windowCurrent = windowDecoder.batch(rows)
        return Case(reference: reference, compareCurrent: compareCurrent, windowCurrent: windowCurrent)
    }

    /// What `CompareRunner.computeFeatures` + `DriftDecision.decide` produce, plus the same
    /// comparator on the score and the label (compare does not compare predictions; the windows
    /// do, with the same functions).
    static func compare(_ c: Case, settings: DriftSettings) -> (features: [FeatureDriftResult], share: Double, dataset: Bool, predictions: [FeatureDriftResult]) {
        let ref = c.reference
        let cur = c.compareCurrent
        var features: [FeatureDriftResult] = []
        for (i, name) in ref.numericalNames.enumerated() {
            let j = cur.numericalNames.firstIndex(of: name)!
            features.append(ref.numerical[i].withUnsafeBufferPointer { a in cur.numerical[j].withUnsafeBufferPointer { b in
                FeatureComparator.compareNumerical(name: name, reference: a, current: b, settings: settings) } })
        }
        for (i, name) in ref.categoricalNames.enumerated() {
            let j = cur.categoricalNames.firstIndex(of: name)!
            features.append(ref.categorical[i].withUnsafeBufferPointer { a in cur.categorical[j].withUnsafeBufferPointer { b in
                FeatureComparator.compareCategorical(name: name, reference: a, current: b, dictionary: cur.categoricalDictionaries[j], settings: settings) } })
        }
        let (share, dataset) = DriftDecision.decide(&features, settings: settings)
        var predictions: [FeatureDriftResult] = []
        predictions.append(ref.scores.withUnsafeBufferPointer { a in cur.scores.withUnsafeBufferPointer { b in
            FeatureComparator.compareNumerical(name: ReferenceProfile.predictionScoreName, reference: a, current: b, settings: settings) } })
        predictions.append(ref.predictedLabels.withUnsafeBufferPointer { a in cur.predictedLabels.withUnsafeBufferPointer { b in
            FeatureComparator.compareCategorical(name: ReferenceProfile.predictedLabelName, reference: a, current: b, dictionary: cur.labelDictionary, settings: settings) } })
        _ = DriftDecision.decide(&predictions, settings: settings)
        return (features, share, dataset, predictions)
    }

    /// The window pipeline: a profile of the reference, the current rows ingested in `cuts`
    /// batches into one daily window, closed at the end of input.
    static func windows(_ c: Case, settings: DriftSettings, cuts: [Int] = []) throws -> ClosedWindow {
        let profile = ReferenceProfile(reference: c.reference, features: featureSpecs(), settings: settings, fingerprint: "sha256:ref")
        var m = try WindowManager(
            specs: [WindowSpec(name: "1d", size: day)], allowedLateness: 0, settings: settings,
            resolver: .constant(ResolvedProfile(profile: profile, id: 1, name: "ref")))
        var from = 0
        for cut in cuts.sorted() + [c.windowCurrent.count] {
            m.ingest(c.windowCurrent, rows: from..<cut)
            from = cut
        }
        let closed = m.closeAll()
        try #require(closed.count == 1)
        return closed[0]
    }

    /// Every field of the two results, bit for bit unless named in `approximate` (then to
    /// `tolerance`, relative).
    static func expectEqual(_ w: FeatureDriftResult, _ c: FeatureDriftResult, approximate: Set<String> = [], tolerance: Double = 0) {
        let fields: [(String, Double?, Double?)] = [
            ("missing_rate", w.missingRate, c.missingRate), ("psi", w.psi, c.psi), ("ks_statistic", w.ksStatistic, c.ksStatistic),
            ("ks_pvalue", w.ksPValue, c.ksPValue), ("ks_bound", w.ksStatisticErrorBound, c.ksStatisticErrorBound),
            ("wasserstein", w.wasserstein, c.wasserstein), ("wasserstein_normed", w.wassersteinNormed, c.wassersteinNormed),
            ("js_distance", w.jsDistance, c.jsDistance), ("chi2_statistic", w.chi2Statistic, c.chi2Statistic),
            ("chi2_pvalue", w.chi2PValue, c.chi2PValue), ("out_of_range_rate", w.outOfRangeRate, c.outOfRangeRate),
            ("new_category_rate", w.newCategoryRate, c.newCategoryRate), ("reference_mean", w.referenceMean, c.referenceMean),
            ("reference_stddev", w.referenceStddev, c.referenceStddev), ("mean", w.currentMean, c.currentMean),
            ("stddev", w.currentStddev, c.currentStddev), ("p_adjusted", w.pValueAdjusted, c.pValueAdjusted),
        ]
        for (name, a, b) in fields {
            if approximate.contains(name), let a, let b {
                #expect(abs(a - b) <= tolerance * max(abs(b), 1e-300), "\(c.name).\(name): window \(a), compare \(b)")
            } else {
                #expect(a?.bitPattern == b?.bitPattern, "\(c.name).\(name): window \(String(describing: a)), compare \(String(describing: b))")
            }
        }
        #expect(w.name == c.name && w.kind == c.kind && w.method == c.method && w.test == c.test && w.threshold == c.threshold)
        #expect(w.ksMethod == c.ksMethod, "\(c.name)")
        #expect(w.referenceCount == c.referenceCount && w.currentCount == c.currentCount, "\(c.name)")
        #expect(w.drift == c.drift, "\(c.name)")
        #expect(w.chi2DegreesOfFreedom == c.chi2DegreesOfFreedom, "\(c.name)")
        if !approximate.contains("psi") {
            #expect(w.psiContributions?.map(\.bitPattern) == c.psiContributions?.map(\.bitPattern), "\(c.name) PSI contributions")
        }
    }

    /// The samples of the window carry exactly the result's numbers.
    static func expectSamples(_ w: ClosedWindow) {
        func value(_ metric: String, _ feature: String?) -> Double? {
            w.result.samples.first { $0.metric == metric && $0.labels[LabelName.feature] == feature }?.value
        }
        for f in w.features {
            #expect(value(SeriesName.psi, f.name)?.bitPattern == f.psi?.bitPattern)
            #expect(value(SeriesName.jsDistance, f.name)?.bitPattern == f.jsDistance?.bitPattern)
            #expect(value(SeriesName.missingRate, f.name) == f.missingRate)
            #expect(value(SeriesName.drift, f.name) == (f.drift ? 1 : 0))
            if f.kind == .numerical {
                #expect(value(SeriesName.ksStatistic, f.name) == f.ksStatistic)
                #expect(value(SeriesName.ksPValue, f.name) == f.ksPValue)
                #expect(value(SeriesName.wasserstein, f.name) == f.wasserstein)
                #expect(value(SeriesName.wassersteinNormed, f.name) == f.wassersteinNormed)
                #expect(value(SeriesName.outOfRangeRate, f.name) == f.outOfRangeRate)
                #expect(value(SeriesName.mean, f.name) == f.currentMean)
                #expect(value(SeriesName.stddev, f.name) == f.currentStddev)
            } else {
                #expect(value(SeriesName.chi2Statistic, f.name) == f.chi2Statistic)
                #expect(value(SeriesName.chi2PValue, f.name) == f.chi2PValue)
                #expect(value(SeriesName.newCategoryRate, f.name) == f.newCategoryRate)
            }
        }
        #expect(value(SeriesName.driftedFeatureShare, nil) == w.driftedFeatureShare)
        #expect(value(SeriesName.datasetDrift, nil) == (w.datasetDrift ? 1 : 0))
        #expect(value(SeriesName.count, nil) == Double(w.result.eventCount))
        #expect(w.result.samples.allSatisfy { $0.value.isFinite && $0.timestamp == w.result.key.end })
    }

    @Test("exact path: every statistic of every feature bit for bit, whatever the batch cuts", arguments: [[], [1], [700, 701, 1500], [13, 999, 1998]])
    func exactAgreement(cuts: [Int]) throws {
        let c = Self.makeCase(seed: 21)
        var settings = DriftSettings()
        settings.correction = .bh
        let expected = Self.compare(c, settings: settings)
        let w = try Self.windows(c, settings: settings, cuts: cuts)
        #expect(w.result.eventCount == c.windowCurrent.count)
        #expect(w.features.count == expected.features.count + 2)
        for (a, b) in zip(w.features, expected.features + expected.predictions) { Self.expectEqual(a, b) }
        #expect(w.features.allSatisfy { $0.method == "exact" })
        #expect(w.driftedFeatureShare == expected.share && w.datasetDrift == expected.dataset)
        #expect(w.features.contains { $0.drift }, "the shifted data drifts (a test that can fail)")
        Self.expectSamples(w)
        // min and max of the numerical features are the current sample's extremes.
        for (j, name) in c.windowCurrent.numericalNames.enumerated() {
            let finite = c.windowCurrent.numerical[j].filter(\.isFinite)
            let got = w.result.samples.filter { $0.labels[LabelName.feature] == name }
            #expect(got.first { $0.metric == SeriesName.min }?.value == finite.min())
            #expect(got.first { $0.metric == SeriesName.max }?.value == finite.max())
        }
    }

    @Test("small-reference tests (KS, chi-square) decide the same way")
    func smallReference() throws {
        let c = Self.makeCase(seed: 5, referenceRows: 800, currentRows: 600)
        let expected = Self.compare(c, settings: DriftSettings())
        #expect(expected.features.contains { $0.test == .ks } && expected.features.contains { $0.test == .chi2 })
        let w = try Self.windows(c, settings: DriftSettings(), cuts: [300])
        for (a, b) in zip(w.features, expected.features + expected.predictions) { Self.expectEqual(a, b) }
        Self.expectSamples(w)
    }

    @Test("sketch path: the same sketches, bins and counts; moments to 1e-12")
    func sketchAgreement() throws {
        let c = Self.makeCase(seed: 33)
        var settings = DriftSettings()
        settings.exactLimit = 500
        let expected = Self.compare(c, settings: settings)
        let w = try Self.windows(c, settings: settings)
        #expect(w.features.filter { $0.kind == .numerical }.allSatisfy { $0.method == "sketch" && $0.ksMethod == "sketch" })
        for (a, b) in zip(w.features, expected.features + expected.predictions) {
            // The window streams its moments value by value once in sketch mode (Welford, so that
            // a restart continues bit for bit); compare sums the whole column in two passes.
            Self.expectEqual(a, b, approximate: ["mean", "stddev", "wasserstein_normed"], tolerance: 1e-12)
        }
        #expect(w.features.first { $0.kind == .numerical }!.ksStatisticErrorBound! > 0)
        Self.expectSamples(w)
    }

    @Test("new categories met in another order: equal to 1e-12 (sums in another order)")
    func newCategoryOrder() throws {
        var c = Self.makeCase(seed: 44)
        // Rebuild with the new categories first met in reverse name order.
        var compareDecoder = builder()
        c.reference = compareDecoder.batch(generateRows(3000, start: Self.dayStart, step: 1, seed: 44))
        for j in compareDecoder.dictionaries.indices { compareDecoder.dictionaries[j].freeze() }
        var rows = generateRows(2000, start: Self.dayStart + 1000, step: 7, shift: 0.3, newCategories: true, seed: 45)
        for (i, name) in ["CH", "BE", "AT"].enumerated() { rows[i].categorical = [name + "0", name + "1"] }
        c.compareCurrent = compareDecoder.batch(rows)
        var windowDecoder = builder()
        c.windowCurrent = windowDecoder.batch(rows)
        let expected = Self.compare(c, settings: DriftSettings())
        let w = try Self.windows(c, settings: DriftSettings())
        for (a, b) in zip(w.features, expected.features + expected.predictions) {
            Self.expectEqual(a, b, approximate: ["psi", "js_distance", "chi2_statistic", "chi2_pvalue"], tolerance: 1e-12)
        }
    }
}
