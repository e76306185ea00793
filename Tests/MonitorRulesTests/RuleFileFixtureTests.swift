import Foundation
import MonitorCore
import Testing

@testable import MonitorRules

/// Every `Fixtures/bad/*.bad.yaml` states its diagnostics inline, one per line, in file order:
/// `# expect: LINE:COLUMN: substring of "context: message"`. The file must produce exactly
/// those diagnostics, each at exactly that position.
@Suite("Rule file fixtures")
struct RuleFileFixtureTests {
    struct Expectation: CustomStringConvertible {
        var line: Int
        var column: Int
        var text: String
        var description: String { "\(line):\(column): \(text)" }
    }

    static func expectations(in text: String) -> [Expectation] {
        text.split(separator: "\n").compactMap { raw -> Expectation? in
            guard let r = raw.range(of: "# expect: ") else { return nil }
            let rest = raw[r.upperBound...]
            let parts = rest.split(separator: ":", maxSplits: 2)
            guard parts.count == 3, let l = Int(parts[0]), let c = Int(parts[1]) else { return nil }
            return Expectation(line: l, column: c, text: String(parts[2].dropFirst()))
        }
    }

    @Test(arguments: Fixtures.names(in: "bad", suffix: ".bad.yaml"))
    func badFile(name: String) throws {
        let text = try Fixtures.read(Fixtures.directory + "/bad/" + name)
        let expected = RuleFileFixtureTests.expectations(in: text)
        #expect(!expected.isEmpty, "\(name) states no expectations")
        let (file, diagnostics) = RuleFile.parse(text, path: "bad/" + name)
        #expect(file == nil)
        let rendered = diagnostics.map(\.description).joined(separator: "\n")
        #expect(diagnostics.count == expected.count, "got:\n\(rendered)")
        for d in diagnostics {
            #expect(d.line > 0 && d.column > 0, "unpositioned: \(d)")
        }
        for (d, e) in zip(diagnostics, expected) {
            #expect(d.line == e.line && d.column == e.column && "\(d.context): \(d.message)".contains(e.text),
                    "expected \(e), got \(d)")
        }
    }

    @Test func theCorpusIsThere() {
        #expect(Fixtures.names(in: "bad", suffix: ".bad.yaml").count >= 12)
        #expect(Fixtures.names(in: "good", suffix: ".good.yaml").count >= 1)
    }

    @Test(arguments: Fixtures.names(in: "good", suffix: ".good.yaml"))
    func goodFile(name: String) throws {
        let text = try Fixtures.read(Fixtures.directory + "/good/" + name)
        let (file, diagnostics) = RuleFile.parse(text, path: name)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(file?.rules.isEmpty == false)
    }
}
