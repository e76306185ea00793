extension Timestamp {
    /// Parses an RFC 3339 timestamp (`2026-11-22T10:00:00Z`, `2026-11-22T10:00:00.123+02:00`) or a
    /// plain date (`2026-11-22`, midnight UTC). Fractions beyond milliseconds are truncated.
    /// Returns nil for anything else.
    public static func parse(_ text: String) -> Timestamp? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int64? {
            guard from + len <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<from + len {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), b.count >= 10, b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
            (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        let days = daysFromCivil(year: y, month: mo, day: d)
        if b.count == 10 { return Timestamp(milliseconds: days * 86_400_000) }
        guard b.count >= 20, [84, 116, 32].contains(b[10]), let h = num(11, 2), b[13] == 58, let mi = num(14, 2),
            b[16] == 58, let s = num(17, 2), h < 24, mi < 60, s <= 60
        else { return nil }
        var i = 19
        var ms: Int64 = 0
        if b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { ms = ms * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { ms *= 10 } }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            guard let oh = num(i + 1, 2), b.count > i + 3, b[i + 3] == 58, let om = num(i + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60_000 * (b[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        return Timestamp(milliseconds: days * 86_400_000 + ((h * 60 + mi) * 60 + s) * 1000 + ms - offset)
    }
}

/// Prometheus-style durations: `30s`, `5m`, `1h30m`, `2d`, `1w`, `500ms`, `1y` (365 days).
public enum PrometheusDuration {
    /// Parses a duration into milliseconds; nil when the text is not a duration. `0` is allowed.
    public static func parse(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
                                        ("w", 604_800_000), ("y", 31_536_000_000)]
        var rest = Substring(text)
        var total: Int64 = 0
        var lastUnitIndex = -1
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // "ms" before "m" so that 500ms is not read as 500m + "s".
            guard let ui = [0, 1, 2, 3, 4, 5, 6].first(where: { rest.hasPrefix(units[$0].0) && !(units[$0].0 == "m" && rest.hasPrefix("ms")) }) else { return nil }
            // Units must go from largest to smallest, each at most once (as Prometheus requires).
            let order = [6, 5, 4, 3, 2, 1, 0].firstIndex(of: ui)!
            guard order > lastUnitIndex else { return nil }
            lastUnitIndex = order
            let (m, overflow) = n.multipliedReportingOverflow(by: units[ui].1)
            guard !overflow else { return nil }
            total += m
            rest = rest.dropFirst(units[ui].0.count)
        }
        return total
    }

    /// Renders milliseconds the way Prometheus does (`1h30m`, `2d`, `0s`).
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var r = ms
        var out = ""
        for (u, v) in [("w", Int64(604_800_000)), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if r >= v {
                out += "\(r / v)\(u)"
                r %= v
            }
        }
        return out
    }
}
