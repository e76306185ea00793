import MonitorCore

/// Maps a decoder's category codes to profile-local category ids, by name.
///
/// The decoder's dictionary is append-only and stable for the life of its process, but it is not
/// the profile's, and a restarted process builds another. Local ids are this translator's own:
/// the reference's categories are ids `0..<referenceCount` in the profile's order, new names get
/// the next ids as they are met (from a batch or from a restored checkpoint).
///
/// ## Invariants
/// - `names[id]` is the name of local id `id`; names are unique.
/// - `table[code]` is the local id of the decoder's code `code`, for every code the last synced
///   dictionary had; it is rebuilt from scratch when a dictionary turns out not to extend the
///   previous one (shorter, or a different name at the last synced code), e.g. batches from
///   another decoder.
struct CategoryTranslator: Sendable {
    /// Names by local id.
    private(set) var names: [String]
    private var ids: [String: UInt32]
    /// Local ids below this are reference categories.
    let referenceCount: Int
    /// Decoder code → local id, for the last synced dictionary.
    private(set) var table: [UInt32] = []
    private var lastSyncedName: String? = nil

    init(reference: CategoricalReference) {
        names = reference.categories
        referenceCount = reference.categories.count
        var ids: [String: UInt32] = [:]
        for (i, n) in reference.categories.enumerated() { ids[n] = UInt32(i) }
        self.ids = ids
    }

    /// The local id of `name`, assigning the next one to a new name.
    mutating func id(for name: String) -> Int {
        if let id = ids[name] { return Int(id) }
        let id = names.count
        names.append(name)
        ids[name] = UInt32(id)
        return id
    }

    /// Extends `table` to every code of `dictionary`.
    /// - Complexity: O(new codes) when the dictionary extends the previous one, else O(codes).
    mutating func sync(with dictionary: CategoryDictionary) {
        let n = dictionary.count
        if n < table.count || (table.count > 0 && dictionary.names[table.count - 1] != lastSyncedName) {
            table.removeAll(keepingCapacity: true)
        }
        guard n > table.count else { return }
        table.reserveCapacity(n)
        for code in table.count..<n { table.append(UInt32(id(for: dictionary.names[code]))) }
        lastSyncedName = dictionary.names[n - 1]
    }
}
