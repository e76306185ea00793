/// One value of a ``LineTemplate``: the literal bytes before it, and what to do with it.
struct TemplateSlot: Equatable {
    enum Kind: UInt8 {
        /// A plain string whose value is not needed (an unread or unknown key).
        case skipString
        /// A number into numeric slot `slot`.
        case numeric
        /// A plain string or a number into text slot `slot`.
        case text
        /// A plain string read as an RFC 3339 timestamp.
        case timestamp
        /// No value: the literal ends the line.
        case end
    }
    /// Byte offset of the literal in the template's word buffer (a multiple of 8).
    var offset: Int32
    var length: Int32
    /// Whole words of the literal, and the mask of its last partial word (0: none).
    var words: Int32
    var tailMask: UInt64
    var kind: Kind
    var slot: Int32
    /// The first byte of the next slot's literal (what ends this slot's value).
    var terminator: UInt8 = 0
}

/// A line shape learnt from a file: the exact bytes between values (keys, punctuation, no
/// whitespace) and, for each value, its destination. A line that matches it byte for byte
/// between values, with values of the common shapes, is decoded without any key lookup;
/// anything else goes to ``LineParser/parseLine()``, which gives the same result for a line
/// that does match (the template's member sequence has no duplicate key, no unknown feature
/// and no value that would count as a wrong type).
///
/// Immutable once built (shared between copies of a decoder).
final class LineTemplate: @unchecked Sendable, Equatable {
    let slots: [TemplateSlot]
    /// The literals, each padded with zeros to whole words.
    let words: [UInt64]
    /// Whether any member is a feature (the record's `sawFeature`).
    let sawFeature: Bool

    /// Copies of `slots` and `words` for the decoding loop.
    let slotPointer: UnsafeMutablePointer<TemplateSlot>
    let wordPointer: UnsafeMutableRawPointer

    private init(slots: [TemplateSlot], words: [UInt64], sawFeature: Bool) {
        self.slots = slots
        self.words = words
        self.sawFeature = sawFeature
        slotPointer = .allocate(capacity: slots.count)
        slotPointer.initialize(from: slots, count: slots.count)
        wordPointer = .allocate(byteCount: max(8, words.count * 8), alignment: 8)
        for (i, w) in words.enumerated() { wordPointer.storeBytes(of: w, toByteOffset: i * 8, as: UInt64.self) }
    }

    deinit {
        slotPointer.deallocate()
        wordPointer.deallocate()
    }

    static func == (a: LineTemplate, b: LineTemplate) -> Bool {
        a.slots == b.slots && a.words == b.words && a.sawFeature == b.sawFeature
    }

