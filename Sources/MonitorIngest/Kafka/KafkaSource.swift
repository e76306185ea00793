import CRdKafka
import Foundation
public import MonitorCore

/// Reads prediction (or label) records from Kafka topics through librdkafka's high-level
/// consumer, in a consumer group, with the offsets kept in the store next to the window state
/// (Kafka's "offsets outside Kafka" pattern; DESIGN §10, §14).
///
/// ## Offsets
/// `enable.auto.offset.store` and `enable.auto.commit` are off. The pipeline takes messages with
/// ``take(maxMessages:maxBytes:)``; ``positions`` are then the next offsets after them
/// (`kafka:<topic>:<partition>`), which the pipeline commits in the same SQLite transaction as
/// the window state. After the commit it calls ``checkpointed(_:)``: the source then commits the
/// same offsets to the group (for lag tooling and for the next owner of a partition). On
/// assignment a partition starts at the larger of the offset stored in this instance's store
/// (its window state matches it) and the group's committed offset (another member processed up
/// to there and its windows hold those events); without either, at ``OffsetReset``.
///
/// ## Rebalances
/// A revocation hands off to the pipeline thread, which owns checkpointing: the consumer thread
/// drops the revoked partitions' buffered messages, raises ``needsCheckpoint`` and waits; the
/// pipeline checkpoints what it has taken and calls ``checkpointed(_:)``; the consumer thread
/// commits those offsets to the group synchronously and gives the partitions up. So a partition
/// moving to another member is neither lost nor counted twice.
///
/// ## Threads
/// A dedicated consumer thread (never the Swift concurrency pool) polls with
/// `rd_kafka_consumer_poll` (one message at a time: the batch-consume calls can lose or repeat
/// messages around a rebalance), decodes the messages in batches and serves the rebalance,
/// error and statistics callbacks. It fills a bounded buffer of decoded batches; at its high
/// watermark it stops demanding messages (polling only to serve callbacks, every 100 ms) until
/// the pipeline has drained it to the low watermark (``KafkaBackPressure``). Every other method
/// is called by the pipeline thread.
public final class KafkaSource: @unchecked Sendable {
    /// The settings.
    public let configuration: Configuration

    let rk: OpaquePointer
    var producer: OpaquePointer?
    let cooperative: Bool
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    /// Everything below is guarded by `lock`.
    let lock = NSCondition()
    /// Decoded batches waiting for the pipeline, oldest first.
    var queue: [KafkaBatch] = []
    var queueHead = 0
    var queuedBytes = 0
    var queuedMessages = 0
    /// Consumer thread only: messages polled and not yet decoded, and the decoder.
    var pending: [UnsafeMutablePointer<rd_kafka_message_t>] = []
    var pendingBytes = 0
    /// When the oldest message of `pending` was polled.
    var pendingSince: ContinuousClock.Instant?
    var decoder: JSONLDecoder
    /// Set for a label source: message values are label records (``KafkaBatch/labels``).
    let labelDecoder: LabelDecoder?
    var backPressure: KafkaBackPressure
    var assignment: Set<Partition> = []
    var atEOF: Set<Partition> = []
    var everAssigned = false
    /// Next offsets of the messages handed to the pipeline.
    var processed: [Partition: Int64] = [:]
    /// Next offsets committed to the store (the pipeline's last checkpoint).
    var stored: [Partition: Int64] = [:]
    /// Next offsets last committed to the group.
    var committedToKafka: [Partition: Int64] = [:]
    /// Audit notes kept in the positions' meta (the last `auto.offset.reset` of a partition).
    var notes: [Partition: String] = [:]
    var models: [Partition: Set<String>] = [:]
    var revokeRequest: [Partition]?
    var revokeAcknowledged = false
    var closing = false
    var stopping = false
    var events: [Event] = []
    var droppedEvents = 0
    var health = Health()
    var highWatermarks: [Partition: Int64] = [:]
    var lastUp = false
    var fatal: String?
    var deliveryFailures = 0
    /// When to look for models split across members after an assignment (commits have run by then).
    var splitCheckAfterAssignment: ContinuousClock.Instant?
    var scratchBuffer: UnsafeMutableRawPointer?
    var scratchCapacity = 0

    /// Events kept until ``takeEvents()``; later ones are dropped and counted.
    public static let eventLimit = 1024

