import MonitorCore
import MonitorWindowing
import Testing

/// Bit patterns of every statistic `FeatureComparator` produced on seeded data *before* the
/// kernels were shared with the streaming windows (commit "Windowing: share compare's kernels").
/// The refactor must not change a single bit of `monitor compare`'s output.
@Suite("FeatureComparator golden values (bit-exact across the kernel refactor)")
struct ComparatorGoldenTests {
    static func digest(_ r: FeatureDriftResult) -> String {
        func h(_ x: Double?) -> String { x.map { String($0.bitPattern, radix: 16) } ?? "nil" }
        var parts = [r.method, r.test.rawValue, "\(r.referenceCount)", "\(r.currentCount)", h(r.missingRate)]
        parts += [r.psi, r.ksStatistic, r.ksPValue, r.ksStatisticErrorBound, r.wasserstein, r.wassersteinNormed, r.jsDistance,
                  r.chi2Statistic, r.chi2PValue, r.outOfRangeRate, r.newCategoryRate, r.referenceMean, r.currentMean,
                  r.referenceStddev, r.currentStddev].map(h)
        parts.append(r.ksMethod ?? "nil")
        parts.append((r.psiContributions ?? []).map { String($0.bitPattern, radix: 16) }.joined(separator: ","))
        return parts.joined(separator: " ")
    }

    static func cases() -> [(String, FeatureDriftResult)] {
        var out: [(String, FeatureDriftResult)] = []
        var ref = normalSample(3000, seed: 11)
        var cur = normalSample(2000, mean: 0.2, sd: 1.3, seed: 12)
        for i in stride(from: 0, to: ref.count, by: 97) { ref[i] = .nan }
        for i in stride(from: 0, to: cur.count, by: 31) { cur[i] = .nan }
        let exact = ref.withUnsafeBufferPointer { a in cur.withUnsafeBufferPointer { b in
            FeatureComparator.compareNumerical(name: "x", reference: a, current: b, settings: DriftSettings()) } }
        out.append(("numerical exact", exact))
        var small = DriftSettings()
        small.exactLimit = 1000
        let sketch = ref.withUnsafeBufferPointer { a in cur.withUnsafeBufferPointer { b in
            FeatureComparator.compareNumerical(name: "x", reference: a, current: b, settings: small) } }
        out.append(("numerical sketch", sketch))
        let big = normalSample(20_000, seed: 13)
        let big2 = normalSample(15_000, mean: 0.05, seed: 14)
        let large = big.withUnsafeBufferPointer { a in big2.withUnsafeBufferPointer { b in
            FeatureComparator.compareNumerical(name: "y", reference: a, current: b, settings: DriftSettings()) } }
        out.append(("numerical exact, asymptotic p", large))
        var dict = CategoryDictionary(frozen: ["a", "b", "c", "d"])
        let e = dict.code(for: "e")
        let f = dict.code(for: "f")
        var rc: [UInt32] = []
        var cc: [UInt32] = []
        for i in 0..<3000 { rc.append(i % 11 == 0 ? CategoryDictionary.missingCode : UInt32((i * 7) % 4)) }
        for i in 0..<2500 {
            let k = (i * 13) % 9
            cc.append(k < 4 ? UInt32(k) : k == 4 ? e : k == 5 ? f : k == 6 ? CategoryDictionary.overflowCode : k == 7 ? 0 : CategoryDictionary.missingCode)
        }
        let cat = rc.withUnsafeBufferPointer { a in cc.withUnsafeBufferPointer { b in
            FeatureComparator.compareCategorical(name: "c", reference: a, current: b, dictionary: dict, settings: DriftSettings()) } }
        out.append(("categorical", cat))
        return out
    }

    static let golden: [String: String] = [
        "numerical exact": "exact wasserstein_normed 2969 1935 3fa0a3d70a3d70a4 3fb88f47411f7a50 3fbc630a129349f3 3d62aa518c39c83f 0 3fd063b312126411 3fd018759edc92eb 3fc0b7de6a115a96 nil nil 3f8c93a581c93a58 nil bf9ff3f8eaec5a8c 3fc4907cae61bf8b 3ff04acb1cb6e00a 3ff49f30128e41ab exact 3f56ad45d4028150,3edb8b73352cf9cc,3f559177d51ea380,3f6b0fd3c0e99676,3f8ac81e75cb579b,3f74a4b2e7f13afb,3f7223691b13a5ea,3f57aeb53593defb,3f363a77a59c696f,3fb0cae4a3412f6e",
        "numerical sketch": "sketch wasserstein_normed 2969 1935 3fa0a3d70a3d70a4 3fb88a876aa7b48f 3fbd4d160aa3fc78 3e5a3df54992acc3 3f9b3a482428809a 3fd0b3e6b5846969 3fd06739127ab7aa 3fc0b5e97dd74e8b nil nil 3f8c93a581c93a58 nil bf9ff3f8eaec5aa6 3fc4907cae61bf8c 3ff04acb1cb6e00a 3ff49f30128e41aa sketch 3f55d842321de515,3f1236777b290035,3f4fdb5e188a6f9d,3f6b717569aae3c8,3f8a2f7a675739ee,3f7250ee00f29d9d,3f72a2cc7b6fb161,3f5d81e91e032c4f,3f38d05de6dc0c25,3fb0ef53657211d2",
        "numerical exact, asymptotic p": "exact wasserstein_normed 20000 15000 0 3f745fa40a980293 3f9fdd0c26c684f0 3e80398a326abe01 0 3fafcda1a808b579 3fafeb9614913345 3f9ea9e78f3364d4 nil nil 0 nil bf70db942ad1a35d 3fada90f9f42128e 3fefe1f86b54c7b9 3ff00455da5a8c40 asymptotic 3f4d87509f58a60e,3f385495032b111d,3f50caf4595e7126,3f26de6e59b99556,3f04c3ba2f9007c3,3f3f09ddc7041707,3f14d865eb8b6818,3f26a613bab02dc2,3f442cc49e75ad92,3f525dc00ccc362b",
        "categorical": "exact js_distance 2727 2222 3fbc779a6b50b0f2 400773ae953220c4 nil nil nil nil nil 3fdeeced850cb04e 40949b9e335ef6c4 59456a559b854ca nil 3fd7fe2817f6c878 nil nil nil nil nil 3eb0c841eccd468e,3fb65affd8eab3aa,3fb628f3002f498f,3fb628f3002f498f,3fec87b1506b21f4,3fec69b8dfc0d8b5,3fec87b1506b21f4",
    ]

    @Test("every field, bit for bit")
    func bitExact() {
        for (name, r) in Self.cases() {
            let d = Self.digest(r)
            #expect(Self.golden[name] == d, "\(name): \(d)")
        }
    }
}
