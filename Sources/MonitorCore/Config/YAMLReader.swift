public import Yams

/// Strict, position-aware reading of YAML documents into config models.
///
/// Every accessor records a `ConfigDiagnostic` (with the node's line and column) instead of
/// throwing, so a parse reports all problems of a file at once. Unknown keys are errors.
public struct YAMLReader {
    public let path: String
    public private(set) var diagnostics: [ConfigDiagnostic] = []

    public init(path: String) { self.path = path }

    /// Parses `text` into a node; a syntax error becomes a diagnostic and the result is nil.
    public mutating func compose(_ text: String) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let e as YamlError {
            switch e {
            case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _),
                .composer(let ctx, let problem, let mark, _):
                let where_ = ctx.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
                error(at: mark, "", "YAML syntax error: \(problem)\(where_)")
            case .duplicatedKeysInMapping(let dups, let ctx):
                error(at: ctx.mark, "", "duplicate keys: \(dups.joined(separator: ", "))")
            default:
                diagnostics.append(ConfigDiagnostic(path: path, line: 0, column: 0, message: "YAML error: \(e)"))
            }
            return nil
        } catch {
            diagnostics.append(ConfigDiagnostic(path: path, line: 0, column: 0, message: "YAML error: \(error)"))
            return nil
        }
    }

    /// Records an error at a node's position.
    public mutating func error(_ node: Node?, _ context: String, _ message: String) {
        error(at: node?.mark, context, message)
    }

    public mutating func error(at mark: Mark?, _ context: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(path: path, line: mark?.line ?? 0, column: mark?.column ?? 0,
                                            context: context, message: message))
    }

    /// Records an error at an explicit position (e.g. one remembered from an earlier node).
    public mutating func error(line: Int, column: Int, _ context: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(path: path, line: line, column: column, context: context, message: message))
    }

    public mutating func warning(_ node: Node?, _ context: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(path: path, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0,
                                            context: context, message: message, severity: .warning))
    }

    /// The entries of a mapping in document order, checking keys against `allowed`
    /// (unknown keys are reported, with the allowed ones listed). Non-mappings are reported.
    public mutating func mapping(_ node: Node, _ context: String, allowed: [String]? = nil) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let m) = node else {
            error(node, context, "expected a mapping (key: value pairs), found \(describe(node))")
            return []
        }
        var out: [(String, Node, Node)] = []
        for (k, v) in m {
            guard let key = k.scalar?.string else {
                error(k, context, "keys must be strings")
                continue
            }
            if let allowed, !allowed.contains(key) {
                let near = allowed.min { editDistance($0, key) < editDistance($1, key) }
                let hint = near.map { editDistance($0, key) <= 2 ? " (did you mean \"\($0)\"?)" : "" } ?? ""
                error(k, context, "unknown key \"\(key)\"\(hint); allowed: \(allowed.joined(separator: ", "))")
                continue
            }
            out.append((key, k, v))
        }
        return out
    }

    public mutating func sequence(_ node: Node, _ context: String) -> [Node] {
        guard case .sequence(let s) = node else {
            error(node, context, "expected a list, found \(describe(node))")
            return []
        }
        return Array(s)
    }

    public mutating func string(_ node: Node, _ context: String) -> String? {
        guard case .scalar(let s) = node else {
            error(node, context, "expected a string, found \(describe(node))")
            return nil
        }
        return s.string
    }

    public mutating func int(_ node: Node, _ context: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard case .scalar(let s) = node, let v = Int(s.string.replacingUnderscores()) else {
            error(node, context, "expected an integer, found \(describe(node))")
            return nil
        }
        if let range, !range.contains(v) {
            error(node, context, "\(v) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return v
    }

    public mutating func double(_ node: Node, _ context: String, range: ClosedRange<Double>? = nil) -> Double? {
        guard case .scalar(let s) = node, let v = Double(s.string.replacingUnderscores()), v.isFinite else {
            error(node, context, "expected a number, found \(describe(node))")
            return nil
        }
        if let range, !range.contains(v) {
            error(node, context, "\(v) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return v
    }

    public mutating func bool(_ node: Node, _ context: String) -> Bool? {
        guard case .scalar(let s) = node, let v = ["true": true, "false": false][s.string.lowercased()] else {
            error(node, context, "expected true or false, found \(describe(node))")
            return nil
        }
        return v
    }

    /// A Prometheus duration (`30s`, `1h`, `7d`) in milliseconds.
    public mutating func duration(_ node: Node, _ context: String) -> Int64? {
        guard case .scalar(let s) = node, let v = PrometheusDuration.parse(s.string) else {
            error(node, context, "expected a duration like 30s, 5m, 1h or 7d, found \(describe(node))")
            return nil
        }
        return v
    }

    /// One of a closed set of strings.
    public mutating func choice<T: RawRepresentable>(_ node: Node, _ context: String, _ type: T.Type) -> T?
    where T.RawValue == String, T: CaseIterable {
        guard let s = string(node, context) else { return nil }
        guard let v = T(rawValue: s) else {
            error(node, context, "\"\(s)\" is not one of \(T.allCases.map { $0.rawValue }.joined(separator: ", "))")
            return nil
        }
        return v
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string.isEmpty ? "an empty value" : "\"\(s.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

/// Levenshtein distance, for "did you mean" hints on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8)
    let b = Array(b.utf8)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = prev
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
