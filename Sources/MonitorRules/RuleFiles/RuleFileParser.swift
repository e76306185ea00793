import MonitorCore
import Yams

/// The strict, position-aware reading of rule files behind `RuleFile.parse`.
struct RuleFileParser {
    let path: String
    let source: SourceText
    let knownMetrics: Set<String>
    var reader: YAMLReader
    /// Errors positioned inside scalar values (expressions, templates).
    var positioned: [ConfigDiagnostic] = []
    /// Every diagnostic so far.
    var diagnostics: [ConfigDiagnostic] { reader.diagnostics + positioned }
    let text: String

    static let ruleKeys = ["alert", "expr", "for", "keep_firing_for", "labels", "annotations", "actions", "record"]

    init(text: String, path: String, knownMetrics: Set<String>) {
        self.path = path
        self.text = text
        self.knownMetrics = knownMetrics
        source = SourceText(text)
        reader = YAMLReader(path: path)
    }

    /// Records an error at `offset` inside a scalar node's value.
    mutating func error(in node: Node, offset: Int, _ context: String, _ message: String) {
        let (line, column) = source.position(ofOffset: offset, in: node)
        positioned.append(ConfigDiagnostic(path: path, line: line, column: column, context: context, message: message))
    }

    mutating func parse() -> RuleFile? {
        guard let root = reader.compose(text) else {
            return reader.diagnostics.isEmpty ? RuleFile(path: path, groups: []) : nil
        }
        var groups: [RuleGroup] = []
        var seen: [String: Int] = [:]
        for (key, _, value) in reader.mapping(root, "", allowed: ["groups"]) where key == "groups" {
            for (gi, groupNode) in reader.sequence(value, "groups").enumerated() {
                if let g = parseGroup(groupNode, index: gi, seen: &seen) { groups.append(g) }
            }
        }
        return RuleFile(path: path, groups: groups)
    }

    private mutating func parseGroup(_ node: Node, index: Int, seen: inout [String: Int]) -> RuleGroup? {
        let entries = reader.mapping(node, "group \(index + 1)", allowed: ["name", "rules"])
        guard case .mapping = node else { return nil }
        var name: String?
        var line = node.mark?.line ?? 0
        if let (_, nameNode) = entries.first(where: { $0.key == "name" }).map({ ($0.keyNode, $0.value) }) {
            if let n = reader.string(nameNode, "group \(index + 1)") {
                if n.isEmpty {
                    reader.error(nameNode, "group \(index + 1)", "the group name must not be empty")
                } else if let firstLine = seen[n] {
                    reader.error(nameNode, "group \"\(n)\"", "duplicate group name \"\(n)\" (first defined on line \(firstLine))")
                } else {
                    line = nameNode.mark?.line ?? 0
                    seen[n] = line
                    name = n
                }
            }
        } else {
            reader.error(node, "group \(index + 1)", "missing \"name\"")
        }
        let context = name.map { "group \"\($0)\"" } ?? "group \(index + 1)"
        var rules: [AlertRule] = []
        var alertNames: [String: Int] = [:]
        if let rulesNode = entries.first(where: { $0.key == "rules" })?.value {
            for (ri, ruleNode) in reader.sequence(rulesNode, context).enumerated() {
                if let rule = parseRule(ruleNode, group: name ?? "", groupContext: context, index: ri, alertNames: &alertNames) {
                    rules.append(rule)
                }
            }
        } else {
            reader.error(node, context, "missing \"rules\"")
        }
        return name.map { RuleGroup(name: $0, rules: rules, line: line) }
    }

