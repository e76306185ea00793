public import MonitorCore

/// Checks of an alerts file beyond its syntax that need the alerting policies: a webhook whose
/// URL is a literal address the destination policy refuses is reported at load time (host names
/// are checked again at every send).
public enum AlertingValidation {
    public static func diagnostics(_ file: AlertsFile) -> [ConfigDiagnostic] {
        var out: [ConfigDiagnostic] = []
        for r in file.receivers {
            for (i, w) in r.webhooks.enumerated() {
                let policy = DestinationPolicy(allowPrivate: w.allowPrivate, allowlist: w.allowlist)
                if case .failure(let refusal) = policy.check(url: w.url.value), (try? WebhookURL(parsing: w.url.value)) != nil {
                    out.append(w.url.diagnostic("receiver \"\(r.name)\".webhook_configs[\(i)].url", "destination refused: \(refusal.reason)"))
                }
            }
        }
        return out
    }
}
