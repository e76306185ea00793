import MonitorCore

/// The frozen reference of one categorical feature (or of the predicted label): its categories
/// and their counts.
///
/// ## Invariants
/// - `categories` are unique, in the reference dictionary's code order (first seen first);
///   `counts[i]` is the number of reference values of `categories[i]` (possibly 0 for a category
///   a pre-seeded dictionary knew but the data never used: it then counts as *new* in windows,
///   as in `monitor compare`).
/// - `missing + Σ counts + overflow == rows`.
public struct CategoricalReference: Sendable, Hashable {
    /// The feature's name (`prediction.label` for the predicted label).
    public let name: String
    /// Records in the reference.
    public let rows: Int
    /// Category names, in dictionary order.
    public let categories: [String]
    /// Reference values per category.
    public let counts: [Int]
    /// Missing reference values.
    public let missing: Int
    /// Reference values beyond the dictionary's new-category budget (0 for a fresh dictionary).
    public let overflow: Int

    /// Non-missing reference values.
    public var count: Int { counts.reduce(0, &+) + overflow }

    init(name: String, rows: Int, categories: [String], counts: [Int], missing: Int, overflow: Int) {
        self.name = name
        self.rows = rows
        self.categories = categories
        self.counts = counts
        self.missing = missing
        self.overflow = overflow
    }

    /// Profiles one coded column.
    init(name: String, codes: UnsafeBufferPointer<UInt32>, dictionary: CategoryDictionary) {
        var counts = [Int](repeating: 0, count: dictionary.count)
        var missing = 0
        var overflow = 0
        for c in codes {
            if c == CategoryDictionary.missingCode {
                missing &+= 1
            } else if Int(c) < counts.count {
                counts[Int(c)] &+= 1
            } else {
                overflow &+= 1
            }
        }
        self.init(name: name, rows: codes.count, categories: dictionary.names, counts: counts, missing: missing, overflow: overflow)
    }
}
