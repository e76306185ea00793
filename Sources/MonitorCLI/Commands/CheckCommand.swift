import ArgumentParser
import MonitorCore
import MonitorService

/// `monitor check`: validate config, rule and alert files.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate config, rule and alert files; list every problem.",
        discussion: """
            With --config, the config file and the rule and alert files it names
            are checked. Files given as arguments are checked too; what a file is
            is told by its top-level keys: `groups:` makes a rule file, `route:`
            or `receivers:` an alert file, anything else a config.

            Every problem of every file is printed as
              file:line:column: context: message
            and the command exits 1 if there was any error (warnings alone exit 0).

            Examples:
              monitor check --config monitor.yaml
              monitor check rules/*.yaml alerts/*.yaml
            """
    )

    @Option(name: .long, help: "Config file to check, with the rule and alert files it names.")
    var config: String?

    @Argument(help: "More config, rule or alert files.")
    var files: [String] = []

    @Flag(name: .long, help: "Print nothing when everything is valid.")
    var quiet = false

    func validate() throws {
        if config == nil, files.isEmpty {
            throw ValidationError("give --config FILE or at least one file to check")
        }
    }

    func run() throws {
        let outcome = CheckRunner.check(configPath: config, files: files)
        for d in outcome.diagnostics { writeStderr(d.description + "\n") }
        let errors = outcome.errorCount
        if errors > 0 {
            throw CLIFailure(message: "\(errors) error\(errors == 1 ? "" : "s") in \(outcome.checked.count) file\(outcome.checked.count == 1 ? "" : "s")", code: .failure)
        }
        if !quiet {
            for (path, kind) in outcome.checked { print("\(path): ok (\(kind))") }
        }
    }
}
