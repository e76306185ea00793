import Foundation
import Testing

/// `--help` is API (cf. argument-parser's golden tests): a change to it must be deliberate.
/// Regenerate after an intended change with:
///   for c in run compare baseline check test-rules simulate silence triggers report; do .build/debug/monitor $c --help > Tests/MonitorCLITests/Fixtures/help/$c.txt; done
///   for c in add list expire; do .build/debug/monitor silence $c --help > Tests/MonitorCLITests/Fixtures/help/silence-$c.txt; done
///   .build/debug/monitor triggers list --help > Tests/MonitorCLITests/Fixtures/help/triggers-list.txt
///   .build/debug/monitor --help > Tests/MonitorCLITests/Fixtures/help/monitor.txt
@Suite("--help golden output")
struct HelpGoldenTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/help")

    @Test("help text matches the committed golden file", arguments: ["monitor", "run", "compare", "baseline", "check", "test-rules", "simulate", "silence",
                                                                       "silence add", "silence list", "silence expire", "triggers", "triggers list", "report"])
    func golden(command: String) throws {
        let args = command == "monitor" ? ["--help"] : command.split(separator: " ").map(String.init) + ["--help"]
        let r = try MonitorProcess.run(args)
        #expect(r.code == 0)
        let golden = try String(contentsOf: Self.dir.appendingPathComponent("\(command.replacingOccurrences(of: " ", with: "-")).txt"), encoding: .utf8)
        #expect(r.stdout == golden)
        // Every command shows how to call it (DESIGN §12).
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let examples = lines.firstIndex { $0.hasPrefix("Example") }
        #expect(examples.map { lines[($0 + 1)...].first?.hasPrefix("  monitor ") == true } == true, "no example in \(command) --help")
        // Every line fits an 80-column terminal, except the generated USAGE line.
        for line in r.stdout.split(separator: "\n") where !line.hasPrefix("USAGE:") {
            #expect(line.count <= 80, "\(line)")
        }
    }
}
