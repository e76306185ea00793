public import MonitorCore

/// Inhibit rules (Alertmanager's `inhibit.Inhibitor`, without its state: the firing alerts are
/// passed in): an alert matching a rule's `target_matchers` is muted while another alert that
/// matches `source_matchers` fires with equal values of the `equal` labels (a label absent from
/// both counts as equal). An alert never inhibits itself.
public struct Inhibitor: Sendable, Hashable {
    public let rules: [AlertsFile.InhibitRule]

    public init(rules: [AlertsFile.InhibitRule]) { self.rules = rules }

    /// The first rule (by index) that mutes `target`, given the label sets of the firing alerts.
    public func inhibitingRule(for target: Labels, firing: [Labels]) -> Int? {
        for (i, rule) in rules.enumerated() where rule.targetMatchers.matches(target) {
            for source in firing where source != target && rule.sourceMatchers.matches(source) {
                if rule.equal.allSatisfy({ source[$0] == target[$0] }) { return i }
            }
        }
        return nil
    }

    /// Whether `target` is muted.
    public func inhibits(_ target: Labels, firing: [Labels]) -> Bool { inhibitingRule(for: target, firing: firing) != nil }
}
