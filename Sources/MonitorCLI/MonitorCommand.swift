public import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `monitor` command: one subcommand per file under `Commands/`.
public struct MonitorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Production monitoring and drift detection for machine-learning models.",
        discussion: """
            Exit codes: 0 success; 1 a check failed (drift found with --fail-on-drift, invalid \
            config, unreadable input); 2 usage error.

            Examples:
              monitor compare --reference train.jsonl --current today.jsonl
              monitor check --config monitor.yaml
              monitor run --config monitor.yaml
            """,
        subcommands: [
            RunCommand.self, CompareCommand.self, BaselineCommand.self, CheckCommand.self, TestRulesCommand.self,
            SimulateCommand.self, SilenceCommand.self, TriggersCommand.self, ReportCommand.self,
        ]
    )
    public init() {}
}

/// Entry point of the `monitor` executable: parses `CommandLine.arguments`, runs the command and
/// exits with DESIGN §12's codes (0 ok, 1 failed check, 2 usage).
public func main(arguments: [String]? = nil) async {
    do {
        var command = try MonitorCommand.parseAsRoot(arguments)
        if var async = command as? any AsyncParsableCommand {
            try await async.run()
        } else {
            try command.run()
        }
    } catch let failure as CLIFailure {
        writeStderr("error: \(failure.message)\n")
        exit(failure.code.rawValue)
    } catch {
        let code = MonitorCommand.exitCode(for: error)
        let message = MonitorCommand.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            exit(0)
        }
        if !message.isEmpty { writeStderr(message + "\n") }
        // ArgumentParser reports usage problems as EX_USAGE (64); the contract says 2.
        exit(code == .validationFailure ? MonitorExitCode.usage.rawValue : code.rawValue)
    }
}

func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
