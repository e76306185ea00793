import MonitorCore
import Testing

@Suite("Kafka source config")
struct KafkaConfigTests {
    @Test("a kafka source is read: brokers, group, topics, properties with secrets, reset policy, dead-letter topic")
    func kafkaSource() throws {
        let text = """
            sources:
              - name: fleet
                type: kafka
                kafka:
                  brokers: [k1:9093, k2:9093]
                  group: model-monitor
                  topics: fraud-predictions
                  auto_offset_reset: latest
                  dead_letter_topic: fraud-dlq
                  properties:
                    security.protocol: SASL_SSL
                    sasl.password: ${KAFKA_PASSWORD}
                    ssl.key.password: {file: secrets/key-password}
                    session.timeout.ms: 6000
            """
        let (config, diags) = MonitorConfig.parse(text, path: "m.yaml")
        #expect(diags.isEmpty, "\(diags)")
        let s = try #require(config?.sources.first)
        #expect(s.type == .kafka)
        let k = try #require(s.kafka)
        #expect(k.brokers == ["k1:9093", "k2:9093"])
        #expect(k.group == "model-monitor")
        #expect(k.topics == ["fraud-predictions"])
        #expect(k.autoOffsetReset == .latest)
        #expect(k.deadLetterTopic == "fraud-dlq")
        #expect(k.properties["security.protocol"] == .text("SASL_SSL"))
        #expect(k.properties["session.timeout.ms"] == .text("6000"))
        #expect(k.properties["sasl.password"]?.environmentReferences == ["KAFKA_PASSWORD"])
        guard case .file(let p) = k.properties["ssl.key.password"] else {
            Issue.record("ssl.key.password should be a file reference")
            return
        }
        #expect(p.value == "secrets/key-password" && p.line == 13)
    }

    @Test("auto_offset_reset defaults to earliest; brokers may be a comma-separated string")
    func defaults() throws {
        let text = """
            sources:
              - {name: p, type: kafka, kafka: {brokers: "a:1, b:2", group: g, topics: [t]}}
            """
        let (config, diags) = MonitorConfig.parse(text, path: "m.yaml")
        #expect(diags.isEmpty, "\(diags)")
        let k = try #require(config?.sources.first?.kafka)
        #expect(k.brokers == ["a:1", "b:2"])
        #expect(k.autoOffsetReset == .earliest)
        #expect(k.deadLetterTopic == nil)
    }

    /// Each bad config, with the message expected at its position.
    @Test("bad kafka sources are reported with their positions", arguments: [
        // The offset contract: offsets live in the store.
        ("{name: p, type: kafka, kafka: {brokers: a:1, group: g, topics: [t], properties: {enable.auto.commit: true}}}",
         "m.yaml:2:86: source \"p\".kafka.properties.enable.auto.commit: cannot be set here"),
        ("{name: p, type: kafka, kafka: {brokers: a:1, group: g, topics: [t], properties: {group.id: x}}}", "use kafka.group"),
        ("{name: p, type: kafka, kafka: {brokers: a:1, topics: [t]}}", "missing \"group\""),
        ("{name: p, type: kafka, kafka: {group: g, topics: [t]}}", "missing \"brokers\""),
        ("{name: p, type: kafka, kafka: {brokers: a:1, group: g}}", "missing \"topics\""),
        ("{name: p, type: kafka}", "missing \"kafka\""),
        ("{name: p, type: kafka, path: x.jsonl, kafka: {brokers: a:1, group: g, topics: [t]}}", "not a path"),
        ("{name: p, path: x.jsonl, kafka: {brokers: a:1, group: g, topics: [t]}}", "only a source of type kafka"),
        ("{name: p, type: kafka, kafka: {brokers: a:1, group: g, topics: [t], auto_offset_reset: smallest}}", "is not one of earliest, latest"),
        ("{name: p, type: kafka, kafka: {brokers: localhost, group: g, topics: [t]}}", "is not host:port"),
        ("{name: p, type: kafka, kafka: {brokers: a:1, group: g, topics: [t], partitions: 3}}", "unknown key \"partitions\""),
    ])
    func badSources(source: String, message: String) {
        let (_, diags) = MonitorConfig.parse("sources:\n  - \(source)\n", path: "m.yaml")
        let errors = diags.filter { $0.severity == .error }.map(\.description)
        #expect(errors.contains { $0.contains(message) }, "\(errors)")
    }

    @Test("a secret written inline is a warning (the config text is recorded in the store)")
    func inlineSecretWarns() {
        let text = "sources:\n  - {name: p, type: kafka, kafka: {brokers: a:1, group: g, topics: [t], properties: {sasl.password: hunter2}}}\n"
        let (config, diags) = MonitorConfig.parse(text, path: "m.yaml")
        #expect(config != nil)
        #expect(diags.contains { $0.severity == .warning && $0.description.contains("${ENV_VAR}") })
    }
}