    /// The template of a line that ``LineParser/parseLine()`` accepted (`start ..< end`, sentinel
    /// at `end`), or nil when the line has a shape templates do not cover: whitespace outside
    /// strings (other than one `\r` at the end), escapes, duplicate or unknown feature keys,
    /// values other than plain strings and numbers where a target expects them, ...
    static func build(schema: CompiledSchema, _ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> LineTemplate? {
        var slots: [TemplateSlot] = []
        var words: [UInt64] = []
        var literal: [UInt8] = []
        var sawFeature = false
        var p = start

        func flush(_ kind: TemplateSlot.Kind, _ slot: Int) {
            let offset = words.count * 8
            let n = literal.count
            var i = 0
            while i < n {
                var w: UInt64 = 0
                for j in 0..<8 where i + j < n { w |= UInt64(literal[i + j]) << (8 * j) }
                words.append(w)
                i += 8
            }
            let tail = n % 8
            if tail == 0 { words.append(0) }  // the masked compare always reads one word past the whole ones
            slots.append(
                TemplateSlot(
                    offset: Int32(offset), length: Int32(n), words: Int32(n / 8),
                    tailMask: tail == 0 ? 0 : (UInt64(1) << (8 * tail)) - 1, kind: kind, slot: Int32(slot)))
            literal.removeAll(keepingCapacity: true)
        }
        /// A plain string at `p` (on its quote): moves past it; false on an escape or control byte.
        func plainString() -> Bool {
            guard p < end, p.pointee == UInt8(ascii: "\"") else { return false }
            var q = p + 1
            while q < end && q.pointee != UInt8(ascii: "\"") {
                if q.pointee == UInt8(ascii: "\\") || q.pointee < 0x20 { return false }
                q += 1
            }
            guard q < end else { return false }
            p = q + 1
            return true
        }
        func isNumberStart(_ c: UInt8) -> Bool {
            c &- 0x30 < 10 || (c == UInt8(ascii: "-") && p[1] &- 0x30 < 10)
        }
        func object(_ node: Int, depth: Int) -> Bool {
            guard depth < 16, p.pointee == UInt8(ascii: "{") else { return false }
            literal.append(UInt8(ascii: "{"))
            p += 1
            if p.pointee == UInt8(ascii: "}") {
                literal.append(UInt8(ascii: "}"))
                p += 1
                return true
            }
            let info = schema.nodes[node]
            var seen = Set<Int>()
            while true {
                let keyStart = p
                guard plainString() else { return false }
                literal.append(contentsOf: UnsafeBufferPointer(start: keyStart, count: p - keyStart))
                guard p.pointee == UInt8(ascii: ":") else { return false }
                literal.append(UInt8(ascii: ":"))
                p += 1
                let k = keyStart + 1
                let n = p - keyStart - 3  // `"key":`
                var entry = -1
                for i in Int(info.first)..<Int(info.first + info.count) {
                    let e = schema.entries[i]
                    if Int(e.keyLength) == n && (0..<n).allSatisfy({ schema.keys[Int(e.keyOffset) + $0] == k[$0] }) {
                        entry = i
                        break
                    }
                }
                let c = p.pointee
                if entry < 0 {
                    // Unknown keys are recorded in the features object: not covered.
                    guard !info.isFeatures else { return false }
                    flush(.skipString, 0)
                    guard plainString() else { return false }
                } else {
                    guard seen.insert(entry).inserted else { return false }
                    let e = schema.entries[entry]
                    if e.child >= 0 && c == UInt8(ascii: "{") {
                        guard object(Int(e.child), depth: depth + 1) else { return false }
                    } else {
                        if e.isFeature { sawFeature = true }
                        switch e.kind {
                        case .none:
                            flush(.skipString, 0)
                            guard plainString() else { return false }
                        case .numeric:
                            guard isNumberStart(c) else { return false }
                            flush(.numeric, Int(e.slot))
                            guard JSONNumber.scan(&p, end: end) != nil else { return false }
                        case .text:
                            flush(.text, Int(e.slot))
                            if c == UInt8(ascii: "\"") {
                                guard plainString() else { return false }
                            } else {
                                guard isNumberStart(c), JSONNumber.scan(&p, end: end) != nil else { return false }
                            }
                        case .timestamp:
                            flush(.timestamp, 0)
                            guard plainString() else { return false }
                        }
                    }
                }
                let d = p.pointee
                if d == UInt8(ascii: "}") {
                    literal.append(d)
                    p += 1
                    return true
                }
                guard d == UInt8(ascii: ","), p[1] == UInt8(ascii: "\"") else { return false }
                literal.append(d)
                p += 1
            }
        }
        guard object(0, depth: 0) else { return nil }
        guard p == end || (p.pointee == 0x0D && p + 1 == end) else { return nil }
        flush(.end, 0)
        for i in 0..<(slots.count - 1) {
            // Every literal after the first starts with the byte that ends the value before it.
            let next = slots[i + 1]
            guard next.length > 0 else { return nil }
            slots[i].terminator = UInt8(truncatingIfNeeded: words[Int(next.offset) / 8])
        }
        return LineTemplate(slots: slots, words: words, sawFeature: sawFeature)
    }
}

extension LineParser {
    /// Whether `s ..< s + n` holds no `"`, `\\` or control byte and `s[n]` is `"`.
    /// `s + n + 8` must be readable.
    @inline(__always)
    static func plainString(_ s: UnsafePointer<UInt8>, count n: Int) -> Bool {
        let raw = UnsafeRawPointer(s)
        var k = 0
        var acc: UInt64 = 0
        while k &+ 8 <= n {
            acc |= specialBytes(raw.loadUnaligned(fromByteOffset: k, as: UInt64.self))
            k &+= 8
        }
        let rest = n &- k
        // Bytes from `rest` on are cleared: a flag can only appear at or above a true match.
        let mask: UInt64 = rest == 0 ? 0 : ~UInt64(0) &>> UInt64(64 &- rest &* 8)
        acc |= specialBytes(raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)) & mask
        return acc == 0 && s[n] == UInt8(ascii: "\"")
    }