    private mutating func parseRule(_ node: Node, group: String, groupContext: String, index: Int,
                                    alertNames: inout [String: Int]) -> AlertRule? {
        var context = "\(groupContext), rule \(index + 1)"
        guard case .mapping = node else {
            _ = reader.mapping(node, context)
            return nil
        }
        let entries = reader.mapping(node, context, allowed: RuleFileParser.ruleKeys)
        var value: [String: Node] = [:]
        for e in entries { value[e.key] = e.value }

        if let record = entries.first(where: { $0.key == "record" }) {
            reader.error(record.keyNode, context, "recording rules are not supported; this file holds alerting rules (\"alert:\")")
            return nil
        }
        // The name first: every later message names the rule.
        var name: String?
        if let alertNode = value["alert"] {
            if let n = reader.string(alertNode, context) {
                if !Identifiers.isMetricName(n) {
                    reader.error(alertNode, context, "invalid alert name \"\(n)\" (letters, digits, _ and :, not starting with a digit)")
                } else {
                    context += ", \"\(n)\""
                    if let firstLine = alertNames[n] {
                        reader.error(alertNode, context, "duplicate alert \"\(n)\" in group \"\(group)\" (first defined on line \(firstLine))")
                    } else {
                        alertNames[n] = alertNode.mark?.line ?? 0
                        name = n
                    }
                }
            }
        } else {
            reader.error(node, context, "missing \"alert\"")
        }

        var expression: Expression?
        if let exprNode = value["expr"] {
            expression = parseExpression(exprNode, context)
        } else {
            reader.error(node, context, "missing \"expr\"")
        }
        var hold: Int64 = 0
        var keep: Int64 = 0
        if let n = value["for"], let d = reader.duration(n, context + ": for") { hold = d }
        if let n = value["keep_firing_for"], let d = reader.duration(n, context + ": keep_firing_for") { keep = d }
        let labels = value["labels"].map { parseTemplates($0, context, kind: "label") } ?? []
        let annotations = value["annotations"].map { parseTemplates($0, context, kind: "annotation") } ?? []
        var actions: [RuleAction] = []
        if let n = value["actions"] {
            for a in reader.sequence(n, context + ": actions") {
                guard let action = reader.choice(a, context + ": actions", RuleAction.self) else { continue }
                if actions.contains(action) {
                    reader.error(a, context + ": actions", "duplicate action \"\(action.rawValue)\"")
                } else {
                    actions.append(action)
                }
            }
        }
        guard let name, let expression else { return nil }
        return AlertRule(group: group, name: name, expression: expression, holdDuration: hold, keepFiringFor: keep,
                         labels: labels, annotations: annotations, actions: actions, path: path, line: node.mark?.line ?? 0)
    }

    private mutating func parseExpression(_ node: Node, _ context: String) -> Expression? {
        guard let text = reader.string(node, context) else { return nil }
        if text.trimmingSpaces.isEmpty {
            reader.error(node, context, "the expression is empty")
            return nil
        }
        let (expression, errors) = Expression.parse(text, knownMetrics: knownMetrics)
        for e in errors { error(in: node, offset: e.offset, context, e.message) }
        guard let expression else { return nil }
        if expression.type != .vector {
            let first = text.unicodeScalars.prefix { $0 == " " || $0 == "\n" || $0 == "\t" }.count
            error(in: node, offset: first, context,
                  "an alert expression must return a vector (labelled samples), this one returns a scalar")
            return nil
        }
        return expression
    }

    private mutating func parseTemplates(_ node: Node, _ context: String, kind: String) -> [TemplatedLabel] {
        var out: [TemplatedLabel] = []
        for (name, keyNode, valueNode) in reader.mapping(node, context + ": \(kind)s") {
            if !Identifiers.isLabelName(name) {
                reader.error(keyNode, context, "invalid \(kind) name \"\(name)\" (letters, digits and _, not starting with a digit)")
                continue
            }
            if name.hasPrefix("__") {
                reader.error(keyNode, context, "\(kind) names starting with \"__\" are reserved")
                continue
            }
            if kind == "label", name == LabelName.alertname {
                reader.error(keyNode, context, "the alertname label is the rule's alert name and cannot be set")
                continue
            }
            guard let text = reader.string(valueNode, context + ": \(kind) \"\(name)\"") else { continue }
            let (template, errors) = Template.parse(text)
            for e in errors { error(in: valueNode, offset: e.offset, context, "\(kind) \"\(name)\": \(e.message)") }
            if let template { out.append(TemplatedLabel(name: name, template: template)) }
        }
        return out
    }
}