    /// Creates the consumer, subscribes and starts the consumer thread.
    /// - Parameters:
    ///   - configuration: the settings.
    ///   - decoder: decodes the message values (on the consumer thread, so that decoding and the
    ///     pipeline's window updates run on two cores).
    ///   - positions: the checkpointed positions (those of other sources are ignored).
    /// - Throws: ``IngestError`` when librdkafka rejects a property or the handle cannot be created.
    public convenience init(_ configuration: Configuration, decoder: JSONLDecoder, resumeFrom positions: [SourcePosition] = []) throws {
        try self.init(configuration, decoder: decoder, labelDecoder: nil, resumeFrom: positions)
    }

    /// Creates a consumer of label records (DESIGN §3): the batches carry
    /// ``KafkaBatch/labels`` instead of ``KafkaBatch/records``; everything else (offsets with the
    /// checkpoint, back-pressure, poison records, health) is as for predictions.
    /// - Parameters:
    ///   - configuration: the settings.
    ///   - labelDecoder: decodes the message values (on the consumer thread).
    ///   - positions: the checkpointed positions (those of other sources are ignored).
    /// - Throws: ``IngestError`` when librdkafka rejects a property or the handle cannot be created.
    public convenience init(_ configuration: Configuration, labelDecoder: LabelDecoder, resumeFrom positions: [SourcePosition] = []) throws {
        try self.init(configuration, decoder: JSONLDecoder(schema: EventSchema(), features: [], dictionaries: [:], options: DecodeOptions(threads: 1)),
                      labelDecoder: labelDecoder,
                      resumeFrom: positions)
    }

