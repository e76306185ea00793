public import MonitorCore

/// Formatting shared by the renderers: deterministic, locale-free.
enum Text {
    /// A number for people: 4 significant digits, `–` for NaN, `∞` for infinities.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "–" }
        if v.isInfinite { return v > 0 ? "∞" : "−∞" }
        if v == 0 { return "0" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        var magnitude = 0
        var a = abs(v)
        while a >= 10 { a /= 10; magnitude += 1 }
        while a < 1 { a *= 10; magnitude -= 1 }
        let digits = 3 - magnitude  // decimals for 4 significant digits
        if digits <= 0 { return String(Int64(v.rounded())) }
        if magnitude < -4 {
            // 1.234e-05: keep the exponent form readable.
            let scaled = (v * pow10(-magnitude) * 1000).rounded() / 1000
            return "\(scaled)e\(magnitude)"
        }
        let p = pow10(digits)
        let r = (v * p).rounded() / p
        return r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : "\(r)"
    }

    /// When a config version took effect, in event time (the store's clock): the first window
    /// evaluated with it, and the watermark at which a checkpoint first recorded it.
    static func configTook(_ c: Report.ConfigEntry) -> String {
        let seen =
            switch c.firstSeen.milliseconds {
            case 0: "recorded before any event was read"
            case Int64.max: "recorded at the end of the input (the final checkpoint of a --once run)"
            default: "recorded at event time \(time(c.firstSeen))"
            }
        guard let end = c.firstWindowEnd else { return "no window evaluated with it; \(seen)" }
        return "in effect from the window ending \(time(end)); \(seen)"
    }

    /// A proportion as a percentage with one decimal: `0.1234` → `12.3%`.
    static func percent(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        let tenths = Int64((v * 1000).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))%"
    }

    private static func pow10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return p
    }

    /// `2026-11-01T10:00:00Z` (seconds precision when the milliseconds are zero).
    static func time(_ t: Timestamp) -> String {
        // `monitor run --once` commits its last checkpoint at the end of time.
        if t.milliseconds == Int64.max { return "end of input" }
        let s = t.rfc3339
        return s.hasSuffix(".000Z") ? String(s.dropLast(5)) + "Z" : s
    }

    static func duration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        if ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }

    /// Consecutive window ends as ranges: `a … b (n)`, one string per run of `step` apart.
    static func ranges(_ ends: [Timestamp], step: Int64?) -> [String] {
        guard let step, step > 0 else { return ends.map(time) }
        var out: [String] = []
        var i = 0
        while i < ends.count {
            var j = i
            while j + 1 < ends.count, ends[j + 1].milliseconds - ends[j].milliseconds == step { j += 1 }
            out.append(i == j ? time(ends[i]) : "\(time(ends[i])) … \(time(ends[j])) (\(j - i + 1))")
            i = j + 1
        }
        return out
    }

    /// The most common gap between consecutive times (the window step), or nil.
    static func step(_ times: [Timestamp]) -> Int64? {
        guard times.count > 1 else { return nil }
        var counts: [Int64: Int] = [:]
        for i in 1..<times.count { counts[times[i].milliseconds - times[i - 1].milliseconds, default: 0] += 1 }
        return counts.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
    }

    static func escapeHTML(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Markdown table cell: pipes and newlines escaped.
    static func cell(_ s: String) -> String {
        s.replacing("|", with: "\\|").replacing("\n", with: " ")
    }
}

/// A minimal JSON writer with a fixed key order (the order of the calls), so output is stable.
struct JSONWriter {
    private(set) var out = ""
    private var needsComma = [false]
    private let indentUnit = "  "

    init() { out.reserveCapacity(1 << 16) }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { out += "," }
        needsComma[needsComma.count - 1] = true
        out += "\n"
        for _ in 1..<needsComma.count { out += indentUnit }
    }

    private mutating func key(_ k: String?) {
        if needsComma.count > 1 { separator() }
        if let k {
            Self.appendString(k, to: &out)
            out += ": "
        }
    }

    mutating func object(_ k: String? = nil, _ body: (inout JSONWriter) -> Void) {
        key(k)
        out += "{"
        needsComma.append(false)
        body(&self)
        close("}")
    }

    mutating func array(_ k: String? = nil, _ body: (inout JSONWriter) -> Void) {
        key(k)
        out += "["
        needsComma.append(false)
        body(&self)
        close("]")
    }

    private mutating func close(_ bracket: String) {
        let had = needsComma.removeLast()
        if had {
            out += "\n"
            for _ in 1..<needsComma.count { out += indentUnit }
        }
        out += bracket
    }

    mutating func string(_ k: String?, _ v: String?) {
        key(k)
        if let v { Self.appendString(v, to: &out) } else { out += "null" }
    }

    mutating func number(_ k: String?, _ v: Double?) {
        key(k)
        Self.appendNumber(v, to: &out)
    }

    mutating func int(_ k: String?, _ v: Int?) {
        key(k)
        out += v.map(String.init) ?? "null"
    }

    mutating func bool(_ k: String?, _ v: Bool) {
        key(k)
        out += v ? "true" : "false"
    }

    mutating func time(_ k: String?, _ v: Timestamp?) { string(k, v.map(Text.time)) }

    /// `[time, value]` on one line: series points, compact.
    mutating func point(_ t: Timestamp, _ v: Double) {
        key(nil)
        out += "[\""
        out += Text.time(t)
        out += "\", "
        Self.appendNumber(v, to: &out)
        out += "]"
    }

    static func appendNumber(_ v: Double?, to out: inout String) {
        guard let v, v.isFinite else {
            out += "null"
            return
        }
        if v == v.rounded(), abs(v) < 1e15 { out += String(Int64(v)) } else { out += v.description }
    }

    static func appendString(_ s: String, to out: inout String) { JSONString.append(s, to: &out) }
}
