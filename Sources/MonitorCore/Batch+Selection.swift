extension Batch {
    /// A batch of the given rows (in the given order), sharing the dictionaries.
    ///
    /// - Complexity: O(rows × columns).
    public func selecting(rows: [Int]) -> Batch {
        var b = Batch()
        b.count = rows.count
        b.numericalNames = numericalNames
        b.categoricalNames = categoricalNames
        b.categoricalDictionaries = categoricalDictionaries
        b.labelDictionary = labelDictionary
        b.modelDictionary = modelDictionary
        b.versionDictionary = versionDictionary
        b.numerical = numerical.map { col in rows.map { col[$0] } }
        b.categorical = categorical.map { col in rows.map { col[$0] } }
        func pick<T>(_ col: [T]) -> [T] { col.count == count ? rows.map { col[$0] } : [] }
        b.timestamps = pick(timestamps)
        b.scores = pick(scores)
        b.values = pick(values)
        b.predictedLabels = pick(predictedLabels)
        b.models = pick(models)
        b.versions = pick(versions)
        if let ids { b.ids = pick(ids) }
        return b
    }

    /// The rows whose event time lies in [from, to) (absent bounds are open; rows without a
    /// timestamp are excluded when any bound is given).
    public func rows(from: Timestamp?, to: Timestamp?) -> [Int] {
        guard from != nil || to != nil else { return Array(0..<count) }
        let lo = from?.milliseconds ?? Int64.min + 1
        let hi = to?.milliseconds ?? Int64.max
        var out: [Int] = []
        for (i, t) in timestamps.enumerated() where t != Int64.min && t >= lo && t < hi { out.append(i) }
        return out
    }
}
