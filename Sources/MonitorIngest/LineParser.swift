#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A string-ish value to be resolved to a dictionary code once the record is known to be
/// well-formed: bytes of the line (raw strings, number and boolean text) or of the scratch
/// buffer (unescaped strings). `base == nil` means missing.
struct TextSlice {
    var base: UnsafePointer<UInt8>?
    var count: Int
}

/// JSON type of a value, as seen by schema inference.
enum ValueKind: UInt8 {
    case number = 1, string, bool, missing, other
}

/// A key seen where the schema has no entry for it (outside the features object), following
/// the entry `after` (-1: first in its object): the next time it follows that entry with a plain
/// string value, the fast path skips it without the general member code. `after == -2`: none.
struct SkipKey {
    var after: Int32 = -2
    var length: Int32 = 0
    var pattern0: UInt64 = 0
    var pattern1: UInt64 = 0
    var mask0: UInt64 = 0
    var mask1: UInt64 = 0
}

/// A key of the features object that is not in the schema, with its value's kind.
struct UnknownKey {
    var base: UnsafePointer<UInt8>
    var count: Int
    var kind: ValueKind
}

/// The single-pass scanner of one JSON line.
///
/// The line must be followed by one readable sentinel byte that cannot continue a token (the
/// line's `\n`, or a `\n` appended by the caller): every loop stops at a byte < 0x20 or at a
/// mismatching byte, so no per-byte bounds check is needed.
///
/// Well-formedness is checked along the way (strings, escapes, numbers, literals, separators,
/// nesting); any violation makes `parseLine` return false and the record is dropped.
/// Extensions to RFC 8259, accepted because Python's `json.dumps` emits them by default:
/// the bare tokens `NaN`, `Infinity` and `-Infinity`, read as missing values.
struct LineParser {
    // Compiled schema (shared, immutable).
    let keys: UnsafePointer<UInt8>
    let entries: UnsafePointer<KeyEntry>
    let nodes: UnsafePointer<NodeInfo>
    /// Key-order guesses, carried across lines: `guess[node]` is the entry expected first in a
    /// node's object, `guess[nodeCount + entry]` the entry expected after `entry` (-1: none).
    /// Producers write keys in a stable order, so after the first line almost every key is
    /// matched by one or two word compares.
    let guess: UnsafeMutablePointer<Int32>
    let nodeCount: Int
    /// Per node: the unknown key last skipped by the general code (see ``SkipKey``).
    let skips: UnsafeMutablePointer<SkipKey>
    /// 0 for milliseconds, 3 for seconds.
    let unitExponent: Int
    /// Containers nested deeper than this are rejected as malformed; bounds recursion.
    static let maxDepth = 128

    // Per line.
    var p: UnsafePointer<UInt8>
    var end: UnsafePointer<UInt8>
    /// The record's numeric slot 0; slot `i` is at `num[i * numStride]` (column-major staging).
    var num: UnsafeMutablePointer<Double>
    var numStride = 1
    let numericSlots: Int
    let text: UnsafeMutablePointer<TextSlice>
    let textSlots: Int
    var scratch: UnsafeMutablePointer<UInt8>
    var scratchCapacity: Int
    var scratchUsed = 0
    var timestamp = Int64.min
    var timestampBad = true
    var wrongTypes = 0
    var sawFeature = false
    var unknown: UnsafeMutablePointer<UnknownKey>
    var unknownCount = 0
    var unknownCapacity: Int

    // Last scanned string.
    var stringStart: UnsafePointer<UInt8>
    var stringLength = 0
    var stringEscaped = false

