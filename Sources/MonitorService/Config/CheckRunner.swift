import MonitorAlerting
public import MonitorCore
import MonitorRules
import Yams

/// What `monitor check` found.
public struct CheckOutcome: Sendable {
    /// Every problem of every file, in file order then position.
    public var diagnostics: [ConfigDiagnostic] = []
    /// The files that were checked, with what they were taken for.
    public var checked: [(path: String, kind: String)] = []

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
}

/// `monitor check`: validates a config (and the rule and alert files it names) and any other
/// config, rule or alert files given, listing every problem of every file.
public enum CheckRunner {
    /// What a file given on the command line is taken for.
    public enum FileKind: String, Sendable { case config, rules, alerts }

    public static func check(configPath: String?, files: [String]) -> CheckOutcome {
        var out = CheckOutcome()
        if let configPath {
            let (loaded, diags) = ConfigLoader.load(path: configPath)
            out.diagnostics += diags
            out.checked.append((configPath, "config"))
            if let loaded {
                // As `monitor run` loads them: each file, and group names unique across files.
                out.diagnostics += RuleSet.load(loaded.ruleTexts.map { ($0.path, $0.text) }).1
                for r in loaded.ruleTexts { out.checked.append((r.path, "rules")) }
                for a in loaded.alertsFiles { out.checked.append((a.path, "alerts")) }
            }
        }
        for path in files {
            guard let text = ConfigLoader.readText(path) else {
                out.diagnostics.append(ConfigDiagnostic(path: path, line: 0, column: 0, message: ConfigLoader.unreadable(path)))
                continue
            }
            let kind = detectKind(text)
            out.checked.append((path, kind.rawValue))
            switch kind {
            case .config:
                let (_, diags) = ConfigLoader.load(path: path)
                out.diagnostics += diags
            case .rules:
                out.diagnostics += RuleLoading.parse(SourceText(path: path, text: text)).diagnostics
            case .alerts:
                let (file, diags) = AlertsFile.parse(text, path: path)
                out.diagnostics += diags
                if let file { out.diagnostics += AlertingValidation.diagnostics(file) }
            }
        }
        return out
    }

    /// Rule files have `groups:`, alert files `route:` or `receivers:`; anything else is a config.
    public static func detectKind(_ text: String) -> FileKind {
        guard let node = try? Yams.compose(yaml: text), case .mapping(let m) = node else { return .config }
        let keys = Set(m.keys.compactMap { $0.scalar?.string })
        if keys.contains("groups") { return .rules }
        if keys.contains("route") || keys.contains("receivers") { return .alerts }
        return .config
    }
}
