public import MonitorCore

/// What routing needs from an alerts file, resolved once per config load (pure).
public struct AlertingPlan: Sendable, Hashable {
    /// One integration (webhook or file) of a receiver.
    public struct Integration: Sendable, Hashable {
        /// `webhook[0]`, `file[0]`, …: stable names used in the outbox and in metrics.
        public var name: String
        public var sendResolved: Bool
        public var title: NotificationTemplate?
        public var summary: NotificationTemplate?
    }

    public var routes: RouteTree
    public var inhibitor: Inhibitor
    /// Integrations by receiver name.
    public var receivers: [String: [Integration]]
    public var title: NotificationTemplate?
    public var summary: NotificationTemplate?

    public init(_ file: AlertsFile) {
        routes = RouteTree(file.route)
        inhibitor = Inhibitor(rules: file.inhibitRules)
        var receivers: [String: [Integration]] = [:]
        for r in file.receivers {
            var list: [Integration] = []
            for (i, w) in r.webhooks.enumerated() {
                list.append(Integration(name: "webhook[\(i)]", sendResolved: w.sendResolved, title: w.title, summary: w.summary))
            }
            for i in r.files.indices { list.append(Integration(name: "file[\(i)]", sendResolved: true)) }
            receivers[r.name] = list
        }
        self.receivers = receivers
        title = file.titleTemplate
        summary = file.summaryTemplate
    }

    /// A plan that routes everything to one receiver with the given integrations (tests).
    public init(routes: RouteTree, receivers: [String: [Integration]], inhibitor: Inhibitor = Inhibitor(rules: [])) {
        self.routes = routes
        self.inhibitor = inhibitor
        self.receivers = receivers
    }
}
