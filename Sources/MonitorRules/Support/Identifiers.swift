/// Lexical rules for names, shared by the expression parser, rule files and rule tests.
enum Identifiers {
    /// A metric-style name: `[a-zA-Z_:][a-zA-Z0-9_:]*` (also used for alert names).
    static func isMetricName(_ s: some StringProtocol) -> Bool {
        var first = true
        for u in s.unicodeScalars {
            if !(isLetter(u) || u == "_" || u == ":" || (!first && isDigit(u))) { return false }
            first = false
        }
        return !first
    }

    /// A label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isLabelName(_ s: some StringProtocol) -> Bool {
        var first = true
        for u in s.unicodeScalars {
            if !(isLetter(u) || u == "_" || (!first && isDigit(u))) { return false }
            first = false
        }
        return !first
    }

    static func isLetter(_ u: Unicode.Scalar) -> Bool { (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") }
    static func isDigit(_ u: Unicode.Scalar) -> Bool { u >= "0" && u <= "9" }

    /// The candidate closest to `name` by edit distance, when it is close enough to be a
    /// plausible typo (at most 2 edits, or a third of the name for long names).
    static func nearest(to name: String, in candidates: some Sequence<String>) -> String? {
        var best: (String, Int)?
        for c in candidates.sorted() {
            let d = editDistance(name, c)
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (c, d) = best, d <= max(2, name.count / 3) else { return nil }
        return c
    }

    /// Edit distance over Unicode scalars counting insertions, deletions, substitutions and
    /// transpositions of neighbours (optimal string alignment), so that `pis` is one edit from `psi`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    /// A did-you-mean suffix (`" (did you mean \"psi\"?)"`) or the empty string.
    static func didYouMean(_ name: String, in candidates: some Sequence<String>) -> String {
        nearest(to: name, in: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