    /// Decodes the line set up by `begin` through the template: true when it matched (the
    /// record's state is then exactly what ``parseLine()`` would have produced); false when it
    /// did not, with the row and text slots partly written (call `begin` again before the
    /// general parser).
    ///
    /// Value positions do not wait for the values: a string is expected to have the length it
    /// had on the previous line (`hints`, per slot: -1 unknown, -2 varies), a number to end at
    /// the first occurrence of the next literal's first byte within 16 bytes; each value is
    /// then checked against those bounds off the critical path, and any disagreement rejects
    /// the line (all of it is checked before it is accepted).
    @inline(__always)
    mutating func matchTemplate(
        _ slots: UnsafePointer<TemplateSlot>, _ count: Int, _ words: UnsafeRawPointer, hints: UnsafeMutablePointer<Int32>, sawFeature: Bool
    ) -> Bool {
        var q = p
        let end = self.end, num = self.num, text = self.text, numStride = self.numStride
        var ts = Int64.min
        var tsBad = true
        var bad = false
        var i = 0
        while true {
            let s = slots + i
            let hint = hints + i
            i &+= 1
            // The literal.
            let length = Int(s.pointee.length)
            let lit = words + Int(s.pointee.offset)
            let nw = Int(s.pointee.words)
            let mask = s.pointee.tailMask
            if end - q >= (nw &+ 1) &* 8 {
                let raw = UnsafeRawPointer(q)
                var k = 0
                while k < nw {
                    guard raw.loadUnaligned(fromByteOffset: k &* 8, as: UInt64.self) == lit.load(fromByteOffset: k &* 8, as: UInt64.self) else { return false }
                    k &+= 1
                }
                guard raw.loadUnaligned(fromByteOffset: nw &* 8, as: UInt64.self) & mask == lit.load(fromByteOffset: nw &* 8, as: UInt64.self) else { return false }
            } else {
                guard end - q >= length else { return false }
                let b = lit.assumingMemoryBound(to: UInt8.self)
                var k = 0
                while k < length {
                    guard q[k] == b[k] else { return false }
                    k &+= 1
                }
            }
            q += length
            // The value.
            let c = q.pointee
            switch s.pointee.kind {
            case .end:
                guard !bad, q == end || (c == 0x0D && q + 1 == end) else { return false }
                timestamp = ts
                timestampBad = tsBad
                self.sawFeature = sawFeature
                return true
            case .numeric:
                if end - q >= 16 {
                    // The number ends at the terminator's first occurrence in the window.
                    let t = UInt64(s.pointee.terminator) &* 0x0101_0101_0101_0101
                    let raw = UnsafeRawPointer(q)
                    let x0 = raw.loadUnaligned(as: UInt64.self) ^ t
                    let x1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) ^ t
                    let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
                    let z0 = ~(((x0 & low) &+ low) | x0 | low)
                    let z1 = ~(((x1 & low) &+ low) | x1 | low)
                    let n0 = z0.trailingZeroBitCount &>> 3  // 8 when none
                    let n1 = 8 &+ (z1.trailingZeroBitCount &>> 3)  // 16 when none
                    let n = z0 != 0 ? n0 : n1
                    let next = q + n
                    var d: Double
                    if let r = JSONNumber.shortDouble(q, end: end) {
                        d = r.value
                        bad = bad || r.next != next
                    } else {
                        var v = q
                        guard c &- 0x30 < 10 || (c == UInt8(ascii: "-") && q[1] != UInt8(ascii: "I")),
                            let r = JSONNumber.commonDouble(&v, end: end)
                        else { return false }
                        d = r
                        bad = bad || v != next
                    }
                    num[Int(s.pointee.slot) &* numStride] = d
                    q = next
                } else {
                    var d: Double
                    if let r = JSONNumber.shortDouble(q, end: end) {
                        d = r.value
                        q = r.next
                    } else {
                        guard c &- 0x30 < 10 || (c == UInt8(ascii: "-") && q[1] != UInt8(ascii: "I")),
                            let r = JSONNumber.commonDouble(&q, end: end)
                        else { return false }
                        d = r
                    }
                    num[Int(s.pointee.slot) &* numStride] = d
                }
            case .skipString, .text, .timestamp:
                let kind = s.pointee.kind
                let h = Int(hint.pointee)
                var content: UnsafePointer<UInt8>
                var n: Int
                if c == UInt8(ascii: "\"") && h >= 0 && end - q >= h &+ 9 {
                    // The length of the previous line's value.
                    content = q + 1
                    n = h
                    if !Self.plainString(content, count: n) {
                        hint.pointee = -2
                        return false
                    }
                    q = q + (h &+ 2)
                } else if c == UInt8(ascii: "\"") {
                    guard let close = Self.plainStringEnd(q + 1, end) else { return false }
                    content = q + 1
                    n = close - content
                    if h == -1 { hint.pointee = Int32(truncatingIfNeeded: n) }
                    q = close + 1
                } else {
                    // A number as a category.
                    guard kind == .text, c &- 0x30 < 10 || (c == UInt8(ascii: "-") && q[1] != UInt8(ascii: "I")) else { return false }
                    content = q
                    guard JSONNumber.scan(&q, end: end) != nil else { return false }
                    n = q - content
                }
                switch kind {
                case .text: text[Int(s.pointee.slot)] = TextSlice(base: content, count: n)
                case .timestamp:
                    if let ms = RFC3339.milliseconds(content, count: n) {
                        ts = ms
                        tsBad = false
                    } else {
                        ts = .min
                        tsBad = true
                    }
                default: break
                }
            }
        }
    }
}
