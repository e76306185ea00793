import MonitorCore

/// The store's text encoding of label sets and string lists: canonical JSON.
///
/// - Labels are a JSON object with the names in `Labels`' order (sorted by UTF-8 bytes) and
///   string values, e.g. `{"feature":"amount","model":"fraud"}`. Equal label sets encode to
///   equal text, so the text is a key (`UNIQUE(metric, labels)`), and SQLite's JSON functions
///   read it (`json_extract(labels, '$.feature')`) for ad-hoc queries and the report.
/// - Any string round-trips exactly: `"` and `\` are escaped, control characters (U+0000 to
///   U+001F, newline included) become `\n`, `\t`, … or `\u00XX`; every other character,
///   quotes-free punctuation and non-ASCII included, is written as its own UTF-8 bytes.
/// - The decoder accepts any JSON string escapes (`\/`, `\uD83D\uDE00`, …), so text written by
///   SQLite's `json_object` decodes too.
enum JSONText {
    /// `{"name":"value",…}` in the labels' order.
    static func encode(_ labels: Labels) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        for label in labels {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendString(label.name, to: &out)
            out.append(UInt8(ascii: ":"))
            appendString(label.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `["a","b"]`.
    static func encode(_ strings: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, s) in strings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `[1,2,3]`.
    static func encode(integers: [Int]) -> String {
        "[" + integers.map(String.init).joined(separator: ",") + "]"
    }

    /// The integers of a JSON array of integers (no spaces, no exponents, as ``encode(integers:)``
    /// writes it), or nil when `text` is not one.
    static func decodeIntegers(_ text: String) -> [Int]? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return nil }
        if bytes.count == 2 { return [] }
        var out: [Int] = []
        for part in bytes[1..<(bytes.count - 1)].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard let n = Int(String(decoding: part, as: UTF8.self)) else { return nil }
            out.append(n)
        }
        return out
    }

    /// The labels of a JSON object of strings, or nil when `text` is not one.
    static func decodeLabels(_ text: String) -> Labels? {
        var parser = Parser(bytes: Array(text.utf8))
        guard let pairs = parser.object(), parser.atEnd else { return nil }
        return Labels(pairs)
    }

    /// The strings of a JSON array of strings, or nil when `text` is not one.
    static func decodeStrings(_ text: String) -> [String]? {
        var parser = Parser(bytes: Array(text.utf8))
        guard let strings = parser.array(), parser.atEnd else { return nil }
        return strings
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0a: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0d: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                out += Array("\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A parser for the two shapes above (objects and arrays of strings), nothing else.
    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return i == bytes.count
            }
        }

        mutating func object() -> [(String, String)]? {
            guard consume(UInt8(ascii: "{")) else { return nil }
            var pairs: [(String, String)] = []
            if consume(UInt8(ascii: "}")) { return pairs }
            repeat {
                guard let name = string(), consume(UInt8(ascii: ":")), let value = string() else { return nil }
                pairs.append((name, value))
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "}")) ? pairs : nil
        }

        mutating func array() -> [String]? {
            guard consume(UInt8(ascii: "[")) else { return nil }
            var strings: [String] = []
            if consume(UInt8(ascii: "]")) { return strings }
            repeat {
                guard let s = string() else { return nil }
                strings.append(s)
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "]")) ? strings : nil
        }

        private mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[i]) { i += 1 }
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            skipSpace()
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        private mutating func string() -> String? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while i < bytes.count {
                let byte = bytes[i]
                i += 1
                switch byte {
                case UInt8(ascii: "\""): return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { return nil }
                    let escape = bytes[i]
                    i += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            // A high surrogate must be followed by an escaped low surrogate.
                            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                            i += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let s = Unicode.Scalar(scalar) else { return nil }
                        UTF8.encode(s) { out.append($0) }
                    default: return nil
                    }
                case 0x00..<0x20: return nil  // JSON forbids raw control characters in strings
                default: out.append(byte)
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[i]
                i += 1
                let digit: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
    }
}
