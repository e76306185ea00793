import ArgumentParser
import Foundation
import MonitorCore
import MonitorService

/// `monitor baseline`: store a reference profile.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Profile a reference dataset and store it, versioned, in the store.",
        discussion: """
            Decodes --data with the config's schema (features declared, or inferred
            from the data), and stores a reference profile: quantile bin edges,
            category dictionaries, the reference sample (or its quantile sketch
            beyond drift.exact_limit), row count and a SHA-256 fingerprint of the
            data. Each run stores the next revision of --name; `monitor run` uses
            the latest revision of the name its config's `reference.profile` gives.

            --since/--until keep only records whose event time is in
            [since, until): a baseline from "the first day" of a log.

            --labels FILE joins label records ({"id","ts","label"}) to the reference
            records by id and records the reference's performance with the profile;
            matured windows then also emit reference_accuracy, reference_auc, ...,
            so rules can compare relative drops:
              accuracy / reference_accuracy < 0.95

            Examples:
              monitor baseline --config monitor.yaml --data train.jsonl --name fraud-train
              monitor baseline --config monitor.yaml --data logs/week.jsonl \\
                  --until 2026-11-02T00:00:00Z
              monitor baseline --config monitor.yaml --data train.jsonl \\
                  --labels train-labels.jsonl
            """
    )

    @Option(name: .long, help: "Config file (schema, drift settings, store).")
    var config: String

    @Option(name: .long, help: "Reference JSONL file.")
    var data: String

    @Option(name: .long, help: "Profile name (default: the config's reference.profile, else \"baseline\").")
    var name: String?

    @Option(name: .long, help: "Keep records with event time at or after this (RFC 3339 or YYYY-MM-DD).")
    var since: String?

    @Option(name: .long, help: "Keep records with event time before this (RFC 3339 or YYYY-MM-DD).")
    var until: String?

    @Option(name: .long, help: "Label records for the reference data: record its performance.")
    var labels: String?

    func validate() throws {
        for (flag, v) in [("--since", since), ("--until", until)] {
            if let v, Timestamp.parse(v) == nil { throw ValidationError("\(flag): \"\(v)\" is not an RFC 3339 time or a date") }
        }
        if let name, name.isEmpty { throw ValidationError("--name cannot be empty") }
    }

    func run() throws {
        let request = BaselineRequest(configPath: config, dataPath: data, name: name,
                                      since: since.flatMap(Timestamp.parse), until: until.flatMap(Timestamp.parse), labelsPath: labels)
        let now = Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        let outcome: BaselineOutcome
        do {
            outcome = try BaselineRunner.run(request, now: now)
        } catch {
            throw CLIFailure(message: error.message, code: error.kind == .usage ? .usage : .failure)
        }
        let r = outcome.record
        print("stored profile \"\(r.name)\" revision \(r.revision) (id \(r.id)) in \(outcome.storePath)")
        print("  rows: \(r.rowCount)\(outcome.excludedRows > 0 ? " (\(outcome.excludedRows) outside --since/--until left out)" : "")")
        print("  numerical: \(outcome.numericalFeatures.joined(separator: ", "))")
        print("  categorical: \(outcome.categoricalFeatures.joined(separator: ", "))")
        print("  fingerprint: sha256:\(r.fingerprint)")
        if labels != nil {
            let figures = outcome.performance.map { s in
                let extra = s.labels.isEmpty ? "" : "\(s.labels)"
                return "\(s.metric)\(extra) \(String(format: "%.4f", s.value))"
            }
            print("  performance (\(outcome.labeledRows) labeled rows): \(figures.joined(separator: ", "))")
        }
        let problems = outcome.report.counts.filter { $0.key != .emptyLine && $0.value > 0 }
        if !problems.isEmpty {
            print("  bad input: " + problems.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        }
    }
}
