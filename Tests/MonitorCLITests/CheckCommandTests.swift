import Foundation
import Testing

@Suite("monitor check")
struct CheckCommandTests {
    static let root = MonitorProcess.packageRoot

    /// Every bad config, rule and alert file of the repository's corpora.
    static func badFiles() throws -> [String] {
        let dirs = ["Tests/MonitorRulesTests/Fixtures/bad", "Tests/MonitorCoreTests/Fixtures/config", "Tests/MonitorCLITests/Fixtures/bad"]
        var out: [String] = []
        for d in dirs {
            let url = root.appendingPathComponent(d)
            for f in try FileManager.default.contentsOfDirectory(atPath: url.path) where f.hasSuffix(".bad.yaml") {
                out.append(url.appendingPathComponent(f).path)
            }
        }
        return out.sorted()
    }

    @Test("every file of the bad corpora gets a positioned message; exit 1, all listed in one run")
    func badCorpus() throws {
        let files = try Self.badFiles()
        #expect(files.count >= 25)
        let r = try MonitorProcess.run(["check"] + files)
        #expect(r.code == 1)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        for f in files {
            let positioned = lines.filter { line in
                guard line.hasPrefix(f + ":") else { return false }
                let rest = line.dropFirst(f.count + 1).split(separator: ":", maxSplits: 2)
                return rest.count == 3 && (Int(rest[0]) ?? 0) > 0 && (Int(rest[1]) ?? 0) > 0
            }
            #expect(!positioned.isEmpty, "no positioned message for \(f):\n\(lines.filter { $0.hasPrefix(f) })")
        }
        #expect(lines.last?.hasPrefix("error: ") == true)
        #expect(lines.last?.contains("in \(files.count) files") == true, "\(lines.last ?? "")")
    }

    @Test("a config naming missing rule and alert files: each pattern is reported at its position")
    func missingFiles() throws {
        let f = Self.root.appendingPathComponent("Tests/MonitorCLITests/Fixtures/bad/config-missing-rule-file.bad.yaml").path
        let r = try MonitorProcess.run(["check", "--config", f])
        #expect(r.code == 1)
        #expect(r.stderr.contains("\(f):5:9: rules: "), "\(r.stderr)")
        #expect(r.stderr.contains("no-such-dir/*.yaml matches no file"))
        #expect(r.stderr.contains("\(f):5:29: rules: "))
        #expect(r.stderr.contains("\(f):6:10: alerts: "))
    }

    @Test("the shipped rules pass, and their unit tests pass")
    func shippedRules() throws {
        let rules = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("rules").path)
            .filter { $0.hasSuffix(".yaml") }.map { Self.root.appendingPathComponent("rules/\($0)").path }
        #expect(rules.count >= 3)
        let check = try MonitorProcess.run(["check"] + rules)
        #expect(check.code == 0, "\(check.stderr)")
        let tests = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("rules/tests").path)
            .filter { $0.hasSuffix(".yaml") }.map { Self.root.appendingPathComponent("rules/tests/\($0)").path }
        let run = try MonitorProcess.run(["test-rules"] + tests)
        #expect(run.code == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.components(separatedBy: "SUCCESS").count - 1 == tests.count)
    }

    @Test("a failing rule test exits 1 with the expected and actual alerts")
    func failingRuleTest() throws {
        let dir = try TempDir()
        let root = Self.root.path
        let test = try dir.write("t.yaml", """
            rule_files: [\(root)/rules/drift.yaml]
            tests:
              - name: expects an alert that cannot fire
                interval: 1h
                input_series:
                  - series: 'psi{model="m", version="1", feature="x", window="1h"}'
                    values: '0.01 0.01 0.01'
                alert_rule_test:
                  - eval_time: 2h
                    alertname: FeatureDrift
                    exp_alerts:
                      - exp_labels: {severity: ticket, model: m, version: "1", feature: x, window: 1h}
            """)
        let r = try MonitorProcess.run(["test-rules", test])
        #expect(r.code == 1)
        #expect(r.stdout.contains("FAILED: test \"expects an alert that cannot fire\""), "\(r.stdout)")
        #expect(r.stderr.contains("1 of 1 rule tests failed"))
    }
}
