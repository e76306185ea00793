import Yams

/// An alert routing file (`alerts/*.yaml`), shaped like Alertmanager's configuration: a route
/// tree, receivers, inhibit rules and notification templates (DESIGN §8).
///
/// ```yaml
/// route:
///   receiver: on-call
///   group_by: [alertname, model]
///   group_wait: 30s
///   group_interval: 5m
///   repeat_interval: 4h
///   routes:
///     - matchers: ['severity="page"']
///       receiver: pager
///       continue: true
/// receivers:
///   - name: on-call
///     webhook_configs:
///       - url: https://hooks.example.com/monitor
///         format: generic
///         secret: ${MONITOR_WEBHOOK_SECRET}
///   - name: pager
///     webhook_configs:
///       - {url: https://events.pagerduty.com/v2/enqueue, format: pagerduty, routing_key: ${PD_KEY}}
///     file_configs:
///       - path: ../out/pages.jsonl
/// inhibit_rules:
///   - source_matchers: ['alertname="SchemaBreak"']
///     target_matchers: ['alertname="FeatureDrift"']
///     equal: [model]
/// ```
///
/// Parsing is strict (unknown keys are errors) and reports every problem with its position.
/// Secrets are never written inline: `secret:` and `routing_key:` take `${ENV_VAR}`, or a file
/// is named with `secret_file:` / `routing_key_file:`; ``SecretReference`` keeps only the
/// reference, and the service resolves it when it starts.
public struct AlertsFile: Sendable, Hashable {
    /// Alertmanager's defaults.
    public static let defaultGroupWait: Int64 = 30_000
    public static let defaultGroupInterval: Int64 = 300_000
    public static let defaultRepeatInterval: Int64 = 4 * 3_600_000

    /// A node of the route tree. Unset fields (nil) are inherited from the parent.
    public struct Route: Sendable, Hashable {
        public var receiver: String?
        /// All must match for the route to take an alert (the root matches everything).
        public var matchers: [AlertMatcher] = []
        /// Labels alerts are grouped by; `["..."]` groups by all labels (one group per alert);
        /// nil inherits (the root's default is no label: one group).
        public var groupBy: [String]?
        public var groupWait: Int64?
        public var groupInterval: Int64?
        public var repeatInterval: Int64?
        /// Keep matching the following siblings after this route matched.
        public var `continue` = false
        public var routes: [Route] = []
        public var line = 0
        public var column = 0

        public init() {}
    }

    /// Where a secret comes from: never the file itself.
    public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
        /// `${NAME}`: the environment variable.
        case environment(String)
        /// `*_file:`: the file's content, trailing newline removed (path relative to the alerts
        /// file).
        case file(String)

