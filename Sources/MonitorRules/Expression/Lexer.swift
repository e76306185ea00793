/// Splits an expression into tokens (PromQL's lexical rules, reduced to what the language uses).
///
/// - Identifiers: `[a-zA-Z_:][a-zA-Z0-9_:]*`; `Inf` and `NaN` (any case) are numbers.
/// - Numbers: decimal with optional fraction and exponent (`1`, `.5`, `2.5e-3`), hexadecimal (`0x1F`).
/// - Strings: `"…"` and `'…'` with Go escapes (`\n`, `\\`, `\"`, `\xHH`, `\uHHHH`, octal), and raw
///   `` `…` `` without escapes.
/// - `#` starts a comment that runs to the end of the line.
struct Lexer {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    /// Every token up to and including `.end`, or the first lexical error.
    static func tokenize(_ text: String) -> Result<[Token], ExpressionError> {
        var lexer = Lexer(text)
        var out: [Token] = []
        while true {
            switch lexer.next() {
            case .success(let t):
                out.append(t)
                if t.kind == .end { return .success(out) }
            case .failure(let e):
                return .failure(e)
            }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    private func text(_ start: Int, _ end: Int) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[start..<end])
        return String(s)
    }

    private func token(_ kind: Token.Kind, from start: Int) -> Token {
        Token(kind: kind, text: text(start, index), start: start, end: index)
    }

