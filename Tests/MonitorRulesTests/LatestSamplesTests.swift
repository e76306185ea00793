import MonitorCore
import Testing

@testable import MonitorRules

@Suite("LatestSamples")
struct LatestSamplesTests {
    static let l: Labels = ["feature": "amount"]

    static func sample(_ v: Double, at t: Int64, labels: Labels = l, metric: String = "psi") -> Sample {
        Sample(metric: metric, labels: labels, value: v, timestamp: ts(t))
    }

    @Test(arguments: [
        // Intent: visible from its own timestamp ...
        (Int64(1000), true),
        // ... not before it (a sample from the future) ...
        (Int64(999), false),
        // ... until just before timestamp + validFor ...
        (Int64(1000 + hour - 1), true),
        // ... and not at timestamp + validFor (the next window's close).
        (Int64(1000 + hour), false),
    ])
    func visibility(at t: Int64, visible: Bool) {
        var s = LatestSamples()
        s.add([LatestSamplesTests.sample(0.3, at: 1000)], validFor: hour)
        #expect(s.samples(metric: "psi", at: ts(t)).count == (visible ? 1 : 0))
    }

    @Test func keepsTheLatestSamplePerSeries() {
        var s = LatestSamples()
        s.add([LatestSamplesTests.sample(0.1, at: 0), LatestSamplesTests.sample(0.2, at: hour)], validFor: hour)
        // An older sample arriving late does not replace a newer one.
        s.add([LatestSamplesTests.sample(0.9, at: 0)], validFor: hour)
        #expect(s.samples(metric: "psi", at: ts(hour)).map(\.value) == [0.2])
        #expect(s.seriesCount == 1)
    }

    @Test func seriesAreSeparateByLabelsAndMetric() {
        var s = LatestSamples()
        s.add([LatestSamplesTests.sample(0.1, at: 0), LatestSamplesTests.sample(0.2, at: 0, labels: ["feature": "age"]),
               LatestSamplesTests.sample(0.3, at: 0, metric: "ks_pvalue")], validFor: hour)
        #expect(s.samples(metric: "psi", at: ts(0)).map(\.value) == [0.1, 0.2])
        #expect(s.metricNames(at: ts(0)) == ["psi", "ks_pvalue"])
        #expect(s.all(at: ts(0)).map(\.value) == [0.3, 0.2, 0.1])
        #expect(s.all(at: ts(hour)).isEmpty)
    }

    @Test func removeExpiredDropsStaleSeriesOnly() {
        var s = LatestSamples()
        s.add([LatestSamplesTests.sample(0.1, at: 0)], validFor: hour)
        s.add([LatestSamplesTests.sample(0.2, at: hour, labels: ["feature": "age"])], validFor: hour)
        s.removeExpired(at: ts(hour))
        #expect(s.seriesCount == 1)
        #expect(s.samples(metric: "psi", at: ts(hour)).map(\.value) == [0.2])
    }
}
