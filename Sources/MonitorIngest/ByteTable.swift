/// An open-addressing hash table from byte strings to `UInt32`, used as a per-column cache in
/// front of `CategoryDictionary` so that the hot path never builds a `String` for a category it
/// has seen before, and to track unknown feature names.
///
/// Storage is manually allocated and copied on write, so that the decoder can take a ``View``
/// (plain pointers) for its loop: a lookup then costs no reference counting at all.
///
/// Invariants:
/// - the slot count is a power of two and at least twice the entry count (load ≤ 0.5);
/// - a slot holds 0 (empty) or `entryIndex + 1`;
/// - entry `i`'s key is `arena[entries[i].offset ..< entries[i].offset + entries[i].length]`;
/// - a ``View`` stays valid until the next `insert` on the table it came from.
struct ByteTable: @unchecked Sendable {
    struct Entry {
        var hash: UInt64
        var offset: Int
        var length: Int
        var value: UInt32
    }

    final class Storage {
        var slots: UnsafeMutablePointer<Int32>
        var slotCount: Int
        var entries: UnsafeMutablePointer<Entry>
        var entryCount = 0
        var entryCapacity: Int
        var arena: UnsafeMutablePointer<UInt8>
        var arenaCount = 0
        var arenaCapacity: Int

        init(slotCount: Int = 64, entryCapacity: Int = 16, arenaCapacity: Int = 256) {
            self.slotCount = slotCount
            slots = .allocate(capacity: slotCount)
            slots.initialize(repeating: 0, count: slotCount)
            self.entryCapacity = entryCapacity
            entries = .allocate(capacity: entryCapacity)
            self.arenaCapacity = arenaCapacity
            arena = .allocate(capacity: arenaCapacity)
        }

        func copy() -> Storage {
            let s = Storage(slotCount: slotCount, entryCapacity: entryCapacity, arenaCapacity: arenaCapacity)
            s.slots.update(from: slots, count: slotCount)
            s.entries.initialize(from: entries, count: entryCount)
            s.entryCount = entryCount
            s.arena.update(from: arena, count: arenaCount)
            s.arenaCount = arenaCount
            return s
        }

        deinit {
            slots.deallocate()
            entries.deallocate()
            arena.deallocate()
        }
    }

    /// Borrowed pointers into a table, for lookups in a loop.
    struct View {
        let slots: UnsafeMutablePointer<Int32>
        let mask: Int
        let entries: UnsafeMutablePointer<Entry>
        let arena: UnsafeMutablePointer<UInt8>

        /// The value stored for the key, if any.
        @inline(__always)
        func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> UInt32? {
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let s = slots[i]
                if s == 0 { return nil }
                let e = entries[Int(s) - 1]
                if e.hash == h && e.length == n {
                    let k = arena + e.offset
                    var j = 0
                    while j < n && k[j] == p[j] { j += 1 }
                    if j == n { return e.value }
                }
                i = (i + 1) & mask
            }
        }
    }

    private var storage = Storage()

    var count: Int { storage.entryCount }
    var view: View { View(slots: storage.slots, mask: storage.slotCount - 1, entries: storage.entries, arena: storage.arena) }

    /// A multiply-xor hash over whole words: category names are short, so a value costs one or
    /// two multiplications. Reads only the bytes `p ..< p + n` (overlapping loads for the tail).
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: n) &* k
        let raw = UnsafeRawPointer(p)
        var i = 0
        while n &- i >= 8 {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
            h ^= h &>> 29
            i &+= 8
        }
        let r = n &- i
        var t: UInt64
        if r >= 4 {
            t = UInt64(raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                | UInt64(raw.loadUnaligned(fromByteOffset: i &+ r &- 4, as: UInt32.self)) &<< 32
        } else if r > 0 {
            t = UInt64(p[i]) | UInt64(p[i &+ r &>> 1]) &<< 8 | UInt64(p[i &+ r &- 1]) &<< 16
        } else {
            t = 0
        }
        h = (h ^ t ^ UInt64(truncatingIfNeeded: r)) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h &>> 31)
    }

    /// The value stored for the key, if any.
    func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> UInt32? { view.find(p, n, hash: h) }

    /// Stores `value` for a key known to be absent.
    mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, value: UInt32) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        let s = storage
        if (s.entryCount + 1) * 2 > s.slotCount { grow(s) }
        if s.entryCount == s.entryCapacity {
            let bigger = UnsafeMutablePointer<Entry>.allocate(capacity: s.entryCapacity * 2)
            bigger.moveInitialize(from: s.entries, count: s.entryCount)
            s.entries.deallocate()
            s.entries = bigger
            s.entryCapacity *= 2
        }
        if s.arenaCount + n > s.arenaCapacity {
            let c = max(s.arenaCapacity * 2, s.arenaCount + n)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
            bigger.update(from: s.arena, count: s.arenaCount)
            s.arena.deallocate()
            s.arena = bigger
            s.arenaCapacity = c
        }
        (s.arena + s.arenaCount).update(from: p, count: n)
        (s.entries + s.entryCount).initialize(to: Entry(hash: h, offset: s.arenaCount, length: n, value: value))
        s.arenaCount += n
        s.entryCount += 1
        place(s, s.entryCount - 1)
    }

    /// The key of entry `i` as a string.
    func key(_ i: Int) -> String {
        let e = storage.entries[i]
        return String(decoding: UnsafeBufferPointer(start: storage.arena + e.offset, count: e.length), as: UTF8.self)
    }

    private func place(_ s: Storage, _ index: Int) {
        let mask = s.slotCount - 1
        var i = Int(truncatingIfNeeded: s.entries[index].hash) & mask
        while s.slots[i] != 0 { i = (i + 1) & mask }
        s.slots[i] = Int32(index + 1)
    }

    private func grow(_ s: Storage) {
        s.slots.deallocate()
        s.slotCount *= 2
        s.slots = .allocate(capacity: s.slotCount)
        s.slots.initialize(repeating: 0, count: s.slotCount)
        for i in 0..<s.entryCount { place(s, i) }
    }
}
