import ArgumentParser
import MonitorCore
import MonitorService

/// `monitor test-rules`: rule unit tests in the spirit of `promtool test rules`.
struct TestRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-rules",
        abstract: "Run rule unit tests: given series values per window, expect alerts.",
        discussion: """
            A test file names rule files (relative to itself), series values per
            window, and the alerts expected at evaluation times:

              rule_files: [../drift.yaml]
              evaluation_interval: 1h
              tests:
                - name: PSI above 0.2 for two windows fires
                  interval: 1h
                  input_series:
                    - series: 'psi{model="fraud", version="3", feature="amount", window="1h"}'
                      values: '0.1 0.3 0.3 0.05x3'
                  alert_rule_test:
                    - eval_time: 2h
                      alertname: FeatureDrift
                      exp_alerts:
                        - exp_labels: {severity: page, model: fraud, version: "3",
                                       feature: amount, window: 1h}
                          exp_annotations: {summary: "amount drifted (PSI 0.3)"}

            Values use promtool's notation: `_` is no sample, `aXn` repeats a
            n more times, `a+bXn` / `a-bXn` count up or down. Exits 1 when a test
            fails (each failure is printed with expected and actual alerts).

            Examples:
              monitor test-rules rules/tests/*.yaml
            """
    )

    @Argument(help: "Rule test files.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one rule test file") }
    }

    func run() throws {
        let outcome = RuleTests.run(files: files)
        print(outcome.report, terminator: "")
        if !outcome.passed {
            throw CLIFailure(message: "\(outcome.failures) of \(outcome.total) rule tests failed", code: .failure)
        }
    }
}
