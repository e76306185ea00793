import Testing
import Yams

@testable import MonitorRules

/// Offsets inside scalar values map to file positions for every scalar style.
@Suite("Source positions")
struct SourcePositionTests {
    /// Finds `needle` in the value of key `k` and returns its file position.
    static func position(_ yaml: String, of needle: String) throws -> String {
        let root = try #require(try Yams.compose(yaml: yaml))
        let node = try #require(root.mapping?["k"])
        let value = Array(try #require(node.scalar).string.unicodeScalars)
        let n = Array(needle.unicodeScalars)
        let offset = try #require((0...(value.count - n.count)).first { Array(value[$0..<$0 + n.count]) == n })
        let (line, column) = SourceText(yaml).position(ofOffset: offset, in: node)
        return "\(line):\(column)"
    }

    @Test(arguments: [
        // Intent: plain scalar, one to one.
        ("k: psi > bad", "bad", "1:10"),
        // Intent: non-ASCII characters count as one column each (libyaml counts scalars).
        ("k: é€𝄞 bad", "bad", "1:8"),
        // Intent: single-quoted: the opening quote and each doubled quote shift by one.
        ("k: 'a''b''c bad'", "bad", "1:13"),
        // Intent: double-quoted: escapes of 2, 4 and 6 characters.
        (#"k: "\"\x41\u00e9 bad""#, "bad", "1:18"),
        // Intent: literal block: lines and indentation are exact.
        ("k: |\n  first\n    second bad\n", "bad", "3:12"),
        // Intent: literal block with a header comment and a blank line.
        ("k: |-  # note\n  a\n\n  b bad\n", "bad", "4:5"),
        // Intent: folded block: line breaks become spaces, positions stay on their line.
        ("k: >\n  one\n  two bad\n", "bad", "3:7"),
        // Intent: multi-line plain scalar folds onto the right line.
        ("k: one\n  two bad\n", "bad", "2:7"),
        // Intent: multi-line double-quoted scalar.
        ("k: \"one\n  two bad\"\n", "bad", "2:7"),
        // Intent: a nested mapping keeps absolute columns.
        ("a:\n  b:\n    k: x\nk: '  y bad'", "bad", "4:9"),
    ])
    func positions(yaml: String, needle: String, expected: String) throws {
        #expect(try SourcePositionTests.position(yaml, of: needle) == expected)
    }

    @Test func endOfValueIsJustAfterTheLastCharacter() throws {
        let yaml = "k: 'psi >'"
        let root = try #require(try Yams.compose(yaml: yaml))
        let node = try #require(root.mapping?["k"])
        let (line, column) = SourceText(yaml).position(ofOffset: 5, in: node)
        #expect("\(line):\(column)" == "1:10")
    }
}
