import MonitorCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Generates realistic prediction and label logs for a fraud-scoring model (DESIGN §3 format).
///
/// Features mirror what a payments fleet logs, with the distribution shapes drift detection must
/// cope with: lognormal amounts, normal balances, integer ages and counts with many ties, a
/// bimodal session length, and Zipf-distributed categories with 5–50 levels. Scores come from a
/// logistic model of the features; labels arrive after a lognormal delay (median one day) and
/// some never arrive. The output is a pure function of the spec (and so of the seed).
public struct Simulator: Sendable {
    /// How one feature is generated.
    enum Shape: Sendable {
        case normal(mean: Double, sd: Double, decimals: Int)
        case lognormal(mu: Double, sigma: Double, decimals: Int)
        case bimodal(weight2: Double, m1: Double, s1: Double, m2: Double, s2: Double, decimals: Int)
        case poisson(lambda: Double)
        case integerNormal(mean: Double, sd: Double, min: Double, max: Double)
        case geometric(p: Double)
        case categorical(levels: [String], zipf: Double)
    }

    struct Feature: Sendable {
        var name: String
        var shape: Shape
        /// Share of values that are null even without drift.
        var baseMissing: Double = 0
        var isNumerical: Bool {
            if case .categorical = shape { return false }
            return true
        }
        /// Nominal standard deviation, the unit of a `shift` drift.
        var nominalSD: Double {
            switch shape {
            case .normal(_, let sd, _): return sd
            case .lognormal(let mu, let s, _): return (exp(s * s) - 1).squareRoot() * exp(mu + s * s / 2)
            case .bimodal(let w, let m1, let s1, let m2, let s2, _):
                let mean = (1 - w) * m1 + w * m2
                let v = (1 - w) * (s1 * s1 + m1 * m1) + w * (s2 * s2 + m2 * m2) - mean * mean
                return v.squareRoot()
            case .poisson(let l): return l.squareRoot()
            case .integerNormal(_, let sd, _, _): return sd
            case .geometric(let p): return (1 - p).squareRoot() / p
            case .categorical: return 0
            }
        }
    }

