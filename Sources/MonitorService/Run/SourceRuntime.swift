import Foundation
import Logging
import MonitorCore
import MonitorIngest

/// What one read of a source produced (already decoded into the caller's batch).
struct SourceRead {
    /// Bytes consumed.
    var bytes: Int
}

/// One source as the pipeline runs it: it reads and decodes, keeps its positions, and takes
/// part in checkpoints. The pipeline thread is the only caller.
protocol SourceRuntime: AnyObject {
    var settings: SourceSettings { get }
    /// `--once`: the source has nothing more to read.
    var atEnd: Bool { get }
    /// Positions after the last read folded into the window state.
    var positions: [SourcePosition] { get }
    /// The source needs a checkpoint now (a Kafka revocation waits for one).
    var needsCheckpoint: Bool { get }
    /// Reads what is available (at most one chunk or batch) and decodes it into `batch`; nil
    /// when nothing new arrived.
    func read(into batch: inout Batch, report: inout DecodeReport, logger: Logger) throws(ServiceError) -> SourceRead?
    /// Makes what the next checkpoint covers durable outside the store (dead letters).
    func prepareCheckpoint() throws(ServiceError)
    /// The checkpoint with ``positions`` is committed.
    func checkpointed()
    /// Publishes health and metrics.
    func publish(_ status: ServiceStatus, logger: Logger)
    func close()
}

extension SourceRuntime {
    var needsCheckpoint: Bool { false }
    func checkpointed() {}
    func publish(_ status: ServiceStatus, logger: Logger) {}
}

/// A label source as the pipeline runs it (`kind: labels`): the same machinery as a prediction
/// source (``SourceRuntime``), reading label records.
protocol LabelSourceRuntime: AnyObject {
    var settings: SourceSettings { get }
    var atEnd: Bool { get }
    var positions: [SourcePosition] { get }
    var needsCheckpoint: Bool { get }
    /// Reads what is available and decodes it into `batch`; nil when nothing new arrived.
    func readLabels(into batch: inout LabelBatch, report: inout DecodeReport, logger: Logger) throws(ServiceError) -> SourceRead?
    func prepareCheckpoint() throws(ServiceError)
    func checkpointed()
    func publish(_ status: ServiceStatus, logger: Logger)
    func close()
}

/// A file source, its decoder and dead-letter file.
final class FileSourceRuntime: SourceRuntime {
    let settings: SourceSettings
    let file: FileSource
    var decoder: JSONLDecoder
    let deadLetters: DeadLetterWriter?
    var positions: [SourcePosition]
    var rejected = RejectedLines()
    var atEnd: Bool { file.isAtEnd }

    init(settings: SourceSettings, file: FileSource, decoder: JSONLDecoder, deadLetters: DeadLetterWriter?) {
        self.settings = settings
        self.file = file
        self.decoder = decoder
        self.deadLetters = deadLetters
        self.positions = file.positions
    }

    func read(into batch: inout Batch, report: inout DecodeReport, logger: Logger) throws(ServiceError) -> SourceRead? {
        let chunk: FileChunk?
        do { chunk = try file.poll() } catch { throw .io("source \"\(settings.name)\": \(error)") }
        for e in file.takeEvents() {
            logger.info("file source event", metadata: ["source": "\(settings.name)", "event": "\(e)"])
        }
        guard let chunk else { return nil }
        rejected.removeAll()
        if let deadLetters {
            chunk.decode(with: &decoder, into: &batch, report: &report, rejected: &rejected)
            if !rejected.isEmpty {
                do { try deadLetters.append(rejected, from: chunk) } catch {
                    throw .io("source \"\(settings.name)\": dead letters: \(error)")
                }
            }
        } else {
            chunk.decode(with: &decoder, into: &batch, report: &report)
        }
        if let lines = report.sampleLines[.malformedJSON], !lines.isEmpty {
            logger.warning("malformed records", metadata: [
                "source": "\(settings.name)", "file": "\(chunk.path)",
                "count": "\(report.counts[.malformedJSON] ?? 0)", "lines": "\(lines)"])
        }
        positions = chunk.positions
        return SourceRead(bytes: Int(chunk.range.count))
    }

    func prepareCheckpoint() throws(ServiceError) {
        do { try deadLetters?.flush() } catch { throw .io("source \"\(settings.name)\": dead letters: \(error)") }
    }

    func close() {
        file.close()
        try? deadLetters?.close()
    }
}

