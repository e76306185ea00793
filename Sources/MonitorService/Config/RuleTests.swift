import MonitorCore
import MonitorRules

/// `monitor test-rules`: runs rule unit-test files (file I/O here, the runner is pure).
public enum RuleTests {
    public struct Outcome: Sendable {
        /// promtool-like report of every file.
        public var report = ""
        public var total = 0
        public var failures = 0
        public var passed: Bool { failures == 0 }
    }

    public static func run(files: [String]) -> Outcome {
        var out = Outcome()
        for path in files {
            out.total += 1
            guard let text = ConfigLoader.readText(path) else {
                out.failures += 1
                out.report += "Unit testing \(path)\n  FAILED:\n    \(ConfigLoader.unreadable(path))\n"
                continue
            }
            let result = RuleTestRunner.run(text, path: path) { rulePath in
                guard let t = ConfigLoader.readText(rulePath) else { throw ServiceError.io(ConfigLoader.unreadable(rulePath)) }
                return t
            }
            out.report += result.report
            if !result.passed { out.failures += 1 }
        }
        return out
    }
}

/// Parsing of the rule files a config names.
enum RuleLoading {
    static func parse(_ file: SourceText) -> (file: RuleFile?, diagnostics: [ConfigDiagnostic]) {
        let (f, d) = RuleFile.parse(file.text, path: file.path)
        return (f, d)
    }
}
