import MonitorCore
import MonitorWindowing
import Testing

@Suite("Window assignment, watermark and lateness")
struct WindowManagerTests {
    static let profile = referenceProfile()
    static let base: Int64 = 1_763_805_600_000  // 2025-11-22T10:00:00Z, a multiple of an hour

    static func manager(_ specs: [WindowSpec], lateness: Int64 = 0, settings: DriftSettings = DriftSettings()) throws -> WindowManager {
        try WindowManager(specs: specs, allowedLateness: lateness, settings: settings, resolver: .constant(ResolvedProfile(profile: profile, id: 7, name: "ref")))
    }

    /// Rows at the given offsets (ms from `base`), values derived from the offset.
    static func rows(_ offsets: [Int64?], model: String? = "fraud", version: String? = "3") -> [BatchBuilder.Row] {
        offsets.map { o in
            BatchBuilder.Row(
                time: o.map { base + $0 } ?? .min, model: model, version: version,
                numerical: [Double(o ?? 0) / 1000, 1, .nan], categorical: ["DE", nil], score: 0.5, label: "ok")
        }
    }

    @Test("tumbling windows: aligned to the size, ordered by end, counts per window")
    func tumbling() throws {
        var m = try Self.manager([WindowSpec(name: "10s", size: 10_000)])
        var b = builder()
        m.ingest(b.batch(Self.rows((0..<30).map { Int64($0) * 1000 + 500 })))
        let closed = m.closeAll()
        #expect(closed.map(\.result.key.start.milliseconds) == [Self.base, Self.base + 10_000, Self.base + 20_000])
        #expect(closed.map(\.result.key.end.milliseconds) == [Self.base + 10_000, Self.base + 20_000, Self.base + 30_000])
        #expect(closed.map(\.result.eventCount) == [10, 10, 10])
        #expect(closed.allSatisfy { $0.result.key.window == "10s" && $0.result.key.model == "fraud" && $0.result.key.version == "3" })
        #expect(closed.allSatisfy { $0.result.profileID == 7 && $0.result.profileName == "ref" })
        // The first window's n0 values are 0.5 … 9.5: mean 5, min 0.5, max 9.5; n2 is all missing.
        let s = closed[0].result.samples
        func v(_ metric: String, _ feature: String?) -> Double? { s.first { $0.metric == metric && $0.labels[LabelName.feature] == feature }?.value }
        #expect(v(SeriesName.mean, "n0") == 5)
        #expect(v(SeriesName.min, "n0") == 0.5 && v(SeriesName.max, "n0") == 9.5)
        #expect(v(SeriesName.missingRate, "n2") == 1)
        #expect(v(SeriesName.mean, "n2") == nil && v(SeriesName.psi, "n2") == nil, "undefined statistics are skipped, not NaN")
        #expect(v(SeriesName.drift, "n2") == 0)
        #expect(v(SeriesName.missingRate, "c1") == 1 && v(SeriesName.chi2Statistic, "c1") == nil)
        #expect(v(SeriesName.count, nil) == 10)
        #expect(s.allSatisfy { $0.labels[LabelName.window] == "10s" && $0.labels[LabelName.model] == "fraud" && $0.labels[LabelName.version] == "3" })
        #expect(m.counters["fraud"]?.windowsClosed == 3 && m.counters["fraud"]?.accepted == 30)
        #expect(m.openPaneCount == 0)
        // Histograms over the reference's bins, in the profile's order: n0's 10 values fall in
        // its bins; n1 is constant 1, n2 all missing; c0 is all "DE" (a reference category or
        // not: 10 in all), c1 all missing.
        let h = Dictionary(closed[0].result.histograms.map { ($0.feature, $0) }, uniquingKeysWith: { a, _ in a })
        let profile = Self.profile
        #expect(h["n0"].map { ($0.counts.count, $0.counts.reduce(0, +), $0.missing) } ?? (0, 0, 0) == (profile.numerical[0].binCounts.count, 10, 0))
        #expect(h["n2"]?.counts.reduce(0, +) == 0 && h["n2"]?.missing == 10)
        #expect(h["c0"].map { ($0.counts.count, $0.counts.reduce(0, +)) } ?? (0, 0) == (profile.categorical[0].categories.count + 1, 10))
        #expect(h["c0"]?.counts[profile.categorical[0].categories.firstIndex(of: "DE") ?? profile.categorical[0].categories.count] == 10)
        #expect(h["c1"]?.missing == 10)
    }

