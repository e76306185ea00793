import ArgumentParser
import Logging
import MonitorCore
import MonitorService

enum LogLevelArgument: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// `monitor run`: the streaming monitor.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the monitor: read sources, close windows, evaluate rules, alert.",
        discussion: """
            Reads prediction records from the config's sources, groups them into
            event-time windows per model and version, compares each closed window
            with the reference in force (PSI, KS, Wasserstein, JS, chi-square, data
            quality), evaluates the rules at each window close and writes alert
            notifications to the receivers. Window state, results, alerts and source
            positions are checkpointed together in the store, so a restart (even
            after kill -9) continues exactly where the last checkpoint left off.

            With label sources (kind: labels), labels are joined to predictions by
            id in the store; a window's performance (accuracy, AUC, ...; MAE, RMSE
            for regression) is emitted when it matures (labels.min_coverage of its
            predictions labeled, or labels.horizon passed), rules reading it are
            evaluated then, and later labels restate it as a new revision.

            Service mode (default) follows the files like `tail -F` and serves
              GET /metrics   latest window series + the monitor's own metrics
              GET /healthz   alive
              GET /readyz    store open and sources started
              GET /api/v1/status, /api/v1/alerts, /api/v1/windows
              GET/POST/DELETE /api/v1/silences (DELETE ?id=ID or /ID)
              POST /-/reload (docs/openapi.yaml; POST and DELETE need
                             http.api_token when one is configured)
            SIGHUP or POST /-/reload re-reads the config, rules and alerts: an
            invalid file is rejected with its errors and the running config stays.
            SIGTERM or SIGINT stops intake, checkpoints, delivers notifications for
            up to shutdown.delivery_deadline (10s) and exits 0; a second signal
            exits at once (the store keeps the last checkpoint).

            --once reads every source to its end, closes every window, evaluates,
            delivers and exits: the batch mode for backfills and CI. It prints the
            alerts that fired.

            Examples:
              monitor run --config monitor.yaml
              monitor run --config monitor.yaml --once
              monitor run --config monitor.yaml --log-level debug
              kill -HUP "$(pidof monitor)"      # reload config, rules and alerts
            """
    )

    @Option(name: .long, help: "Config file (sources, reference, windows, store, rules, alerts, http).")
    var config: String

    @Flag(name: .long, help: "Read the sources to their end, close all windows, evaluate, deliver and exit.")
    var once = false

    @Option(name: .long, help: "With --once: how long to keep delivering (retries included) before exiting, e.g. 30s; what is left stays in the outbox for the next run.")
    var deliveryDeadline: String = "30s"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default: logging.level of the config, info).")
    var logLevel: LogLevelArgument?

    func validate() throws {
        guard let d = PrometheusDuration.parse(deliveryDeadline), d >= 0 else {
            throw ValidationError("--delivery-deadline: \"\(deliveryDeadline)\" is not a duration like 30s or 2m")
        }
    }

    func run() async throws {
        // Format and level from the config's logging: section; --log-level wins.
        LogSetup.bootstrap(LogSetup.settings(configPath: config), levelOverride: logLevel.flatMap { Logger.Level(rawValue: $0.rawValue) })
        let logger = Logger(label: "monitor")
        let outcome: RunOutcome
        do {
            var request = RunRequest(configPath: config, once: once)
            request.deliveryDeadline = .milliseconds(PrometheusDuration.parse(deliveryDeadline) ?? 30_000)
            outcome = try await MonitorRunner.run(request, logger: logger)
        } catch {
            throw CLIFailure(message: error.message, code: error.kind == .usage ? .usage : .failure)
        }
        if once {
            let t = outcome.totals
            print("events: \(t.events)  windows closed: \(t.windowsClosed)  late: \(t.late)  without timestamp: \(t.untimed)  decode errors: \(t.decodeErrors)")
            print("store: \(outcome.storePath)")
            if t.fired.isEmpty {
                print("alerts fired: none")
            } else {
                print("alerts fired: \(t.fired.count)")
                for f in t.fired {
                    let summary = f.alert.annotations["summary"].map { "  \($0)" } ?? ""
                    print("  \(f.at)  \(f.alert.labels)\(summary)")
                }
            }
            if let l = t.labels {
                print("labels: \(t.labelRecords)  joined: \(l.joined)  duplicates: \(l.duplicatePredictions) predictions, \(l.duplicateLabels) labels  expired: \(l.expiredPredictions) predictions, \(l.expiredLabels) labels")
                print("performance: \(l.released) windows matured, \(l.restated) restatements, \(t.immatureWindows) awaiting labels")
            }
            var notes = "notifications: \(t.notificationsEnqueued)"
            if t.notificationsMuted > 0 { notes += "  muted: \(t.notificationsMuted)" }
            if outcome.notificationsPending > 0 { notes += "  still pending (sent by the next run): \(outcome.notificationsPending)" }
            print(notes)
            if !t.triggers.isEmpty {
                let parts = TriggerStatus.allCases.compactMap { s in t.triggers[s].map { "\($0) \(s.rawValue)" } }
                print("retraining triggers: " + parts.joined(separator: ", ") + "  (monitor triggers list)")
            }
            if !outcome.activeAlerts.isEmpty {
                print("active at the end: \(outcome.activeAlerts.filter { $0.state == .firing }.count) firing, \(outcome.activeAlerts.filter { $0.state == .pending }.count) pending")
            }
        }
    }
}
