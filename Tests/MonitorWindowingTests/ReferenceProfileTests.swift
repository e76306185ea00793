import MonitorCore
import MonitorStats
import MonitorWindowing
import Testing

@Suite("Reference profiles")
struct ReferenceProfileTests {
    @Test("a small reference, by hand: edges, bin counts, range, moments, categories, prediction")
    func smallExact() throws {
        var b = BatchBuilder(numerical: ["x", "empty"], categorical: ["c"])
        let xs: [Double] = [5, 1, 4, .nan, 2, 3, 10, 6, 7, 9, 8]
        let batch = b.batch(xs.enumerated().map { i, x in
            BatchBuilder.Row(time: 0, numerical: [x, .nan], categorical: [i % 3 == 0 ? nil : (i % 3 == 1 ? "a" : "b")],
                             score: i == 0 ? .nan : 0.5, label: i == 4 ? nil : "ok")
        })
        let features = [FeatureSpec(name: "x", kind: .numerical), FeatureSpec(name: "empty", kind: .numerical),
                        FeatureSpec(name: "c", kind: .categorical), FeatureSpec(name: "absent", kind: .categorical)]
        let p = ReferenceProfile(reference: batch, features: features, settings: DriftSettings(), fingerprint: "sha256:abc")
        #expect(p.rowCount == 11 && p.fingerprint == "sha256:abc" && p.bins == 10)
        let x = p.numerical[0]
        #expect(x.count == 10 && x.rows == 11 && x.isExact)
        #expect(x.sortedSample == (1...10).map(Double.init))
        // numpy: np.unique(np.quantile(range(1, 11), np.linspace(0.1, 0.9, 9))) = 1.9, 2.8, …, 9.1
        #expect(x.edges == (try BinEdges(sortedReference: (1...10).map(Double.init))))
        #expect(x.binCounts == [1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(x.minimum == 1 && x.maximum == 10 && x.mean == 5.5 && x.standardDeviation == (8.25).squareRoot())
        #expect(x.sketch.count == 10)
        let empty = p.numerical[1]
        #expect(empty.count == 0 && empty.edges == nil && empty.binCounts.isEmpty)
        #expect(p.categorical[0].categories == ["a", "b"] && p.categorical[0].counts == [4, 3] && p.categorical[0].missing == 4)
        #expect(p.categorical[1].count == 0 && p.categorical[1].missing == 11, "a feature the batch lacks is all missing")
        #expect(p.predictionScore?.count == 10 && p.predictionScore?.name == ReferenceProfile.predictionScoreName)
        #expect(p.predictedLabel?.counts == [10] && p.predictedLabel?.missing == 1)
        // Round trip.
        let bytes = p.encode()
        let q = try ReferenceProfile.decode(bytes)
        #expect(q.encode() == bytes)
        #expect(q.numerical[0].sortedSample == x.sortedSample && q.numerical[0].edges == x.edges)
    }

    @Test("beyond the exact limit the profile keeps a sketch; edges come from its quantiles, as in compare")
    func sketchProfile() throws {
        var settings = DriftSettings()
        settings.exactLimit = 500
        let p = referenceProfile(rows: 3000, settings: settings)
        let f = p.numerical[0]
        #expect(!f.isExact && f.sortedSample.isEmpty && f.count > 2900)
        #expect(f.binCounts.reduce(0, +) == f.count)
        let q = try ReferenceProfile.decode(p.encode())
        #expect(q.encode() == p.encode())
    }

    @Test("profiles without prediction columns have neither score nor label")
    func noPrediction() {
        var b = builder()
        let batch = b.batch(generateRows(10, seed: 1).map { r in var r = r; r.score = .nan; r.label = nil; return r })
        let p = ReferenceProfile(reference: batch, features: featureSpecs(), settings: DriftSettings(), fingerprint: "")
        #expect(p.predictionScore == nil && p.predictedLabel == nil)
    }

    @Test("every truncation and every flipped byte is rejected with an error, never a trap")
    func corruption() throws {
        let bytes = referenceProfile(rows: 40).encode()
        for n in 0..<bytes.count {
            #expect(throws: WindowingError.self) { try ReferenceProfile.decode(Array(bytes.prefix(n))) }
        }
        var rng = TestRNG(seed: 1)
        for _ in 0..<500 {
            var damaged = bytes
            damaged[rng.below(bytes.count)] ^= UInt8(1 << rng.below(8))
            #expect(throws: WindowingError.self) { try ReferenceProfile.decode(damaged) }
        }
        var future = bytes
        future[4] = 2
        #expect(throws: WindowingError.unsupportedVersion("")) { try ReferenceProfile.decode(future) }
        #expect(throws: WindowingError.self) { try ReferenceProfile.decode(bytes + [0]) }
    }
}
