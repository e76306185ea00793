import ArgumentParser
import MonitorCore
import MonitorReport
import MonitorService

/// `monitor report`: an audit report from the store, with charts, decision traces and the audit
/// hash-chain heads; `--verify` recomputes the chains.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an audit report of a store: findings, decisions, integrity.",
        discussion: """
            Sections: summary; configuration in effect (each config version with its
            diff, the reference profiles); per feature PSI, KS/chi-square p-value,
            Wasserstein and missing rate over time with the rules' thresholds and the
            drifted windows; performance; a decision trace per alert (rule, values at
            each evaluation, transitions, notifications and their delivery attempts,
            retraining triggers); silences and inhibitions; the audit hash-chain head
            of each audited table.

            The same store and arguments give byte-identical output. --verify
            recomputes every hash chain; a broken chain names the table and row and
            exits 1 (the report is still written, showing the break).

            Exit codes: 0 report written (and verified); 1 verification failed, no
            such store, empty store, model without windows or period without data;
            2 usage error.

            Examples:
              monitor report --store monitor.db --out report.html
              monitor report --store monitor.db --model fraud --since 2026-11-04 \\
                --until 2026-11-06 --format md --out report.md
              monitor report --store monitor.db --verify --format json
            """
    )

    @Option(name: .long, help: "The monitor's store (SQLite file).")
    var store: String

    @Option(name: .long, help: "Only this model (default: every model).")
    var model: String?

    @Option(name: .long, help: "Windows ending at or after this time (RFC 3339 or date).")
    var since: String?

    @Option(name: .long, help: "Windows ending before this time (RFC 3339 or date).")
    var until: String?

    @Option(name: .long, help: "html, md or json (default: from --out's extension, else md).")
    var format: String?

    @Option(name: .long, help: "Write the report to this file (default: standard output).")
    var out: String?

    @Flag(name: .long, help: "Recompute the audit hash chains; exit 1 if one is broken.")
    var verify = false

    func run() throws {
        func time(_ flag: String, _ value: String?) throws -> Timestamp? {
            guard let value else { return nil }
            guard let t = Timestamp.parse(value) else {
                throw CLIFailure(message: "\(flag): \"\(value)\" is not an RFC 3339 time or a date", code: .usage)
            }
            return t
        }
        let resolvedFormat: ReportRenderer.Format
        if let format {
            guard let f = ReportRenderer.Format(rawValue: format) else {
                throw CLIFailure(message: "--format: \"\(format)\" is not one of html, md, json", code: .usage)
            }
            resolvedFormat = f
        } else if let out, let ext = out.split(separator: ".").last, out.contains("."), let f = ReportRenderer.Format(rawValue: ext == "markdown" ? "md" : String(ext)) {
            resolvedFormat = f
        } else {
            resolvedFormat = .md
        }
        let request = ReportRunner.Request(
            storePath: store, model: model, since: try time("--since", since), until: try time("--until", until), format: resolvedFormat,
            outPath: out, verify: verify)
        let outcome: ReportRunner.Outcome
        do { outcome = try ReportRunner.run(request) } catch {
            throw CLIFailure(message: error.message, code: error.kind == .usage ? .usage : .failure)
        }
        if out == nil { print(outcome.text, terminator: "") }
        if let out { writeStderr("report written to \(out)\n") }
        if verify {
            if outcome.breaks.isEmpty {
                writeStderr("verified: \(outcome.chains.count) audit hash chains intact\n")
            } else {
                for b in outcome.breaks { writeStderr("verification failed: \(b.description)\n") }
                throw CLIFailure(message: "audit verification failed: \(outcome.breaks.count) broken chain(s)", code: .failure)
            }
        }
    }
}
