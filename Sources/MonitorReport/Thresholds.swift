public import MonitorCore

/// Reads the constant thresholds out of a rule's expression text, for drawing them into charts.
///
/// Recognises `metric op number` and `metric{matchers} op number` with `op` one of `>`, `>=`,
/// `<`, `<=` (and the mirrored `number op metric`), where `metric` is a series name windows emit.
/// A `feature="name"` equality matcher restricts the threshold to that feature; other matchers
/// are ignored. Anything else (arithmetic, `and on(...)` joins) is left out: the chart shows the
/// constants a reader would find in the rule, and the decision trace shows the rule itself.
enum Thresholds {
    static func extract(from rule: RuleSummary) -> [Report.Threshold] {
        var out: [Report.Threshold] = []
        let bytes = Array(rule.expression.utf8)
        var i = 0
        var lastNumberEnd: (value: Double, end: Int)?
        while i < bytes.count {
            if isIdentStart(bytes[i]) {
                let start = i
                while i < bytes.count, isIdent(bytes[i]) { i += 1 }
                let name = String(decoding: bytes[start..<i], as: UTF8.self)
                guard SeriesName.all.contains(name) else { continue }
                // An operand of arithmetic (`accuracy / reference_accuracy < 0.95`): the number
                // bounds the whole expression, not this series, so no threshold is drawn for it.
                let operand = arithmeticBefore(bytes, start)
                var feature: String?
                var j = skipSpace(bytes, i)
                if j < bytes.count, bytes[j] == UInt8(ascii: "{") {
                    let close = matchingBrace(bytes, j)
                    feature = featureMatcher(String(decoding: bytes[(j + 1)..<min(close, bytes.count)], as: UTF8.self))
                    j = close + 1
                }
                i = j
                j = skipSpace(bytes, j)
                if operand || (j < bytes.count && isArithmetic(bytes[j])) {
                    continue
                }
                if let (op, after) = comparison(bytes, j), let (value, end) = number(bytes, skipSpace(bytes, after)) {
                    out.append(Report.Threshold(rule: rule.name + (feature.map { "[\($0)]" } ?? ""), metric: name, op: op, value: value))
                    i = end
                } else if let previous = lastNumberEnd {
                    // `0.2 < psi`: the mirrored form.
                    let k = backComparison(bytes, before: start, after: previous.end)
                    if let op = k { out.append(Report.Threshold(rule: rule.name, metric: name, op: mirror(op), value: previous.value)) }
                }
                continue
            }
            if let (value, end) = number(bytes, i), i == 0 || !isIdent(bytes[i - 1]) {
                lastNumberEnd = (value, end)
                i = end
                continue
            }
            i += 1
        }
        return out
    }

