/// A set of label name/value pairs identifying one series or one alert instance.
///
/// Invariants: names are unique and kept sorted by name (byte order), so two equal sets compare
/// and hash equal whatever order they were built in, and `description` is canonical
/// (`{feature="amount", model="fraud"}`), like Prometheus's `labels.Labels`.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible, Sequence, ExpressibleByDictionaryLiteral {
    /// One label.
    public struct Label: Hashable, Sendable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The labels, sorted by name.
    public private(set) var pairs: [Label]

    /// The empty label set.
    public init() { pairs = [] }

    /// Builds a set from pairs; a later duplicate name wins; empty values are dropped
    /// (in Prometheus an empty label value is the same as the label being absent).
    public init(_ labels: some Sequence<(String, String)>) {
        let input = Array(labels)
        // Fast path for input that is already sorted by name, unique and without empty values
        // (labels built from other labels): no dictionary, no sort.
        var sortedUnique = true
        for i in input.indices where input[i].1.isEmpty || (i > 0 && !input[i - 1].0.utf8.lexicographicallyPrecedes(input[i].0.utf8)) {
            sortedUnique = false
            break
        }
        if sortedUnique {
            pairs = input.map { Label(name: $0.0, value: $0.1) }
            return
        }
        var dict: [String: String] = [:]
        for (n, v) in input { dict[n] = v }
        pairs = dict.filter { !$0.value.isEmpty }.map { Label(name: $0.key, value: $0.value) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// The value of a label, or nil when absent.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// The labels as a dictionary.
    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: pairs.map { ($0.name, $0.value) })
    }

    public var isEmpty: Bool { pairs.isEmpty }
    public var count: Int { pairs.count }
    public func makeIterator() -> IndexingIterator<[Label]> { pairs.makeIterator() }

    /// A copy with `name` set to `value` (removed when `value` is empty).
    public func setting(_ name: String, to value: String) -> Labels {
        var d = dictionary
        d[name] = value
        return Labels(d.map { ($0.key, $0.value) })
    }

    /// A copy with every label of `other` set (other's values win).
    public func merging(_ other: Labels) -> Labels {
        var d = dictionary
        for l in other.pairs { d[l.name] = l.value }
        return Labels(d.map { ($0.key, $0.value) })
    }

    /// A copy keeping only the named labels.
    public func keeping(_ names: some Collection<String>) -> Labels {
        var copy = self
        copy.pairs.removeAll { !names.contains($0.name) }
        return copy
    }

    /// A copy without the named labels.
    public func removing(_ names: some Collection<String>) -> Labels {
        var copy = self
        copy.pairs.removeAll { names.contains($0.name) }
        return copy
    }

    public static func < (a: Labels, b: Labels) -> Bool {
        for (x, y) in zip(a.pairs, b.pairs) {
            if x.name != y.name { return x.name.utf8.lexicographicallyPrecedes(y.name.utf8) }
            if x.value != y.value { return x.value.utf8.lexicographicallyPrecedes(y.value.utf8) }
        }
        return a.pairs.count < b.pairs.count
    }

    /// `{a="1", b="2"}` with values escaped as in the Prometheus exposition format.
    public var description: String {
        "{" + pairs.map { "\($0.name)=\"\(Labels.escape($0.value))\"" }.joined(separator: ", ") + "}"
    }

    /// Escapes a label value for the Prometheus text format (backslash, double quote, newline).
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