/// A Kafka source: its consumer and decoder (on the source's own thread) and dead letters
/// (topic and/or file).
final class KafkaSourceRuntime: SourceRuntime, LabelSourceRuntime {
    let settings: SourceSettings
    let kafka: KafkaSource
    let deadLetters: DeadLetterWriter?
    /// The source's positions cover exactly the batches taken, all of which the pipeline has
    /// folded in by the time it asks (it processes a batch before taking the next).
    var positions: [SourcePosition] { kafka.positions }
    private var lastPublish: ContinuousClock.Instant?
    /// Positions as of the checkpoint being written (taken in `prepareCheckpoint`).
    private var checkpointing: [SourcePosition] = []
    private var lagPublished: Set<KafkaSource.Partition> = []
    private var assignedPublished: Set<String> = []
    private var errorsPublished: [String: Int] = [:]
    private var rebalancesPublished = 0
    private var resetsPublished = 0
    private var deadLetteredPublished = 0
    private var emptyMessages = 0
    private var emptyPublished = 0
    private var degradedLogged: String?

    init(settings: SourceSettings, kafka: KafkaSource, deadLetters: DeadLetterWriter?) {
        self.settings = settings
        self.kafka = kafka
        self.deadLetters = deadLetters
    }

    var atEnd: Bool { kafka.isAtEnd }
    var needsCheckpoint: Bool { kafka.needsCheckpoint }

    func read(into batch: inout Batch, report: inout DecodeReport, logger: Logger) throws(ServiceError) -> SourceRead? {
        guard let taken = try take(report: &report, logger: logger) else { return nil }
        batch = taken.records
        return SourceRead(bytes: taken.bytes)
    }

    func readLabels(into batch: inout LabelBatch, report: inout DecodeReport, logger: Logger) throws(ServiceError) -> SourceRead? {
        guard let taken = try take(report: &report, logger: logger) else { return nil }
        batch = taken.labels
        return SourceRead(bytes: taken.bytes)
    }

    /// Takes the next decoded batch: its report, poison messages logged and dead-lettered.
    private func take(report: inout DecodeReport, logger: Logger) throws(ServiceError) -> KafkaBatch? {
        if let fatal = kafka.fatalError { throw .io("source \"\(settings.name)\": kafka: \(fatal)") }
        guard let taken = kafka.take() else { return nil }
        report = taken.report
        let rejected = taken.rejected
        // An empty (or null) message is poison, unlike a blank line in a file: counted too.
        emptyMessages += report.counts[.emptyLine] ?? 0
        if !rejected.isEmpty {
            var first: [String] = []
            for r in rejected.lines.prefix(5) {
                let m = taken.message(line: r.line)
                first.append("\(m.partition)@\(m.offset) \(r.reason.rawValue)")
            }
            logger.warning("poison messages skipped", metadata: [
                "source": "\(settings.name)", "count": "\(rejected.lines.count)", "first": "\(first)"])
            do { try taken.produceDeadLetters(rejected) } catch { throw .io("source \"\(settings.name)\": dead letters: \(error)") }
            if let deadLetters {
                for r in rejected.lines {
                    let m = taken.message(line: r.line)
                    do {
                        try deadLetters.append(source: settings.name, path: m.partition.positionKey, line: Int(m.offset), offset: m.offset,
                                               reason: r.reason, record: m.value)
                    } catch { throw .io("source \"\(settings.name)\": dead letters: \(error)") }
                }
            }
        }
        return taken
    }

    func prepareCheckpoint() throws(ServiceError) {
        do {
            try deadLetters?.flush()
            try kafka.flushDeadLetters()
        } catch { throw .io("source \"\(settings.name)\": dead letters: \(error)") }
        checkpointing = positions
    }

    func checkpointed() { kafka.checkpointed(checkpointing) }

