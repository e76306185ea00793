import Yams

/// A YAML document's text as Unicode scalars with line starts, to turn offsets inside a scalar
/// value (an expression, a template, a series notation) into file lines and columns.
///
/// Columns count Unicode scalars from 1, as libyaml (and so `Yams.Mark`) does.
struct SourceText {
    let scalars: [Unicode.Scalar]
    /// Index of the first scalar of each line (line 1 at index 0).
    let lineStarts: [Int]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var starts = [0]
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\n" {
                starts.append(i + 1)
            } else if scalars[i] == "\r" {
                if i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        lineStarts = starts
    }

    /// The scalar index of a 1-based line and column (clamped to the text).
    func index(line: Int, column: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return scalars.count }
        return min(lineStarts[line - 1] + max(column - 1, 0), scalars.count)
    }

    /// The 1-based line and column of a scalar index.
    func position(of index: Int) -> (line: Int, column: Int) {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, index - lineStarts[lo] + 1)
    }

    private func isBreak(_ i: Int) -> Bool { i < scalars.count && (scalars[i] == "\n" || scalars[i] == "\r") }

    /// The file position of the character at `offset` (Unicode scalars) in a scalar node's value.
    ///
    /// Exact for single-line plain, single-quoted (`''`) and double-quoted (escapes) scalars and
    /// for literal block scalars (`|`); folded blocks and multi-line flow scalars map to the right
    /// line and, in the common cases, the right column. `offset == value length` is the position
    /// just after the last character.
    func position(ofOffset offset: Int, in node: Node) -> (line: Int, column: Int) {
        guard case .scalar(let scalar) = node, let mark = scalar.mark else {
            return (node.mark?.line ?? 0, node.mark?.column ?? 0)
        }
        let value = Array(scalar.string.unicodeScalars)
        let start = index(line: mark.line, column: mark.column)
        let map = align(value, style: scalar.style, start: start, upTo: offset)
        if offset < map.count { return position(of: map[offset]) }
        // Past the end: one after the last character.
        return position(of: map.last.map { $0 + 1 } ?? start)
    }

    /// Source indices of value characters `0...upTo` (fewer when the source runs out).
    private func align(_ value: [Unicode.Scalar], style: Node.Scalar.Style, start: Int, upTo: Int) -> [Int] {
        var i = start
        var indent = 0
        let block = style == .literal || style == .folded
        let doubleQuoted = style == .doubleQuoted
        let singleQuoted = style == .singleQuoted
        if singleQuoted || doubleQuoted { i += 1 }
        if block {
            // Content starts on the line after the header (`|`, `>-`, `|2 # comment`).
            while i < scalars.count, !isBreak(i) { i += 1 }
            if i < scalars.count, scalars[i] == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
            i += 1
            var j = i
            // Indentation: that of the first non-blank content line.
            while j < scalars.count {
                var k = j
                while k < scalars.count, scalars[k] == " " { k += 1 }
                if k < scalars.count, !isBreak(k) {
                    indent = k - j
                    break
                }
                j = k + 1
            }
        }
        var atLineStart = block
        var map: [Int] = []
        map.reserveCapacity(min(value.count, upTo + 1))
        var k = 0
        while k < value.count, k <= upTo, i < scalars.count {
            let v = value[k]
            if atLineStart {
                var n = 0
                while n < indent, i < scalars.count, scalars[i] == " " {
                    i += 1
                    n += 1
                }
                atLineStart = false
                continue
            }
            let c = scalars[i]
            if doubleQuoted, c == "\\", i + 1 < scalars.count {
                let e = scalars[i + 1]
                if e == "\n" || e == "\r" {
                    // Escaped line break: it and the next line's indentation vanish.
                    i += 2
                    while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" || scalars[i] == "\n" { i += 1 }
                    continue
                }
                map.append(i)
                i += e == "x" ? 4 : e == "u" ? 6 : e == "U" ? 10 : 2
                k += 1
                continue
            }
            if singleQuoted, c == "'", i + 1 < scalars.count, scalars[i + 1] == "'" {
                map.append(i)
                i += 2
                k += 1
                continue
            }
            if c == v || ((v == " " || v == "\n") && (c == "\n" || c == "\r")) {
                map.append(i)
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                if c == "\n" || c == "\r" { atLineStart = block }
                i += 1
                k += 1
                continue
            }
            // Folding whitespace, indentation or block chrome: not part of the value.
            if c == "\n" || c == "\r" { atLineStart = block }
            i += 1
        }
        return map
    }
}
