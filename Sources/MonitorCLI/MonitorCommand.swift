public import ArgumentParser

/// The `monitor` command: one subcommand per file under `Commands/`.
public struct MonitorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Production monitoring and drift detection for machine-learning models.",
        subcommands: []
    )
    public init() {}
}

/// Entry point of the `monitor` executable: parses `CommandLine.arguments` and runs the command.
public func main() async {
    await MonitorCommand.main()
}