    /// Steps through events one at a time and checks the watermark, the late counter and what
    /// closes (10 s windows, 2 s allowed lateness).
    @Test("watermark = max event time − lateness; late iff the pane ended at or before it")
    func lateness() throws {
        var m = try Self.manager([WindowSpec(name: "10s", size: 10_000)], lateness: 2000)
        var b = builder()
        // (offset, watermark after, late so far, windows closed by closeReady)
        let steps: [(Int64, Int64, Int, [Int64])] = [
            (1000, -1000, 0, []),  // intent: first event, nothing can close
            (5000, 3000, 0, []),
            (12_000, 10_000, 0, [0]),  // intent: watermark reaches 10 s: [0, 10 s) closes
            (9000, 10_000, 1, []),  // intent: pane [0, 10 s) ended at 10 s ≤ watermark: late
            (11_000, 10_000, 1, []),  // intent: out of order but its pane is open: accepted
            (10_000, 10_000, 1, []),  // intent: exactly at the boundary: belongs to [10, 20), open
            (21_999, 19_999, 1, []),  // intent: watermark 1 ms short of 20 s: [10, 20) stays open
            (19_999, 19_999, 1, []),  // intent: still in time
            (22_000, 20_000, 1, [10_000]),  // intent: watermark reaches 20 s exactly: closes
            (15_000, 20_000, 2, []),  // intent: late
        ]
        var closedCounts: [Int] = []
        for (offset, wm, late, closes) in steps {
            m.ingest(b.batch(Self.rows([offset])))
            #expect(m.watermark?.milliseconds == Self.base + wm, "after \(offset)")
            #expect(m.counters["fraud"]?.late["10s"] ?? 0 == late, "after \(offset)")
            let closed = m.closeReady()
            #expect(closed.map { $0.result.key.start.milliseconds - Self.base } == closes, "after \(offset)")
            closedCounts += closed.map(\.result.eventCount)
        }
        #expect(closedCounts == [2, 4])  // [0, 10 s): 1, 5 s; [10, 20 s): 12, 11, 10, 19.999 s
        let rest = m.closeAll()
        #expect(rest.map { $0.result.key.start.milliseconds - Self.base } == [20_000])
        #expect(rest.map(\.result.eventCount) == [2])
        #expect(m.counters["fraud"]?.accepted == 8)
        // After closeAll everything is late.
        m.ingest(b.batch(Self.rows([100_000])))
        #expect(m.counters["fraud"]?.late["10s"] == 3)
    }

    @Test("events without a timestamp, or beyond ±2^61 ms, are counted and dropped")
    func noTimestamp() throws {
        var m = try Self.manager([WindowSpec(name: "10s", size: 10_000)])
        var b = builder()
        var batch = b.batch(Self.rows([nil, 1000, nil, 2000]))
        batch.timestamps.append(Int64.max - 1)
        batch.count += 1
        for j in batch.numerical.indices { batch.numerical[j].append(1) }
        for j in batch.categorical.indices { batch.categorical[j].append(CategoryDictionary.missingCode) }
        batch.scores.append(.nan)
        batch.values.append(.nan)
        batch.predictedLabels.append(CategoryDictionary.missingCode)
        batch.models.append(batch.models[0])
        batch.versions.append(batch.versions[0])
        let summary = m.ingest(batch)
        #expect(summary.noTimestamp == 3 && summary.accepted == 2)
        #expect(m.counters["fraud"]?.noTimestamp == 3)
        #expect(m.watermark?.milliseconds == Self.base + 2000)
        #expect(m.closeAll().map(\.result.eventCount) == [2])
    }

    @Test("before the epoch, windows still align to multiples of the slide (floor, not truncation)")
    func negativeTimes() throws {
        var m = try WindowManager(
            specs: [WindowSpec(name: "1s", size: 1000)], allowedLateness: 0, settings: DriftSettings(),
            resolver: .constant(ResolvedProfile(profile: Self.profile, id: 7, name: "ref")))
        var b = builder()
        m.ingest(b.batch([-1500, -1000, -1, 0].map {
            BatchBuilder.Row(time: $0, numerical: [1, 2, 3], categorical: ["DE", "FR"])
        }))
        let closed = m.closeAll()
        #expect(closed.map(\.result.key.start.milliseconds) == [-2000, -1000, 0])
        #expect(closed.map(\.result.eventCount) == [1, 2, 1])
    }

