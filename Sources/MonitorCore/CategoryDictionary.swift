/// Maps category strings to dense `UInt32` codes.
///
/// Invariants:
/// - codes `0..<referenceCount` are the categories fixed by the reference, in first-seen order;
/// - codes `referenceCount..<count` are categories first seen after the reference was frozen
///   (new categories), at most `maxNewCategories` of them;
/// - `missingCode` marks a missing value (null, absent); `overflowCode` marks a new category that
///   arrived after the new-category budget was spent. Neither is ever a dense code.
public struct CategoryDictionary: Sendable {
    /// Code for a missing value.
    public static let missingCode: UInt32 = .max
    /// Code for a new category beyond the budget of `maxNewCategories`.
    public static let overflowCode: UInt32 = .max - 1

    /// Category names by code.
    public private(set) var names: [String] = []
    private var index: [String: UInt32] = [:]
    /// Number of categories fixed by the reference (`Int.max` while the dictionary is still open).
    public private(set) var referenceCount: Int = .max
    /// How many categories may be added after `freeze()`; bounds memory under a flood of ids
    /// sent as a categorical feature. 1024 is far above any real feature's new levels per window
    /// and keeps the table under ~100 KB.
    public var maxNewCategories: Int = 1024

    public init() {}

    /// A dictionary whose reference categories are `names`, frozen.
    public init(frozen names: [String]) {
        for n in names { _ = code(for: n) }
        freeze()
    }

    /// Number of dense codes in use (reference + new).
    public var count: Int { names.count }

    /// Whether `code` is a dense code of a reference category.
    @inlinable public func isReference(_ code: UInt32) -> Bool { Int(code) < min(referenceCount, names.count) }

    /// Stops treating further categories as reference categories.
    public mutating func freeze() { referenceCount = names.count }

    /// The code of `name`, adding it if needed (or `overflowCode` when the budget is spent).
    public mutating func code(for name: String) -> UInt32 {
        if let c = index[name] { return c }
        if referenceCount != .max && names.count - referenceCount >= maxNewCategories { return Self.overflowCode }
        let c = UInt32(names.count)
        names.append(name)
        index[name] = c
        return c
    }

    /// The code of `name` if it is known.
    public func lookup(_ name: String) -> UInt32? { index[name] }
}
