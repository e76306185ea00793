/// Labels that wait for their predictions, stored up to 64 to a row of `label_blocks`.
///
/// A label that comes first waits until its prediction arrives, possibly checkpoints later. One
/// SQLite row per waiting label cost an insert (with its time index) at the checkpoint, then a
/// read and a delete when the prediction came: about 5 µs a label, most of the labels-first
/// join's time. Written as blocks, the labels of a checkpoint cost one insert per 64, a
/// prediction reads its label from the (cached) block, and a block whose labels are all taken is
/// deleted with one statement; a partly taken one only has its `taken` bitmap updated.
///
/// A block's `data` is the labels in arrival order, little-endian; per label: the time (Int64,
/// ms), the value (Float64 bit pattern; NaN for none), the id's UTF-8 length (UInt32) and bytes,
/// the label's UTF-8 length (Int32, −1 for none) and bytes. Bit `i` of `taken` is set when label
/// `i` has joined its prediction or expired; `live` is the number of bits not set.
///
/// In the join index (``IDHashIndex``) a label in a block is the negative value
/// `−(seq × 64 + slot) − 1`; rows of the older per-label table `label_pending` keep their
/// positive rowids.
enum LabelBlock {
    /// Labels per block (the bits of `taken`).
    static let capacity = 64

    /// The join index's value for label `slot` of block `seq`.
    static func reference(block seq: Int64, slot: Int) -> Int64 { -(seq * Int64(capacity) + Int64(slot)) - 1 }

    /// The block and slot of a join index value (nil for a `label_pending` rowid).
    static func location(_ value: Int64) -> (block: Int64, slot: Int)? {
        guard value < 0 else { return nil }
        let r = -(value + 1)
        return (r / Int64(capacity), Int(r % Int64(capacity)))
    }

    /// The `data` of a block of at most ``capacity`` labels.
    static func encode(_ labels: some Sequence<(id: String, timestamp: Int64, label: String?, value: Double)>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(48 * capacity)
        func append<T: FixedWidthInteger>(_ v: T) {
            withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
        }
        for l in labels {
            append(l.timestamp)
            append(l.value.bitPattern)
            var id = l.id
            id.withUTF8 { b in
                append(UInt32(b.count))
                out.append(contentsOf: b)
            }
            if var label = l.label {
                label.withUTF8 { b in
                    append(Int32(b.count))
                    out.append(contentsOf: b)
                }
            } else {
                append(Int32(-1))
            }
        }
        return out
    }

    /// A decoded block: its bytes, and where each label's fields are.
    struct Decoded {
        let seq: Int64
        let bytes: [UInt8]
        /// Per slot: the offset of the label's time.
        private(set) var offsets: [Int] = []

        /// Decodes `bytes`; nil when they are not a well-formed block (then the store is damaged).
        init?(seq: Int64, bytes: [UInt8]) {
            self.seq = seq
            self.bytes = bytes
            var p = 0
            let n = bytes.count
            while p < n {
                guard p + 20 <= n else { return nil }
                offsets.append(p)
                let idLength = Int(Self.load(UInt32.self, bytes, p + 16))
                p += 20 + idLength
                guard p + 4 <= n else { return nil }
                let labelLength = Int(Int32(bitPattern: Self.load(UInt32.self, bytes, p)))
                p += 4 + max(0, labelLength)
                guard labelLength >= -1, p <= n, offsets.count <= LabelBlock.capacity else { return nil }
            }
        }

        static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ at: Int) -> T {
            bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
        }

        var count: Int { offsets.count }

        func timestamp(_ slot: Int) -> Int64 { Self.load(Int64.self, bytes, offsets[slot]) }

        func value(_ slot: Int) -> Double { Double(bitPattern: Self.load(UInt64.self, bytes, offsets[slot] + 8)) }

        /// Calls `body` with the id's UTF-8 bytes.
        func withID<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            let p = offsets[slot]
            let length = Int(Self.load(UInt32.self, bytes, p + 16))
            return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[(p + 20)..<(p + 20 + length)])) }
        }

        /// Whether label `slot`'s id is exactly `id`.
        func idEquals(_ slot: Int, _ id: String) -> Bool {
            var id = id
            return withID(slot) { stored in id.withUTF8 { $0.count == stored.count && $0.elementsEqual(stored) } }
        }

        func id(_ slot: Int) -> String { withID(slot) { String(decoding: $0, as: UTF8.self) } }

        func label(_ slot: Int) -> String? {
            let p = offsets[slot]
            let at = p + 20 + Int(Self.load(UInt32.self, bytes, p + 16))
            let length = Int(Int32(bitPattern: Self.load(UInt32.self, bytes, at)))
            guard length >= 0 else { return nil }
            return bytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[(at + 4)..<(at + 4 + length)]), as: UTF8.self) }
        }
    }

    /// What the join keeps in memory about a stored block.
    struct State {
        /// Labels in the block.
        var count: Int
        /// Bit `i`: label `i` joined or expired.
        var taken: UInt64
        /// The earliest time of a label not taken (for expiry).
        var earliest: Int64
        /// Whether `taken` changed since the row was last written.
        var dirty = false

        var live: Int { count - taken.nonzeroBitCount }
    }
}