    @Test("sliding windows are unions of panes; configurations with the same slide share panes")
    func sliding() throws {
        var m = try Self.manager([WindowSpec(name: "30s", size: 30_000, slide: 10_000), WindowSpec(name: "10s", size: 10_000)])
        var b = builder()
        m.ingest(b.batch(Self.rows((0..<60).map { Int64($0) * 1000 })))
        #expect(m.openPaneCount == 6)
        let closed = m.closeAll()
        let sliding = closed.filter { $0.result.key.window == "30s" }
        // Windows [k·10 s, k·10 s + 30 s) for k = −2 … 5; each counts the events inside.
        #expect(sliding.map { $0.result.key.start.milliseconds - Self.base } == (-2...5).map { Int64($0) * 10_000 })
        #expect(sliding.map(\.result.eventCount) == [10, 20, 30, 30, 30, 30, 20, 10])
        #expect(closed.filter { $0.result.key.window == "10s" }.map(\.result.eventCount) == [10, 10, 10, 10, 10, 10])
        // Ordered by end, then start, then name.
        let keys = closed.map(\.result.key)
        #expect(keys == keys.sorted())
        // The sliding window [0, 30 s) equals a tumbling 30 s window over the same events.
        var t = try Self.manager([WindowSpec(name: "30s", size: 30_000)])
        var b2 = builder()
        t.ingest(b2.batch(Self.rows((0..<60).map { Int64($0) * 1000 })))
        let tumbling = t.closeAll()
        expectSameWindows([tumbling[0]], [sliding[2]])
    }

    @Test("a sliding window's exact budget is shared by its panes: exact up to exactLimit in all")
    func slidingExactBudget() throws {
        var settings = DriftSettings()
        settings.exactLimit = 2400  // above the reference's ~1960 values, so the reference is exact too
        var m = try Self.manager([WindowSpec(name: "40s", size: 40_000, slide: 10_000)], settings: settings)
        var b = builder()
        // Panes [0, 10 s) … [30 s, 40 s) get 600 events each (600 = 2400 / 4 panes); [40 s, 50 s) gets 601.
        var offsets: [Int64] = []
        for k in 0..<4 { for i in 0..<600 { offsets.append(Int64(k) * 10_000 + Int64(i) * 16) } }
        for i in 0..<601 { offsets.append(40_000 + Int64(i) * 16) }
        m.ingest(b.batch(Self.rows(offsets)))
        let closed = m.closeAll().filter { $0.result.key.start.milliseconds - Self.base >= 0 }
        let methods = closed.map { w in w.features.first { $0.name == "n0" }!.method }
        // [0, 40 s): 2400 events in exact panes → exact; the windows holding the 601-event pane → sketch.
        #expect(closed.map(\.result.eventCount) == [2400, 2401, 1801, 1201, 601])
        #expect(methods == ["exact", "sketch", "sketch", "sketch", "sketch"])
    }

    @Test("windows are per model and version; a missing model or version is \"\"")
    func perModel() throws {
        var m = try Self.manager([WindowSpec(name: "10s", size: 10_000)])
        var b = builder()
        m.ingest(b.batch(Self.rows([1000, 2000], model: "fraud", version: "3") + Self.rows([1500], model: "churn", version: "1")
            + Self.rows([1200], model: nil, version: nil) + Self.rows([3000], model: "fraud", version: "4")))
        let closed = m.closeAll()
        #expect(closed.map { "\($0.result.key.model)/\($0.result.key.version)=\($0.result.eventCount)" } == ["/=1", "churn/1=1", "fraud/3=2", "fraud/4=1"])
        #expect(closed[0].result.samples.allSatisfy { $0.labels[LabelName.model] == nil })
        #expect(m.counters["fraud"]?.accepted == 3 && m.counters(model: "fraud", version: "4").accepted == 1)
    }