    private init(_ configuration: Configuration, decoder: JSONLDecoder, labelDecoder: LabelDecoder?, resumeFrom positions: [SourcePosition]) throws {
        self.configuration = configuration
        self.decoder = decoder
        self.labelDecoder = labelDecoder
        backPressure = KafkaBackPressure(highBytes: configuration.bufferBytes, highMessages: configuration.bufferMessages)
        for p in positions where p.source == configuration.name {
            if let tp = Partition(positionKey: p.key) {
                stored[tp] = p.offset
                processed[tp] = p.offset
                if !p.meta.isEmpty { notes[tp] = p.meta }
            }
        }
        let conf = try Self.makeConf(configuration, consumer: true)
        rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        rd_kafka_conf_set_stats_cb(conf, kafkaStatsCallback)
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        rd_kafka_conf_set_offset_commit_cb(conf, kafkaCommitCallback)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw IngestError.unreadable("kafka source \"\(configuration.name)\"", reason: Self.text(errstr))
        }
        rk = handle
        cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        // The opaque is set after creation via the conf; set it now that self exists.
        rd_kafka_poll_set_consumer(handle)
        if let dlq = configuration.deadLetterTopic, !dlq.isEmpty {
            let pconf = try Self.makeConf(configuration, consumer: false)
            rd_kafka_conf_set_dr_msg_cb(pconf, kafkaDeliveryCallback)
            guard let p = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, &errstr, errstr.count) else {
                rd_kafka_conf_destroy(pconf)
                rd_kafka_destroy(handle)
                throw IngestError.unwritable("kafka topic \(dlq)", reason: Self.text(errstr))
            }
            producer = p
        }
        Self.register(self)
        let list = rd_kafka_topic_partition_list_new(Int32(configuration.topics.count))!
        for t in configuration.topics { rd_kafka_topic_partition_list_add(list, t, monitor_rdkafka_partition_ua()) }
        let err = rd_kafka_subscribe(handle, list)
        rd_kafka_topic_partition_list_destroy(list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            Self.unregister(self)
            if let producer { rd_kafka_destroy(producer) }
            rd_kafka_destroy(handle)
            throw IngestError.unreadable("kafka source \"\(configuration.name)\"", reason: "subscribe: \(String(cString: rd_kafka_err2str(err)))")
        }
        let t = Thread { [self] in
            self.consumeLoop()
            self.finished.signal()
        }
        t.name = "monitor-kafka-\(configuration.name)"
        thread = t
        t.start()
    }

    deinit {
        if thread != nil { close() }
    }

    /// librdkafka configuration for the consumer (or the dead-letter producer).
    static func makeConf(_ c: Configuration, consumer: Bool) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        var settings: [(String, String)] = [
            ("bootstrap.servers", c.brokers), ("client.id", "monitor-\(c.name)"), ("statistics.interval.ms", "1000"),
        ]
        if consumer {
            settings += [
                ("group.id", c.group), ("enable.auto.offset.store", "false"), ("enable.auto.commit", "false"),
                // Resets are applied by the source, so that each one is logged and recorded.
                ("auto.offset.reset", "error"), ("enable.partition.eof", "true"),
            ]
        } else {
            settings += [("enable.idempotence", "true"), ("linger.ms", "5")]
        }
        let consumerOnly: Set<String> = [
            "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "partition.assignment.strategy",
            "group.instance.id", "fetch.wait.max.ms", "fetch.min.bytes", "fetch.max.bytes", "max.partition.fetch.bytes",
            "queued.min.messages", "queued.max.messages.kbytes", "isolation.level", "check.crcs", "coordinator.query.interval.ms",
            "group.protocol.type", "auto.commit.interval.ms", "fetch.message.max.bytes", "fetch.error.backoff.ms",
        ]
        for (k, v) in c.properties where !Configuration.reservedProperties.contains(k) {
            if !consumer && consumerOnly.contains(k) { continue }
            settings.append((k, v))
        }
        for (k, v) in settings {
            if rd_kafka_conf_set(conf, k, v, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                // The value is not echoed: it may be a secret.
                throw IngestError.unreadable("kafka source \"\(c.name)\"", reason: "property \(k): \(Self.text(errstr))")
            }
        }
        return conf
    }

    // MARK: - Pipeline side

    /// Takes the oldest decoded batch, nil when none is buffered. The positions then cover it.
    public func take() -> KafkaBatch? {
        lock.lock()
        defer { lock.unlock() }
        guard queueHead < queue.count else { return nil }
        let batch = queue[queueHead]
        queueHead += 1
        queuedBytes -= batch.bytes
        queuedMessages -= batch.count
        lock.broadcast()  // a consumer thread waiting on back-pressure
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead > 1024 {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        for (tp, next) in batch.nextOffsets { processed[tp] = max(processed[tp] ?? 0, next) }
        return batch
    }

    /// The positions to checkpoint: the next offset of every partition the pipeline took
    /// messages from (or that was checkpointed before), after the last ``take(maxMessages:maxBytes:)``.
    public var positions: [SourcePosition] {
        lock.lock()
        defer { lock.unlock() }
        return processed.keys.sorted().map { tp in
            SourcePosition(source: configuration.name, key: tp.positionKey, path: tp.topic, offset: processed[tp]!, meta: notes[tp] ?? "")
        }
    }

    /// A revocation waits for a checkpoint: the pipeline should checkpoint now (and then call
    /// ``checkpointed(_:)``).
    public var needsCheckpoint: Bool {
        lock.lock()
        defer { lock.unlock() }
        return revokeRequest != nil && !revokeAcknowledged
    }

    /// `--once`: every assigned partition reached its end and everything buffered was taken.
    public var isAtEnd: Bool {
        lock.lock()
        defer { lock.unlock() }
        return configuration.stopAtEnd && everAssigned && !assignment.isEmpty && atEOF.isSuperset(of: assignment)
            && queueHead == queue.count && revokeRequest == nil
    }

    /// A fatal librdkafka error (the consumer cannot continue), if one happened.
    public var fatalError: String? {
        lock.lock()
        defer { lock.unlock() }
        return fatal
    }

    /// Tells the source that `positions` are committed to the store: they become the stored
    /// offsets, a waiting revocation proceeds, and the assigned partitions' offsets are
    /// committed to the group asynchronously.
    public func checkpointed(_ positions: [SourcePosition]) {
        var toCommit: [(Partition, Int64, String)] = []
        lock.lock()
        for p in positions where p.source == configuration.name {
            guard let tp = Partition(positionKey: p.key) else { continue }
            stored[tp] = p.offset
        }
        if revokeRequest != nil {
            revokeAcknowledged = true
            lock.broadcast()
        } else {
            for tp in assignment.sorted() {
                guard let s = stored[tp], committedToKafka[tp] != s else { continue }
                toCommit.append((tp, s, commitMetadata(tp)))
                committedToKafka[tp] = s
            }
        }
        lock.unlock()
        if !toCommit.isEmpty { commit(toCommit, async: true) }
    }

    /// The events since the last call.
    public func takeEvents() -> [Event] {
        lock.lock()
        defer {
            events.removeAll()
            lock.unlock()
        }
        return events
    }

    /// A snapshot of health and counters.
    public func healthSnapshot() -> Health {
        lock.lock()
        defer { lock.unlock() }
        var h = health
        h.assigned = assignment.sorted()
        h.paused = backPressure.paused
        h.lag = [:]
        for tp in assignment {
            guard let hi = highWatermarks[tp], hi >= 0 else { continue }
            let at = stored[tp] ?? processed[tp] ?? 0
            h.lag[tp] = max(0, hi - at)
        }
        if let fatal { h.degraded = "fatal error: \(fatal)" }
        return h
    }

    /// Records the models seen on a partition (for the commit metadata that lets members detect
    /// a model split across owners).
    func noteModels(_ seen: [Partition: Set<String>]) {
        lock.lock()
        for (tp, m) in seen where models[tp, default: []].count < 64 { models[tp, default: []].formUnion(m) }
        lock.unlock()
    }

    /// Stops the consumer thread: it commits the stored offsets to the group, leaves the group
    /// (`rd_kafka_consumer_close`) and destroys the handles. Buffered, untaken messages are
    /// dropped (the next owner reads them again from the committed offsets).
    public func close() {
        guard thread != nil else { return }
        lock.lock()
        closing = true
        stopping = true
        lock.broadcast()
        lock.unlock()
        finished.wait()
        thread = nil
        lock.lock()
        queue.removeAll()
        queueHead = 0
        lock.unlock()
        if let producer {
            _ = rd_kafka_flush(producer, 10_000)
            rd_kafka_destroy(producer)
            self.producer = nil
        }
        rd_kafka_destroy(rk)
        Self.unregister(self)
        scratchBuffer?.deallocate()
        scratchBuffer = nil
    }

    // MARK: - Consumer thread

    func note(_ e: Event) {
        if events.count < Self.eventLimit { events.append(e) } else { droppedEvents += 1 }
    }

    /// Metadata committed with an offset: the models seen on the partition (`models=a,b`), so
    /// that the member that owns another partition can tell when a model is split.
    func commitMetadata(_ tp: Partition) -> String {
        guard let m = models[tp], !m.isEmpty else { return "" }
        var s = "models="
        for name in m.sorted() where s.utf8.count + name.utf8.count < 900 { s += (s.count > 7 ? "," : "") + name }
        return s
    }

    /// Commits offsets (with metadata) to the group.
    func commit(_ items: [(Partition, Int64, String)], async: Bool) {
        guard !items.isEmpty else { return }
        let list = rd_kafka_topic_partition_list_new(Int32(items.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (tp, offset, meta) in items {
            let e = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
            e.pointee.offset = offset
            if !meta.isEmpty {
                let bytes = Array(meta.utf8)
                let m = malloc(bytes.count)!
                bytes.withUnsafeBytes { m.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                e.pointee.metadata = m
                e.pointee.metadata_size = bytes.count
            }
        }
        let err = rd_kafka_commit(rk, list, async ? 1 : 0)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET {
            lock.lock()
            countError(err, String(cString: rd_kafka_err2str(err)), context: "commit")
            lock.unlock()
        }
    }

    /// Called with the lock held.
    func countError(_ err: rd_kafka_resp_err_t, _ message: String, context: String) {
        let name = String(cString: rd_kafka_err2name(err))
        health.errors[name, default: 0] += 1
        note(.error(code: name, message: "\(context): \(message)"))
    }

    private func consumeLoop() {
        pending.reserveCapacity(Self.decodeMessages)
        var lastSplitCheck = ContinuousClock.now
        var paused = false
        // Housekeeping (stop flag, back-pressure, the split check) runs every `checkEvery`
        // messages and whenever a poll comes back empty, not per message.
        let checkEvery = 256
        var untilCheck = 0
        // Decoding amortises per batch (``decodeMessages``): housekeeping hands the polled
        // messages over only when the poll came back empty or they have waited `maxWait`, so a
        // busy topic gives the pipeline full batches and a quiet one gets its records promptly.
        let maxWait = Duration.milliseconds(20)
        var idle = true
        while true {
            if untilCheck <= 0 {
                untilCheck = checkEvery
                if idle || paused || pendingSince.map({ ContinuousClock.now - $0 >= maxWait }) ?? false { flush() }
                lock.lock()
                let stop = stopping
                // The returned action is carried out here: while paused, this thread stops polling.
                _ = backPressure.update(bytes: queuedBytes, messages: queuedMessages)
                if backPressure.paused {
                    // Stop demanding messages until the pipeline drains the buffer to the low
                    // watermark (librdkafka's prefetch stops at queued.max.messages.kbytes). Not
                    // rd_kafka_pause_partitions: it discards the prefetched messages, and
                    // fetching them again starves the pipeline. Every 100 ms one poll serves
                    // rebalances and errors (a message it returns is kept: the bound is soft by one).
                    _ = lock.wait(until: Date().addingTimeInterval(0.1))
                    _ = backPressure.update(bytes: queuedBytes, messages: queuedMessages)
                }
                paused = backPressure.paused
                let stopNow = stopping
                let checkSoon = splitCheckAfterAssignment
                lock.unlock()
                if stop || stopNow { break }
                let now = ContinuousClock.now
                if now - lastSplitCheck > .seconds(15) || (checkSoon.map { now > $0 } ?? false) {
                    lock.lock()
                    splitCheckAfterAssignment = nil
                    lock.unlock()
                    checkModelSplit()
                    lastSplitCheck = ContinuousClock.now
                }
            }
            guard let m = rd_kafka_consumer_poll(rk, paused ? 0 : 100) else {
                untilCheck = 0
                idle = true
                continue
            }
            idle = false
            untilCheck = paused ? 0 : untilCheck - 1
            if m.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                flush()
                handleMessageError(m)
                rd_kafka_message_destroy(m)
                continue
            }
            if pending.isEmpty { pendingSince = ContinuousClock.now }
            pending.append(m)
            pendingBytes += m.pointee.len
            if pending.count >= Self.decodeMessages || pendingBytes >= Self.decodeBytes { flush() }
        }
        flush()
        // Leave the group: commit what the store holds, then close (its revocation does not wait).
        lock.lock()
        let final = assignment.sorted().compactMap { tp in stored[tp].map { (tp, $0, commitMetadata(tp)) } }
        lock.unlock()
        commit(final, async: false)
        _ = rd_kafka_consumer_close(rk)
    }

    /// Messages decoded together: large enough to amortise the decoder's per-call work, small
    /// enough (about 4 MiB of typical records) that a batch reaches the pipeline promptly.
    static let decodeMessages = 4096
    static let decodeBytes = 4 << 20

    /// Decodes the polled messages (consumer thread) and hands the batch to the pipeline.
    func flush() {
        guard !pending.isEmpty else { return }
        var kept: [UnsafeMutablePointer<rd_kafka_message_t>] = []
        kept.reserveCapacity(pending.count)
        var eofCleared: [Partition] = []
        lock.lock()
        var lastTopic: OpaquePointer?
        var lastPartition: Int32 = -1
        var lastKept = false
        for m in pending {
            if m.pointee.rkt != lastTopic || m.pointee.partition != lastPartition {
                let tp = Partition(topic: String(cString: rd_kafka_topic_name(m.pointee.rkt)), partition: m.pointee.partition)
                lastTopic = m.pointee.rkt
                lastPartition = m.pointee.partition
                lastKept = assignment.contains(tp)
                if lastKept { eofCleared.append(tp) }
            }
            if lastKept { kept.append(m) } else { rd_kafka_message_destroy(m) }
        }
        lock.unlock()
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
        pendingSince = nil
        guard !kept.isEmpty else { return }
        let batch = KafkaBatch(messages: kept, source: self)
        batch.decode(with: &decoder)
        lock.lock()
        for tp in eofCleared { atEOF.remove(tp) }
        queue.append(batch)
        queuedBytes += batch.bytes
        queuedMessages += batch.count
        lock.unlock()
    }

    /// The C string in a buffer.
    static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func list(_ partitions: [Partition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(1, partitions.count)))!
        for tp in partitions { rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition) }
        return list
    }

    static func partitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [Partition] {
        (0..<Int(list.pointee.cnt)).map { i in
            let e = list.pointee.elems[i]
            return Partition(topic: String(cString: e.topic), partition: e.partition)
        }
    }

    private func handleMessageError(_ m: UnsafeMutablePointer<rd_kafka_message_t>) {
        let err = m.pointee.err
        let tp: Partition? = m.pointee.rkt.map { Partition(topic: String(cString: rd_kafka_topic_name($0)), partition: m.pointee.partition) }
        switch err {
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            if let tp {
                lock.lock()
                if assignment.contains(tp) { atEOF.insert(tp) }
                lock.unlock()
            }
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
            // The fetch offset is out of range (retention deleted it): apply the policy, loudly.
            guard let tp else { return }
            let policy = configuration.autoOffsetReset
            lock.lock()
            let from = processed[tp]
            health.offsetResets += 1
            notes[tp] = "auto_offset_reset=\(policy.rawValue) from=\(from.map(String.init) ?? "none") reason=out_of_range"
            note(.offsetReset(tp, policy: policy, from: from))
            lock.unlock()
            let list = Self.list([tp])
            list.pointee.elems[0].offset = policy == .earliest ? monitor_rdkafka_offset_beginning() : monitor_rdkafka_offset_end()
            if let e = rd_kafka_seek_partitions(rk, list, 5000) { rd_kafka_error_destroy(e) }
            rd_kafka_topic_partition_list_destroy(list)
        default:
            let text = m.pointee.payload.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: m.pointee.len), as: UTF8.self) }
                ?? String(cString: rd_kafka_err2str(err))
            lock.lock()
            countError(err, text, context: tp.map { "\($0)" } ?? "consumer")
            lock.unlock()
        }
    }

    // MARK: - Rebalance

    func rebalance(_ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS: assign(list)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS: revoke(list)
        default:
            lock.lock()
            countError(err, String(cString: rd_kafka_err2str(err)), context: "rebalance")
            lock.unlock()
            if cooperative { _ = rd_kafka_incremental_unassign(rk, list).map { rd_kafka_error_destroy($0) } } else { _ = rd_kafka_assign(rk, nil) }
        }
    }

    private func assign(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let tps = Self.partitions(list)
        // The group's committed offsets (another member may have processed further).
        var committed: [Partition: Int64] = [:]
        if let copy = rd_kafka_topic_partition_list_copy(list) {
            if rd_kafka_committed(rk, copy, 10_000) == RD_KAFKA_RESP_ERR_NO_ERROR {
                for i in 0..<Int(copy.pointee.cnt) {
                    let e = copy.pointee.elems[i]
                    if e.err == RD_KAFKA_RESP_ERR_NO_ERROR, e.offset >= 0 {
                        committed[Partition(topic: String(cString: e.topic), partition: e.partition)] = e.offset
                    }
                }
            } else {
                lock.lock()
                note(.error(code: "committed", message: "cannot fetch the group's committed offsets; starting from stored offsets"))
                lock.unlock()
            }
            rd_kafka_topic_partition_list_destroy(copy)
        }
        lock.lock()
        for (i, tp) in tps.enumerated() {
            let s = stored[tp]
            let c = committed[tp]
            let offset: Int64
            let origin: StartOrigin
            if let s, s >= (c ?? -1) {
                offset = s
                origin = .stored
            } else if let c {
                offset = c
                origin = .committed
            } else {
                offset = configuration.autoOffsetReset == .earliest ? monitor_rdkafka_offset_beginning() : monitor_rdkafka_offset_end()
                origin = .reset
                health.offsetResets += 1
                notes[tp] = "auto_offset_reset=\(configuration.autoOffsetReset.rawValue) reason=no_offset"
                note(.offsetReset(tp, policy: configuration.autoOffsetReset, from: nil))
            }
            if offset >= 0 {
                processed[tp] = offset
                // The instance's state now matches `offset` for this partition (nothing of it
                // is in the windows beyond what was counted up to there).
                // Taken over at the group's offset: a restart would start there too (max of
                // stored and committed), and commits and lag count from there.
                if origin == .committed { stored[tp] = offset }
            }
            list.pointee.elems[i].offset = offset
            note(.assigned(tp, offset: offset, origin: origin))
            atEOF.remove(tp)
            assignment.insert(tp)
        }
        everAssigned = true
        splitCheckAfterAssignment = ContinuousClock.now + .seconds(3)
        health.rebalances += 1
        backPressure.assignmentChanged()
        lock.unlock()
        if cooperative {
            if let e = rd_kafka_incremental_assign(rk, list) { rd_kafka_error_destroy(e) }
        } else {
            _ = rd_kafka_assign(rk, list)
        }
    }

    private func revoke(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let tps = Self.partitions(list)
        let revoked = Set(tps)
        // Polled and buffered messages are dropped (decoded batches mix partitions): the
        // revoked partitions' next owner reads them again, and the partitions this member keeps
        // are sought back to the first message the pipeline has not taken.
        for m in pending { rd_kafka_message_destroy(m) }
        var hadDropped = pending.map { Partition(topic: String(cString: rd_kafka_topic_name($0.pointee.rkt)), partition: $0.pointee.partition) }
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
        pendingSince = nil
        lock.lock()
        for b in queue[queueHead...] { hadDropped += b.partitions }
        queue.removeAll()
        queueHead = 0
        queuedBytes = 0
        queuedMessages = 0
        let reseek = Set(hadDropped).subtracting(revoked).intersection(assignment).compactMap { tp in processed[tp].map { (tp, $0) } }
        if !reseek.isEmpty {
            let l = Self.list(reseek.map(\.0))
            for (i, (_, offset)) in reseek.enumerated() { l.pointee.elems[i].offset = offset }
            lock.unlock()
            if let e = rd_kafka_seek_partitions(rk, l, 5000) { rd_kafka_error_destroy(e) }
            lock.lock()
            rd_kafka_topic_partition_list_destroy(l)
        }
        var checkpointedInTime = true
        if !closing {
            revokeRequest = tps
            revokeAcknowledged = false
            let deadline = Date().addingTimeInterval(Double(configuration.revokeTimeout.components.seconds))
            while !revokeAcknowledged, !closing {
                if !lock.wait(until: deadline) { break }
            }
            checkpointedInTime = revokeAcknowledged || closing
            revokeRequest = nil
            revokeAcknowledged = false
        }
        let items = tps.compactMap { tp in stored[tp].map { (tp, $0, commitMetadata(tp)) } }
        for (tp, o, _) in items { committedToKafka[tp] = o }
        note(.revoked(tps.sorted(), checkpointed: checkpointedInTime))
        lock.unlock()
        // Commit what the store holds for them, synchronously: the next owner starts there.
        commit(items, async: false)
        lock.lock()
        assignment.subtract(revoked)
        atEOF.subtract(revoked)
        health.rebalances += 1
        backPressure.assignmentChanged()
        lock.unlock()
        if cooperative {
            if let e = rd_kafka_incremental_unassign(rk, list) { rd_kafka_error_destroy(e) }
        } else {
            _ = rd_kafka_assign(rk, nil)
        }
    }

    // MARK: - Partition-by-model check

    /// Reads the group's commit metadata for every partition of the subscribed topics and
    /// reports models seen both on our partitions and on partitions we do not own.
    private func checkModelSplit() {
        lock.lock()
        let mine = assignment
        var ours: [String: [Partition]] = [:]
        for tp in mine { for m in models[tp] ?? [] { ours[m, default: []].append(tp) } }
        lock.unlock()
        guard !ours.isEmpty else { return }
        var all: [Partition] = []
        for topic in configuration.topics {
            var md: UnsafePointer<rd_kafka_metadata>?
            guard let rkt = rd_kafka_topic_new(rk, topic, nil) else { continue }
            defer { rd_kafka_topic_destroy(rkt) }
            guard rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR, let md else { continue }
            defer { rd_kafka_metadata_destroy(md) }
            if md.pointee.topic_cnt == 1 {
                let t = md.pointee.topics[0]
                for i in 0..<Int(t.partition_cnt) { all.append(Partition(topic: topic, partition: t.partitions[i].id)) }
            }
        }
        let others = all.filter { !mine.contains($0) }
        guard !others.isEmpty else {
            lock.lock()
            health.splitModels = []
            lock.unlock()
            return
        }
        let list = Self.list(others)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard rd_kafka_committed(rk, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        var split: [String: [Partition]] = [:]
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            guard e.metadata_size > 0, let raw = e.metadata else { continue }
            let text = String(decoding: UnsafeRawBufferPointer(start: raw, count: e.metadata_size), as: UTF8.self)
            guard text.hasPrefix("models=") else { continue }
            for m in text.dropFirst(7).split(separator: ",") where ours[String(m)] != nil {
                split[String(m), default: []].append(Partition(topic: String(cString: e.topic), partition: e.partition))
            }
        }
        lock.lock()
        for (m, theirs) in split.sorted(by: { $0.key < $1.key }) where !health.splitModels.contains(m) {
            note(.modelSplit(model: m, ours: (ours[m] ?? []).sorted(), others: theirs.sorted()))
        }
        health.splitModels = Set(split.keys)
        lock.unlock()
    }

    // MARK: - Callbacks

    func onError(_ err: rd_kafka_resp_err_t, _ reason: String) {
        lock.lock()
        countError(err, reason, context: "broker")
        if err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN {
            health.degraded = "no Kafka broker reachable (\(configuration.brokers))"
        }
        if err == RD_KAFKA_RESP_ERR__FATAL {
            var buf = [CChar](repeating: 0, count: 512)
            let code = rd_kafka_fatal_error(rk, &buf, buf.count)
            fatal = "\(String(cString: rd_kafka_err2name(code))): \(Self.text(buf))"
        }
        lock.unlock()
    }

    func onStatistics(_ json: UnsafeMutablePointer<CChar>, _ length: Int) {
        let data = Data(bytesNoCopy: json, count: length, deallocator: .none)
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        var up = 0
        if let brokers = obj["brokers"] as? [String: Any] {
            for case let b as [String: Any] in brokers.values {
                if (b["nodeid"] as? Int ?? -1) >= 0, b["state"] as? String == "UP" { up += 1 }
            }
        }
        var hi: [Partition: Int64] = [:]
        if let topics = obj["topics"] as? [String: Any] {
            for (topic, tv) in topics {
                guard let t = tv as? [String: Any], let parts = t["partitions"] as? [String: Any] else { continue }
                for case let p as [String: Any] in parts.values {
                    guard let id = p["partition"] as? Int, id >= 0, let h = p["hi_offset"] as? Int else { continue }
                    hi[Partition(topic: topic, partition: Int32(id))] = Int64(h)
                }
            }
        }
        lock.lock()
        health.brokersUp = up
        if up > 0 {
            health.degraded = nil
        } else if health.degraded == nil {
            health.degraded = "no Kafka broker reachable (\(configuration.brokers))"
        }
        for (tp, h) in hi where h >= 0 { highWatermarks[tp] = h }
        lock.unlock()
    }

    func onCommit(_ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
        lock.lock()
        countError(err, String(cString: rd_kafka_err2str(err)), context: "offset commit (the store keeps the offsets; retried at the next checkpoint)")
        // Commit again at the next checkpoint.
        if let list { for tp in Self.partitions(list) { committedToKafka[tp] = nil } }
        lock.unlock()
    }

    func onLog(_ level: Int32, _ facility: String, _ message: String) {
        lock.lock()
        note(.log(level: level, facility: facility, message: message))
        lock.unlock()
    }

    func onDelivery(_ err: rd_kafka_resp_err_t) {
        lock.lock()
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            deliveryFailures += 1
            note(.deadLetterFailed(String(cString: rd_kafka_err2str(err))))
        } else {
            health.deadLettered += 1
        }
        lock.unlock()
    }

    // MARK: - Handle registry (callbacks find their source by handle)

    nonisolated(unsafe) static var registry: [OpaquePointer: Unmanaged<KafkaSource>] = [:]
    static let registryLock = NSLock()

    static func register(_ s: KafkaSource) {
        registryLock.lock()
        registry[s.rk] = Unmanaged.passUnretained(s)
        if let p = s.producer { registry[p] = Unmanaged.passUnretained(s) }
        registryLock.unlock()
    }

    static func unregister(_ s: KafkaSource) {
        registryLock.lock()
        registry[s.rk] = nil
        if let p = s.producer { registry[p] = nil }
        registryLock.unlock()
    }

    static func source(_ rk: OpaquePointer?) -> KafkaSource? {
        guard let rk else { return nil }
        registryLock.lock()
        defer { registryLock.unlock() }
        return registry[rk]?.takeUnretainedValue()
    }
}

