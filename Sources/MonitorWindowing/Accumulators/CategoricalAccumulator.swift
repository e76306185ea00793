import MonitorCore

/// Accumulates one categorical feature (or the predicted label) of one window pane; mergeable.
///
/// Counts are kept by *profile-local category id* (``CategoryTranslator``): the reference's
/// categories first, in the profile's order, then new categories in the order this process met
/// them. Decoder codes are translated on the way in through a lookup table (one load per value),
/// names are used only when a checkpoint is written or a window is closed, so the state does not
/// depend on the decoder's dictionary, which differs from process to process.
///
/// ## Invariants
/// - `missing + overflow + Σ counts` is the number of values added.
/// - `counts[i]` counts the category with local id `i`; the array is only as long as the
///   highest id seen needs (merge and statistics treat absent entries as 0).
/// - `overflow` counts values the decoder could not name (`CategoryDictionary.overflowCode`:
///   a new category beyond its budget); they are new categories without a name.
package struct CategoricalAccumulator: Sendable, Hashable {
    /// Values per local category id.
    package private(set) var counts: [Int] = []
    /// Missing values.
    package private(set) var missing = 0
    /// Values beyond the decoder's new-category budget.
    package private(set) var overflow = 0

    /// An empty accumulator.
    package init() {}

    init(counts: [Int], missing: Int, overflow: Int) {
        self.counts = counts
        self.missing = missing
        self.overflow = overflow
    }

    /// Non-missing values.
    package var count: Int { counts.reduce(0, &+) + overflow }

    /// Adds a block of decoder codes.
    ///
    /// - Parameters:
    ///   - codes: decoder codes, `CategoryDictionary.missingCode` for missing.
    ///   - translation: decoder code → local id (``CategoryTranslator/table``); codes beyond it
    ///     (the overflow code) count as `overflow`.
    ///   - categoryCount: the number of local ids in use (the translator's name count).
    /// - Complexity: O(n), one table load and one increment per value.
    package mutating func add(_ codes: UnsafeBufferPointer<UInt32>, translation: UnsafeBufferPointer<UInt32>, categoryCount: Int) {
        if counts.count < categoryCount { counts.append(contentsOf: repeatElement(0, count: categoryCount - counts.count)) }
        var miss = 0
        var over = 0
        let limit = translation.count
        counts.withUnsafeMutableBufferPointer { c in
            for code in codes {
                if code == CategoryDictionary.missingCode {
                    miss &+= 1
                } else if Int(code) < limit {
                    c[Int(translation[Int(code)])] &+= 1
                } else {
                    over &+= 1
                }
            }
        }
        missing &+= miss
        overflow &+= over
    }

    /// Adds `n` missing values (a feature the batch does not carry).
    package mutating func addMissing(_ n: Int) { missing &+= n }

    /// Adds `n` values of local id `id` (restoring from a checkpoint).
    mutating func add(id: Int, count n: Int) {
        if counts.count <= id { counts.append(contentsOf: repeatElement(0, count: id + 1 - counts.count)) }
        counts[id] &+= n
    }

    /// Adds another accumulator of the same feature (same translator).
    package mutating func merge(_ other: CategoricalAccumulator) {
        if counts.count < other.counts.count {
            counts.append(contentsOf: repeatElement(0, count: other.counts.count - counts.count))
        }
        for i in other.counts.indices { counts[i] &+= other.counts[i] }
        missing &+= other.missing
        overflow &+= other.overflow
    }
}
