/// An in-memory hash index from record ids to rowids: the label join's lookups by id.
///
/// The join looks every prediction and every label up by its record id, and ids arrive in random
/// order. Kept in SQLite, that index cost a random B-tree insert per prediction and a random
/// B-tree descent per lookup (a label waiting in a `WITHOUT ROWID` table keyed by id cost two
/// more), and those were most of the join's time with 1M predictions pending. Here the tables
/// are plain rowid tables appended in arrival order, and this index maps a 64-bit hash of the id
/// to the rowids of the rows with that id.
///
/// A hash is not an id: two ids can share one. Every hit is therefore verified by reading the
/// row (which the join reads anyway, for its time and state) and comparing the stored id, so a
/// collision costs one read and never joins the wrong rows. A miss — the usual case for a new
/// prediction — costs no SQLite call at all.
///
/// It is a multimap (a prediction id may be reused across windows), with open addressing, linear
/// probing and backward-shift deletion (no tombstones), and it grows by doubling at half load
/// (a miss, the usual lookup, then probes 2.5 slots on average; at 3/4 load it was 8.5): 16 bytes
/// a slot, so 32–64 bytes per indexed row (32–64 MB for 1M rows). It is not durable: `Database` builds it from the tables when the join first needs it, and drops it when
/// a transaction rolls back or another connection changed the file (`PRAGMA data_version`).
struct IDHashIndex {
    private struct Slot {
        /// 0 marks an empty slot; `hash` never returns 0.
        var key: UInt64
        var value: Int64
    }

    private var slots: [Slot]
    private var mask: Int
    /// Entries in the index.
    private(set) var count = 0

    /// An empty index with room for `capacity` entries before it grows.
    init(capacity: Int = 0) {
        var size = 16
        while size / 2 < capacity { size *= 2 }
        slots = Array(repeating: Slot(key: 0, value: 0), count: size)
        mask = size - 1
    }

    /// The key of `id`: a 64-bit hash of its UTF-8 bytes, never 0.
    static func key(_ id: String) -> UInt64 {
        var id = id
        return id.withUTF8 { key(UnsafeRawBufferPointer($0)) }
    }

    /// The key of an id's UTF-8 bytes (as `key(_: String)`).
    ///
    /// Eight bytes at a time, each word mixed by a multiply and a fold of its high half (the
    /// scheme of wyhash's and xxh3's inner loops), then a full avalanche (MurmurHash3's
    /// finaliser) over the length-seeded state. Not a cryptographic hash: collisions cost a
    /// read, never a wrong join.
    static func key(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        // The length, multiplied into every bit, seeds the state (XORed in plainly, "b" and
        // "a\0" collided).
        var h: UInt64 = (0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)) &* 0xC2B2_AE3D_27D4_EB4F
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h == 0 ? 1 : h
    }

    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key) & mask }

    /// Adds an entry (an equal entry may exist already: this is a multimap).
    mutating func insert(_ key: UInt64, _ value: Int64) {
        if (count + 1) * 2 > slots.count { grow() }
        var i = home(key)
        slots.withUnsafeMutableBufferPointer { s in
            while s[i].key != 0 { i = (i + 1) & mask }
            s[i] = Slot(key: key, value: value)
        }
        count += 1
    }

    /// Appends the values of `key` to `out` (in no particular order).
    func values(_ key: UInt64, into out: inout [Int64]) {
        var i = home(key)
        slots.withUnsafeBufferPointer { s in
            while s[i].key != 0 {
                if s[i].key == key { out.append(s[i].value) }
                i = (i + 1) & mask
            }
        }
    }

    /// Reads the home slot of every key, and returns a value that depends on them (keep it, so
    /// that the reads are not optimised away).
    ///
    /// A lookup in a large index misses the CPU caches: ~170 ns of memory latency here, paid one
    /// lookup at a time between SQLite calls. Independent reads overlap, so touching the slots
    /// of a whole batch first costs ~13 ns a key, and the lookups then hit the cache.
    func prefetch(_ keys: [UInt64]) -> UInt64 {
        slots.withUnsafeBufferPointer { s in
            var sink: UInt64 = 0
            for k in keys { sink ^= s[home(k)].key }
            return sink
        }
    }

    /// Whether `key` has any entry.
    func contains(_ key: UInt64) -> Bool {
        var i = home(key)
        return slots.withUnsafeBufferPointer { s in
            while s[i].key != 0 {
                if s[i].key == key { return true }
                i = (i + 1) & mask
            }
            return false
        }
    }

    /// Removes the entry (`key`, `value`); false when there is none.
    @discardableResult
    mutating func remove(_ key: UInt64, _ value: Int64) -> Bool {
        var i = home(key)
        let mask = mask
        let removed = slots.withUnsafeMutableBufferPointer { s -> Bool in
            while s[i].key != 0 {
                if s[i].key == key && s[i].value == value { break }
                i = (i + 1) & mask
            }
            guard s[i].key != 0 else { return false }
            // Backward-shift deletion: move later entries of the probe run into the hole when
            // the hole lies on their way from their home slot, so lookups never stop early.
            var hole = i
            var j = i
            while true {
                j = (j + 1) & mask
                let k = s[j].key
                if k == 0 { break }
                let h = Int(truncatingIfNeeded: k) & mask
                // Is `h` cyclically outside (hole, j]? Then the entry at j may move to the hole.
                let outside = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j)
                if outside {
                    s[hole] = s[j]
                    hole = j
                }
            }
            s[hole] = Slot(key: 0, value: 0)
            return true
        }
        if removed { count -= 1 }
        return removed
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(key: 0, value: 0), count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for slot in old where slot.key != 0 { insert(slot.key, slot.value) }
    }
}

/// The label join's in-memory indexes (see ``IDHashIndex``): the rows of `label_predictions`
/// (every state: a settled prediction still makes a replay a duplicate) and of `label_pending`,
/// by id.
struct JoinIndex {
    var predictions: IDHashIndex
    var labels: IDHashIndex
    /// `PRAGMA data_version` when it was built: a different value at the start of a transaction
    /// means another connection committed meanwhile.
    var dataVersion: Int64
}