        public var description: String {
            switch self {
            case .environment(let n): return "${\(n)}"
            case .file(let p): return "file \(p)"
            }
        }
    }

    /// A webhook's payload format.
    public enum WebhookFormat: String, Sendable, Hashable, CaseIterable {
        /// Alertmanager's webhook JSON, `"version": "4"`.
        case alertmanager
        /// Slack incoming-webhook JSON.
        case slack
        /// PagerDuty Events API v2.
        case pagerduty
        /// ModelMonitor's own JSON (the README documents it).
        case generic
        /// Alerts pushed to an Alertmanager (`POST /api/v2/alerts`; the URL is its base URL).
        case alertmanagerAPI = "alertmanager_api"
    }

    /// One webhook of a receiver.
    public struct Webhook: Sendable, Hashable {
        public var url: Positioned<String>
        public var format: WebhookFormat = .alertmanager
        /// Signing secrets (Standard Webhooks); two during a rotation give two signatures.
        public var secrets: [SecretReference] = []
        /// PagerDuty's integration key (format `pagerduty` only).
        public var routingKey: SecretReference?
        /// Per-request timeout, milliseconds.
        public var timeout: Int64 = 10_000
        /// Attempts before the notification is declared dead.
        public var maxAttempts = 10
        /// Allow RFC 1918 / unique-local destinations.
        public var allowPrivate = false
        /// Ranges allowed although refused by default (loopback, link-local, …).
        public var allowlist: [IPNetwork] = []
        /// Notify when a group's alerts resolve.
        public var sendResolved = true
        /// Templates overriding the title and summary of this webhook's messages.
        public var title: NotificationTemplate?
        public var summary: NotificationTemplate?

        public init(url: Positioned<String>) { self.url = url }
    }

    /// A receiver: a name and where it delivers.
    public struct Receiver: Sendable, Hashable {
        public var name: String
        public var webhooks: [Webhook] = []
        /// JSONL files notifications are appended to (relative to the alerts file's directory).
        public var files: [Positioned<String>] = []

        public init(name: String) { self.name = name }
    }

    /// Mutes target alerts while a source alert fires with the same `equal` labels.
    public struct InhibitRule: Sendable, Hashable {
        public var sourceMatchers: [AlertMatcher] = []
        public var targetMatchers: [AlertMatcher] = []
        public var equal: [String] = []

        public init() {}
    }

    public var route = Route()
    public var receivers: [Receiver] = []
    public var inhibitRules: [InhibitRule] = []
    /// Default title and summary templates for every receiver.
    public var titleTemplate: NotificationTemplate?
    public var summaryTemplate: NotificationTemplate?
    public var path: String = ""

    /// The root route's receiver.
    public var routeReceiver: String? { route.receiver }

    public init() {}

    /// Parses an alerts file; every problem is reported.
    public static func parse(_ text: String, path: String) -> (AlertsFile?, [ConfigDiagnostic]) {
        var p = AlertsFileParser(reader: YAMLReader(path: path))
        var file = AlertsFile()
        file.path = path
        guard let root = p.r.compose(text) else {
            if p.r.diagnostics.isEmpty {
                return (nil, [ConfigDiagnostic(path: path, line: 0, column: 0, message: "the file is empty (expected route: and receivers:)")])
            }
            return (nil, p.r.diagnostics)
        }
        var routeNode: Node?
        for (key, _, v) in p.r.mapping(root, "", allowed: ["route", "receivers", "inhibit_rules", "templates"]) {
            switch key {
            case "route":
                routeNode = v
                file.route = p.route(v, "route", isRoot: true)
            case "receivers":
                var names: Set<String> = []
                for (i, item) in p.r.sequence(v, "receivers").enumerated() {
                    guard let receiver = p.receiver(item, "receivers[\(i)]") else { continue }
                    if !names.insert(receiver.name).inserted {
                        p.r.error(item, "receivers[\(i)].name", "duplicate receiver \"\(receiver.name)\"")
                    }
                    file.receivers.append(receiver)
                }
            case "inhibit_rules":
                for (i, item) in p.r.sequence(v, "inhibit_rules").enumerated() {
                    file.inhibitRules.append(p.inhibitRule(item, "inhibit_rules[\(i)]"))
                }
            case "templates":
                for (tk, _, tv) in p.r.mapping(v, "templates", allowed: ["title", "summary"]) {
                    let t = p.template(tv, "templates.\(tk)")
                    if tk == "title" { file.titleTemplate = t } else { file.summaryTemplate = t }
                }
            default: break
            }
        }
        if routeNode == nil { p.r.error(root, "", "missing \"route\" (route: {receiver: NAME})") }
        if let route = routeNode, file.route.receiver == nil, case .mapping = route { p.r.error(route, "route", "missing \"receiver\"") }
        // Every receiver a route names must exist.
        let defined = Set(file.receivers.map(\.name))
        func checkReceivers(_ route: Route, _ context: String) {
            if let name = route.receiver, !defined.contains(name) {
                p.r.error(line: route.line, column: route.column, context + ".receiver",
                          "no receiver named \"\(name)\"; defined: \(file.receivers.map(\.name).joined(separator: ", "))")
            }
            for (i, child) in route.routes.enumerated() { checkReceivers(child, "\(context).routes[\(i)]") }
        }
        if routeNode != nil { checkReceivers(file.route, "route") }
        var diagnostics = p.r.diagnostics
        diagnostics.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        let errors = diagnostics.contains { $0.severity == .error }
        return (errors ? nil : file, diagnostics)
    }
}

/// The parsing half of ``AlertsFile``: a reader plus helpers for each section.
struct AlertsFileParser {
    var r: YAMLReader

    init(reader: YAMLReader) { r = reader }

