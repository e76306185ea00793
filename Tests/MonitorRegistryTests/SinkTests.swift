import AsyncHTTPClient
import MonitorCore
import MonitorRegistry
import Testing

@Suite("Registry sinks without a network")
struct SinkTests {
    /// Each status and its class (cf. Alertmanager's Retrier.Check): boundary rows either side.
    @Test("HTTP statuses are classified in one place", arguments: [
        (200, "delivered"), (204, "delivered"), (299, "delivered"),
        (300, "permanent"), (302, "permanent"),  // redirects are not followed
        (400, "permanent"), (401, "permanent"), (404, "permanent"),  // unknown model or version, bad credentials
        (408, "retryable"), (429, "retryable"),  // timeout, rate limit
        (499, "permanent"), (500, "retryable"), (503, "retryable"), (599, "retryable"),
    ])
    func classify(_ status: Int, _ expected: String) {
        let kind: String
        switch SinkOutcome.classify(status: status) {
        case .delivered: kind = "delivered"
        case .retryable: kind = "retryable"
        case .permanent: kind = "permanent"
        }
        #expect(kind == expected)
    }

    static func trigger(model: String, version: String?) -> RetrainTrigger {
        var labels: Labels = ["alertname": "R"]
        if !model.isEmpty { labels = labels.setting("model", to: model) }
        if let version { labels = labels.setting("version", to: version) }
        let alert = Alert(group: "g", rule: "R", labels: labels, annotations: [:], state: .firing, value: 1,
                          activeAt: Timestamp(milliseconds: 0), lastSeenAt: Timestamp(milliseconds: 0))
        return RetrainTrigger(firing: AlertTransition(alert: alert, from: .pending, to: .firing, at: Timestamp(milliseconds: 0)),
                              expression: "x > 0", series: [], windowStart: nil, reference: nil)
    }

    @Test("MLflow: permanent without a model, without a version and version_alias, and at a refused destination — before any request")
    func mlflowPermanentCases() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await check(client)
        try await client.shutdown()
    }

    func check(_ client: HTTPClient) async throws {
        // Port 9 (discard) on loopback: if a request were made it would fail as retryable, not permanent.
        let url = try WebhookURL(parsing: "http://127.0.0.1:9")
        let sink = MLflowSink(configuration: .init(trackingURI: url), client: client, destination: { _ in nil })
        guard case .permanent(let noModel, _) = await sink.deliver(Self.trigger(model: "", version: "3"), payload: "{}", now: .init(milliseconds: 0)) else {
            Issue.record("no model label must be permanent")
            return
        }
        #expect(noModel.contains("no model label"))
        guard case .permanent(let noVersion, _) = await sink.deliver(Self.trigger(model: "fraud", version: nil), payload: "{}", now: .init(milliseconds: 0)) else {
            Issue.record("no version and no version_alias must be permanent")
            return
        }
        #expect(noVersion.contains("version_alias is not set"))
        let refused = MLflowSink(configuration: .init(trackingURI: url), client: client,
                                 destination: { _ in .permanent("destination refused: loopback", status: nil) })
        #expect(await refused.deliver(Self.trigger(model: "fraud", version: "3"), payload: "{}", now: .init(milliseconds: 0))
                == .permanent("destination refused: loopback", status: nil))
        // Nothing listens on the port: a connection failure is retryable.
        guard case .retryable = await sink.deliver(Self.trigger(model: "fraud", version: "3"), payload: "{}", now: .init(milliseconds: 0)) else {
            Issue.record("a refused connection must be retryable")
            return
        }
    }

    @Test("MLflow auth headers: bearer and basic")
    func authHeaders() {
        #expect(MLflowSink.Configuration.bearer("abc") == "Bearer abc")
        #expect(MLflowSink.Configuration.basic(username: "monitor", password: "pw") == "Basic bW9uaXRvcjpwdw==")
    }
}
