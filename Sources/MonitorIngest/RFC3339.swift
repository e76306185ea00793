import MonitorCore

/// Hand-written RFC 3339 timestamp parser (no Foundation, no allocation).
///
/// Accepted: `YYYY-MM-DD` + `T`, `t` or a space + `HH:MM:SS` + optional `.fraction` of any length
/// + `Z`, `z` or `±HH:MM`. Fractions are truncated to milliseconds. A leap second (`:60`) is
/// accepted and lands on the next minute's first second, as a POSIX clock would put it.
/// Rejected: dates without a time, offsets without a colon (`+0200`), out-of-range fields
/// (month 13, 31 April, 29 February of a common year, hour 24).
package enum RFC3339 {
    /// Milliseconds since the epoch, or nil when `text` is not an RFC 3339 date-time.
    package static func milliseconds(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return nil }
            return milliseconds(UnsafePointer(base), count: b.count)
        }
    }

    @inline(__always)
    private static func two(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int? {
        let a = p[i] &- 0x30
        let b = p[i + 1] &- 0x30
        guard a < 10, b < 10 else { return nil }
        return Int(a) * 10 + Int(b)
    }

    /// Milliseconds since the epoch of the bytes `p ..< p + count`, or nil.
    static func milliseconds(_ p: UnsafePointer<UInt8>, count: Int) -> Int64? {
        guard count >= 20 else { return nil }
        guard let y1 = two(p, 0), let y2 = two(p, 2), p[4] == UInt8(ascii: "-"),
            let month = two(p, 5), p[7] == UInt8(ascii: "-"), let day = two(p, 8)
        else { return nil }
        let sep = p[10]
        guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == UInt8(ascii: " ") else { return nil }
        guard let hour = two(p, 11), p[13] == UInt8(ascii: ":"), let minute = two(p, 14),
            p[16] == UInt8(ascii: ":"), let second = two(p, 17)
        else { return nil }
        let year = y1 * 100 + y2
        guard month >= 1, month <= 12, day >= 1, hour <= 23, minute <= 59, second <= 60 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let monthDays: Int
        switch month {
        case 2: monthDays = leap ? 29 : 28
        case 4, 6, 9, 11: monthDays = 30
        default: monthDays = 31
        }
        guard day <= monthDays else { return nil }
        var i = 19
        var millis = 0
        if p[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < count, p[i] &- 0x30 < 10 {
                if digits < 3 { millis = millis * 10 + Int(p[i] &- 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits == 1 { millis *= 100 } else if digits == 2 { millis *= 10 }
        }
        guard i < count else { return nil }
        var offsetMinutes = 0
        let z = p[i]
        if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
            i += 1
        } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
            guard i + 6 <= count, let oh = two(p, i + 1), p[i + 3] == UInt8(ascii: ":"), let om = two(p, i + 4),
                oh <= 23, om <= 59
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (z == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == count else { return nil }
        let days = Timestamp.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }
}
