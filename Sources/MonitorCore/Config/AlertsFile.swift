import Yams

/// An alert routing file (`alerts/*.yaml`), shaped like Alertmanager's configuration.
///
/// This release delivers to `file` receivers only (one JSON notification per line); webhooks,
/// grouping, silences and inhibition arrive with the notifications feature and extend this model.
///
/// ```yaml
/// route:
///   receiver: log
/// receivers:
///   - name: log
///     file_configs:
///       - path: out/alerts.jsonl
/// ```
public struct AlertsFile: Sendable, Hashable {
    /// A receiver: a name and where it delivers.
    public struct Receiver: Sendable, Hashable {
        public var name: String
        /// JSONL files notifications are appended to (relative to the alerts file's directory).
        public var files: [Positioned<String>] = []

        public init(name: String) { self.name = name }
    }

    /// The receiver every alert goes to (the route tree's root).
    public var routeReceiver: String?
    public var receivers: [Receiver] = []
    public var path: String = ""

    public init() {}

    /// Parses an alerts file; every problem is reported.
    public static func parse(_ text: String, path: String) -> (AlertsFile?, [ConfigDiagnostic]) {
        var r = YAMLReader(path: path)
        var file = AlertsFile()
        file.path = path
        guard let root = r.compose(text) else {
            if r.diagnostics.isEmpty {
                return (nil, [ConfigDiagnostic(path: path, line: 0, column: 0, message: "the file is empty (expected route: and receivers:)")])
            }
            return (nil, r.diagnostics)
        }
        var routeNode: Node?
        for (key, _, v) in r.mapping(root, "", allowed: ["route", "receivers"]) {
            switch key {
            case "route":
                routeNode = v
                for (rk, _, rv) in r.mapping(v, "route", allowed: ["receiver"]) where rk == "receiver" {
                    file.routeReceiver = r.string(rv, "route.receiver")
                }
            case "receivers":
                var names: Set<String> = []
                for (i, item) in r.sequence(v, "receivers").enumerated() {
                    var ctx = "receivers[\(i)]"
                    let entries = r.mapping(item, ctx, allowed: ["name", "file_configs"])
                    guard let nameEntry = entries.first(where: { $0.key == "name" }) else {
                        if case .mapping = item { r.error(item, ctx, "missing \"name\"") }
                        continue
                    }
                    guard let name = r.string(nameEntry.value, ctx + ".name"), !name.isEmpty else { continue }
                    if !names.insert(name).inserted { r.error(nameEntry.value, ctx + ".name", "duplicate receiver \"\(name)\"") }
                    ctx = "receiver \"\(name)\""
                    var receiver = Receiver(name: name)
                    for (key, _, fv) in entries where key == "file_configs" {
                        for (j, fc) in r.sequence(fv, ctx + ".file_configs").enumerated() {
                            for (fk, _, pv) in r.mapping(fc, "\(ctx).file_configs[\(j)]", allowed: ["path"]) where fk == "path" {
                                if let p = r.string(pv, "\(ctx).file_configs[\(j)].path"), !p.isEmpty {
                                    receiver.files.append(Positioned(p, path: path, line: pv.mark?.line ?? 0, column: pv.mark?.column ?? 0))
                                }
                            }
                        }
                    }
                    file.receivers.append(receiver)
                }
            default: break
            }
        }
        if routeNode == nil { r.error(root, "", "missing \"route\" (route: {receiver: NAME})") }
        if let route = routeNode, file.routeReceiver == nil, case .mapping = route { r.error(route, "route", "missing \"receiver\"") }
        if let name = file.routeReceiver, !file.receivers.contains(where: { $0.name == name }) {
            r.error(routeNode, "route.receiver", "no receiver named \"\(name)\"; defined: \(file.receivers.map(\.name).joined(separator: ", "))")
        }
        let errors = r.diagnostics.contains { $0.severity == .error }
        return (errors ? nil : file, r.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
    }
}
