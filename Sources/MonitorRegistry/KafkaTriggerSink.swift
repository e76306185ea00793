import CRdKafka
import Dispatch
import Foundation
public import MonitorCore
import Synchronization

/// Produces each trigger as one message on a topic a retraining orchestrator consumes: key =
/// the model (a model's triggers stay in order on one partition), value = the trigger's JSON,
/// headers `trigger-id` and `event-type: retrain_trigger`.
///
/// The producer is idempotent (`enable.idempotence=true`, hence `acks=all`): librdkafka's own
/// retries never duplicate or reorder. A retry of the outbox after an unacknowledged attempt
/// may produce the message again; it carries the same `trigger-id` for consumers to drop.
public final class KafkaTriggerSink: ModelRegistryClient, @unchecked Sendable {
    public let name = "kafka"
    public let topic: String
    public let maxAttempts: Int
    let timeout: Duration
    private let producer: OpaquePointer
    /// One attempt at a time (the outbox serves an integration serially; this makes it a rule).
    private let lock = Mutex(())

    /// Why the producer could not be created (a bad property value, …).
    public struct SetupError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// - Parameters:
    ///   - brokers: `bootstrap.servers`.
    ///   - topic: Where triggers go.
    ///   - properties: More librdkafka properties (secrets resolved); the idempotence settings
    ///     cannot be overridden.
    ///   - timeout: How long one attempt waits for the brokers' acknowledgement
    ///     (`message.timeout.ms`).
    ///   - maxAttempts: Outbox attempts before giving up.
    public init(brokers: String, topic: String, properties: [String: String] = [:], timeout: Duration = .seconds(10),
                maxAttempts: Int = 10) throws(SetupError) {
        self.topic = topic
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        var all: [(String, String)] = properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        all += [("bootstrap.servers", brokers), ("enable.idempotence", "true"), ("acks", "all"),
                ("message.timeout.ms", String(max(ms, 1000))), ("client.id", "modelmonitor-triggers")]
        for (k, v) in all where rd_kafka_conf_set(conf, k, v, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw SetupError(description: "registry.kafka: property \(k): \(Self.text(errstr))")
        }
        rd_kafka_conf_set_dr_msg_cb(conf, triggerDeliveryCallback)
        guard let p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw SetupError(description: "registry.kafka: \(Self.text(errstr))")
        }
        producer = p
    }

    deinit {
        _ = rd_kafka_flush(producer, 2000)
        rd_kafka_destroy(producer)
    }

    static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The delivery report of one message.
    final class Report: @unchecked Sendable {
        var error: rd_kafka_resp_err_t? = nil
    }

    public func deliver(_ trigger: RetrainTrigger, payload: String, now: Timestamp) async -> SinkOutcome {
        // librdkafka blocks while it waits for the acknowledgement: off the concurrency pool.
        await withCheckedContinuation { (cont: CheckedContinuation<SinkOutcome, Never>) in
            DispatchQueue.global().async {
                cont.resume(returning: self.lock.withLock { _ in self.produceAndWait(trigger, payload) })
            }
        }
    }

    private func produceAndWait(_ trigger: RetrainTrigger, _ payload: String) -> SinkOutcome {
        let report = Report()
        let opaque = Unmanaged.passRetained(report).toOpaque()
        let key = Array(trigger.model.utf8)
        let value = Array(payload.utf8)
        let err = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                monitor_rdkafka_produce(producer, topic, monitor_rdkafka_partition_ua(), k.baseAddress, k.count, v.baseAddress, v.count,
                                        "trigger-id", trigger.id, "event-type", "retrain_trigger", nil, nil, opaque)
            }
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            Unmanaged<Report>.fromOpaque(opaque).release()
            return .retryable("produce to \(topic): \(String(cString: rd_kafka_err2str(err)))", status: nil, retryAfter: nil)
        }
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        // message.timeout.ms bounds the wait: the report always comes (delivered or timed out).
        let deadline = DispatchTime.now() + .milliseconds(Int(ms) + 5000)
        while report.error == nil, DispatchTime.now() < deadline {
            _ = rd_kafka_flush(producer, 200)
        }
        guard let result = report.error else {
            // Still in librdkafka's queue: it will be delivered or time out; the report releases it.
            return .retryable("no acknowledgement from \(topic) within \(timeout)", status: nil, retryAfter: nil)
        }
        if result == RD_KAFKA_RESP_ERR_NO_ERROR { return .delivered(status: nil) }
        let why = "\(topic): \(String(cString: rd_kafka_err2str(result)))"
        switch result {
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
            return .permanent(why, status: nil)
        default:
            return .retryable(why, status: nil, retryAfter: nil)
        }
    }
}

/// librdkafka's delivery report: records the result in the message's ``KafkaTriggerSink/Report``
/// and releases it (the produce call retained it).
private func triggerDeliveryCallback(_ rk: OpaquePointer?, _ m: UnsafePointer<rd_kafka_message_t>?, _: UnsafeMutableRawPointer?) {
    guard let m, let opaque = m.pointee._private else { return }
    let report = Unmanaged<KafkaTriggerSink.Report>.fromOpaque(opaque).takeRetainedValue()
    report.error = m.pointee.err
}