    mutating func route(_ node: Node, _ ctx: String, isRoot: Bool) -> AlertsFile.Route {
        var route = AlertsFile.Route()
        route.line = node.mark?.line ?? 0
        route.column = node.mark?.column ?? 0
        let allowed = ["receiver", "matchers", "group_by", "group_wait", "group_interval", "repeat_interval", "continue", "routes"]
        for (key, keyNode, v) in r.mapping(node, ctx, allowed: allowed) {
            switch key {
            case "receiver":
                if let s = r.string(v, ctx + ".receiver") {
                    if s.isEmpty { r.error(v, ctx + ".receiver", "must not be empty") } else { route.receiver = s }
                    route.line = v.mark?.line ?? route.line
                    route.column = v.mark?.column ?? route.column
                }
            case "matchers":
                if isRoot { r.error(keyNode, ctx + ".matchers", "the root route matches every alert and takes no matchers") }
                route.matchers = matchers(v, ctx + ".matchers")
            case "group_by":
                var names: [String] = []
                for (i, item) in r.sequence(v, ctx + ".group_by").enumerated() {
                    guard let s = r.string(item, "\(ctx).group_by[\(i)]") else { continue }
                    if s != "...", !AlertMatcher.isLabelName(s) { r.error(item, "\(ctx).group_by[\(i)]", "\"\(s)\" is not a label name") }
                    if names.contains(s) { r.error(item, "\(ctx).group_by[\(i)]", "duplicate label \"\(s)\"") }
                    names.append(s)
                }
                if names.contains("..."), names.count > 1 { r.error(v, ctx + ".group_by", "\"...\" (group by all labels) must be the only entry") }
                route.groupBy = names
            case "group_wait":
                route.groupWait = r.duration(v, ctx + ".group_wait")
            case "group_interval":
                route.groupInterval = r.duration(v, ctx + ".group_interval")
                if route.groupInterval == 0 { r.error(v, ctx + ".group_interval", "must be greater than 0") }
            case "repeat_interval":
                route.repeatInterval = r.duration(v, ctx + ".repeat_interval")
                if route.repeatInterval == 0 { r.error(v, ctx + ".repeat_interval", "must be greater than 0") }
            case "continue":
                if isRoot { r.error(keyNode, ctx + ".continue", "the root route cannot have continue") }
                route.continue = r.bool(v, ctx + ".continue") ?? false
            case "routes":
                for (i, child) in r.sequence(v, ctx + ".routes").enumerated() {
                    route.routes.append(self.route(child, "\(ctx).routes[\(i)]", isRoot: false))
                }
            default: break
            }
        }
        return route
    }

    mutating func matchers(_ node: Node, _ ctx: String) -> [AlertMatcher] {
        var out: [AlertMatcher] = []
        for (i, item) in r.sequence(node, ctx).enumerated() {
            guard let s = r.string(item, "\(ctx)[\(i)]") else { continue }
            do { out.append(try AlertMatcher(parsing: s)) } catch { r.error(item, "\(ctx)[\(i)]", error.description) }
        }
        return out
    }

    mutating func receiver(_ node: Node, _ ctx: String) -> AlertsFile.Receiver? {
        let entries = r.mapping(node, ctx, allowed: ["name", "webhook_configs", "file_configs"])
        guard let nameEntry = entries.first(where: { $0.key == "name" }) else {
            if case .mapping = node { r.error(node, ctx, "missing \"name\"") }
            return nil
        }
        guard let name = r.string(nameEntry.value, ctx + ".name"), !name.isEmpty else { return nil }
        if name.hasPrefix("@") {
            // `@registry` names the retraining-trigger rows in the shared outbox.
            r.error(nameEntry.value, ctx + ".name", "receiver names cannot start with \"@\" (reserved)")
            return nil
        }
        let rctx = "receiver \"\(name)\""
        var receiver = AlertsFile.Receiver(name: name)
        for (key, _, v) in entries {
            switch key {
            case "file_configs":
                for (j, fc) in r.sequence(v, rctx + ".file_configs").enumerated() {
                    let fctx = "\(rctx).file_configs[\(j)]"
                    var found = false
                    for (fk, _, pv) in r.mapping(fc, fctx, allowed: ["path"]) where fk == "path" {
                        found = true
                        if let p = r.string(pv, fctx + ".path"), !p.isEmpty {
                            receiver.files.append(Positioned(p, path: r.path, line: pv.mark?.line ?? 0, column: pv.mark?.column ?? 0))
                        } else {
                            r.error(pv, fctx + ".path", "must name a file")
                        }
                    }
                    if !found, case .mapping = fc { r.error(fc, fctx, "missing \"path\"") }
                }
            case "webhook_configs":
                for (j, wc) in r.sequence(v, rctx + ".webhook_configs").enumerated() {
                    if let w = webhook(wc, "\(rctx).webhook_configs[\(j)]") { receiver.webhooks.append(w) }
                }
            default: break
            }
        }
        return receiver
    }

