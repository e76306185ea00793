import Foundation
import MonitorStats
import Testing

@Suite("Performance metrics")
struct PerformanceMetricsTests {
    // MARK: exact small cases

    @Test("confusion matrix, accuracy and binary scores from counts")
    func smallBinary() throws {
        let m = try ConfusionMatrix(actual: [0, 0, 1, 1, 1], predicted: [0, 1, 1, 1, 0], classCount: 2)
        #expect(m.counts == [1, 1, 1, 2])
        #expect(m.total == 5)
        #expect(try m.accuracy() == 3.0 / 5.0)
        let s = m.scores(positive: 1)
        #expect(s.precision == 2.0 / 3.0)
        #expect(s.recall == 2.0 / 3.0)
        #expect(s.f1 == 4.0 / 6.0)
    }

    @Test("undefined scores are nil, never NaN or 0")
    func zeroDivision() throws {
        // Nothing predicted positive: precision undefined; recall 0; F1 = 0 / 2 = 0.
        let none = try ConfusionMatrix(actual: [1, 0, 1], predicted: [0, 0, 0], classCount: 2).scores(positive: 1)
        #expect(none.precision == nil)
        #expect(none.recall == 0)
        #expect(none.f1 == 0)
        // No positive observation and none predicted: all three undefined.
        let empty = try ConfusionMatrix(actual: [0, 0], predicted: [0, 0], classCount: 2).scores(positive: 1)
        #expect(empty == PrecisionRecallF1(precision: nil, recall: nil, f1: nil))
        #expect(throws: StatsError.emptyInput("")) { try ConfusionMatrix(classCount: 2).accuracy() }
        #expect(ConfusionMatrix(classCount: 3).scores(average: .macro) == PrecisionRecallF1(precision: nil, recall: nil, f1: nil))
    }

    @Test("bad class codes and lengths throw")
    func badInput() {
        #expect(throws: StatsError.invalidArgument("")) { try ConfusionMatrix(actual: [0, 2], predicted: [0, 1], classCount: 2) }
        #expect(throws: StatsError.invalidArgument("")) { try ConfusionMatrix(actual: [-1], predicted: [0], classCount: 2) }
        #expect(throws: StatsError.lengthMismatch("")) { try ConfusionMatrix(actual: [0], predicted: [0, 1], classCount: 2) }
        #expect(throws: StatsError.invalidArgument("")) { try logLoss(probabilities: [1.5], positive: [true]) }
        #expect(throws: StatsError.invalidArgument("")) { try brierScore(probabilities: [.nan], positive: [true]) }
        #expect(throws: StatsError.invalidArgument("")) { try rocAUC(scores: [.infinity, 0], positive: [true, false]) }
        #expect(throws: StatsError.emptyInput("")) { try rocAUC(scores: [], positive: []) }
        #expect(throws: StatsError.emptyInput("")) { try RegressionErrors(actual: [], predicted: []) }
        #expect(throws: StatsError.invalidArgument("")) { try RegressionErrors(actual: [1, .nan], predicted: [1, 2]) }
    }

    @Test("AUC: Mann–Whitney with ties counting one half")
    func aucExact() throws {
        #expect(try rocAUC(scores: [0.1, 0.4, 0.35, 0.8], positive: [false, false, true, true]) == 0.75)
        // One tie between a positive and a negative: (1 + ½) / 2.
        #expect(try rocAUC(scores: [0.2, 0.5, 0.5], positive: [false, false, true]) == 0.75)
        #expect(try rocAUC(scores: [0.5, 0.5, 0.5, 0.5], positive: [false, true, false, true]) == 0.5)
        #expect(try rocAUC(scores: [0.9, 0.1], positive: [false, true]) == 0)
        // One class only: undefined.
        #expect(try rocAUC(scores: [0.1, 0.2], positive: [true, true]) == nil)
        #expect(try rocAUC(scores: [0.1, 0.2], positive: [false, false]) == nil)
    }

    @Test("AUC is invariant under monotone transforms and complements under negation")
    func aucProperties() throws {
        var rng = SplitMix64(seed: 9)
        var scores: [Double] = []
        var positive: [Bool] = []
        for _ in 0..<2000 {
            let z = rng.nextNormal()
            positive.append(rng.nextUniform() < 1 / (1 + exp(-2 * z)))
            scores.append((z * 4).rounded() / 4)  // many ties
        }
        let auc = try #require(try rocAUC(scores: scores, positive: positive))
        #expect(auc > 0.6 && auc < 1)
        #expect(try rocAUC(scores: scores.map { exp($0) * 3 + 1 }, positive: positive) == auc)
        #expect(abs(try #require(try rocAUC(scores: scores.map { -$0 }, positive: positive)) - (1 - auc)) < 1e-15)
    }

    @Test("log loss and Brier score, small exact cases")
    func probabilisticExact() throws {
        #expect(try brierScore(probabilities: [0.9, 0.2], positive: [true, false]) == ((0.9 - 1) * (0.9 - 1) + 0.2 * 0.2) / 2)
        #expect(try logLoss(probabilities: [0.9, 0.2], positive: [true, false]) == (-log(0.9) - log(1 - 0.2)) / 2)
        // A confidently wrong prediction costs −ln ε, not ∞.
        #expect(try logLoss(probabilities: [0.0], positive: [true]) == -log(Double.ulpOfOne))
        #expect(try brierScore(probabilities: [1, 0], positive: [true, false]) == 0)
    }

