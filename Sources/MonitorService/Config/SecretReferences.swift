import Foundation
import MonitorCore

/// Secret references of config and alert files (`${ENV}` or `*_file: path`), read when a
/// receiver or registry sink is built.
enum SecretReferences {
    /// The secret `ref` names, or nil after appending why not to `problems` (every problem is
    /// reported at once). `resolve` turns a relative file path into one relative to the file
    /// that named it; a file's text is trimmed of surrounding whitespace.
    static func value(_ ref: AlertsFile.SecretReference, context: String, environment: [String: String],
                      resolve: (String) -> String, problems: inout [String]) -> String? {
        switch ref {
        case .environment(let name):
            guard let v = environment[name], !v.isEmpty else {
                problems.append("\(context): environment variable \(name) is not set")
                return nil
            }
            return v
        case .file(let path):
            let full = resolve(path)
            guard let text = ConfigLoader.readText(full) else {
                problems.append("\(context): \(ConfigLoader.unreadable(full))")
                return nil
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
