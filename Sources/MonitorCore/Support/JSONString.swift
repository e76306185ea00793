/// JSON string literals (RFC 8259 §7), written by hand where the service builds JSON without
/// Foundation: `monitor compare --format json`, JSON logs, `monitor report --format json`.
public enum JSONString {
    /// `s` as a quoted JSON string: `"` and `\` escaped, `\n`, `\r`, `\t` by name, every other
    /// control character (U+0000–U+001F) as `\u00xx` (lowercase hex), everything else as is.
    public static func quoted(_ s: String) -> String {
        var out = ""
        append(s, to: &out)
        return out
    }

    /// Appends `s` as a quoted JSON string (see ``quoted(_:)``).
    public static func append(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0}"..."\u{1f}":
                out += "\\u00"
                out.unicodeScalars.append(hexDigits[Int(u.value >> 4)])
                out.unicodeScalars.append(hexDigits[Int(u.value & 0xf)])
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    private static let hexDigits: [Unicode.Scalar] = Array("0123456789abcdef".unicodeScalars)
}
