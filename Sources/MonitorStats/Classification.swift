/// A confusion matrix over classes `0..<classCount`: `counts[actual * classCount + predicted]`
/// is the number of observations of class `actual` that were predicted as `predicted`.
///
/// The counts behind accuracy, precision, recall and F1; scikit-learn's `confusion_matrix`
/// (rows = true classes, columns = predicted classes) when the codes are the indices of the
/// sorted labels.
///
/// Invariants: `counts.count == classCount * classCount`; every count is ≥ 0.
///
/// ## Example
/// ```swift
/// let actual: [Int32] = [0, 0, 1, 1, 1]
/// let predicted: [Int32] = [0, 1, 1, 1, 0]
/// let m = try ConfusionMatrix(actual: actual, predicted: predicted, classCount: 2)
/// m[actual: 1, predicted: 1]        // 2
/// try m.accuracy()                  // 0.6
/// m.scores(positive: 1)             // precision 2/3, recall 2/3, F1 2/3
/// ```
public struct ConfusionMatrix: Hashable, Sendable {
    /// Number of classes (rows and columns).
    public let classCount: Int
    /// Row-major counts, `actual * classCount + predicted`.
    public private(set) var counts: [Int]

    /// An all-zero matrix.
    /// - Parameter classCount: the number of classes (≥ 0).
    public init(classCount: Int) {
        precondition(classCount >= 0, "ConfusionMatrix: negative class count \(classCount)")
        self.classCount = classCount
        counts = [Int](repeating: 0, count: classCount * classCount)
    }

    /// Counts pairs of class codes.
    /// - Parameters:
    ///   - actual: the true class of each observation.
    ///   - predicted: the predicted class of each observation.
    ///   - classCount: the number of classes; every code must be in `0..<classCount`.
    /// - Throws: ``StatsError/lengthMismatch(_:)`` for buffers of different lengths;
    ///   ``StatsError/invalidArgument(_:)`` for a code outside `0..<classCount`.
    /// - Complexity: O(n + classCount²).
    public init(actual: UnsafeBufferPointer<Int32>, predicted: UnsafeBufferPointer<Int32>, classCount: Int) throws {
        guard actual.count == predicted.count else {
            throw StatsError.lengthMismatch("ConfusionMatrix: \(actual.count) actual vs \(predicted.count) predicted classes")
        }
        self.init(classCount: classCount)
        let k = UInt32(truncatingIfNeeded: classCount)
        for i in actual.indices {
            let a = UInt32(bitPattern: actual[i])
            let p = UInt32(bitPattern: predicted[i])
            guard a < k, p < k else {
                throw StatsError.invalidArgument("ConfusionMatrix: class code (\(actual[i]), \(predicted[i])) at \(i) not in 0..<\(classCount)")
            }
            counts[Int(a) * classCount + Int(p)] += 1
        }
    }

    /// As ``init(actual:predicted:classCount:)`` over arrays.
    public init(actual: [Int32], predicted: [Int32], classCount: Int) throws {
        self = try actual.withUnsafeBufferPointer { a in
            try predicted.withUnsafeBufferPointer { p in try ConfusionMatrix(actual: a, predicted: p, classCount: classCount) }
        }
    }

    /// Adds `count` observations of class `actual` predicted as `predicted`.
    public mutating func add(actual: Int, predicted: Int, count: Int = 1) {
        precondition(actual >= 0 && actual < classCount && predicted >= 0 && predicted < classCount && count >= 0,
                     "ConfusionMatrix.add: (\(actual), \(predicted)) ×\(count) outside the matrix")
        counts[actual * classCount + predicted] += count
    }

    /// The count of observations of class `actual` predicted as `predicted`.
    public subscript(actual actual: Int, predicted predicted: Int) -> Int {
        counts[actual * classCount + predicted]
    }

    /// All observations.
    public var total: Int { counts.reduce(0, +) }

    /// Observations whose true class is `c` (its support).
    public func support(_ c: Int) -> Int {
        var s = 0
        for p in 0..<classCount { s += counts[c * classCount + p] }
        return s
    }

    /// Observations predicted as `c`.
    public func predictedCount(_ c: Int) -> Int {
        var s = 0
        for a in 0..<classCount { s += counts[a * classCount + c] }
        return s
    }

    /// Correct predictions: the diagonal.
    public var correct: Int {
        var s = 0
        for c in 0..<classCount { s += counts[c * classCount + c] }
        return s
    }

    /// Accuracy: correct / total, scikit-learn's `accuracy_score`.
    /// - Throws: ``StatsError/emptyInput(_:)`` when the matrix is empty.
    public func accuracy() throws -> Double {
        let n = total
        guard n > 0 else { throw StatsError.emptyInput("accuracy: no observations") }
        return Double(correct) / Double(n)
    }

