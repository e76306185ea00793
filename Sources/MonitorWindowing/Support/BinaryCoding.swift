/// Little-endian binary writing for profiles and checkpoints.
///
/// Every record this module writes ends with an FNV-1a 64-bit checksum of the bytes before it
/// (`finish()`), so a torn or corrupted record is detected before any field is trusted.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(magic: [UInt8], version: UInt8, capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: magic)
        bytes.append(version)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u32(_ v: Int) {
        precondition(v >= 0 && v <= Int(UInt32.max), "ByteWriter.u32: \(v) out of range")
        withUnsafeBytes(of: UInt32(v).littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }

    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    mutating func blob(_ b: [UInt8]) {
        u32(b.count)
        bytes.append(contentsOf: b)
    }

    /// A count followed by the doubles' bit patterns (one copy on little-endian machines).
    mutating func doubles(_ values: UnsafeBufferPointer<Double>) {
        u64(UInt64(values.count))
        #if _endian(little)
            bytes.append(contentsOf: UnsafeRawBufferPointer(values))
        #else
            for v in values { f64(v) }
        #endif
    }

    mutating func ints(_ values: [Int]) {
        u32(values.count)
        for v in values { int(v) }
    }

    /// Appends the checksum and returns the record.
    mutating func finish() -> [UInt8] {
        u64(fnv1a64(bytes[...]))
        return bytes
    }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and throws (never traps) on
/// truncated or inconsistent input.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset: Int
    /// Where the payload ends (the checksum starts).
    private let end: Int
    private let fail: @Sendable (String) -> WindowingError

    /// Checks the magic, the version and the checksum.
    ///
    /// - Parameter fail: makes the error thrown for any problem (profile or state flavour).
    init(_ bytes: [UInt8], magic: [UInt8], version: UInt8, what: String, fail: @escaping @Sendable (String) -> WindowingError) throws(WindowingError) {
        self.bytes = bytes
        self.fail = fail
        guard bytes.count >= magic.count + 1 + 8 else { throw fail("\(what): \(bytes.count) bytes is too short") }
        guard Array(bytes[0..<magic.count]) == magic else { throw fail("\(what): bad magic") }
        guard bytes[magic.count] == version else {
            throw .unsupportedVersion("\(what): format version \(bytes[magic.count]); this build reads \(version)")
        }
        end = bytes.count - 8
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[end + i]) << UInt64(8 * i) }
        guard stored == fnv1a64(bytes[0..<end]) else { throw fail("\(what): checksum mismatch") }
        offset = magic.count + 1
    }

    var isAtEnd: Bool { offset == end }
    var remaining: Int { end - offset }

    mutating func error(_ message: String) -> WindowingError { fail(message) }

    private mutating func need(_ n: Int) throws(WindowingError) {
        guard n >= 0, n <= end - offset else { throw fail("truncated at byte \(offset) (need \(n), have \(end - offset))") }
    }

    mutating func u8() throws(WindowingError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() throws(WindowingError) -> Bool {
        let b = try u8()
        guard b <= 1 else { throw fail("invalid flag \(b) at byte \(offset - 1)") }
        return b == 1
    }

    mutating func u64() throws(WindowingError) -> UInt64 {
        try need(8)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += 8
        return v
    }

    mutating func u32() throws(WindowingError) -> Int {
        try need(4)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << UInt32(8 * i) }
        offset += 4
        return Int(v)
    }

    mutating func i64() throws(WindowingError) -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws(WindowingError) -> Double { Double(bitPattern: try u64()) }

    /// A non-negative count (an `Int` written with `ByteWriter.int`), at most `limit`.
    mutating func count(limit: Int = Int(Int32.max)) throws(WindowingError) -> Int {
        let v = try i64()
        guard v >= 0, v <= Int64(limit) else { throw fail("count \(v) out of range at byte \(offset - 8)") }
        return Int(v)
    }

    mutating func string() throws(WindowingError) -> String {
        let n = try u32()
        try need(n)
        defer { offset += n }
        guard let s = String(validating: bytes[offset..<(offset + n)], as: UTF8.self) else {
            throw fail("invalid UTF-8 at byte \(offset)")
        }
        return s
    }

    mutating func blob() throws(WindowingError) -> ArraySlice<UInt8> {
        let n = try u32()
        try need(n)
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    /// Doubles written by `ByteWriter.doubles`; the length is checked against the bytes left
    /// before anything is allocated.
    mutating func doubles() throws(WindowingError) -> [Double] {
        let n64 = try u64()
        guard n64 <= UInt64(remaining / 8) else { throw fail("\(n64) values announced, \(remaining / 8) fit") }
        let n = Int(n64)
        let start = offset
        offset += 8 * n
        return [Double](unsafeUninitializedCapacity: n) { out, initialized in
            #if _endian(little)
                bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + 8 * n)]))
                }
            #else
                for i in 0..<n {
                    var v: UInt64 = 0
                    for b in 0..<8 { v |= UInt64(bytes[start + 8 * i + b]) << UInt64(8 * b) }
                    out[i] = Double(bitPattern: v)
                }
            #endif
            initialized = n
        }
    }

    mutating func ints() throws(WindowingError) -> [Int] {
        let n = try u32()
        guard n <= remaining / 8 else { throw fail("\(n) counts announced, \(remaining / 8) fit") }
        var out: [Int] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try count(limit: Int.max)) }
        return out
    }

    /// Throws unless every payload byte was read.
    func expectEnd(_ what: String) throws(WindowingError) {
        guard offset == end else { throw fail("\(what): \(end - offset) unexpected trailing bytes") }
    }
}

/// FNV-1a, 64-bit (Fowler, Noll, Vo): detects torn or corrupted records; not a cryptographic hash.
func fnv1a64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        h ^= UInt64(byte)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h
}
