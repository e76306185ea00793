public import MonitorCore

extension KafkaSource {
    /// Where a partition without a stored or committed offset starts, and where a partition whose
    /// offset is out of range (deleted by retention) restarts: Kafka's `auto.offset.reset`. Each
    /// use is logged and recorded with the partition's position in the store.
    public enum OffsetReset: String, Sendable, Hashable, CaseIterable {
        /// The oldest message still in the partition.
        case earliest
        /// Only messages produced from now on.
        case latest
    }

    /// A Kafka source's settings.
    public struct Configuration: Sendable {
        /// The source's name in the config (``MonitorCore/SourcePosition/source``).
        public var name: String
        /// `bootstrap.servers`: `host:port[,host:port...]`.
        public var brokers: String
        /// `group.id`: instances in one group split the partitions.
        public var group: String
        /// Topics to subscribe to.
        public var topics: [String]
        /// Any librdkafka property (`security.protocol`, `sasl.*`, `ssl.*`, `session.timeout.ms`,
        /// ...), secrets already resolved. The properties that carry the offset contract
        /// (see ``reservedProperties``) are set by the source and may not be given.
        public var properties: [(String, String)]
        /// `auto.offset.reset`.
        public var autoOffsetReset: OffsetReset
        /// Where poison messages are produced (same cluster and security properties), if anywhere.
        public var deadLetterTopic: String?
        /// `--once`: end once every assigned partition reached its end (``KafkaSource/isAtEnd``).
        public var stopAtEnd: Bool
        /// Back-pressure: buffered bytes at which fetching pauses (resumes at half). 64 MiB holds
        /// about 100k typical 600-byte records: several pipeline steps' worth.
        public var bufferBytes: Int
        /// Back-pressure: buffered messages at which fetching pauses (resumes at half).
        public var bufferMessages: Int
        /// How long a revocation waits for the pipeline's checkpoint before giving the partitions
        /// up anyway (their new owner then repeats what was not checkpointed).
        public var revokeTimeout: Duration

        /// Properties the source sets itself (``MonitorCore/KafkaSettings/reservedProperties``);
        /// given ones are ignored.
        public static let reservedProperties: Set<String> = Set(KafkaSettings.reservedProperties.keys)

        /// Creates a configuration.
        public init(
            name: String, brokers: String, group: String, topics: [String], properties: [(String, String)] = [],
            autoOffsetReset: OffsetReset = .earliest, deadLetterTopic: String? = nil, stopAtEnd: Bool = false,
            bufferBytes: Int = 64 << 20, bufferMessages: Int = 200_000, revokeTimeout: Duration = .seconds(60)
        ) {
            self.name = name
            self.brokers = brokers
            self.group = group
            self.topics = topics
            self.properties = properties
            self.autoOffsetReset = autoOffsetReset
            self.deadLetterTopic = deadLetterTopic
            self.stopAtEnd = stopAtEnd
            self.bufferBytes = bufferBytes
            self.bufferMessages = bufferMessages
            self.revokeTimeout = revokeTimeout
        }
    }

    /// A topic partition.
    public struct Partition: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var topic: String
        public var partition: Int32

        public init(topic: String, partition: Int32) {
            self.topic = topic
            self.partition = partition
        }

        /// The position key in the store: `kafka:<topic>:<partition>`.
        public var positionKey: String { "kafka:\(topic):\(partition)" }

        /// Parses a position key.
        public init?(positionKey key: String) {
            guard key.hasPrefix("kafka:"), let colon = key.lastIndex(of: ":"), colon > key.index(key.startIndex, offsetBy: 5),
                let p = Int32(key[key.index(after: colon)...])
            else { return nil }
            topic = String(key[key.index(key.startIndex, offsetBy: 6)..<colon])
            partition = p
        }

        public static func < (a: Partition, b: Partition) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
        public var description: String { "\(topic)/\(partition)" }
    }

    /// Something worth a log line, oldest first (see ``KafkaSource/takeEvents()``).
    public enum Event: Sendable, Hashable {
        /// Partitions were assigned; each starts at an offset taken from `origin`.
        case assigned(Partition, offset: Int64, origin: StartOrigin)
        /// Partitions were revoked after a checkpoint (or, `checkpointed == false`, after the
        /// revocation timed out waiting for one).
        case revoked([Partition], checkpointed: Bool)
        /// `auto.offset.reset` was applied: no offset anywhere (`from` nil) or the offset `from`
        /// was out of range.
        case offsetReset(Partition, policy: OffsetReset, from: Int64?)
        /// A librdkafka error (from `error_cb`, a commit, or a message).
        case error(code: String, message: String)
        /// librdkafka's own log line.
        case log(level: Int32, facility: String, message: String)
        /// One model arrives on partitions owned by different group members (partition-by-model
        /// violated: their windows are split between instances).
        case modelSplit(model: String, ours: [Partition], others: [Partition])
        /// The dead-letter producer failed to deliver a message.
        case deadLetterFailed(String)
    }

    /// Where an assigned partition starts.
    public enum StartOrigin: String, Sendable, Hashable {
        /// The offset checkpointed in this instance's store (its window state matches it).
        case stored
        /// The group's committed offset, ahead of (or without) a stored one: another member owned
        /// the partition; its window state is not transferred, this instance counts from here.
        case committed
        /// Neither exists: `auto.offset.reset`.
        case reset
    }

    /// A snapshot of the source's health and counters (for `/readyz` and `/metrics`).
    public struct Health: Sendable {
        /// Brokers in state UP at the last statistics (nil before the first statistics).
        public var brokersUp: Int?
        /// Why the source is degraded (no broker reachable, fatal error), or nil.
        public var degraded: String?
        /// Errors by librdkafka error name (`_TRANSPORT`, `_ALL_BROKERS_DOWN`, `REQUEST_TIMED_OUT`...).
        public var errors: [String: Int] = [:]
        /// Rebalances (assignments and revocations) since start.
        public var rebalances = 0
        /// The current assignment.
        public var assigned: [Partition] = []
        /// Per assigned partition: high watermark minus the next offset checkpointed.
        public var lag: [Partition: Int64] = [:]
        /// `auto.offset.reset` uses since start.
        public var offsetResets = 0
        /// Messages produced to the dead-letter topic.
        public var deadLettered = 0
        /// Whether fetching is paused by back-pressure.
        public var paused = false
        /// Models seen on partitions owned by another member (partition-by-model violated).
        public var splitModels: Set<String> = []
    }
}