    /// Precision, recall and F1 of one class against all others (scikit-learn's
    /// `precision_recall_fscore_support(average="binary", pos_label=…, zero_division=nan)`).
    ///
    /// - Parameter positive: the positive class.
    /// - Returns: precision = TP / (TP + FP), recall = TP / (TP + FN),
    ///   F1 = 2·TP / (2·TP + FP + FN); each is nil where its denominator is 0 (undefined, where
    ///   scikit-learn returns `zero_division`): precision when nothing was predicted positive,
    ///   recall when no observation is positive, F1 when neither.
    ///
    /// ## Numerical notes
    /// F1 is computed from counts as scikit-learn does (`2.0·TP / (1.0·support + predicted)`), so
    /// the doubles agree bit for bit; the formula 2PR/(P+R) can differ in the last place.
    public func scores(positive: Int) -> PrecisionRecallF1 {
        precondition(positive >= 0 && positive < classCount, "scores(positive:): class \(positive) not in 0..<\(classCount)")
        return PrecisionRecallF1(truePositives: counts[positive * classCount + positive],
                                 predicted: predictedCount(positive), actual: support(positive))
    }

    /// Precision, recall and F1 averaged over the classes that occur (as true or predicted
    /// classes), scikit-learn's `average="macro"` / `"micro"` with `zero_division=nan`.
    ///
    /// - Parameter average: `.macro`: the unweighted mean of the per-class scores, skipping
    ///   undefined ones (scikit-learn's `_nanaverage`); `.micro`: the scores of the summed counts
    ///   (for single-label data all three equal the accuracy).
    /// - Returns: the averaged scores; nil where no class has a defined score (an empty matrix).
    ///
    /// ## Discussion
    /// Classes with neither a true nor a predicted observation are left out, as scikit-learn
    /// only knows the labels present in `y_true ∪ y_pred`. Macro means are summed in numpy's
    /// order (``numpySum(_:)``) over the occurring classes in code order, undefined entries
    /// counted as 0 in the sum and left out of the divisor, as `np.nanmean` does: with codes
    /// assigned in sorted label order the results equal scikit-learn's bit for bit.
    public func scores(average: ClassAverage) -> PrecisionRecallF1 {
        var present: [Int] = []
        for c in 0..<classCount where support(c) > 0 || predictedCount(c) > 0 { present.append(c) }
        switch average {
        case .micro:
            var tp = 0
            var predicted = 0
            var actual = 0
            for c in present {
                tp += counts[c * classCount + c]
                predicted += predictedCount(c)
                actual += support(c)
            }
            return PrecisionRecallF1(truePositives: tp, predicted: predicted, actual: actual)
        case .macro:
            let perClass = present.map { scores(positive: $0) }
            func nanMean(_ values: [Double?]) -> Double? {
                let defined = values.compactMap { $0 }.count
                guard defined > 0 else { return nil }
                let zeroed = values.map { $0 ?? 0 }
                return zeroed.withUnsafeBufferPointer { numpySum($0) } / Double(defined)
            }
            return PrecisionRecallF1(precision: nanMean(perClass.map(\.precision)),
                                     recall: nanMean(perClass.map(\.recall)),
                                     f1: nanMean(perClass.map(\.f1)))
        }
    }
}

/// How per-class scores are combined for more than two classes.
public enum ClassAverage: String, Sendable, Hashable, CaseIterable {
    /// The unweighted mean over classes: every class counts the same, however rare.
    case macro
    /// Scores of the pooled counts: every observation counts the same.
    case micro
}

/// Precision, recall and F1 of one class or an average; nil where undefined (zero division).
public struct PrecisionRecallF1: Hashable, Sendable {
    /// TP / (TP + FP).
    public var precision: Double?
    /// TP / (TP + FN).
    public var recall: Double?
    /// The harmonic mean of precision and recall, 2·TP / (2·TP + FP + FN).
    public var f1: Double?

    /// Scores from given values.
    public init(precision: Double?, recall: Double?, f1: Double?) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
    }

    /// Scores from counts, each nil when its denominator is 0.
    /// - Parameters:
    ///   - truePositives: TP.
    ///   - predicted: TP + FP.
    ///   - actual: TP + FN.
    public init(truePositives: Int, predicted: Int, actual: Int) {
        let tp = Double(truePositives)
        precision = predicted > 0 ? tp / Double(predicted) : nil
        recall = actual > 0 ? tp / Double(actual) : nil
        let denominator = 1.0 * Double(actual) + Double(predicted)
        f1 = denominator > 0 ? 2.0 * tp / denominator : nil
    }
}