    mutating func webhook(_ node: Node, _ ctx: String) -> AlertsFile.Webhook? {
        let allowed = ["url", "format", "secret", "secret_file", "routing_key", "routing_key_file", "timeout", "max_attempts",
                       "allow_private", "allowlist", "send_resolved", "title", "summary"]
        let entries = r.mapping(node, ctx, allowed: allowed)
        guard let urlEntry = entries.first(where: { $0.key == "url" }) else {
            if case .mapping = node { r.error(node, ctx, "missing \"url\"") }
            return nil
        }
        guard let urlText = r.string(urlEntry.value, ctx + ".url") else { return nil }
        let url = Positioned(urlText, path: r.path, line: urlEntry.value.mark?.line ?? 0, column: urlEntry.value.mark?.column ?? 0)
        if urlText.hasPrefix("${") {
            r.error(urlEntry.value, ctx + ".url", "must be a literal URL (keep tokens out of URLs: use secret: for signing)")
        } else {
            do { _ = try WebhookURL(parsing: urlText) } catch { r.error(urlEntry.value, ctx + ".url", error.description) }
        }
        var w = AlertsFile.Webhook(url: url)
        var routingKeyNode: Node?
        for (key, keyNode, v) in entries {
            let kctx = "\(ctx).\(key)"
            switch key {
            case "format":
                if let f = r.choice(v, kctx, AlertsFile.WebhookFormat.self) { w.format = f }
            case "secret":
                for item in stringOrList(v, kctx) {
                    if let ref = environmentReference(item, kctx) { w.secrets.append(ref) }
                }
            case "secret_file":
                for item in stringOrList(v, kctx) {
                    if let s = r.string(item, kctx), !s.isEmpty { w.secrets.append(.file(s)) } else { r.error(item, kctx, "must name a file") }
                }
            case "routing_key":
                routingKeyNode = keyNode
                if let ref = environmentReference(v, kctx) { w.routingKey = ref }
            case "routing_key_file":
                routingKeyNode = keyNode
                if let s = r.string(v, kctx), !s.isEmpty { w.routingKey = .file(s) } else { r.error(v, kctx, "must name a file") }
            case "timeout":
                if let d = r.duration(v, kctx) {
                    if d < 100 || d > 300_000 { r.error(v, kctx, "must be between 100ms and 5m") } else { w.timeout = d }
                }
            case "max_attempts":
                if let n = r.int(v, kctx, range: 1...1000) { w.maxAttempts = n }
            case "allow_private":
                w.allowPrivate = r.bool(v, kctx) ?? false
            case "allowlist":
                for (i, item) in r.sequence(v, kctx).enumerated() {
                    guard let s = r.string(item, "\(kctx)[\(i)]") else { continue }
                    if let n = IPNetwork(parsing: s) { w.allowlist.append(n) } else {
                        r.error(item, "\(kctx)[\(i)]", "\"\(s)\" is not an address or a CIDR range (e.g. 127.0.0.0/8, ::1/128)")
                    }
                }
            case "send_resolved":
                w.sendResolved = r.bool(v, kctx) ?? true
            case "title":
                w.title = template(v, kctx)
            case "summary":
                w.summary = template(v, kctx)
            default: break
            }
        }
        if w.format == .pagerduty, w.routingKey == nil {
            r.error(node, ctx, "format pagerduty needs routing_key: ${ENV_VAR} or routing_key_file:")
        }
        if w.format != .pagerduty, let routingKeyNode {
            r.error(routingKeyNode, ctx, "routing_key is for format pagerduty only")
        }
        return w
    }

    mutating func stringOrList(_ node: Node, _ ctx: String) -> [Node] {
        if case .sequence = node { return r.sequence(node, ctx) }
        return [node]
    }

    /// `${NAME}`; anything else is refused (a literal secret would end up in the config record).
    mutating func environmentReference(_ node: Node, _ ctx: String) -> AlertsFile.SecretReference? {
        guard let s = r.string(node, ctx) else { return nil }
        let body = s.dropFirst(2).dropLast()
        guard s.hasPrefix("${"), s.hasSuffix("}"), !body.isEmpty,
              body.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !(body.first?.isNumber ?? true) else {
            // Never echo the value: it may be a pasted secret.
            r.error(node, ctx, "must be an environment reference like ${WEBHOOK_SECRET} (secrets are never written inline; or use a *_file: key)")
            return nil
        }
        return .environment(String(body))
    }

    mutating func template(_ node: Node, _ ctx: String) -> NotificationTemplate? {
        guard let s = r.string(node, ctx) else { return nil }
        do { return try NotificationTemplate(parsing: s) } catch {
            r.error(node, ctx, error.description)
            return nil
        }
    }

    mutating func inhibitRule(_ node: Node, _ ctx: String) -> AlertsFile.InhibitRule {
        var rule = AlertsFile.InhibitRule()
        var hasSource = false
        var hasTarget = false
        for (key, _, v) in r.mapping(node, ctx, allowed: ["source_matchers", "target_matchers", "equal"]) {
            switch key {
            case "source_matchers":
                hasSource = true
                rule.sourceMatchers = matchers(v, ctx + ".source_matchers")
            case "target_matchers":
                hasTarget = true
                rule.targetMatchers = matchers(v, ctx + ".target_matchers")
            case "equal":
                for (i, item) in r.sequence(v, ctx + ".equal").enumerated() {
                    guard let s = r.string(item, "\(ctx).equal[\(i)]") else { continue }
                    if !AlertMatcher.isLabelName(s) { r.error(item, "\(ctx).equal[\(i)]", "\"\(s)\" is not a label name") }
                    rule.equal.append(s)
                }
            default: break
            }
        }
        if case .mapping = node {
            if !hasSource { r.error(node, ctx, "missing \"source_matchers\"") }
            if !hasTarget { r.error(node, ctx, "missing \"target_matchers\"") }
        }
        return rule
    }
}
