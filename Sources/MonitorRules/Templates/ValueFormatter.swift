#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Number formatting for templates and messages, following Prometheus where it has a rule.
enum ValueFormatter {
    /// The shortest decimal that reads back as the same double, without a trailing `.0`
    /// (`0.3`, `2`, `1e-05`, `1e+16`); `NaN`, `+Inf`, `-Inf` as Prometheus writes them.
    static func shortest(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        var s = v.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    /// C `printf` of one double with a format validated by `PrintfFormat` (one conversion).
    static func printf(_ format: String, _ v: Double) -> String {
        if v.isNaN || v.isInfinite { return shortest(v) }
        // 512 bytes hold any %f of a double below 1e300 with precision up to ~200; longer output
        // falls back to a heap buffer of the exact size.
        let fitted: String? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
            let n = withVaList([v]) { vsnprintf(buffer.baseAddress, 512, format, $0) }
            guard n >= 0, n < 512 else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(n)), as: UTF8.self)
        }
        if let fitted { return fitted }
        let n = withVaList([v]) { vsnprintf(nil, 0, format, $0) }
        guard n >= 0 else { return shortest(v) }
        var heap = [CChar](repeating: 0, count: Int(n) + 1)
        _ = withVaList([v]) { args in heap.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, Int(n) + 1, format, args) } }
        return String(decoding: heap.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Prometheus's `humanize`: SI prefixes (`1.235M`, `12.5m`) with four significant digits.
    static func humanize(_ value: Double) -> String {
        if value == 0 || value.isNaN || value.isInfinite { return value == 0 ? "0" : shortest(value) }
        var v = value
        var prefix = ""
        if abs(v) >= 1 {
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if abs(v) < 1000 { break }
                prefix = p
                v /= 1000
            }
        } else {
            for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
                if abs(v) >= 1 { break }
                prefix = p
                v *= 1000
            }
        }
        return printf("%.4g", v) + prefix
    }

    /// Prometheus's `humanizePercentage`: `0.1234` → `12.34%`.
    static func humanizePercentage(_ value: Double) -> String {
        if value.isNaN || value.isInfinite { return shortest(value) + "%" }
        return printf("%.4g", value * 100) + "%"
    }
}
