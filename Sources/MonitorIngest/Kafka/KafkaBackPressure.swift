/// The Kafka source's back-pressure between its consumer thread and the pipeline, as a state
/// machine that returns actions (the consumer thread performs them): at or above the high
/// watermark the thread stops demanding messages (it still polls every 100 ms to serve
/// rebalances and errors, so the group does not evict the member; heartbeats run on librdkafka's
/// own thread); once the pipeline has drained the buffer to the low watermark it resumes.
///
/// Invariants: `paused` is true exactly between a returned ``Action/pause`` and the next
/// ``Action/resume``; `low < high`.
public struct KafkaBackPressure: Sendable, Hashable {
    /// What the owner must do after an update.
    public enum Action: Sendable, Hashable {
        case none
        /// Stop demanding messages.
        case pause
        /// Demand messages again.
        case resume
    }

    /// Buffered bytes at which fetching pauses.
    public let highBytes: Int
    /// Buffered bytes at or below which it resumes.
    public let lowBytes: Int
    /// Buffered messages at which fetching pauses (bounds per-message overhead for tiny messages).
    public let highMessages: Int
    /// Buffered messages at or below which it resumes.
    public let lowMessages: Int
    /// Whether fetching is paused.
    public private(set) var paused = false

    /// Creates the state machine; the low watermarks are half the high ones.
    public init(highBytes: Int, highMessages: Int) {
        self.highBytes = max(2, highBytes)
        self.lowBytes = self.highBytes / 2
        self.highMessages = max(2, highMessages)
        self.lowMessages = self.highMessages / 2
    }

    /// The action for the buffer's current size.
    public mutating func update(bytes: Int, messages: Int) -> Action {
        if !paused, bytes >= highBytes || messages >= highMessages {
            paused = true
            return .pause
        }
        if paused, bytes <= lowBytes, messages <= lowMessages {
            paused = false
            return .resume
        }
        return .none
    }

    /// After a rebalance the new assignment starts unpaused; the next update pauses it again if needed.
    public mutating func assignmentChanged() { paused = false }
}