    static let countries = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "CA", "BR", "IN",
                            "PL", "SE", "MX", "JP", "AU", "TR", "NG", "PH", "RO", "ZA"]
    static let features: [Feature] = [
        Feature(name: "amount", shape: .lognormal(mu: 3.5, sigma: 1.0, decimals: 2)),
        Feature(name: "balance", shape: .normal(mean: 2500, sd: 800, decimals: 2)),
        Feature(name: "age", shape: .integerNormal(mean: 41, sd: 12, min: 18, max: 95)),
        Feature(name: "txn_count_24h", shape: .poisson(lambda: 3)),
        Feature(name: "account_age_days", shape: .geometric(p: 0.004)),
        Feature(name: "session_seconds", shape: .bimodal(weight2: 0.3, m1: 45, s1: 12, m2: 300, s2: 60, decimals: 1)),
        Feature(name: "distance_km", shape: .lognormal(mu: 1.5, sigma: 1.2, decimals: 3)),
        Feature(name: "credit_utilization", shape: .normal(mean: 0.35, sd: 0.12, decimals: 4), baseMissing: 0.01),
        Feature(name: "country", shape: .categorical(levels: countries, zipf: 1.1)),
        Feature(name: "device", shape: .categorical(levels: ["ios", "android", "web", "pos", "other"], zipf: 1.0),
                baseMissing: 0.005),
        Feature(name: "channel", shape: .categorical(levels: ["app", "web", "pos", "phone", "api", "partner", "kiosk", "mail"], zipf: 1.2)),
        Feature(name: "merchant_category", shape: .categorical(levels: (0..<50).map { "mcc_\(5000 + $0 * 7)" }, zipf: 0.9)),
    ]

    /// The names of the simulated features, numerical first.
    public static var featureNames: [String] { features.map(\.name) }
    /// The names of the numerical features.
    public static var numericalFeatureNames: [String] { features.filter(\.isNumerical).map(\.name) }

    public let spec: SimulationSpec

    /// Validates the spec against the simulated schema.
    /// - Throws: `SimulationError` listing every problem.
    public init(spec: SimulationSpec) throws(SimulationError) {
        var problems: [String] = []
        if spec.rows < 0 || spec.referenceRows < 0 { problems.append("row counts must be ≥ 0") }
        if spec.durationMilliseconds <= 0 { problems.append("duration must be > 0") }
        if !(0...1).contains(spec.degradation) { problems.append("degradation is a share in [0, 1]") }
        for d in spec.drifts {
            guard let f = Self.features.first(where: { $0.name == d.feature }) else {
                problems.append("drift on unknown feature '\(d.feature)' (features: \(Self.featureNames.joined(separator: ", ")))")
                continue
            }
            switch d.kind {
            case .shift, .scale:
                if !f.isNumerical { problems.append("'\(d)': shift and scale apply to numerical features; '\(f.name)' is categorical") }
            case .newCategory:
                if f.isNumerical { problems.append("'\(d)': new-category applies to categorical features; '\(f.name)' is numerical") }
            case .missing: break
            }
        }
        if !problems.isEmpty { throw SimulationError(problems: problems) }
        self.spec = spec
    }

    /// What one call produced.
    public struct Output: Sendable {
        public var referenceLines: Int
        public var predictionLines: Int
        public var labelLines: Int
        /// Labels of the reference records (`reference-labels.jsonl`, for `monitor baseline --labels`).
        public var referenceLabelLines = 0
        /// Labels flipped by the degradation.
        public var flippedLabels = 0
    }

    /// One label record to write.
    typealias LabelRecord = (arrival: Int64, id: String, label: Bool)

    static func writeLabels(_ labels: [LabelRecord], file: String, write: (String, [UInt8]) throws -> Void) throws {
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 20)
        for l in labels {
            buf.append(contentsOf: #"{"id":""#.utf8)
            buf.append(contentsOf: l.id.utf8)
            buf.append(contentsOf: #"","ts":""#.utf8)
            buf.append(contentsOf: Timestamp(milliseconds: l.arrival).rfc3339.utf8)
            buf.append(contentsOf: #"","label":""#.utf8)
            buf.append(contentsOf: (l.label ? "fraud" : "legit").utf8)
            buf.append(contentsOf: "\"}\n".utf8)
            if buf.count > 1 << 20 {
                try write(file, buf)
                buf.removeAll(keepingCapacity: true)
            }
        }
        try write(file, buf)
    }

    /// Writes `reference.jsonl`, `reference-labels.jsonl`, `predictions.jsonl` and
    /// `labels.jsonl` through `write` (called with the file name and successive chunks of
    /// bytes), deterministically.
    ///
    /// The reference's labels are known at once (training data: each label's time is its
    /// record's). The degradation draws from its own generator, so the records are byte-identical
    /// with and without it; only labels change.
    public func generate(write: (String, [UInt8]) throws -> Void) throws -> Output {
        let refStart = Timestamp(milliseconds: spec.start.milliseconds - spec.durationMilliseconds)
        var rngRef = Xoshiro256(seed: spec.seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        var referenceLabels: [LabelRecord] = []
        referenceLabels.reserveCapacity(spec.referenceRows)
        var noFlips = Xoshiro256(seed: 0)
        _ = try emit(file: "reference.jsonl", rows: spec.referenceRows, start: refStart, driftFrom: nil,
                     rng: &rngRef, idPrefix: "r", labels: nil, referenceLabels: &referenceLabels, degradation: nil,
                     flips: &noFlips, write: write)
        try Self.writeLabels(referenceLabels, file: "reference-labels.jsonl", write: write)
        var rngCur = Xoshiro256(seed: spec.seed &* 0x9E37_79B9_7F4A_7C15 &+ 2)
        var flips = Xoshiro256(seed: spec.seed &* 0x9E37_79B9_7F4A_7C15 &+ 3)
        var labels: [LabelRecord] = []
        labels.reserveCapacity(spec.rows)
        let degradation = spec.degradation > 0 ? (spec.degradationStart ?? spec.driftStart ?? spec.start) : nil
        let flipped = try emit(file: "predictions.jsonl", rows: spec.rows, start: spec.start,
                               driftFrom: spec.driftStart ?? spec.start, rng: &rngCur, idPrefix: "p", labels: &labels,
                               referenceLabels: nil, degradation: degradation, flips: &flips, write: write)
        labels.sort { $0.arrival < $1.arrival || ($0.arrival == $1.arrival && $0.id < $1.id) }
        try Self.writeLabels(labels, file: "labels.jsonl", write: write)
        return Output(referenceLines: spec.referenceRows, predictionLines: spec.rows, labelLines: labels.count,
                      referenceLabelLines: referenceLabels.count, flippedLabels: flipped)
    }

    private func cdf(_ levels: Int, _ s: Double) -> [Double] {
        var w = (1...levels).map { 1 / pow(Double($0), s) }
        let total = w.reduce(0, +)
        var acc = 0.0
        for i in w.indices {
            acc += w[i] / total
            w[i] = acc
        }
        w[levels - 1] = 1
        return w
    }

    private func emit(
        file: String, rows: Int, start: Timestamp, driftFrom: Timestamp?, rng: inout Xoshiro256, idPrefix: String,
        labels: UnsafeMutablePointer<[LabelRecord]>?, referenceLabels: UnsafeMutablePointer<[LabelRecord]>?,
        degradation: Timestamp?, flips: inout Xoshiro256, write: (String, [UInt8]) throws -> Void
    ) throws -> Int {
        var flipped = 0
        let features = Self.features
        let cdfs: [[Double]] = features.map {
            if case .categorical(let lv, let s) = $0.shape { return cdf(lv.count, s) }
            return []
        }
        var driftsByFeature: [[SimulatedDrift.Kind]] = features.map { f in
            spec.drifts.filter { $0.feature == f.name }.map(\.kind)
        }
        if driftFrom == nil { driftsByFeature = features.map { _ in [] } }
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 21)
        let step = Double(spec.durationMilliseconds) / Double(max(rows, 1))
        var values = [Double](repeating: 0, count: features.count)
        var cats = [String?](repeating: nil, count: features.count)
        for i in 0..<rows {
            // Sorted arrivals with ±250 ms of per-host jitter, so logs are slightly out of order.
            var tsMs = start.milliseconds + Int64((Double(i) + rng.uniform()) * step) + Int64(rng.uniform() * 500) - 250
            tsMs = min(max(tsMs, start.milliseconds), start.milliseconds + spec.durationMilliseconds - 1)
            let drifted = driftFrom.map { tsMs >= $0.milliseconds } ?? false
            for (j, f) in features.enumerated() {
                let drifts = drifted ? driftsByFeature[j] : []
                var shift = 0.0
                var scale = 1.0
                var missing = f.baseMissing
                var newCategory = 0.0
                for d in drifts {
                    switch d {
                    case .shift(let s): shift += s
                    case .scale(let s): scale *= s
                    case .missing(let m): missing = max(missing, m)
                    case .newCategory(let c): newCategory += c
                    }
                }
                // Draw first, then decide missingness, so a drift changes nothing else in the stream.
                cats[j] = nil
                switch f.shape {
                case .normal(let m, let sd, let dec):
                    values[j] = round(m + shift * sd + sd * scale * rng.normal(), dec)
                case .lognormal(let mu, let sigma, let dec):
                    values[j] = round(exp(mu + shift * sigma + sigma * scale * rng.normal()), dec)
                case .bimodal(let w, let m1, let s1, let m2, let s2, let dec):
                    let second = rng.uniform() < w
                    let z = rng.normal()
                    let mean = (1 - w) * m1 + w * m2
                    let x = second ? m2 + s2 * z : m1 + s1 * z
                    values[j] = round(mean + (x - mean) * scale + shift * f.nominalSD, dec)
                case .poisson(let l):
                    let x = Double(rng.poisson(l))
                    values[j] = max(0, (l + (x - l) * scale + shift * f.nominalSD).rounded())
                case .integerNormal(let m, let sd, let lo, let hi):
                    values[j] = min(hi, max(lo, (m + shift * sd + sd * scale * rng.normal()).rounded()))
                case .geometric(let p):
                    let u = rng.uniform()
                    let x = (log(1 - u) / log(1 - p)).rounded(.down)
                    let mean = (1 - p) / p
                    values[j] = max(0, (mean + (x - mean) * scale + shift * f.nominalSD).rounded())
                case .categorical(let levels, _):
                    let k = rng.categorical(cdfs[j])
                    let isNew = newCategory > 0 && rng.uniform() < newCategory
                    cats[j] = isNew ? "\(f.name)_new" : levels[k]
                }
                if missing > 0 && rng.uniform() < missing {
                    values[j] = .nan
                    cats[j] = nil
                }
            }
            // Score: a logistic model of the (possibly drifted) features.
            let amountZ = values[0].isNaN ? 0 : (log(max(values[0], 0.01)) - 3.5)
            let txn = values[3].isNaN ? 3 : values[3]
            let acctAge = values[4].isNaN ? 250 : values[4]
            let util = values[7].isNaN ? 0.35 : values[7]
            let risky: Set<String> = ["NG", "PH", "RO", "BR"]
            var z = -2.6 + 0.8 * amountZ + 0.35 * (txn - 3) - 0.002 * (acctAge - 250) + 2.0 * (util - 0.35)
            if let c = cats[8], risky.contains(c) { z += 1.1 }
            if cats[9] == "web" { z += 0.4 }
            let trueProb = 1 / (1 + exp(-z))
            let score = round(1 / (1 + exp(-(z + 0.7 * rng.normal()))), 6)
            var label = rng.uniform() < trueProb
            if let degradation, tsMs >= degradation.milliseconds, flips.uniform() < spec.degradation {
                label.toggle()
                flipped += 1
            }
            let id = idPrefix + "-" + hex(rng.next()) + hex(rng.next() & 0xFFFF_FFFF, width: 8)

            buf.append(contentsOf: #"{"id":""#.utf8)
            buf.append(contentsOf: id.utf8)
            buf.append(contentsOf: #"","ts":""#.utf8)
            buf.append(contentsOf: Timestamp(milliseconds: tsMs).rfc3339.utf8)
            buf.append(contentsOf: #"","model":""#.utf8)
            buf.append(contentsOf: spec.model.utf8)
            buf.append(contentsOf: #"","version":""#.utf8)
            buf.append(contentsOf: spec.version.utf8)
            buf.append(contentsOf: #"","features":{"#.utf8)
            for (j, f) in features.enumerated() {
                if j > 0 { buf.append(UInt8(ascii: ",")) }
                buf.append(UInt8(ascii: "\""))
                buf.append(contentsOf: f.name.utf8)
                buf.append(contentsOf: "\":".utf8)
                if f.isNumerical {
                    if values[j].isNaN {
                        buf.append(contentsOf: "null".utf8)
                    } else if values[j] == values[j].rounded() && abs(values[j]) < 1e15 {
                        buf.append(contentsOf: String(Int64(values[j])).utf8)
                    } else {
                        buf.append(contentsOf: "\(values[j])".utf8)
                    }
                } else if let c = cats[j] {
                    buf.append(UInt8(ascii: "\""))
                    buf.append(contentsOf: c.utf8)
                    buf.append(UInt8(ascii: "\""))
                } else {
                    buf.append(contentsOf: "null".utf8)
                }
            }
            buf.append(contentsOf: #"},"prediction":{"score":"#.utf8)
            buf.append(contentsOf: "\(score)".utf8)
            buf.append(contentsOf: #","label":""#.utf8)
            buf.append(contentsOf: (score >= 0.5 ? "fraud" : "legit").utf8)
            buf.append(contentsOf: "\"}}\n".utf8)
            if let labels, rng.uniform() >= spec.missingLabelRate {
                let median = Double(spec.labelMedianDelayMilliseconds)
                let delay = Int64(exp(log(median) + rng.normal()))
                labels.pointee.append((tsMs + max(delay, 1000), id, label))
            }
            referenceLabels?.pointee.append((tsMs, id, label))
            if buf.count > 1 << 21 {
                try write(file, buf)
                buf.removeAll(keepingCapacity: true)
            }
        }
        try write(file, buf)
        return flipped
    }

    private func round(_ x: Double, _ decimals: Int) -> Double {
        let p = pow(10.0, Double(decimals))
        return (x * p).rounded() / p
    }

    private func hex(_ v: UInt64, width: Int = 16) -> String {
        let s = String(v, radix: 16)
        return s.count >= width ? String(s.suffix(width)) : String(repeating: "0", count: width - s.count) + s
    }
}