    @Test("a model without a profile is counted as unprofiled and dropped")
    func unprofiled() throws {
        let p = ResolvedProfile(profile: Self.profile, id: 1, name: "fraud")
        var m = try WindowManager(
            specs: [WindowSpec(name: "10s", size: 10_000)], allowedLateness: 0, settings: DriftSettings(),
            resolver: ProfileResolver(inForce: { model, _ in model == "fraud" ? p : nil }))
        var b = builder()
        m.ingest(b.batch(Self.rows([1000]) + Self.rows([1000, 2000], model: "churn")))
        #expect(m.counters["churn"]?.unprofiled == 2 && m.counters["fraud"]?.accepted == 1)
        #expect(m.closeAll().map(\.result.key.model) == ["fraud"])
    }

    @Test("refreshProfiles: open panes keep their profile, new panes use the new one")
    func refresh() throws {
        let box = ProfileBox(ResolvedProfile(profile: Self.profile, id: 1, name: "v1"))
        var m = try WindowManager(
            specs: [WindowSpec(name: "10s", size: 10_000)], allowedLateness: 0, settings: DriftSettings(),
            resolver: ProfileResolver(inForce: { _, _ in box.value }))
        var b = builder()
        m.ingest(b.batch(Self.rows([1000])))
        box.value = ResolvedProfile(profile: referenceProfile(seed: 8), id: 2, name: "v2")
        m.refreshProfiles()
        m.ingest(b.batch(Self.rows([2000, 11_000])))
        #expect(m.closeAll().map(\.result.profileName) == ["v1", "v2"])
    }

    static let invalidConfigurations: [([WindowSpec], Int64)] = [
        ([WindowSpec(name: "a", size: 10_000, slide: 3000)], 0),  // intent: size not a multiple of slide
        ([WindowSpec(name: "a", size: 0)], 0),  // intent: empty window
        ([WindowSpec(name: "a", size: 1000), WindowSpec(name: "a", size: 2000)], 0),  // intent: duplicate name
        ([WindowSpec(name: "a", size: 1000)], -1),  // intent: negative lateness
        ([], 0),  // intent: nothing to do
    ]

    @Test("invalid configurations are rejected", arguments: invalidConfigurations.indices)
    func invalid(row: Int) {
        let (specs, lateness) = Self.invalidConfigurations[row]
        #expect(throws: WindowingError.self) { try Self.manager(specs, lateness: lateness) }
    }

    /// Random out-of-order streams over several models, cut into batches at random points, with
    /// windows closed after each batch: the same windows and counters as one batch closed at the end.
    @Test("results and counters depend on event order only, not on batch boundaries", arguments: [1, 2, 3, 4] as [UInt64])
    func batchBoundaries(seed: UInt64) throws {
        let specs = [WindowSpec(name: "1m", size: 60_000), WindowSpec(name: "3m", size: 180_000, slide: 60_000), WindowSpec(name: "30s", size: 30_000)]
        var settings = DriftSettings()
        settings.exactLimit = seed.isMultiple(of: 2) ? 40 : 1_000_000  // sketch mode in half the runs
        var b = builder()
        var rows = generateRows(3000, step: 100, jitter: 20_000, newCategories: true, models: ["a", "b"], seed: seed)
        for i in stride(from: 0, to: rows.count, by: 97) { rows[i].time = .min }
        let batch = b.batch(rows)
        var whole = try Self.manager(specs, lateness: 5000, settings: settings)
        whole.ingest(batch)
        let expectedWindows = whole.closeAll()
        var rng = TestRNG(seed: seed)
        let cuts = (0..<8).map { _ in rng.below(batch.count) }.sorted()
        var cut = try Self.manager(specs, lateness: 5000, settings: settings)
        var got: [ClosedWindow] = []
        var from = 0
        for c in cuts + [batch.count] {
            cut.ingest(batch, rows: from..<c)
            got += cut.closeReady()
            from = c
        }
        got += cut.closeAll()
        expectSameWindows(got, expectedWindows)
        #expect(cut.counters == whole.counters)
        #expect((whole.counters["a"]?.late.values.reduce(0, +) ?? 0) > 0, "the jitter makes some events late (a test that can fail)")
    }
}

/// A mutable profile for resolver tests.
final class ProfileBox: @unchecked Sendable {
    var value: ResolvedProfile
    init(_ v: ResolvedProfile) { value = v }
}