    mutating func next() -> Result<Token, ExpressionError> {
        // Whitespace and comments.
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                index += 1
            } else if c == "#" {
                while let d = peek(), d != "\n" { index += 1 }
            } else {
                break
            }
        }
        let start = index
        guard let c = peek() else { return .success(Token(kind: .end, text: "", start: start, end: start)) }
        index += 1
        switch c {
        case "(": return .success(token(.leftParen, from: start))
        case ")": return .success(token(.rightParen, from: start))
        case "{": return .success(token(.leftBrace, from: start))
        case "}": return .success(token(.rightBrace, from: start))
        case ",": return .success(token(.comma, from: start))
        case "+": return .success(token(.plus, from: start))
        case "-": return .success(token(.minus, from: start))
        case "*": return .success(token(.star, from: start))
        case "/": return .success(token(.slash, from: start))
        case "%": return .success(token(.percent, from: start))
        case "^": return .success(token(.caret, from: start))
        case "=":
            if peek() == "=" { index += 1; return .success(token(.equalEqual, from: start)) }
            if peek() == "~" { index += 1; return .success(token(.regexMatch, from: start)) }
            return .success(token(.assign, from: start))
        case "!":
            if peek() == "=" { index += 1; return .success(token(.notEqual, from: start)) }
            if peek() == "~" { index += 1; return .success(token(.regexNoMatch, from: start)) }
            return .failure(ExpressionError(.syntax, offset: start, "unexpected character after \"!\" (expected != or !~)"))
        case ">":
            if peek() == "=" { index += 1; return .success(token(.greaterEqual, from: start)) }
            return .success(token(.greater, from: start))
        case "<":
            if peek() == "=" { index += 1; return .success(token(.lessEqual, from: start)) }
            return .success(token(.less, from: start))
        case "\"", "'":
            return lexQuoted(quote: c, start: start)
        case "`":
            while let d = peek(), d != "`" { index += 1 }
            guard peek() == "`" else {
                return .failure(ExpressionError(.syntax, offset: start, length: index - start, "unterminated raw string"))
            }
            index += 1
            return .success(token(.string(text(start + 1, index - 1)), from: start))
        default:
            if Identifiers.isDigit(c) || (c == "." && peek().map(Identifiers.isDigit) == true) {
                index -= 1
                return lexNumber(start: start)
            }
            if Identifiers.isLetter(c) || c == "_" || c == ":" {
                while let d = peek(), Identifiers.isLetter(d) || Identifiers.isDigit(d) || d == "_" || d == ":" { index += 1 }
                let word = text(start, index)
                switch word.lowercased() {
                case "inf": return .success(token(.number(.infinity), from: start))
                case "nan": return .success(token(.number(.nan), from: start))
                default: return .success(token(.identifier, from: start))
                }
            }
            return .failure(ExpressionError(.syntax, offset: start, "unexpected character \"\(c.escaped(asASCII: false))\""))
        }
    }

    private mutating func lexNumber(start: Int) -> Result<Token, ExpressionError> {
        var value: Double?
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            index += 2
            let digitsStart = index
            while let d = peek(), d.properties.isASCIIHexDigit { index += 1 }
            value = UInt64(text(digitsStart, index), radix: 16).map { Double($0) }
        } else {
            while let d = peek(), Identifiers.isDigit(d) { index += 1 }
            if peek() == "." {
                index += 1
                while let d = peek(), Identifiers.isDigit(d) { index += 1 }
            }
            if peek() == "e" || peek() == "E" {
                let save = index
                index += 1
                if peek() == "+" || peek() == "-" { index += 1 }
                if let d = peek(), Identifiers.isDigit(d) {
                    while let d = peek(), Identifiers.isDigit(d) { index += 1 }
                } else {
                    index = save
                }
            }
            value = Double(text(start, index))
        }
        // A letter glued to a number (`5m`, `1x`) is not something this language reads.
        if let d = peek(), Identifiers.isLetter(d) || d == "_" || d == "." {
            while let d = peek(), Identifiers.isLetter(d) || Identifiers.isDigit(d) || d == "_" || d == "." { index += 1 }
            return .failure(ExpressionError(.syntax, offset: start, length: index - start,
                                            "bad number \"\(text(start, index))\" (durations and range selectors are not supported)"))
        }
        guard let value else {
            return .failure(ExpressionError(.syntax, offset: start, length: index - start, "bad number \"\(text(start, index))\""))
        }
        return .success(token(.number(value), from: start))
    }

    private mutating func lexQuoted(quote: Unicode.Scalar, start: Int) -> Result<Token, ExpressionError> {
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek(), c != "\n" else {
                return .failure(ExpressionError(.syntax, offset: start, length: index - start, "unterminated string"))
            }
            index += 1
            if c == quote { break }
            guard c == "\\" else {
                out.append(c)
                continue
            }
            let escStart = index - 1
            guard let e = peek() else { continue }
            index += 1
            func hex(_ n: Int) -> Unicode.Scalar? {
                guard index + n <= scalars.count else { return nil }
                let digits = text(index, index + n)
                guard digits.unicodeScalars.allSatisfy(\.properties.isASCIIHexDigit), let v = UInt32(digits, radix: 16) else { return nil }
                index += n
                return Unicode.Scalar(v)
            }
            let decoded: Unicode.Scalar?
            switch e {
            case "a": decoded = "\u{07}"
            case "b": decoded = "\u{08}"
            case "f": decoded = "\u{0C}"
            case "n": decoded = "\n"
            case "r": decoded = "\r"
            case "t": decoded = "\t"
            case "v": decoded = "\u{0B}"
            case "\\": decoded = "\\"
            case "x": decoded = hex(2)
            case "u": decoded = hex(4)
            case "U": decoded = hex(8)
            case "0"..."7":
                let digits = text(index - 1, min(index + 2, scalars.count))
                if digits.count == 3, digits.unicodeScalars.allSatisfy({ $0 >= "0" && $0 <= "7" }), let v = UInt32(digits, radix: 8), v < 256 {
                    index += 2
                    decoded = Unicode.Scalar(v)
                } else {
                    decoded = nil
                }
            default: decoded = e == quote ? quote : nil
            }
            guard let decoded else {
                return .failure(ExpressionError(.syntax, offset: escStart, length: index - escStart,
                                                "unknown escape sequence \"\(text(escStart, index))\" in string (write \\\\ for a backslash)"))
            }
            out.append(decoded)
        }
        return .success(token(.string(String(out)), from: start))
    }
}
