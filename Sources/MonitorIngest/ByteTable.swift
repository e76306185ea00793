#if canImport(Glibc)
import Glibc
#endif

/// An open-addressing hash table from byte strings to `UInt32`, used as a per-column cache in
/// front of `CategoryDictionary` so that the hot path never builds a `String` for a category it
/// has seen before.
///
/// Invariants:
/// - `slots.count` is a power of two and at least twice `entries.count` (load ≤ 0.5);
/// - a slot holds 0 (empty) or `entryIndex + 1`;
/// - entry `i`'s key is `arena[entries[i].offset ..< entries[i].offset + entries[i].length]`.
struct ByteTable: Sendable {
    struct Entry: Sendable {
        var hash: UInt64
        var offset: Int32
        var length: Int32
        var value: UInt32
    }
    private(set) var entries: [Entry] = []
    private var slots: [Int32] = Array(repeating: 0, count: 64)
    private var arena: [UInt8] = []

    var count: Int { entries.count }

    /// FNV-1a over the bytes; category names are short, so a byte loop is as fast as anything.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3 }
        return h ^ (h >> 29)
    }

    /// The value stored for the key, if any.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> UInt32? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            let e = entries[Int(s) - 1]
            if e.hash == h && Int(e.length) == n {
                let same = arena.withUnsafeBufferPointer { a in n == 0 || memcmp(a.baseAddress! + Int(e.offset), p, n) == 0 }
                if same { return e.value }
            }
            i = (i + 1) & mask
        }
    }

    /// Stores `value` for a key known to be absent.
    mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, value: UInt32) {
        if (entries.count + 1) * 2 > slots.count { grow() }
        let offset = Int32(arena.count)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        entries.append(Entry(hash: h, offset: offset, length: Int32(n), value: value))
        place(entries.count - 1)
    }

    /// The key of entry `i` as a string.
    func key(_ i: Int) -> String {
        let e = entries[i]
        return String(decoding: arena[Int(e.offset)..<Int(e.offset + e.length)], as: UTF8.self)
    }

    private mutating func place(_ index: Int) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: entries[index].hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = Int32(index + 1)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        for i in entries.indices { place(i) }
    }
}
