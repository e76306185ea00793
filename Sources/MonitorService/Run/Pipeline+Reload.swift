import Logging
import MonitorAlerting
import MonitorCore
import MonitorRules

extension Pipeline {
    /// Applies a validated reload between two steps (pipeline thread): new rules with the alert
    /// state carried over by group and rule name, the new routing tree (alert groups and their
    /// notification log kept), and the new config recorded with the next checkpoint. Window
    /// state, the latest samples, pending checkpoint data and the outbox are untouched.
    func apply(_ reload: ValidatedReload) {
        var windowRules = RuleSet(rules: reload.rules.rules.filter { !$0.readsMaturitySeries })
        windowRules.restore(rules.alerts, lastEvaluation: lastEvaluation)
        let removed = Set(rules.alerts.map { "\($0.group)/\($0.rule)" }).subtracting(windowRules.rules.map { "\($0.group)/\($0.name)" })
        rules = windowRules
        let maturity = RuleSet(rules: reload.rules.rules.filter(\.readsMaturitySeries))
        if let l = labels {
            var m = maturity
            m.restore(l.rules.alerts, lastEvaluation: l.lastEvaluation)
            l.rules = m
        } else if !maturity.rules.isEmpty {
            logger.warning("rules read performance series but no label source is configured: they never fire",
                           metadata: ["rules": "\(maturity.rules.map(\.name))"])
        }
        alerting = reload.loaded.alertsFiles.first.map(AlertingPlan.init)
        let text = Self.effectiveConfigText(reload.loaded)
        configRecord = ConfigRecord(text: text)
        configRecorded = false
        pendingDirty = true
        status.metrics.set("monitor_rules_loaded", [], Double(rules.rules.count + (labels?.rules.rules.count ?? maturity.rules.count)))
        status.setConfigHash(configRecord.hash)
        logger.notice("config reload applied", metadata: [
            "config.hash": "\(configRecord.hash)", "rules": "\(reload.rules.rules.count)",
            "rules.removed": "\(removed.sorted())", "restart_required": "\(reload.restartRequired)"])
        publish()
    }
}