    func publish(_ status: ServiceStatus, logger: Logger) {
        // Four times a second is plenty for logs, /readyz and gauges, and keeps the per-batch
        // cost of a many-partition assignment off the pipeline.
        let now = ContinuousClock.now
        if let last = lastPublish, now - last < .milliseconds(250) { return }
        lastPublish = now
        let name = settings.name
        for e in kafka.takeEvents() {
            switch e {
            case .assigned(let tp, let offset, let origin):
                switch origin {
                case .stored:
                    logger.info("kafka partition assigned", metadata: ["source": "\(name)", "partition": "\(tp)", "offset": "\(offset)", "from": "stored offset"])
                case .committed:
                    logger.notice("kafka partition taken over: starting at the group's committed offset; the previous owner's window state is not transferred, this instance's windows count from here", metadata: [
                        "source": "\(name)", "partition": "\(tp)", "offset": "\(offset)"])
                case .reset:
                    logger.warning("kafka partition assigned without a stored or committed offset: auto_offset_reset applies", metadata: [
                        "source": "\(name)", "partition": "\(tp)", "policy": "\(settings.kafka?.autoOffsetReset.rawValue ?? "earliest")"])
                }
            case .revoked(let tps, let checkpointed):
                if checkpointed {
                    logger.info("kafka partitions revoked after a checkpoint", metadata: ["source": "\(name)", "partitions": "\(tps)"])
                } else {
                    logger.error("kafka partitions revoked before the checkpoint finished: their next owner repeats the events since the last checkpoint",
                                 metadata: ["source": "\(name)", "partitions": "\(tps)"])
                }
            case .offsetReset(let tp, let policy, let from):
                logger.warning("auto_offset_reset applied (recorded with the partition's position in the store)", metadata: [
                    "source": "\(name)", "partition": "\(tp)", "policy": "\(policy.rawValue)", "from": "\(from.map(String.init) ?? "no offset")"])
            case .error(let code, let message):
                logger.warning("kafka error", metadata: ["source": "\(name)", "code": "\(code)", "message": "\(message)"])
            case .log(let level, let facility, let message):
                let l: Logger.Level = level <= 3 ? .error : level == 4 ? .warning : level <= 6 ? .info : .debug
                logger.log(level: l, "librdkafka: \(message)", metadata: ["source": "\(name)", "facility": "\(facility)"])
            case .modelSplit(let model, let ours, let others):
                logger.error("partition-by-model violated: one model arrives on partitions owned by different instances, so its windows are split between them; key the producer's messages by model",
                             metadata: ["source": "\(name)", "model": "\(model)", "partitions.ours": "\(ours)", "partitions.others": "\(others)"])
            case .deadLetterFailed(let why):
                logger.error("dead-letter message not delivered", metadata: ["source": "\(name)", "reason": "\(why)"])
            }
        }
        let h = kafka.healthSnapshot()
        let component = "kafka:\(name)"
        status.setReady(component, h.degraded)
        if h.degraded != degradedLogged {
            if let d = h.degraded { logger.warning("kafka source degraded", metadata: ["source": "\(name)", "reason": "\(d)"]) }
            else if degradedLogged != nil { logger.info("kafka source healthy again", metadata: ["source": "\(name)"]) }
            degradedLogged = h.degraded
        }
        let m = status.metrics
        for (code, n) in h.errors where n > errorsPublished[code, default: 0] {
            m.add("monitor_kafka_errors_total", [("source", name), ("code", code)], n - errorsPublished[code, default: 0])
            errorsPublished[code] = n
        }
        if h.rebalances > rebalancesPublished {
            m.add("monitor_kafka_rebalances_total", [("source", name)], h.rebalances - rebalancesPublished)
            rebalancesPublished = h.rebalances
        }
        if h.offsetResets > resetsPublished {
            m.add("monitor_kafka_offset_resets_total", [("source", name)], h.offsetResets - resetsPublished)
            resetsPublished = h.offsetResets
        }
        if h.deadLettered > deadLetteredPublished {
            m.add("monitor_dead_letters_total", [("source", name)], h.deadLettered - deadLetteredPublished)
            deadLetteredPublished = h.deadLettered
        }
        if emptyMessages > emptyPublished {
            m.add("monitor_decode_errors_total", [("source", name), ("reason", "empty_message")], emptyMessages - emptyPublished)
            emptyPublished = emptyMessages
        }
        m.set("monitor_kafka_assigned_partitions", [("source", name)], Double(h.assigned.count))
        m.set("monitor_kafka_paused", [("source", name)], h.paused ? 1 : 0)
        m.set("monitor_kafka_split_models", [("source", name)], Double(h.splitModels.count))
        let current = Set(h.assigned)
        for tp in lagPublished.subtracting(current) {
            m.remove("monitor_consumer_lag", [("topic", tp.topic), ("partition", "\(tp.partition)")])
        }
        for (tp, lag) in h.lag {
            m.set("monitor_consumer_lag", [("topic", tp.topic), ("partition", "\(tp.partition)")], Double(lag))
        }
        lagPublished = current.intersection(h.lag.keys)
        status.setKafkaLag(source: name, h.lag.values.reduce(Int64(0)) { $0 + Int64($1) })
    }

    func close() {
        kafka.close()
        try? deadLetters?.close()
    }
}
