import ArgumentParser
import Foundation
import MonitorCore
import MonitorService

/// `monitor triggers`: the retraining triggers the rules emitted and their delivery.
struct TriggersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triggers",
        abstract: "Show retraining triggers and their delivery to the registry.",
        discussion: """
            A rule with `actions: [retrain]` emits a retraining trigger when one of its
            alerts starts firing. The policy under `registry:` (cooldown, max open
            triggers per model) and silences may suppress it; suppressed triggers are
            kept with the reason. Emitted triggers are delivered through the outbox to
            each sink configured under `registry:` (mlflow, webhook, kafka, file).

            Examples:
              monitor triggers list --config monitor.yaml
              monitor triggers list --store monitor.db --model fraud --format json
            """,
        subcommands: [List.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List retraining triggers (oldest first) with their delivery state per sink.",
            discussion: """
                State: delivered, pending (retrying), dead (given up), recorded (no sink
                configured), suppressed or silenced (with the reason).

                Examples:
                  monitor triggers list --config monitor.yaml
                  monitor triggers list --store monitor.db --model fraud --format json
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

        @OptionGroup var storeOptions: SilenceCommand.StoreOptions

        @Option(name: .long, help: "Only this model's triggers.")
        var model: String?

        @Option(name: .long, help: "table or json.")
        var format: Format = .table

        func run() throws {
            do {
                let rows = try TriggersRunner.list(storePath: try storeOptions.path(), model: model)
                print(format == .json ? TriggersRunner.json(rows) : TriggersRunner.table(rows), terminator: format == .json ? "\n" : "")
            } catch let e as ServiceError {
                throw CLIFailure(message: e.message, code: e.kind == .usage ? .usage : .failure)
            }
        }
    }
}
