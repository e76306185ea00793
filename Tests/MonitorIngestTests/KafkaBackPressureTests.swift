import MonitorIngest
import Testing

@Suite("Kafka back-pressure")
struct KafkaBackPressureTests {
    /// Steps of (buffered bytes, buffered messages) → expected action; high 100 B / 10 messages,
    /// low 50 B / 5 messages.
    @Test("pauses at the high watermark, resumes at the low one, never twice in a row")
    func watermarks() {
        var bp = KafkaBackPressure(highBytes: 100, highMessages: 10)
        let steps: [(Int, Int, KafkaBackPressure.Action)] = [
            (0, 0, .none),  // empty
            (99, 9, .none),  // just below both
            (100, 1, .pause),  // bytes reach high
            (150, 20, .none),  // already paused
            (51, 2, .none),  // bytes above low
            (50, 6, .none),  // messages above low
            (50, 5, .resume),  // both at low
            (60, 6, .none),  // between: running
            (10, 10, .pause),  // messages reach high
            (0, 0, .resume),
        ]
        for (i, (bytes, messages, expected)) in steps.enumerated() {
            #expect(bp.update(bytes: bytes, messages: messages) == expected, "step \(i): \(bytes) B, \(messages) messages")
        }
    }

    @Test("a new assignment starts unpaused")
    func assignmentResets() {
        var bp = KafkaBackPressure(highBytes: 10, highMessages: 10)
        #expect(bp.update(bytes: 20, messages: 1) == .pause)
        bp.assignmentChanged()
        #expect(!bp.paused)
        #expect(bp.update(bytes: 20, messages: 1) == .pause)
    }

    @Test("partition position keys round-trip, topics with colons included")
    func positionKeys() {
        for tp in [KafkaSource.Partition(topic: "predictions", partition: 3), KafkaSource.Partition(topic: "a:b", partition: 0)] {
            #expect(KafkaSource.Partition(positionKey: tp.positionKey) == tp)
        }
        #expect(KafkaSource.Partition(positionKey: "file:1:2") == nil)
        #expect(KafkaSource.Partition(positionKey: "kafka:t:x") == nil)
    }
}
