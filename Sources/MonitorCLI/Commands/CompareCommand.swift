import ArgumentParser
import MonitorCore
import MonitorService
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

enum CorrectionArgument: String, ExpressibleByArgument, CaseIterable {
    case none, bonferroni, bh
}

/// `monitor compare`: reference file vs current file, per-feature drift (DESIGN §12).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a current JSONL file with a reference, feature by feature.",
        discussion: """
            Reads prediction records, one JSON object per line:
              {"id","ts","model","features":{...},"prediction":{...}}
            Features come from --config's schema, or are inferred from the
            reference: numbers are numerical, strings and booleans categorical.
            null, absent keys, NaN and ±Inf are missing: counted in
            missing_rate, never part of a distribution.

            Statistics per feature: PSI over 10 reference-quantile bins
            (ε = 1e-4); Kolmogorov–Smirnov statistic and p-value (as scipy's
            ks_2samp, method="auto"); Wasserstein-1 and W / max(σ_ref, 0.001);
            Jensen–Shannon distance (base 2); for categorical features the
            chi-square homogeneity test over the union of categories; missing,
            out-of-range and new-category rates.

            How drift is decided (Evidently's test choice + an effect floor):
              reference ≤ 1000 values
                numerical:   KS p < alpha and normed Wasserstein ≥ 0.05
                categorical: chi-square p < alpha and JS distance ≥ 0.05
              reference > 1000 values
                numerical:   normed Wasserstein ≥ 0.1 and KS p < alpha
                categorical: JS distance ≥ 0.1 and chi-square p < alpha
            alpha = 0.05, after --correction across features. With large
            samples every p-value is tiny, so the distance (how much the
            distribution moved) decides and the p-value guards against noise
            in small samples. The dataset drifts when ≥ 50% of features drift.
            Every number here is a setting under `drift:` (see the README).

            Exit codes:
              0  compared (drift or not)
              1  drift found with --fail-on-drift; an invalid --config; a file
                 without a usable record
              2  usage error: bad flags, a path that does not exist or is a
                 directory

            Examples:
              monitor compare --reference train.jsonl --current today.jsonl
              monitor compare --reference ref.jsonl --current cur.jsonl \\
                  --format json > drift.json
              monitor compare --reference ref.jsonl --current cur.jsonl \\
                  --correction bh --fail-on-drift
              monitor compare --reference ref.jsonl --current cur.jsonl \\
                  --config monitor.yaml
            """
    )

    @Option(name: .long, help: "Reference JSONL file (training or validation data).")
    var reference: String

    @Option(name: .long, help: "Current JSONL file (production predictions).")
    var current: String

    @Option(name: .long, help: "Config file with `schema:` and `drift:` sections.")
    var config: String?

    @Option(name: .long, help: "Output format: table (people) or json (machines).")
    var format: OutputFormat = .table

    @Flag(name: .long, help: "Exit 1 when any feature drifts.")
    var failOnDrift = false

    @Option(name: .long, help: "Multiple-testing correction across features: none, bonferroni, bh.")
    var correction: CorrectionArgument?

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Flag(name: .long, help: "No progress indicator, even on a terminal.")
    var quiet = false

    @Flag(name: .long, help: "Print how long each phase took (on standard error).")
    var timings = false

    /// Maps a service error to the CLI's exit codes: usage problems exit 2, the rest 1.
    static func failure(for error: ServiceError) -> CLIFailure {
        switch error.kind {
        case .usage: return CLIFailure(message: error.message, code: .usage)
        case .config: return CLIFailure(message: "invalid config:\n" + error.message, code: .failure)
        case .io, .input: return CLIFailure(message: error.message, code: .failure)
        }
    }

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    func run() throws {
        var request = CompareRequest(referencePath: reference, currentPath: current, configPath: config)
        request.correction = correction.flatMap { PValueCorrectionKind(rawValue: $0.rawValue) }
        if let threads { request.threads = threads }
        let indicator = (!quiet && isatty(2) != 0) ? ProgressIndicator() : nil
        var progress: (@Sendable (CompareProgress) -> Void)? = nil
        if let indicator { progress = { p in indicator.update(p) } }
        let outcome: CompareOutcome
        do {
            outcome = try CompareRunner.run(request, progress: progress)
            indicator?.finish()
        } catch {
            indicator?.finish()
            throw Self.failure(for: error)
        }
        if timings {
            for t in outcome.timings { writeStderr("timing: \(t.phase): \(Int(t.seconds * 1000)) ms\n") }
        }
        switch format {
        case .json: print(CompareRendering.json(outcome))
        case .table:
            print(CompareRendering.table(outcome), terminator: "")
        }
        if format == .json {
            for w in outcome.warnings { writeStderr("warning: \(w)\n") }
        }
        if failOnDrift && outcome.anyFeatureDrifted {
            throw ExitCode(MonitorExitCode.failure.rawValue)
        }
    }
}

/// A one-line progress indicator on standard error, redrawn at most every 100 ms.
final class ProgressIndicator: Sendable {
    private struct State {
        var lastDraw: Int64 = 0
        var drawn = false
    }
    private let state = Mutex(State())

    func update(_ p: CompareProgress) {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
        state.withLock { s in
            if now - s.lastDraw < 100 { return }
            s.lastDraw = now
            let text: String
            switch p {
            case .reading(let file, let done, let total):
                let pct = total > 0 ? Int(done * 100 / total) : 0
                text = "reading \(file): \(pct)% (\(done >> 20) of \(total >> 20) MiB)"
            case .computing(let done, let total):
                text = "computing statistics: \(done) of \(total) features"
            }
            writeStderr("\r\u{1B}[K" + text)
            s.drawn = true
        }
    }

    func finish() {
        state.withLock { s in
            if s.drawn { writeStderr("\r\u{1B}[K") }
            s.drawn = false
        }
    }
}