    /// Series names the expression reads, in order of first appearance.
    static func metrics(in expression: String) -> [String] {
        var out: [String] = []
        let bytes = Array(expression.utf8)
        var i = 0
        var inString = false
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\"") { inString.toggle() }
            if !inString, isIdentStart(bytes[i]), i == 0 || !isIdent(bytes[i - 1]) {
                let start = i
                while i < bytes.count, isIdent(bytes[i]) { i += 1 }
                let name = String(decoding: bytes[start..<i], as: UTF8.self)
                if SeriesName.all.contains(name), !out.contains(name) { out.append(name) }
                continue
            }
            i += 1
        }
        return out
    }

    /// Whether a threshold (named `rule[feature]` when restricted) applies to `feature`.
    static func applies(_ t: Report.Threshold, feature: String) -> Bool {
        guard let open = t.rule.lastIndex(of: "["), t.rule.hasSuffix("]") else { return true }
        return t.rule[t.rule.index(after: open)..<t.rule.index(before: t.rule.endIndex)] == feature
    }

    /// Whether the last non-blank byte before `i` is an arithmetic operator.
    private static func arithmeticBefore(_ b: [UInt8], _ i: Int) -> Bool {
        var k = i - 1
        while k >= 0, b[k] == 32 || b[k] == 10 || b[k] == 9 || b[k] == 13 { k -= 1 }
        return k >= 0 && isArithmetic(b[k])
    }

    private static func isArithmetic(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "/") || b == UInt8(ascii: "*") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
            || b == UInt8(ascii: "%") || b == UInt8(ascii: "^")
    }

    private static func isIdentStart(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b == 95 }
    private static func isIdent(_ b: UInt8) -> Bool { isIdentStart(b) || (b >= 48 && b <= 57) }
    private static func skipSpace(_ b: [UInt8], _ i: Int) -> Int {
        var i = i
        while i < b.count, b[i] == 32 || b[i] == 10 || b[i] == 9 || b[i] == 13 { i += 1 }
        return i
    }

    private static func matchingBrace(_ b: [UInt8], _ open: Int) -> Int {
        var i = open + 1
        var inString = false
        while i < b.count {
            if b[i] == UInt8(ascii: "\\") { i += 2; continue }
            if b[i] == UInt8(ascii: "\"") { inString.toggle() }
            if !inString, b[i] == UInt8(ascii: "}") { return i }
            i += 1
        }
        return b.count
    }

    private static func featureMatcher(_ text: String) -> String? {
        for part in text.split(separator: ",") {
            let p = part.trimmingPrefix(while: { $0 == " " })
            guard p.hasPrefix("feature=\""), p.last == "\"" || p.hasSuffix("\" ") else { continue }
            let value = p.dropFirst("feature=\"".count).prefix { $0 != "\"" }
            return String(value)
        }
        return nil
    }

    private static func comparison(_ b: [UInt8], _ i: Int) -> (String, Int)? {
        guard i < b.count, b[i] == UInt8(ascii: ">") || b[i] == UInt8(ascii: "<") else { return nil }
        let op = b[i] == UInt8(ascii: ">") ? ">" : "<"
        if i + 1 < b.count, b[i + 1] == UInt8(ascii: "=") { return (op + "=", i + 2) }
        return (op, i + 1)
    }

    private static func backComparison(_ b: [UInt8], before start: Int, after end: Int) -> String? {
        let between = String(decoding: b[end..<start], as: UTF8.self).filter { $0 != " " && $0 != "\n" }
        return [">", ">=", "<", "<="].contains(between) ? between : nil
    }

    private static func mirror(_ op: String) -> String {
        switch op {
        case ">": "<"
        case ">=": "<="
        case "<": ">"
        default: ">="
        }
    }

    private static func number(_ b: [UInt8], _ i: Int) -> (Double, Int)? {
        var j = i
        if j < b.count, b[j] == UInt8(ascii: "-") { j += 1 }
        let digitsStart = j
        while j < b.count, (b[j] >= 48 && b[j] <= 57) || b[j] == UInt8(ascii: ".") { j += 1 }
        guard j > digitsStart else { return nil }
        if j < b.count, b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") {
            var k = j + 1
            if k < b.count, b[k] == UInt8(ascii: "-") || b[k] == UInt8(ascii: "+") { k += 1 }
            let expStart = k
            while k < b.count, b[k] >= 48 && b[k] <= 57 { k += 1 }
            if k > expStart { j = k }
        }
        if j < b.count, isIdent(b[j]) { return nil }  // `1h`, `5m`: durations, not thresholds
        guard let v = Double(String(decoding: b[i..<j], as: UTF8.self)) else { return nil }
        return (v, j)
    }
}

/// A line diff (longest common subsequence) between two config versions: `- old`, `+ new`;
/// unchanged lines are left out. Small inputs (config texts of a few hundred lines): O(n·m).
enum LineDiff {
    static func diff(_ a: [Substring], _ b: [Substring]) -> [String] {
        let n = a.count
        let m = b.count
        if n == 0 { return b.map { "+ " + $0 } }
        var table = [Int](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i * (m + 1) + j] = a[i] == b[j] ? table[(i + 1) * (m + 1) + j + 1] + 1 : max(table[(i + 1) * (m + 1) + j], table[i * (m + 1) + j + 1])
            }
        }
        var out: [String] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                i += 1
                j += 1
            } else if i < n, j == m || table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1] {
                // Removals first at a change, as `diff` prints them.
                out.append("- " + a[i])
                i += 1
            } else {
                out.append("+ " + b[j])
                j += 1
            }
        }
        return out
    }
}
