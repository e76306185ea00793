import CRdKafka
import Foundation
public import MonitorCore

/// Messages of a ``KafkaSource``, in consumption order, decoded on the consumer thread
/// (``records``, ``report``, ``rejected``) and taken by the pipeline. Holds librdkafka's message
/// memory until the batch is released, for the dead letters.
public final class KafkaBatch: @unchecked Sendable {
    let messages: [UnsafeMutablePointer<rd_kafka_message_t>]
    let source: KafkaSource
    /// Partition of each message, as an index into ``partitions``.
    let partitionIndex: [Int32]
    /// The partitions the messages come from.
    public let partitions: [KafkaSource.Partition]
    /// The next offset of each partition after this batch.
    public let nextOffsets: [KafkaSource.Partition: Int64]
    /// Bytes of the message values.
    public let bytes: Int
    /// The records, one per message that is not poison (a prediction source).
    public internal(set) var records = Batch()
    /// The label records, one per message that is neither poison nor without a label (a label
    /// source, see ``KafkaSource/init(_:labelDecoder:resumeFrom:)``).
    public internal(set) var labels = LabelBatch()
    /// Counts and problems of the decode.
    public internal(set) var report = DecodeReport()
    /// The poison messages (line `i` is message `i - 1`, see ``message(line:)``).
    public internal(set) var rejected = RejectedLines(reasons: KafkaBatch.poisonReasons)

    init(messages: [UnsafeMutablePointer<rd_kafka_message_t>], source: KafkaSource) {
        self.messages = messages
        self.source = source
        var parts: [KafkaSource.Partition] = []
        var index: [KafkaSource.Partition: Int32] = [:]
        var next: [KafkaSource.Partition: Int64] = [:]
        var pIndex: [Int32] = []
        pIndex.reserveCapacity(messages.count)
        var bytes = 0
        var lastTopic: OpaquePointer?
        var lastPartition: Int32 = -1
        var lastIndex: Int32 = -1
        var nextByIndex: [Int64] = []
        for m in messages {
            bytes += m.pointee.len
            if m.pointee.rkt != lastTopic || m.pointee.partition != lastPartition {
                let tp = KafkaSource.Partition(topic: String(cString: rd_kafka_topic_name(m.pointee.rkt)), partition: m.pointee.partition)
                if let i = index[tp] {
                    lastIndex = i
                } else {
                    lastIndex = Int32(parts.count)
                    index[tp] = lastIndex
                    parts.append(tp)
                }
                lastTopic = m.pointee.rkt
                lastPartition = m.pointee.partition
            }
            pIndex.append(lastIndex)
            let i = Int(lastIndex)
            if i == nextByIndex.count { nextByIndex.append(0) }
            nextByIndex[i] = max(nextByIndex[i], m.pointee.offset + 1)
        }
        for (i, tp) in parts.enumerated() { next[tp] = nextByIndex[i] }
        partitions = parts
        partitionIndex = pIndex
        nextOffsets = next
        self.bytes = bytes
    }

    deinit {
        for m in messages { rd_kafka_message_destroy(m) }
    }

    /// Messages in the batch.
    public var count: Int { messages.count }

    /// The reasons for which a message yields no record (poison): what is dead-lettered.
    public static let poisonReasons: Set<DecodeErrorReason> = [.malformedJSON, .oversized, .emptyLine]

    /// Decodes the messages into ``records``, one record per message value, as the lines
    /// `1...count` of one JSON Lines buffer (a `\n` inside a value, JSON whitespace, becomes a
    /// tab so that a value stays one line). Collects the poison messages in ``rejected`` and notes
    /// the models seen per partition. Consumer thread.
    func decode(with decoder: inout JSONLDecoder) {
        let total = bytes + messages.count
        let buffer = source.scratch(total)
        var at = 0
        for m in messages {
            let n = m.pointee.len
            if n > 0, let p = m.pointee.payload {
                let dst = buffer + at
                dst.copyMemory(from: p, byteCount: n)
                var q = dst
                let end = dst + n
                while q < end, let nl = memchr(q, 0x0A, end - q) {
                    nl.storeBytes(of: 0x09, as: UInt8.self)
                    q = UnsafeMutableRawPointer(nl) + 1
                }
                at += n
            }
            buffer.storeBytes(of: 0x0A, toByteOffset: at, as: UInt8.self)
            at += 1
        }
        let firstRecord = 0
        if let labelDecoder = source.labelDecoder {
            // Label records carry no model: nothing to note per partition.
            labelDecoder.decode(UnsafeRawBufferPointer(start: buffer, count: at), firstLineNumber: 1, into: &labels, report: &report,
                                rejected: &rejected)
            return
        }
        decoder.decode(UnsafeRawBufferPointer(start: buffer, count: at), firstLineNumber: 1, into: &records, report: &report, rejected: &rejected)
        let batch = records
        // Models per partition: record r is the r-th message that yielded a record.
        let dropped = rejected.lines.filter { Self.poisonReasons.contains($0.reason) }.map(\.line)
        var d = 0
        var r = firstRecord
        var seen: [KafkaSource.Partition: Set<String>] = [:]
        var last: (Int32, UInt32) = (-1, .max)
        let names = batch.modelDictionary.names
        for i in 0..<messages.count {
            if d < dropped.count, dropped[d] == i + 1 {
                while d < dropped.count, dropped[d] == i + 1 { d += 1 }
                continue
            }
            guard r < batch.models.count else { break }
            let code = batch.models[r]
            r += 1
            let p = partitionIndex[i]
            if p == last.0 && code == last.1 { continue }
            last = (p, code)
            if Int(code) < names.count { seen[partitions[Int(p)], default: []].insert(names[Int(code)]) }
        }
        source.noteModels(seen)
    }

