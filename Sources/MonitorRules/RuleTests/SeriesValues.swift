/// promtool's expanding notation for test input values:
///
/// - `1 2 3`: one value per step; `_` (or `stale`): no sample at that step;
/// - `a+bxN`: `a, a+b, …, a+N·b` (N + 1 values); `a-bxN` likewise decreasing; `axN`: `a` N + 1 times;
/// - `_xN`: N steps without a sample.
///
/// `0.1 0.3 _ 0.05x2 0+0.1x3` is `0.1, 0.3, –, 0.05, 0.05, 0.05, 0, 0.1, 0.2, 0.3`.
enum SeriesValues {
    /// The largest repeat count accepted (keeps a typo from allocating gigabytes).
    static let maxCount = 100_000

    /// Expands `text`; nil entries are steps without a sample.
    static func parse(_ text: String) -> ([Double?], [ExpressionError]) {
        let s = Array(text.unicodeScalars)
        var out: [Double?] = []
        var errors: [ExpressionError] = []
        var i = 0
        while i < s.count {
            if s[i] == " " || s[i] == "\t" || s[i] == "\n" || s[i] == "\r" {
                i += 1
                continue
            }
            let start = i
            while i < s.count, !(s[i] == " " || s[i] == "\t" || s[i] == "\n" || s[i] == "\r") { i += 1 }
            var token = String.UnicodeScalarView()
            token.append(contentsOf: s[start..<i])
            switch expand(String(token)) {
            case .success(let values): out += values
            case .failure(let e): errors.append(ExpressionError(.syntax, offset: start, length: i - start, e.message))
            }
        }
        return (out, errors)
    }

    struct Problem: Error {
        var message: String
    }

    private static func expand(_ token: String) -> Result<[Double?], Problem> {
        if token == "_" || token == "stale" { return .success([nil]) }
        guard let x = token.lastIndex(of: "x"), x != token.startIndex else {
            guard let v = number(Substring(token)) else { return .failure(Problem(message: "\"\(token)\" is not a number, _ or a+bxN")) }
            return .success([v])
        }
        let head = token[..<x]
        guard let n = Int(token[token.index(after: x)...]), n >= 0 else {
            return .failure(Problem(message: "\"\(token)\": expected a repeat count after \"x\" (e.g. 1+2x3)"))
        }
        guard n <= maxCount else { return .failure(Problem(message: "\"\(token)\": repeat count \(n) is above \(maxCount)")) }
        if head == "_" || head == "stale" { return .success([Double?](repeating: nil, count: n)) }
        if let a = number(head) { return .success([Double?](repeating: a, count: n + 1)) }
        // a+b or a-b: the operator is the last sign that is not a leading sign or an exponent's.
        var k = head.endIndex
        while k > head.startIndex {
            k = head.index(before: k)
            let c = head[k]
            guard c == "+" || c == "-", k > head.startIndex else { continue }
            let prev = head[head.index(before: k)]
            if prev == "e" || prev == "E" { continue }
            guard let a = number(head[..<k]), let b = number(head[head.index(after: k)...]) else { break }
            let step = c == "+" ? b : -b
            return .success((0...n).map { a + Double($0) * step })
        }
        return .failure(Problem(message: "\"\(token)\" is not of the form a+bxN, a-bxN or axN"))
    }

    private static func number(_ s: Substring) -> Double? {
        switch s.lowercased() {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default:
            guard let first = s.unicodeScalars.first, Identifiers.isDigit(first) || first == "-" || first == "+" || first == "." else { return nil }
            return Double(s)
        }
    }
}
