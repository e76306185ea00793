/// JSON number scanning and correctly rounded conversion to `Double`.
///
/// The scanner accepts exactly RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
/// Leading zeros (`01`), a leading `+`, `.5`, `1.` and `1e` are rejected.
///
/// Conversion: Clinger's fast path (W. D. Clinger, 1990, "How to read floating point numbers
/// accurately") when the decimal significand has at most 19 digits, fits in 53 bits and the
/// decimal exponent is within ±22: both operands are then exact doubles and one IEEE multiply or
/// divide is correctly rounded. Everything else (long significands, large exponents,
/// subnormals) goes to the standard library's `Double(_: String)`, which is correctly rounded,
/// so the result always equals `Double(text)` bit for bit.
package enum JSONNumber {
    /// What the scanner saw: `±mantissa × 10^exponent`.
    struct Scan {
        /// The first 19 significant digits (leading zeros are not significant).
        var mantissa: UInt64
        var exponent: Int
        var negative: Bool
        /// False when a non-zero digit beyond the 19th was dropped.
        var exact: Bool
    }

    /// Exact powers of ten representable as doubles (10^0 … 10^22).
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
    /// Exact powers of ten as integers (10^0 … 10^19).
    static let integerPowersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000,
        1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ]

    /// Scans a number at `p`, advancing `p` past it. Returns nil (with `p` unspecified) when the
    /// text is not a JSON number. The byte after the number must be readable and must not be a
    /// digit, `.`, `e` or `E` of the number (a line sentinel or a delimiter).
    /// Flags (non-zero bytes) the bytes of `w` that are not ASCII digits. The lowest flagged
    /// byte is exact (a carry out of a byte ≥ 0xFA can only disturb the bytes above it).
    @inline(__always)
    static func nonDigits(_ w: UInt64) -> UInt64 {
        let a = (w & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        let b = ((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        return a | b
    }

    /// The value of the first `n` (1…8) bytes of `w`, all ASCII digits, the first digit in the
    /// lowest byte: three multiplications instead of eight dependent steps (the classic SWAR
    /// reduction: pairs, then quads, then the octet).
    @inline(__always)
    static func eightDigits(_ w: UInt64, count n: Int) -> UInt64 {
        // Shift the digits to the top: the vacated low bytes read as leading zeros.
        var v = (w &<< UInt64((8 &- n) &* 8)) & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 2561) &>> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
    }

    /// Accumulates a run of digits starting at `q` (whose first byte is a digit) into `m`.
    @inline(__always)
    static func digits(_ q: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, into m: inout UInt64) {
        if end - q >= 8 {
            let w = UnsafeRawPointer(q).loadUnaligned(as: UInt64.self)
            let flags = nonDigits(w)
            let n = flags == 0 ? 8 : flags.trailingZeroBitCount &>> 3
            m = m &* integerPowersOfTen[n] &+ eightDigits(w, count: n)
            q += n
            if n < 8 { return }
        }
        var c = q.pointee
        while c &- 0x30 < 10 {
            m = m &* 10 &+ UInt64(c &- 0x30)
            q += 1
            c = q.pointee
        }
    }

    /// The common shape, inlined into the decoder: `-?` digits `(. digits)?` without exponent,
    /// at most 19 digits and a significand below 2^53, so Clinger's fast path applies. Returns
    /// nil, with `p` unchanged, for anything else (the caller then runs ``scan(_:end:)``).
    @inline(__always)
    static func commonDouble(_ p: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Double? {
        var q = p
        let negative = q.pointee == UInt8(ascii: "-")
        if negative { q += 1 }
        let firstDigit = q
        var m: UInt64 = 0
        let c0 = q.pointee
        if c0 == UInt8(ascii: "0") {
            q += 1
        } else if c0 &- 0x31 < 9 {
            digits(&q, end, into: &m)
        } else {
            return nil
        }
        var count = q - firstDigit
        var fraction = 0
        if q.pointee == UInt8(ascii: ".") {
            q += 1
            let fractionStart = q
            guard q.pointee &- 0x30 < 10 else { return nil }
            digits(&q, end, into: &m)
            fraction = q - fractionStart
            count += fraction
        }
        let c = q.pointee
        guard count <= 19, m <= 1 << 53, c &- 0x30 >= 10, c | 0x20 != UInt8(ascii: "e"), c != UInt8(ascii: ".") else { return nil }
        p = q
        let d = Double(m) / powersOfTen[fraction]
        return negative ? -d : d
    }

    /// Flags with 0x80 exactly the bytes of `w` that are not ASCII digits.
    @inline(__always)
    static func nonDigitBytes(_ w: UInt64) -> UInt64 {
        let t = w ^ 0x3030_3030_3030_3030  // digits become 0 ... 9
        // Per byte, no carries: (t & 0x7F) + 0x76 ≤ 0xF5, and it reaches 0x80 iff t & 0x7F ≥ 10.
        return (((t & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | t) & 0x8080_8080_8080_8080
    }

    /// The shortest common shape, from one 16-byte window: `-?` 1…7 integer digits, then
    /// optionally `.` and 1…8 fraction digits, the whole number and its terminator within the
    /// window. Returns exactly what ``commonDouble(_:end:)`` returns for such text, with the
    /// position after the number; nil for anything else (the caller then tries the other paths).
    @inline(__always)
    static func shortDouble(_ p: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> (value: Double, next: UnsafePointer<UInt8>)? {
        // Signs and leading digits vary from value to value: everything that depends on them is
        // computed without branches (a mispredicted branch per number costs more than the rest).
        let signByte = p.pointee == UInt8(ascii: "-") ? 1 : 0
        let signBit = UInt64(truncatingIfNeeded: signByte) &<< 63
        let s = p + signByte
        guard end - s >= 16 else { return nil }
        let raw = UnsafeRawPointer(s)
        let w0 = raw.loadUnaligned(as: UInt64.self)
        let w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let m0 = nonDigitBytes(w0)
        guard m0 != 0 else { return nil }
        let i = m0.trailingZeroBitCount &>> 3  // integer digits, 0 ... 7
        // At least one digit, and no leading zero (`0` followed by another digit).
        let leadingZero = (UInt8(truncatingIfNeeded: w0) == UInt8(ascii: "0") ? 1 : 0) & (i > 1 ? 1 : 0)
        guard i > 0, leadingZero == 0 else { return nil }
        let intPart = eightDigits(w0, count: i)
        let at = UInt8(truncatingIfNeeded: w0 &>> UInt64(i &* 8))
        if at != UInt8(ascii: ".") {
            guard at | 0x20 != UInt8(ascii: "e") else { return nil }
            let d = Double(Int64(bitPattern: intPart))
            return (Double(bitPattern: d.bitPattern | signBit), s + i)
        }
        // Fraction: the bytes after the dot, as one 64-bit window of the 16 loaded.
        let shift = UInt64((i &+ 1) &* 8)  // 16 ... 64
        let fw = shift == 64 ? w1 : (w0 &>> shift) | (w1 &<< (64 &- shift))
        let mf = nonDigitBytes(fw)
        guard mf != 0 else { return nil }  // more than 7 fraction digits in the window: elsewhere
        let f = mf.trailingZeroBitCount &>> 3
        guard f > 0 else { return nil }
        let t = UInt8(truncatingIfNeeded: fw &>> UInt64(f &* 8))
        guard t | 0x20 != UInt8(ascii: "e"), t != UInt8(ascii: ".") else { return nil }
        let m = intPart &* integerPowersOfTen[f] &+ eightDigits(fw, count: f)
        // At most 14 digits: below 2^53, so Double(m) is exact and one division rounds correctly;
        // the sign is exact too (`-0.0` included, as `-(0.0)`).
        let d = Double(Int64(bitPattern: m)) / powersOfTen[f]
        return (Double(bitPattern: d.bitPattern | signBit), s + i + 1 + f)
    }

    /// Scans a number at `p`, advancing `p` past it. Returns nil (with `p` unspecified) when the
    /// text is not a JSON number. `end` is the line's sentinel: bytes up to and including it are
    /// readable, and it cannot continue a number.
    static func scan(_ p: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Scan? {
        // Common case: at most 19 digits in all, accumulated eight at a time.
        // (Leading zeros count as digits here; a number with more than 19 is re-scanned by
        // `scanCarefully`, which skips them.)
        var q = p
        let negative = q.pointee == UInt8(ascii: "-")
        if negative { q += 1 }
        let firstDigit = q
        var c = q.pointee
        var m: UInt64 = 0
        if c == UInt8(ascii: "0") {
            q += 1
            if q.pointee &- 0x30 < 10 { return nil }  // leading zero
        } else if c &- 0x31 < 9 {
            digits(&q, end, into: &m)
        } else {
            return nil
        }
        c = q.pointee
        var digitCount = q - firstDigit
        var exponent = 0
        if c == UInt8(ascii: ".") {
            q += 1
            let fractionStart = q
            guard q.pointee &- 0x30 < 10 else { return nil }
            digits(&q, end, into: &m)
            c = q.pointee
            exponent = fractionStart - q
            digitCount -= exponent
        }
        if digitCount > 19 { return scanCarefully(&p) }
        if c | 0x20 == UInt8(ascii: "e") {
            guard let e = scanExponent(&q) else { return nil }
            exponent &+= e
        }
        p = q
        return Scan(mantissa: m, exponent: exponent, negative: negative, exact: true)
    }

    /// Reads the exponent part `e[+-]digits` starting at the `e`/`E` that `q` points at; leaves
    /// `q` after the last digit. Nil when no digit follows (not a JSON number).
    @inline(__always)
    static func scanExponent(_ q: inout UnsafePointer<UInt8>) -> Int? {
        q += 1
        var c = q.pointee
        var negative = false
        if c == UInt8(ascii: "+") {
            q += 1
        } else if c == UInt8(ascii: "-") {
            negative = true
            q += 1
        }
        c = q.pointee
        guard c &- 0x30 < 10 else { return nil }
        var e = 0
        repeat {
            // Saturate: any |exponent| above 100 000 already over/underflows every double.
            if e < 100_000 { e = e &* 10 &+ Int(c &- 0x30) }
            q += 1
            c = q.pointee
        } while c &- 0x30 < 10
        return negative ? -e : e
    }

    /// The general scanner: keeps the first 19 significant digits, notes whether a non-zero
    /// digit was dropped.
    @inline(never)
    static func scanCarefully(_ p: inout UnsafePointer<UInt8>) -> Scan? {
        var q = p
        var negative = false
        if q.pointee == UInt8(ascii: "-") {
            negative = true
            q += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var exact = true
        var c = q.pointee
        if c == UInt8(ascii: "0") {
            q += 1
            c = q.pointee
            if c &- 0x30 < 10 { return nil }  // leading zero
        } else if c &- 0x31 < 9 {
            repeat {
                let d = UInt64(c &- 0x30)
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ d
                    digits &+= 1
                } else {
                    exponent &+= 1
                    if d != 0 { exact = false }
                }
                q += 1
                c = q.pointee
            } while c &- 0x30 < 10
        } else {
            return nil
        }
        if c == UInt8(ascii: ".") {
            q += 1
            c = q.pointee
            guard c &- 0x30 < 10 else { return nil }
            repeat {
                let d = UInt64(c &- 0x30)
                if digits < 19 {
                    if mantissa != 0 || d != 0 {
                        mantissa = mantissa &* 10 &+ d
                        digits &+= 1
                    }
                    exponent &-= 1
                } else if d != 0 {
                    exact = false
                }
                q += 1
                c = q.pointee
            } while c &- 0x30 < 10
        }
        if c | 0x20 == UInt8(ascii: "e") {
            guard let e = scanExponent(&q) else { return nil }
            exponent &+= e
        }
        p = q
        return Scan(mantissa: mantissa, exponent: exponent, negative: negative, exact: exact)
    }

    /// Whether Clinger's fast path applies (the result is then exact and finite).
    @inline(__always)
    static func isFast(_ s: Scan) -> Bool {
        s.exact && s.mantissa <= 1 << 53 && s.exponent >= -22 && s.exponent <= 22
    }

    /// The value of a scan for which ``isFast(_:)`` holds: one correctly rounded operation.
    @inline(__always)
    static func fastDouble(_ s: Scan) -> Double {
        let m = Double(s.mantissa)
        let d = s.exponent < 0 ? m / powersOfTen[-s.exponent] : m * powersOfTen[s.exponent]
        return s.negative ? -d : d
    }

    /// The correctly rounded double of a scanned number whose text is `start ..< end`.
    @inline(__always)
    static func double(_ s: Scan, start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Double {
        if isFast(s) { return fastDouble(s) }
        if s.mantissa == 0 { return s.negative ? -0.0 : 0.0 }
        return slowDouble(start: start, end: end)
    }

    @inline(never)
    static func slowDouble(start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Double {
        let text = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        return Double(text) ?? .nan
    }

    /// Parses a whole string as one JSON number (for tests and callers outside the hot path).
    /// Returns nil when `text` is not exactly one JSON number. Overflow gives ±infinity.
    package static func parseDouble(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        bytes.append(0)  // sentinel
        return bytes.withUnsafeBufferPointer { buffer -> Double? in
            let start = buffer.baseAddress!
            var p = start
            guard let s = scan(&p, end: start + buffer.count - 1), p == start + buffer.count - 1 else { return nil }
            return double(s, start: start, end: p)
        }
    }

    /// Milliseconds since the epoch from a numeric timestamp in `unitExponent` (0: ms, 3: s):
    /// exact decimal arithmetic, fractions of a millisecond truncated toward −∞. Nil on overflow.
    static func milliseconds(_ s: Scan, unitExponent: Int) -> Int64? {
        if s.mantissa == 0 { return 0 }
        let e = s.exponent + unitExponent
        guard s.mantissa <= UInt64(Int64.max) else { return nil }
        var m = Int64(s.mantissa)
        if e >= 0 {
            guard e <= 19 else { return nil }
            let (v, o) = m.multipliedReportingOverflow(by: Int64(integerPowersOfTen[e]))
            if o { return nil }
            m = v
            return s.negative ? -m : m
        }
        if e < -19 { return s.negative ? -1 : 0 }
        let divisor = Int64(integerPowersOfTen[-e])
        let q = m / divisor
        let r = m % divisor
        return s.negative ? -(q + (r != 0 ? 1 : 0)) : q
    }
}
