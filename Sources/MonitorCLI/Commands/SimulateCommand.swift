import ArgumentParser
import MonitorCore
import MonitorService

/// `monitor simulate`: realistic prediction and label logs, deterministic per seed.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write realistic prediction and label logs (JSONL), optionally with drift.",
        discussion: """
            Writes into --out:
              reference.jsonl    training-period predictions (the --duration
                                 before --start), never drifted
              reference-labels.jsonl
                                 their labels (for baseline --labels)
              predictions.jsonl  predictions from --start over --duration;
                                 drift applies from --drift-start
              labels.jsonl       delayed ground truth (lognormal delay, median
                                 1 day; 3% never arrive), ordered by arrival;
                                 with --degrade, a share of the labels from
                                 --degrade-start on is flipped (the model
                                 degrades; the features do not drift)
              manifest.json      the options, so a run can be reproduced

            Features: amount, balance, age, txn_count_24h, account_age_days,
            session_seconds, distance_km, credit_utilization (numerical);
            country, device, channel, merchant_category (categorical).
            The output is byte-identical for the same options.

            Drift spec: comma-separated FEATURE:KIND=VALUE items, KIND one of
              shift=SD          mean shift in standard deviations (numerical)
              scale=FACTOR      spread multiplied by FACTOR (numerical)
              new-category=P    share P of values replaced by an unseen
                                category (categorical)
              missing=P         share P of values set to null (any feature)

            Examples:
              monitor simulate --out data
              monitor simulate --out data --rows 1000000 --seed 7 \\
                  --drift amount:shift=0.5,country:new-category=0.05
              monitor simulate --out week --start 2026-11-01 --duration 7d \\
                  --drift-start 2026-11-04T12:00:00Z --drift balance:scale=1.5
              monitor simulate --out week --degrade 0.3 \\
                  --degrade-start 2026-11-04T12:00:00Z
            """
    )

    @Option(name: .long, help: "Directory to write into (created if needed).")
    var out: String

    @Option(name: .long, help: "Prediction rows to write.")
    var rows: Int = 100_000

    @Option(name: .long, help: "Reference rows to write (default: same as --rows).")
    var referenceRows: Int?

    @Option(name: .long, help: "Random seed; the output is a pure function of the options.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Start of the prediction period (RFC 3339 or YYYY-MM-DD, UTC).")
    var start: String = "2026-11-01T00:00:00Z"

    @Option(name: .long, help: "Length of the prediction period (Prometheus duration: 7d, 36h, ...).")
    var duration: String = "7d"

    @Option(name: .long, help: "Drift to inject (see above).")
    var drift: String?

    @Option(name: .long, help: "When drift begins (RFC 3339; default: --start).")
    var driftStart: String?

    @Option(name: .long, help: "Share of labels flipped from --degrade-start on (0 to 1).")
    var degrade: Double = 0

    @Option(name: .long, help: "When the degradation begins (RFC 3339; default: --drift-start, else --start).")
    var degradeStart: String?

    @Option(name: .long, help: "Model name written into every record.")
    var model: String = "fraud"

    @Option(name: .long, help: "Model version written into every record.")
    var modelVersion: String = "3"

    func validate() throws {
        if rows < 0 { throw ValidationError("--rows must be ≥ 0") }
        if let r = referenceRows, r < 0 { throw ValidationError("--reference-rows must be ≥ 0") }
        if Timestamp.parse(start) == nil { throw ValidationError("--start '\(start)' is not an RFC 3339 time or YYYY-MM-DD date") }
        if PrometheusDuration.parse(duration) == nil { throw ValidationError("--duration '\(duration)' is not a duration like 7d or 36h") }
        if let d = driftStart, Timestamp.parse(d) == nil { throw ValidationError("--drift-start '\(d)' is not an RFC 3339 time") }
        if !(0...1).contains(degrade) { throw ValidationError("--degrade must be a share between 0 and 1") }
        if let d = degradeStart, Timestamp.parse(d) == nil { throw ValidationError("--degrade-start '\(d)' is not an RFC 3339 time") }
    }

    func run() throws {
        var spec = SimulationSpec()
        spec.rows = rows
        spec.referenceRows = referenceRows ?? rows
        spec.seed = seed
        spec.start = Timestamp.parse(start)!
        spec.durationMilliseconds = PrometheusDuration.parse(duration)!
        spec.driftStart = driftStart.flatMap(Timestamp.parse)
        spec.degradation = degrade
        spec.degradationStart = degradeStart.flatMap(Timestamp.parse)
        spec.model = model
        spec.version = modelVersion
        do {
            if let drift { spec.drifts = try SimulatedDrift.parse(drift) }
            print(try SimulateRunner.run(spec: spec, directory: out))
        } catch let e as SimulationError {
            // A bad --drift spec is a usage error; say what is wrong and how to see the syntax.
            throw CLIFailure(message: e.description + "\n(see 'monitor simulate --help' for the drift spec)", code: .usage)
        } catch let e as ServiceError {
            throw CLIFailure(message: e.message, code: .failure)
        }
    }
}