    /// The message behind a line number of ``rejected``.
    public func message(line: Int) -> (partition: KafkaSource.Partition, offset: Int64, value: UnsafeRawBufferPointer) {
        let m = messages[line - 1]
        return (partitions[Int(partitionIndex[line - 1])], m.pointee.offset, UnsafeRawBufferPointer(start: m.pointee.payload, count: m.pointee.len))
    }

    /// Produces the poison messages of `rejected` to the source's dead-letter topic (key and
    /// value as received; headers `monitor.reason`, `monitor.origin` = `topic/partition@offset`,
    /// `monitor.source`). Delivery is confirmed by ``KafkaSource/flushDeadLetters()`` before
    /// the checkpoint that moves past them. No-op without a dead-letter topic.
    /// - Returns: the number of messages produced.
    /// - Throws: ``IngestError`` when the producer refuses a message.
    @discardableResult
    public func produceDeadLetters(_ rejected: RejectedLines) throws -> Int {
        guard let producer = source.producer, let topic = source.configuration.deadLetterTopic else { return 0 }
        var n = 0
        var lastLine = 0
        for r in rejected.lines where Self.poisonReasons.contains(r.reason) && r.line != lastLine {
            lastLine = r.line
            let m = messages[r.line - 1]
            let tp = partitions[Int(partitionIndex[r.line - 1])]
            let origin = "\(tp.topic)/\(tp.partition)@\(m.pointee.offset)"
            while true {
                let err = monitor_rdkafka_produce(
                    producer, topic, monitor_rdkafka_partition_ua(), m.pointee.key, m.pointee.key_len, m.pointee.payload, m.pointee.len,
                    "monitor.reason", r.reason.rawValue, "monitor.origin", origin, "monitor.source", source.configuration.name, nil)
                if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    rd_kafka_poll(producer, 100)
                    continue
                }
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw IngestError.unwritable("kafka topic \(topic)", reason: String(cString: rd_kafka_err2str(err)))
                }
                break
            }
            n += 1
        }
        rd_kafka_poll(producer, 0)
        return n
    }
}

extension KafkaSource {
    /// A reusable buffer of at least `bytes` (consumer thread only).
    func scratch(_ bytes: Int) -> UnsafeMutableRawPointer {
        if scratchCapacity < bytes {
            scratchBuffer?.deallocate()
            scratchCapacity = max(bytes, scratchCapacity * 2, 1 << 16)
            scratchBuffer = .allocate(byteCount: scratchCapacity, alignment: 16)
        }
        return scratchBuffer!
    }

    /// Waits until every dead-letter message produced so far is acknowledged by the brokers.
    /// Call it before committing the checkpoint that moves past them (at least once).
    /// - Throws: ``IngestError`` when a message could not be delivered within `timeout`.
    public func flushDeadLetters(timeout: Duration = .seconds(60)) throws {
        guard let producer else { return }
        let err = rd_kafka_flush(producer, Int32(timeout.components.seconds * 1000))
        lock.lock()
        let failures = deliveryFailures
        deliveryFailures = 0
        lock.unlock()
        let topic = configuration.deadLetterTopic ?? ""
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw IngestError.unwritable("kafka topic \(topic)", reason: "dead letters not acknowledged: \(String(cString: rd_kafka_err2str(err)))")
        }
        if failures > 0 {
            throw IngestError.unwritable("kafka topic \(topic)", reason: "\(failures) dead letters could not be delivered")
        }
    }
}