    @Test("regression errors, small exact case")
    func regressionExact() throws {
        let e = try RegressionErrors(actual: [3, -0.5, 2, 7], predicted: [2.5, 0.0, 2, 8])
        #expect(e.meanAbsoluteError == 0.5)
        #expect(e.rootMeanSquaredError == (0.375 as Double).squareRoot())
        #expect(try RegressionErrors(actual: [2], predicted: [3]).r2 == nil)
        #expect(try RegressionErrors(actual: [4, 4], predicted: [4, 4]).r2 == 1)
        #expect(try RegressionErrors(actual: [4, 4], predicted: [4, 5]).r2 == 0)
    }

    @Test("numpySum reproduces numpy's pairwise order")
    func pairwise() {
        #expect([0.1, 0.2, 0.3].withUnsafeBufferPointer { numpySum($0) } == 0.6000000000000001)
        // Property: exact on integers, whatever the order.
        let ints = (0..<1000).map(Double.init)
        #expect(ints.withUnsafeBufferPointer { numpySum($0) } == 499_500)
    }

    // MARK: scikit-learn reference values

    /// Counts and rates must equal scikit-learn exactly; AUC and log loss within 1e-12
    /// (different but equally accurate summation); Brier and regression errors within 1e-12
    /// relative (the same pairwise sums; only the platform's division and sqrt may differ).
    @Test("agrees with scikit-learn on committed fixtures")
    func scikitLearn() throws {
        let cases = try Fixture.cases("performance")
        #expect(cases.count >= 20)
        for c in cases {
            let name = c.string("name")
            switch c.string("kind") {
            case "binary":
                let actual = (c["actual"] as! [Any]).map { Int32(($0 as! NSNumber).intValue) }
                let predicted = (c["predicted"] as! [Any]).map { Int32(($0 as! NSNumber).intValue) }
                let scores = c.doubles("scores")
                let positive = actual.map { $0 == 1 }
                let m = try ConfusionMatrix(actual: actual, predicted: predicted, classCount: 2)
                #expect(m.counts == (c["confusion"] as! [Any]).map { ($0 as! NSNumber).intValue }, "\(name)")
                #expect(try m.accuracy() == c.double("accuracy"), "\(name)")
                let s = m.scores(positive: 1)
                #expect(s.precision == optional(c, "precision"), "\(name) precision")
                #expect(s.recall == optional(c, "recall"), "\(name) recall")
                #expect(s.f1 == optional(c, "f1"), "\(name) f1")
                let auc = try rocAUC(scores: scores, positive: positive)
                if let expected = optional(c, "auc") {
                    #expect(abs(try #require(auc, "\(name)") - expected) <= 1e-12, "\(name) auc \(String(describing: auc)) vs \(expected)")
                } else {
                    #expect(auc == nil, "\(name): AUC must be absent")
                }
                let ll = try logLoss(probabilities: scores, positive: positive)
                #expect(abs(ll - c.double("log_loss")) <= 1e-12 * max(1, c.double("log_loss")), "\(name) log loss \(ll) vs \(c.double("log_loss"))")
                let b = try brierScore(probabilities: scores, positive: positive)
                #expect(close(b, c.double("brier"), rel: 1e-12, abs: 1e-15), "\(name) brier \(b)")
            case "multiclass":
                let classes = (c["classes"] as! [Any]).count
                let actual = (c["actual"] as! [Any]).map { Int32(($0 as! NSNumber).intValue) }
                let predicted = (c["predicted"] as! [Any]).map { Int32(($0 as! NSNumber).intValue) }
                let m = try ConfusionMatrix(actual: actual, predicted: predicted, classCount: classes)
                #expect(m.counts == (c["confusion"] as! [Any]).map { ($0 as! NSNumber).intValue }, "\(name)")
                #expect(try m.accuracy() == c.double("accuracy"), "\(name)")
                for avg in ClassAverage.allCases {
                    let e = c[avg.rawValue] as! [String: Any]
                    let s = m.scores(average: avg)
                    #expect(s.precision == optional(e, "precision"), "\(name) \(avg) precision")
                    #expect(s.recall == optional(e, "recall"), "\(name) \(avg) recall")
                    #expect(s.f1 == optional(e, "f1"), "\(name) \(avg) f1")
                }
            case "regression":
                let e = try RegressionErrors(actual: c.doubles("actual"), predicted: c.doubles("predicted"))
                #expect(close(e.meanAbsoluteError, c.double("mae"), rel: 1e-12), "\(name) mae")
                #expect(close(e.rootMeanSquaredError, c.double("rmse"), rel: 1e-12), "\(name) rmse")
                #expect(close(e.meanAbsolutePercentageError, c.double("mape"), rel: 1e-12), "\(name) mape")
                if let r2 = optional(c, "r2") {
                    #expect(close(try #require(e.r2), r2, rel: 1e-12, abs: 1e-14), "\(name) r2 \(String(describing: e.r2)) vs \(r2)")
                } else {
                    #expect(e.r2 == nil, "\(name): R² must be absent")
                }
            default:
                Issue.record("unknown case kind in \(name)")
            }
        }
    }

    private func optional(_ c: [String: Any], _ key: String) -> Double? {
        c[key] is NSNull || c[key] == nil ? nil : c.double(key)
    }
}