    init(schema: CompiledSchema, guess: UnsafeMutablePointer<Int32>, unitExponent: Int, text: UnsafeMutablePointer<TextSlice>) {
        keys = UnsafePointer(schema.keys)
        entries = UnsafePointer(schema.entries)
        nodes = UnsafePointer(schema.nodes)
        self.guess = guess
        nodeCount = schema.nodeCount
        self.unitExponent = unitExponent
        numericSlots = schema.numericSlots
        textSlots = schema.textSlots
        self.text = text
        let dummy = UnsafePointer<UInt8>(bitPattern: 1)!
        p = dummy
        end = dummy
        stringStart = dummy
        num = UnsafeMutablePointer(bitPattern: MemoryLayout<Double>.alignment)!  // set by begin()
        scratchCapacity = 4096
        scratch = .allocate(capacity: scratchCapacity)
        unknownCapacity = 64
        unknown = .allocate(capacity: unknownCapacity)
        skips = .allocate(capacity: max(1, schema.nodeCount))
        skips.initialize(repeating: SkipKey(), count: max(1, schema.nodeCount))
    }

    /// Frees the scratch buffers; call once when done.
    func release() {
        scratch.deallocate()
        unknown.deallocate()
        skips.deallocate()
    }

    /// Resets the per-record state for the line `start ..< end` (sentinel at `end`) and a row.
    @inline(__always)
    mutating func begin(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, row: UnsafeMutablePointer<Double>, stride: Int) {
        p = start
        self.end = end
        num = row
        numStride = stride
        for i in 0..<numericSlots { row[i &* stride] = .nan }
        for i in 0..<textSlots { text[i] = TextSlice(base: nil, count: 0) }
        let n = end - start
        if n > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = n
            scratch = .allocate(capacity: n)
        }
        scratchUsed = 0
        timestamp = .min
        timestampBad = true
        wrongTypes = 0
        sawFeature = false
        unknownCount = 0
    }

    @inline(__always)
    mutating func skipWhitespace() {
        var c = p.pointee
        while c == 0x20 || c == 0x09 || c == 0x0D {
            p += 1
            c = p.pointee
        }
    }

    /// Parses the line: `true` when it is one well-formed JSON object followed only by whitespace.
    /// Returns nil for a blank line.
    mutating func parseLine() -> Bool? {
        skipWhitespace()
        if p == end { return nil }
        guard p.pointee == UInt8(ascii: "{"), parseObject(node: 0, depth: 1) else { return false }
        skipWhitespace()
        return p == end
    }

    /// Scans a string at `p` (on its opening quote); sets `stringStart/Length/Escaped`.
    @inline(__always)
    mutating func scanString() -> Bool {
        p += 1
        let s = p
        var escaped = false
        while true {
            // Eight bytes at a time while they are plain (no `"`, `\`, control byte): the
            // lowest flagged byte of each test is exact, so stopping there is safe.
            while end - p >= 8 {
                let hit = Self.specialBytes(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                if hit != 0 {
                    p += hit.trailingZeroBitCount >> 3
                    break
                }
                p += 8
            }
            let c = p.pointee
            if c == UInt8(ascii: "\"") {
                stringStart = s
                stringLength = p - s
                stringEscaped = escaped
                p += 1
                return true
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                let e = p[1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    p += 2
                case UInt8(ascii: "u"):
                    guard Self.hex(p[2]) >= 0, Self.hex(p[3]) >= 0, Self.hex(p[4]) >= 0, Self.hex(p[5]) >= 0 else {
                        return false
                    }
                    p += 6
                default:
                    return false
                }
                continue
            }
            if c < 0x20 { return false }  // raw control byte, or the end of the line
            p += 1
        }
    }

    @inline(__always)
    static func hex(_ c: UInt8) -> Int {
        if c &- 0x30 < 10 { return Int(c &- 0x30) }
        let l = c | 0x20
        if l &- 0x61 < 6 { return Int(l &- 0x61) + 10 }
        return -1
    }

    /// Decodes the escapes of the last scanned string into the scratch buffer.
    mutating func unescapeString() -> TextSlice {
        let s = stringStart
        let n = stringLength
        let out = scratch + scratchUsed
        var o = 0
        var i = 0
        while i < n {
            let c = s[i]
            if c != UInt8(ascii: "\\") {
                out[o] = c
                o += 1
                i += 1
                continue
            }
            let e = s[i + 1]
            i += 2
            var b: UInt8 = 0
            switch e {
            case UInt8(ascii: "b"): b = 8
            case UInt8(ascii: "f"): b = 12
            case UInt8(ascii: "n"): b = 10
            case UInt8(ascii: "r"): b = 13
            case UInt8(ascii: "t"): b = 9
            case UInt8(ascii: "u"):
                var cp = Self.hex4(s + i)
                i += 4
                if cp >= 0xD800 && cp < 0xDC00 {
                    if i + 6 <= n, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u") {
                        let lo = Self.hex4(s + i + 2)
                        if lo >= 0xDC00 && lo < 0xE000 {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                            i += 6
                        } else {
                            cp = 0xFFFD
                        }
                    } else {
                        cp = 0xFFFD
                    }
                } else if cp >= 0xDC00 && cp < 0xE000 {
                    cp = 0xFFFD  // lone low surrogate
                }
                o += Self.encodeUTF8(cp, out + o)
                continue
            default: b = e  // \" \\ \/
            }
            out[o] = b
            o += 1
        }
        scratchUsed += o
        return TextSlice(base: UnsafePointer(out), count: o)
    }

    @inline(__always)
    static func hex4(_ p: UnsafePointer<UInt8>) -> Int {
        (hex(p[0]) << 12) | (hex(p[1]) << 8) | (hex(p[2]) << 4) | hex(p[3])
    }

    static func encodeUTF8(_ cp: Int, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if cp < 0x80 {
            out[0] = UInt8(cp)
            return 1
        }
        if cp < 0x800 {
            out[0] = UInt8(0xC0 | (cp >> 6))
            out[1] = UInt8(0x80 | (cp & 0x3F))
            return 2
        }
        if cp < 0x10000 {
            out[0] = UInt8(0xE0 | (cp >> 12))
            out[1] = UInt8(0x80 | ((cp >> 6) & 0x3F))
            out[2] = UInt8(0x80 | (cp & 0x3F))
            return 3
        }
        out[0] = UInt8(0xF0 | (cp >> 18))
        out[1] = UInt8(0x80 | ((cp >> 12) & 0x3F))
        out[2] = UInt8(0x80 | ((cp >> 6) & 0x3F))
        out[3] = UInt8(0x80 | (cp & 0x3F))
        return 4
    }

    /// The last scanned string's content: raw bytes when it had no escapes.
    @inline(__always)
    mutating func stringSlice() -> TextSlice {
        stringEscaped ? unescapeString() : TextSlice(base: stringStart, count: stringLength)
    }

    /// Matches a literal whose first byte is at `p`; advances past it.
    @inline(__always)
    mutating func literal(_ word: StaticString) -> Bool {
        let w = word.utf8Start
        for i in 0..<word.utf8CodeUnitCount where p[i] != w[i] { return false }
        p += word.utf8CodeUnitCount
        return true
    }

    /// At `N`, `I` or `-I`: the Python extension tokens, read as missing.
    @inline(__always)
    mutating func nonFiniteLiteral() -> Bool {
        switch p.pointee {
        case UInt8(ascii: "N"): return literal("NaN")
        case UInt8(ascii: "I"): return literal("Infinity")
        default: return literal("-Infinity")
        }
    }

    @inline(__always)
    func startsNonFinite(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "N") || c == UInt8(ascii: "I") || (c == UInt8(ascii: "-") && p[1] == UInt8(ascii: "I"))
    }

    /// Skips any value, validating it.
    mutating func skipValue(depth: Int) -> Bool {
        let c = p.pointee
        switch c {
        case UInt8(ascii: "\""): return scanString()
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { return false }
            p += 1
            skipWhitespace()
            if p.pointee == UInt8(ascii: "}") {
                p += 1
                return true
            }
            while true {
                guard p.pointee == UInt8(ascii: "\""), scanString() else { return false }
                skipWhitespace()
                guard p.pointee == UInt8(ascii: ":") else { return false }
                p += 1
                skipWhitespace()
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                let d = p.pointee
                p += 1
                if d == UInt8(ascii: ",") {
                    skipWhitespace()
                    continue
                }
                return d == UInt8(ascii: "}")
            }
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { return false }
            p += 1
            skipWhitespace()
            if p.pointee == UInt8(ascii: "]") {
                p += 1
                return true
            }
            while true {
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                let d = p.pointee
                p += 1
                if d == UInt8(ascii: ",") {
                    skipWhitespace()
                    continue
                }
                return d == UInt8(ascii: "]")
            }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default:
            if startsNonFinite(c) { return nonFiniteLiteral() }
            return JSONNumber.scan(&p, end: end) != nil
        }
    }

    /// Linear search of a node's keys: the entry's absolute index, or -1.
    @inline(__always)
    func lookup(_ info: NodeInfo, _ k: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let first = Int(info.first)
        for i in 0..<Int(info.count) {
            let e = entries[first + i]
            if Int(e.keyLength) == n && (n == 0 || memcmp(keys + Int(e.keyOffset), k, n) == 0) { return first + i }
        }
        return -1
    }

    /// Parses an object at `p` (on `{`) whose keys are looked up in `node`.
    mutating func parseObject(node: Int, depth: Int) -> Bool {
        guard depth < Self.maxDepth else { return false }
        p += 1
        skipWhitespace()
        if p.pointee == UInt8(ascii: "}") {
            p += 1
            return true
        }
        let info = nodes[node]
        var last = -1
        while true {
            guard p.pointee == UInt8(ascii: "\"") else { return false }
            // Fast path: members in the expected key order, without whitespace, with values of
            // the common shapes, are parsed here with the position in a register. Anything else
            // leaves `p` on the member's key and goes to the general code below, which then
            // parses the member from scratch (nothing is written before a member is accepted).
            if let r = fastMembers(node: node, depth: depth, last: &last) {
                if r { return true }
            } else {
                return false
            }
            guard p.pointee == UInt8(ascii: "\"") else { return false }
            var entry = -1
            // Fast path: the key that followed the previous key last time.
            let g = Int(last < 0 ? guess[node] : guess[nodeCount &+ last])
            if g >= 0 {
                let e = entries[g]
                let n = Int(e.keyLength)
                if e.wordComparable && end - p >= 16 {
                    // 16 bytes from p + 1 are readable: the line's sentinel is at `end`.
                    let raw = UnsafeRawPointer(p + 1)
                    let w0 = raw.loadUnaligned(as: UInt64.self)
                    let w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    if (w0 & e.mask0) == e.pattern0 && (w1 & e.mask1) == e.pattern1 {
                        entry = g
                        p += n + 2
                    }
                } else if e.rawComparable && end - p > n + 1 {
                    let k = keys + Int(e.keyOffset)
                    var i = 0
                    while i < n && p[1 + i] == k[i] { i += 1 }
                    if i == n && p[1 + n] == UInt8(ascii: "\"") {
                        entry = g
                        p += n + 2
                    }
                }
            }
            if entry < 0 {
                guard scanString() else { return false }
                let key = stringSlice()
                entry = lookup(info, key.base!, key.count)
                if entry >= 0 {
                    if last < 0 { guess[node] = Int32(entry) } else { guess[nodeCount &+ last] = Int32(entry) }
                }
                if entry < 0 && !info.isFeatures && !stringEscaped && key.count < 16 {
                    rememberUnknown(node: node, after: last, key.base!, key.count)
                }
                if entry < 0 && info.isFeatures {
                    skipWhitespace()
                    guard p.pointee == UInt8(ascii: ":") else { return false }
                    p += 1
                    skipWhitespace()
                    let kind = valueKind()
                    guard skipValue(depth: depth) else { return false }
                    noteUnknown(key, kind)
                    guard endOfMember() else { return false }
                    if p.pointee == UInt8(ascii: "}") {
                        p += 1
                        return true
                    }
                    continue
                }
            }
            skipWhitespace()
            guard p.pointee == UInt8(ascii: ":") else { return false }
            p += 1
            skipWhitespace()
            if entry >= 0 {
                last = entry
                guard parseTarget(entries + entry, depth: depth) else { return false }
            } else {
                guard skipValue(depth: depth) else { return false }
            }
            guard endOfMember() else { return false }
            if p.pointee == UInt8(ascii: "}") {
                p += 1
                return true
            }
        }
    }

    /// Parses members at `p` (on a key's quote) while they take the fast path.
    /// - Returns: true when the object was closed (`p` after its `}`); false when the general
    ///   path must take over at `p` (on the quote of a member's key, nothing of that member
    ///   consumed, or after a value whose separator needs the general code, which then checks
    ///   `endOfMember` itself... see below); nil when the line is malformed.
    ///
    /// On `false`, `p` is on a key's opening quote (the general member code runs next).
    @inline(__always)
    mutating func fastMembers(node: Int, depth: Int, last lastEntry: inout Int) -> Bool? {
        var q = p
        // In a register, not through the inout reference.
        var last = lastEntry
        // The parser's fields as locals: stores through `num` and `text` could otherwise force
        // reloads of them from `self` after every value.
        let guess = self.guess, entries = self.entries, end = self.end, num = self.num, text = self.text
        let numStride = self.numStride, nodeCount = self.nodeCount
        var sawFeature = self.sawFeature
        defer {
            lastEntry = last
            self.sawFeature = sawFeature
        }
        members: while true {
            var v: UnsafePointer<UInt8>
            if let after = skipUnknownMember(q, node: node, last: last) {
                v = after
            } else {
                let g = Int(last < 0 ? guess[node] : guess[nodeCount &+ last])
                guard g >= 0, end - q >= 16 else { break members }
                let e = entries + g
                guard e.pointee.wordComparable else { break members }
                let raw = UnsafeRawPointer(q + 1)
                let w0 = raw.loadUnaligned(as: UInt64.self)
                let w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                guard (w0 & e.pointee.mask0) == e.pointee.pattern0 && (w1 & e.pointee.mask1) == e.pointee.pattern1 else { break members }
                v = q + Int(e.pointee.keyLength) + 2
                guard v.pointee == UInt8(ascii: ":") else { break members }
                v += 1
                let c = v.pointee
                let child = Int(e.pointee.child)
                if child >= 0 && c == UInt8(ascii: "{") {
                    p = v
                    last = g
                    self.sawFeature = sawFeature
                    guard parseObject(node: child, depth: depth + 1) else { return nil }
                    sawFeature = self.sawFeature
                    v = p
                } else {
                    switch e.pointee.kind {
                    case .numeric:
                        var d: Double
                        if let r = JSONNumber.shortDouble(v, end: end) {
                            d = r.value
                            v = r.next
                        } else {
                            guard c &- 0x30 < 10 || (c == UInt8(ascii: "-") && v[1] != UInt8(ascii: "I")),
                                let r = JSONNumber.commonDouble(&v, end: end)
                            else { break members }
                            d = r
                        }
                        num[Int(e.pointee.slot) &* numStride] = d
                    case .text:
                        if c == UInt8(ascii: "\"") {
                            guard let close = Self.plainStringEnd(v + 1, end) else { break members }
                            text[Int(e.pointee.slot)] = TextSlice(base: v + 1, count: close - (v + 1))
                            v = close + 1
                        } else {
                            // A number used as a category (`"label":0`): its JSON text, verbatim.
                            guard c &- 0x30 < 10 || (c == UInt8(ascii: "-") && v[1] != UInt8(ascii: "I")) else { break members }
                            let start = v
                            guard JSONNumber.scan(&v, end: end) != nil else { break members }
                            text[Int(e.pointee.slot)] = TextSlice(base: start, count: v - start)
                        }
                    case .timestamp:
                        guard c == UInt8(ascii: "\""), let close = Self.plainStringEnd(v + 1, end) else { break members }
                        if let ms = RFC3339.milliseconds(v + 1, count: close - (v + 1)) {
                            timestamp = ms
                            timestampBad = false
                        } else {
                            timestamp = .min
                            timestampBad = true
                        }
                        v = close + 1
                    case .none:
                        guard c == UInt8(ascii: "\""), let close = Self.plainStringEnd(v + 1, end) else { break members }
                        v = close + 1
                    }
                    if e.pointee.isFeature { sawFeature = true }
                    last = g
                }
            }
            // The member is accepted; its separator.
            let d = v.pointee
            if d == UInt8(ascii: ",") && v[1] == UInt8(ascii: "\"") {
                q = v + 1
                continue
            }
            if d == UInt8(ascii: "}") {
                p = v + 1
                return true
            }
            p = v
            guard endOfMember() else { return nil }
            if p.pointee == UInt8(ascii: "}") {
                p += 1
                return true
            }
            return false
        }
        p = q
        return false
    }

    /// Notes an unknown key (raw bytes, at most 15) for ``skipUnknownMember(_:node:last:)``.
    mutating func rememberUnknown(node: Int, after: Int, _ k: UnsafePointer<UInt8>, _ n: Int) {
        var sk = SkipKey(after: Int32(after), length: Int32(n))
        for j in 0...n {
            let b = UInt64(j < n ? k[j] : UInt8(ascii: "\""))
            if j < 8 {
                sk.pattern0 |= b << (8 * j)
                sk.mask0 |= 0xFF << (8 * j)
            } else {
                sk.pattern1 |= b << (8 * (j - 8))
                sk.mask1 |= 0xFF << (8 * (j - 8))
            }
        }
        skips[node] = sk
    }

    /// When the member at `q` is the node's remembered unknown key, after the same entry, with
    /// a plain string value: the position after that value (nothing is recorded for it, as the
    /// general code records nothing for an unknown key outside the features object); else nil.
    @inline(__always)
    func skipUnknownMember(_ q: UnsafePointer<UInt8>, node: Int, last: Int) -> UnsafePointer<UInt8>? {
        let sk = skips + node
        guard Int(sk.pointee.after) == last, end - q >= 16 else { return nil }
        let raw = UnsafeRawPointer(q + 1)
        let w0 = raw.loadUnaligned(as: UInt64.self)
        let w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        guard (w0 & sk.pointee.mask0) == sk.pointee.pattern0 && (w1 & sk.pointee.mask1) == sk.pointee.pattern1 else { return nil }
        let v = q + Int(sk.pointee.length) + 2
        guard v.pointee == UInt8(ascii: ":"), v[1] == UInt8(ascii: "\""), let close = Self.plainStringEnd(v + 2, end) else { return nil }
        return close + 1
    }

    /// Flags (0x80) bytes of `w` that are `"`, `\\` or control bytes; nonzero iff one is
    /// present (flags above a true one may be spurious, never below).
    @inline(__always)
    static func specialBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)) & 0x8080_8080_8080_8080
    }

    /// The closing quote of a string whose content starts at `s`, when the content has no
    /// escape and no control byte and the closing quote is found by whole words; nil otherwise
    /// (the general scanner then decides).
    @inline(__always)
    static func plainStringEnd(_ s: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
        var q = s
        while end - q >= 8 {
            let hit = specialBytes(UnsafeRawPointer(q).loadUnaligned(as: UInt64.self))
            if hit != 0 {
                q += hit.trailingZeroBitCount >> 3
                return q.pointee == UInt8(ascii: "\"") ? q : nil
            }
            q += 8
        }
        return nil
    }

    /// After a member's value: on `,` moves to the next key; on `}` stays on it.
    @inline(__always)
    mutating func endOfMember() -> Bool {
        skipWhitespace()
        let c = p.pointee
        if c == UInt8(ascii: ",") {
            p += 1
            skipWhitespace()
            return p.pointee == UInt8(ascii: "\"")
        }
        return c == UInt8(ascii: "}")
    }

    @inline(__always)
    func valueKind() -> ValueKind {
        let c = p.pointee
        switch c {
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "I"): return .missing
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .other
        default: return startsNonFinite(c) ? .missing : .number
        }
    }

    mutating func noteUnknown(_ key: TextSlice, _ kind: ValueKind) {
        if unknownCount == unknownCapacity {
            let bigger = UnsafeMutablePointer<UnknownKey>.allocate(capacity: unknownCapacity * 2)
            bigger.moveInitialize(from: unknown, count: unknownCount)
            unknown.deallocate()
            unknown = bigger
            unknownCapacity *= 2
        }
        unknown[unknownCount] = UnknownKey(base: key.base!, count: key.count, kind: kind)
        unknownCount += 1
    }

    /// Parses the value of a schema key into its slot.
    @inline(__always)
    mutating func parseTarget(_ e: UnsafePointer<KeyEntry>, depth: Int) -> Bool {
        let c = p.pointee
        if e.pointee.child >= 0 && c == UInt8(ascii: "{") { return parseObject(node: Int(e.pointee.child), depth: depth + 1) }
        if e.pointee.isFeature { sawFeature = true }
        switch e.pointee.kind {
        case .numeric:
            let start = p
            if c &- 0x30 < 10 || (c == UInt8(ascii: "-") && p[1] != UInt8(ascii: "I")) {
                if let d = JSONNumber.commonDouble(&p, end: end) {
                    num[Int(e.pointee.slot) &* numStride] = d
                    return true
                }
                guard let s = JSONNumber.scan(&p, end: end) else { return false }
                if JSONNumber.isFast(s) {
                    // Finite by construction: no test waits for the division.
                    num[Int(e.pointee.slot) &* numStride] = JSONNumber.fastDouble(s)
                } else {
                    let d = JSONNumber.double(s, start: start, end: p)
                    num[Int(e.pointee.slot) &* numStride] = d.isFinite ? d : .nan
                }
                return true
            }
            num[Int(e.pointee.slot) &* numStride] = .nan
            if c == UInt8(ascii: "n") { return literal("null") }
            if startsNonFinite(c) { return nonFiniteLiteral() }
            wrongTypes += 1
            return skipValue(depth: depth)
        case .text:
            let slot = Int(e.pointee.slot)
            switch c {
            case UInt8(ascii: "\""):
                guard scanString() else { return false }
                text[slot] = stringSlice()
                return true
            case UInt8(ascii: "t"):
                guard literal("true") else { return false }
                text[slot] = TextSlice(base: p - 4, count: 4)
                return true
            case UInt8(ascii: "f"):
                guard literal("false") else { return false }
                text[slot] = TextSlice(base: p - 5, count: 5)
                return true
            case UInt8(ascii: "n"):
                text[slot] = TextSlice(base: nil, count: 0)
                return literal("null")
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                text[slot] = TextSlice(base: nil, count: 0)
                wrongTypes += 1
                return skipValue(depth: depth)
            default:
                text[slot] = TextSlice(base: nil, count: 0)
                if startsNonFinite(c) { return nonFiniteLiteral() }
                let start = p
                guard JSONNumber.scan(&p, end: end) != nil else { return false }
                text[slot] = TextSlice(base: start, count: p - start)
                return true
            }
        case .timestamp:
            timestampBad = true
            timestamp = .min
            if c == UInt8(ascii: "\"") {
                guard scanString() else { return false }
                let s = stringSlice()
                if let ms = RFC3339.milliseconds(s.base!, count: s.count) {
                    timestamp = ms
                    timestampBad = false
                }
                return true
            }
            if c &- 0x30 < 10 || (c == UInt8(ascii: "-") && p[1] != UInt8(ascii: "I")) {
                guard let s = JSONNumber.scan(&p, end: end) else { return false }
                if let ms = JSONNumber.milliseconds(s, unitExponent: unitExponent) {
                    timestamp = ms
                    timestampBad = false
                }
                return true
            }
            return skipValue(depth: depth)
        case .none:
            return skipValue(depth: depth)
        }
    }
}