private func kafkaRebalanceCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _: UnsafeMutableRawPointer?
) {
    guard let list else { return }
    if let s = KafkaSource.source(rk) { s.rebalance(err, list) } else { _ = rd_kafka_assign(rk, nil) }
}

private func kafkaErrorCallback(_ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _: UnsafeMutableRawPointer?) {
    KafkaSource.source(rk)?.onError(rd_kafka_resp_err_t(err), reason.map { String(cString: $0) } ?? "")
}

private func kafkaStatsCallback(_ rk: OpaquePointer?, _ json: UnsafeMutablePointer<CChar>?, _ len: Int, _: UnsafeMutableRawPointer?) -> Int32 {
    if let json { KafkaSource.source(rk)?.onStatistics(json, len) }
    return 0
}

private func kafkaLogCallback(_ rk: OpaquePointer?, _ level: Int32, _ fac: UnsafePointer<CChar>?, _ buf: UnsafePointer<CChar>?) {
    KafkaSource.source(rk)?.onLog(level, fac.map { String(cString: $0) } ?? "", buf.map { String(cString: $0) } ?? "")
}

private func kafkaCommitCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _: UnsafeMutableRawPointer?
) {
    KafkaSource.source(rk)?.onCommit(err, list)
}

private func kafkaDeliveryCallback(_ rk: OpaquePointer?, _ m: UnsafePointer<rd_kafka_message_t>?, _: UnsafeMutableRawPointer?) {
    guard let m else { return }
    KafkaSource.source(rk)?.onDelivery(m.pointee.err)
}
