import MonitorCore
import Testing

@Suite("JSON string literals")
struct JSONStringTests {
    @Test("escapes quotes, backslashes and control characters; keeps everything else", arguments: [
        // Intent: the two characters JSON requires escaping.
        ("a\"b\\c", #""a\"b\\c""#),
        // Intent: named escapes for newline, carriage return, tab.
        ("l1\nl2\r\t", #""l1\nl2\r\t""#),
        // Intent: other control characters as \u00xx, lowercase hex, including NUL and U+001F.
        ("\u{0}\u{1}\u{1f}", #""\u0000\u0001\u001f""#),
        // Intent: non-ASCII, U+007F and '/' are written as themselves.
        ("é/€\u{7f}😀", "\"é/€\u{7f}😀\""),
        ("", "\"\""),
    ])
    func quoted(input: String, expected: String) {
        #expect(JSONString.quoted(input) == expected)
        var out = "x:"
        JSONString.append(input, to: &out)
        #expect(out == "x:" + expected)
    }
}
