/// Parses template text into literal parts and actions, collecting positioned errors.
struct TemplateParser {
    private let s: [Unicode.Scalar]
    private(set) var errors: [TemplateError] = []

    init(_ text: String) { s = Array(text.unicodeScalars) }

    private func string(_ a: Int, _ b: Int) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s[a..<b])
        return String(v)
    }

    private func isSpace(_ u: Unicode.Scalar) -> Bool { u == " " || u == "\t" || u == "\n" || u == "\r" }

    mutating func parse() -> [Template.Part] {
        var parts: [Template.Part] = []
        var text = String.UnicodeScalarView()
        var i = 0
        var trimNextText = false
        while i < s.count {
            guard s[i] == "{", i + 1 < s.count, s[i + 1] == "{" else {
                if !(trimNextText && isSpace(s[i])) {
                    trimNextText = false
                    text.append(s[i])
                }
                i += 1
                continue
            }
            trimNextText = false
            let open = i
            var bodyStart = i + 2
            // `{{- ` trims the whitespace before the action.
            if bodyStart + 1 < s.count, s[bodyStart] == "-", isSpace(s[bodyStart + 1]) {
                while let last = text.last, isSpace(last) { text.removeLast() }
                bodyStart += 1
            }
            guard let close = findClose(from: bodyStart) else {
                errors.append(TemplateError(offset: open, length: 2, "unclosed action: \"{{\" without \"}}\""))
                return []
            }
            var bodyEnd = close
            if bodyEnd - 1 > bodyStart, s[bodyEnd - 1] == "-", isSpace(s[bodyEnd - 2]) {
                bodyEnd -= 1
                trimNextText = true
            }
            if !text.isEmpty {
                parts.append(.text(String(text)))
                text = String.UnicodeScalarView()
            }
            if let action = parseAction(bodyStart, bodyEnd) { parts.append(.action(action)) }
            i = close + 2
        }
        if !text.isEmpty { parts.append(.text(String(text))) }
        return parts
    }

    /// The index of the `}}` closing an action, skipping over string literals.
    private func findClose(from start: Int) -> Int? {
        var i = start
        while i + 1 < s.count {
            if s[i] == "\"" || s[i] == "`" {
                let q = s[i]
                i += 1
                while i < s.count, s[i] != q {
                    if q == "\"", s[i] == "\\" { i += 1 }
                    i += 1
                }
                i += 1
                continue
            }
            if s[i] == "}", s[i + 1] == "}" { return i }
            i += 1
        }
        return nil
    }

    private enum Word {
        case variable(String, Int, Int)   // `$labels.x` / `.Labels.x` as written, start, end
        case string(String, Int, Int)
        case identifier(String, Int, Int)
        case pipe(Int)
    }

    private mutating func lex(_ a: Int, _ b: Int) -> [Word]? {
        var words: [Word] = []
        var i = a
        while i < b {
            let c = s[i]
            if isSpace(c) {
                i += 1
            } else if c == "|" {
                words.append(.pipe(i))
                i += 1
            } else if c == "\"" || c == "`" {
                let start = i
                var v = String.UnicodeScalarView()
                i += 1
                while i < b, s[i] != c {
                    if c == "\"", s[i] == "\\", i + 1 < b {
                        i += 1
                        switch s[i] {
                        case "n": v.append("\n")
                        case "t": v.append("\t")
                        case "\\", "\"": v.append(s[i])
                        default:
                            errors.append(TemplateError(offset: i - 1, length: 2, "unknown escape \"\\\(s[i])\" in template string"))
                            return nil
                        }
                    } else {
                        v.append(s[i])
                    }
                    i += 1
                }
                guard i < b else {
                    errors.append(TemplateError(offset: start, length: i - start, "unterminated string in template"))
                    return nil
                }
                i += 1
                words.append(.string(String(v), start, i))
            } else if c == "$" || c == "." || Identifiers.isLetter(c) || c == "_" {
                let start = i
                i += 1
                while i < b, Identifiers.isLetter(s[i]) || Identifiers.isDigit(s[i]) || s[i] == "_" || s[i] == "." { i += 1 }
                let w = string(start, i)
                words.append(c == "$" || c == "." ? .variable(w, start, i) : .identifier(w, start, i))
            } else {
                errors.append(TemplateError(offset: i, "unexpected \"\(c.escaped(asASCII: false))\" in template action"))
                return nil
            }
        }
        return words
    }

    private mutating func operand(_ w: Word) -> Template.Operand? {
        switch w {
        case .string(let v, _, _): return .string(v)
        case .variable(let v, let a, let b):
            switch v {
            case "$value", ".Value": return .value
            case "$labels", ".Labels": return .labels
            default:
                for prefix in ["$labels.", ".Labels."] where v.hasPrefix(prefix) {
                    let name = String(v.dropFirst(prefix.count))
                    guard Identifiers.isLabelName(name) else {
                        errors.append(TemplateError(offset: a, length: b - a, "invalid label name \"\(name)\" in \(v)"))
                        return nil
                    }
                    return .label(name)
                }
                errors.append(TemplateError(offset: a, length: b - a, "unknown variable \(v) (use $labels.<name> or $value)"))
                return nil
            }
        case .identifier(let v, let a, let b):
            errors.append(TemplateError(offset: a, length: b - a, "unknown function \"\(v)\" (use printf, humanize, humanizePercentage, toUpper or toLower)"))
            return nil
        case .pipe(let a):
            errors.append(TemplateError(offset: a, "unexpected \"|\" in template action"))
            return nil
        }
    }

    private mutating func parseAction(_ a: Int, _ b: Int) -> Template.Action? {
        let bodyText = string(a, b).trimmingSpaces
        if bodyText.hasPrefix("/*") {
            if bodyText.hasSuffix("*/") { return nil }
            errors.append(TemplateError(offset: a, length: b - a, "unterminated comment in template"))
            return nil
        }
        guard let words = lex(a, b) else { return nil }
        guard !words.isEmpty else {
            errors.append(TemplateError(offset: a, length: max(b - a, 1), "empty template action"))
            return nil
        }
        // Split into commands at `|`.
        var commands: [[Word]] = [[]]
        for w in words {
            if case .pipe(let p) = w {
                if commands[commands.count - 1].isEmpty {
                    errors.append(TemplateError(offset: p, "missing command before \"|\""))
                    return nil
                }
                commands.append([])
            } else {
                commands[commands.count - 1].append(w)
            }
        }
        guard !commands.last!.isEmpty else {
            errors.append(TemplateError(offset: b, "missing command after \"|\""))
            return nil
        }
        var result: Template.Operand?
        var functions: [Template.Function] = []
        for (k, command) in commands.enumerated() {
            guard case .identifier(let name, let fa, let fb) = command[0] else {
                // An operand on its own starts the pipeline.
                guard k == 0 else {
                    let (o, _) = bounds(command[0])
                    errors.append(TemplateError(offset: o, "a value can only start a pipeline; after \"|\" comes a function"))
                    return nil
                }
                guard command.count == 1 else {
                    let (o, _) = bounds(command[1])
                    errors.append(TemplateError(offset: o, "unexpected extra argument in template action"))
                    return nil
                }
                guard let op = operand(command[0]) else { return nil }
                result = op
                continue
            }
            var args = Array(command.dropFirst())
            // The function form (`printf "%.2f" $value`) names its value as the last argument.
            if k == 0 {
                guard let last = args.last, case .variable = last else {
                    errors.append(TemplateError(offset: fa, length: fb - fa, "\(name) needs a value, e.g. \(name == "printf" ? "printf \"%.2f\" $value" : "$value | \(name)")"))
                    return nil
                }
                guard let op = operand(last) else { return nil }
                result = op
                args.removeLast()
            }
            let function: Template.Function
            switch name {
            case "printf":
                guard args.count == 1, case .string(let format, let sa, let sb) = args[0] else {
                    errors.append(TemplateError(offset: fa, length: fb - fa, "printf takes one quoted format and one value"))
                    return nil
                }
                switch PrintfFormat.parse(format) {
                case .success(let f):
                    if f.needsNumber, let result, !result.isNumber, functions.isEmpty {
                        errors.append(TemplateError(offset: sa, length: sb - sa, "printf \(f.conversion) needs a number ($value), not a label"))
                        return nil
                    }
                    function = .printf(f)
                case .failure(let problem):
                    errors.append(TemplateError(offset: sa, length: sb - sa, problem.message))
                    return nil
                }
            case "humanize", "humanizePercentage", "toUpper", "toLower":
                if let extra = args.first {
                    let (o, _) = bounds(extra)
                    errors.append(TemplateError(offset: o, "\(name) takes no arguments besides its value"))
                    return nil
                }
                switch name {
                case "humanize": function = .humanize
                case "humanizePercentage": function = .humanizePercentage
                case "toUpper": function = .toUpper
                default: function = .toLower
                }
            default:
                errors.append(TemplateError(offset: fa, length: fb - fa, "unknown function \"\(name)\" (use printf, humanize, humanizePercentage, toUpper or toLower)"))
                return nil
            }
            functions.append(function)
        }
        guard let result else { preconditionFailure("a pipeline always starts with a value") }
        return Template.Action(operand: result, functions: functions)
    }

    private func bounds(_ w: Word) -> (Int, Int) {
        switch w {
        case .variable(_, let a, let b), .string(_, let a, let b), .identifier(_, let a, let b): return (a, b)
        case .pipe(let a): return (a, a + 1)
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
