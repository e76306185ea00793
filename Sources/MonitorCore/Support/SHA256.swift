/// SHA-256 (FIPS 180-4), incremental, with no dependencies: config hashes and profile fingerprints
/// are computed in the pure layers, which import no Foundation and no crypto library.
///
/// ```swift
/// var hash = SHA256()
/// hash.update("ab")
/// hash.update("c")
/// hash.hex   // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
///
/// Invariants: `buffered < 64` bytes wait in `block`; `length` counts every byte passed to
/// `update` (the message length is at most 2⁶⁴ − 1 bits, as the standard allows).
///
/// Not for secrets: this implementation makes no constant-time claims (HMAC signing of webhooks
/// uses swift-crypto). Module-qualify it (`MonitorCore.SHA256`) in files that also import Crypto.
///
/// - Complexity: O(n) for n bytes; about 64 rounds of 32-bit operations per 64-byte block.
/// - References: NIST FIPS 180-4, *Secure Hash Standard*, 2015, §4.1.2, §4.2.2, §5.1.1, §6.2.
public struct SHA256: Sendable {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// H⁽⁰⁾: the first 32 bits of the fractional parts of the square roots of the first 8 primes
    /// (FIPS 180-4 §5.3.3).
    private static let initialState: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )

    /// K: the first 32 bits of the fractional parts of the cube roots of the first 64 primes
    /// (FIPS 180-4 §4.2.2).
    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    private var state = SHA256.initialState
    /// The partial block (first `buffered` bytes valid).
    private var block = [UInt8](repeating: 0, count: 64)
    private var buffered = 0
    /// Message length in bytes so far.
    private var length: UInt64 = 0

    /// A hash of the empty message, ready for `update`.
    public init() {}

    /// Feeds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        length &+= UInt64(bytes.count)
        var offset = 0
        if buffered > 0 {
            let take = min(64 - buffered, bytes.count)
            for i in 0..<take { block[buffered + i] = bytes[i] }
            buffered += take
            offset = take
            guard buffered == 64 else { return }
            let full = block
            full.withUnsafeBytes { compress($0) }
            buffered = 0
        }
        while bytes.count - offset >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 64]))
            offset += 64
        }
        let rest = bytes.count - offset
        for i in 0..<rest { block[i] = bytes[offset + i] }
        buffered = rest
    }

    /// Feeds bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Feeds a string's UTF-8 encoding.
    public mutating func update(_ string: String) {
        var string = string
        string.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The 32-byte digest of everything fed so far. The hash itself is left unchanged, so more
    /// bytes may follow (the digest of the longer message is then a new `finalize()`).
    public func finalize() -> [UInt8] {
        var copy = self
        // Padding (FIPS 180-4 §5.1.1): 0x80, zeros up to 56 mod 64, the bit length big-endian.
        let bitLength = length &* 8
        var padding: [UInt8] = [0x80]
        let zeros = (55 - buffered + 64) % 64
        padding += [UInt8](repeating: 0, count: zeros)
        for shift in stride(from: 56, through: 0, by: -8) { padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        padding.withUnsafeBytes { copy.absorbPadding($0) }
        precondition(copy.buffered == 0, "SHA-256 padding must end on a block boundary")
        var digest: [UInt8] = []
        digest.reserveCapacity(SHA256.byteCount)
        let s = copy.state
        for word in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] {
            digest += [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)]
        }
        return digest
    }

    /// The digest as 64 lowercase hex digits.
    public var hex: String { SHA256.hexString(finalize()) }

    /// The digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }

    /// The hex digest of a string's UTF-8 encoding (e.g. a config file's text).
    public static func hex(_ string: String) -> String {
        var h = SHA256()
        h.update(string)
        return h.hex
    }

    /// Lowercase hex of bytes.
    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Like `update` but without counting the bytes in the message length.
    private mutating func absorbPadding(_ bytes: UnsafeRawBufferPointer) {
        let saved = length
        update(bytes)
        length = saved
    }

    /// One application of the compression function to a 64-byte block (FIPS 180-4 §6.2.2).
    private mutating func compress(_ chunk: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                let i = t * 4
                w[t] = UInt32(chunk[i]) << 24 | UInt32(chunk[i + 1]) << 16 | UInt32(chunk[i + 2]) << 8 | UInt32(chunk[i + 3])
            }
            for t in 16..<64 {
                let x = w[t - 15]
                let y = w[t - 2]
                let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            SHA256.k.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g
                    g = f
                    f = e
                    e = d &+ t1
                    d = c
                    c = b
                    b = a
                    a = t1 &+ t2
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
        }
    }
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
