import ArgumentParser

/// The exit codes of every `monitor` command (DESIGN §12).
enum MonitorExitCode: Int32 {
    /// Success: nothing to report, or the check passed.
    case success = 0
    /// A check failed: drift found with `--fail-on-drift`, invalid config, unreadable input.
    case failure = 1
    /// Usage error: bad flags or arguments (ArgumentParser's own `ValidationError` also exits 2? no:
    /// ArgumentParser exits 64 for validation errors; commands map them to 2 through `CLIFailure`).
    case usage = 2
}

/// An error the CLI prints as `error: <message>` before exiting with `code`.
struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var code: MonitorExitCode
    var description: String { message }
}
