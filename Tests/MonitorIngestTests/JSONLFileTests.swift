import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MonitorCore
import MonitorIngest
import Synchronization
import Testing

/// A varied JSONL text: new categories throughout, missing values, CRLF lines, blank lines,
/// malformed lines and bad timestamps, so that every column and every counter is exercised.
func mixedCorpus(records: Int, seed: UInt64) -> String {
    var rng = SplitMix64(seed: seed)
    var text = ""
    for i in 0..<records {
        let k = Int.random(in: 0..<100, using: &rng)
        if k == 0 { text += "{\"features\":{\"amount\":1,\n"; continue }  // truncated (malformed)
        if k == 1 { text += "\n"; continue }
        let cat = "c\(Int.random(in: 0..<(i / 10 + 3), using: &rng))"
        let amount = k < 5 ? "null" : "\(Double.random(in: -100...100, using: &rng))"
        let ts = k == 7 ? "\"not a time\"" : "\(1_700_000_000_000 + i)"
        let label = Bool.random(using: &rng) ? "\"yes\"" : "\(Int.random(in: 0...3, using: &rng))"
        let eol = k % 3 == 0 ? "\r\n" : "\n"
        text += "{\"id\":\"i\(i)\",\"ts\":\(ts),\"model\":\"m\(k % 2)\",\"features\":{\"amount\":\(amount),\"country\":\"\(cat)\",\"x\(k % 4)\":1},"
            + "\"prediction\":{\"score\":0.\(k),\"label\":\(label)}}" + eol
    }
    return text
}

@Suite("JSONLFile: chunked reading, parallel decoding, inference, errors")
struct JSONLFileTests {
    let features = [amount, country]

    @Test("lines straddling chunk boundaries decode exactly as one in-memory buffer", arguments: [1, 2, 3, 7, 64, 1000, 1 << 20])
    func chunkBoundaries(readSize: Int) throws {
        let text = mixedCorpus(records: 400, seed: 1)
        let file = try TempFile(text)
        defer { file.remove() }
        var options = DecodeOptions()
        options.keepIDs = true
        options.threads = 1
        let whole = decodeText(text, features: features, options: options)
        options.readSize = readSize
        let decoded = try JSONLFile.decode(path: file.path, schema: EventSchema(), features: features, dictionaries: [:], options: options, progress: nil)
        #expect(decoded.batch.count > 300)
        #expect(sameBatch(decoded.batch, whole.batch))
        #expect(sameReport(decoded.report, whole.report))
        #expect(decoded.report.counts[.malformedJSON, default: 0] > 0 && decoded.report.counts[.emptyLine, default: 0] > 0)
        #expect(decoded.bytes == Int64(text.utf8.count))
        #expect(Set(decoded.unknownFeatures) == ["x0", "x1", "x2", "x3"] && decoded.unknownFeatureCount == 4)
    }

    @Test("parallel decoding gives the sequential result, budgets and line numbers included", arguments: [2, 3, 4, 7])
    func parallelEqualsSequential(threads: Int) throws {
        let text = mixedCorpus(records: 3000, seed: 9)
        let file = try TempFile(text)
        defer { file.remove() }
        var reference = CategoryDictionary(frozen: ["c0", "c1", "c2"])
        reference.maxNewCategories = 50  // the corpus has ~300 categories: overflow happens
        let dictionaries = ["country": reference]
        var options = DecodeOptions()
        options.keepIDs = true
        options.threads = 1
        options.readSize = 4096
        let sequential = try JSONLFile.decode(path: file.path, schema: EventSchema(), features: features, dictionaries: dictionaries, options: options, progress: nil)
        options.threads = threads
        options.minBytesPerThread = 1
        let progressed = Atomic<Int64>(0)
        let parallel = try JSONLFile.decode(
            path: file.path, schema: EventSchema(), features: features, dictionaries: dictionaries, options: options,
            progress: { done, total in
                #expect(total == Int64(text.utf8.count))
                progressed.max(done, ordering: .relaxed)
            })
        #expect(sequential.batch.categorical[0].contains(CategoryDictionary.overflowCode))
        #expect(sameBatch(parallel.batch, sequential.batch))
        #expect(parallel.batch.categoricalDictionaries[0].referenceCount == 3)
        #expect(sameReport(parallel.report, sequential.report))
        #expect(parallel.unknownFeatures == sequential.unknownFeatures && parallel.unknownFeatureCount == sequential.unknownFeatureCount)
        #expect(parallel.bytes == sequential.bytes)
        #expect(progressed.load(ordering: .relaxed) == Int64(text.utf8.count))
    }

    @Test("more threads than lines: empty ranges merge cleanly")
    func moreThreadsThanLines() throws {
        let text = "{\"ts\":1,\"features\":{\"amount\":1,\"country\":\"A\"}}\n{\"ts\":2,\"features\":{\"amount\":2,\"country\":\"B\"}}\n"
        let file = try TempFile(text)
        defer { file.remove() }
        var options = DecodeOptions()
        options.threads = 8
        options.minBytesPerThread = 1
        let d = try JSONLFile.decode(path: file.path, schema: EventSchema(), features: features, dictionaries: [:], options: options, progress: nil)
        #expect(d.batch.count == 2 && d.batch.numerical[0] == [1, 2] && d.batch.categorical[0] == [0, 1])
        #expect(d.batch.categoricalDictionaries[0].names == ["A", "B"] && d.report.linesRead == 2)
        #expect(d.batch.timestamps == [1, 2] && d.bytes == Int64(text.utf8.count))
    }

    @Test("oversized lines are skipped without stopping the file, at any chunk size", arguments: [5, 16, 100, 4096])
    func oversized(readSize: Int) throws {
        let long = #"{"ts":1,"features":{"amount":9,"pad":"\#(String(repeating: "x", count: 300))"}}"#
        let small = #"{"ts":1,"features":{"amount":1}}"#
        let text = [small, long, small, long, long, small, long].joined(separator: "\n")  // last: no line break
        let file = try TempFile(text)
        defer { file.remove() }
        var options = DecodeOptions()
        options.maxRecordBytes = 100
        options.readSize = readSize
        options.threads = 1
        let d = try JSONLFile.decode(path: file.path, schema: EventSchema(), features: [amount], dictionaries: [:], options: options, progress: nil)
        #expect(d.batch.numerical[0] == [1, 1, 1])
        #expect(d.report.counts == [.oversized: 4])
        #expect(d.report.sampleLines[.oversized] == [2, 4, 5, 7])
        #expect(d.report.linesRead == 7)
    }

    @Test("follow mode leaves a half-written last line for later")
    func finalLineIncomplete() throws {
        let text = "{\"ts\":1,\"features\":{\"amount\":1}}\n{\"ts\":1,\"features\":{\"amou"
        let file = try TempFile(text)
        defer { file.remove() }
        var options = DecodeOptions()
        options.threads = 1
        options.finalLineComplete = false
        let d = try JSONLFile.decode(path: file.path, schema: EventSchema(), features: [amount], dictionaries: [:], options: options, progress: nil)
        #expect(d.batch.count == 1 && d.report.counts.isEmpty && d.report.linesRead == 1)
        #expect(d.bytes == Int64("{\"ts\":1,\"features\":{\"amount\":1}}\n".utf8.count))
        options.finalLineComplete = true
        let complete = try JSONLFile.decode(path: file.path, schema: EventSchema(), features: [amount], dictionaries: [:], options: options, progress: nil)
        #expect(complete.report.counts == [.malformedJSON: 1] && complete.bytes == Int64(text.utf8.count))
    }

    @Test("a named pipe is read to its end (no seeking, one thread)")
    func namedPipe() throws {
        let file = try TempFile("")
        defer { file.remove() }
        let fifo = file.path + ".fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let text = mixedCorpus(records: 500, seed: 5)
        // If the reader gives up early, the writer must see EPIPE rather than kill the process.
        signal(SIGPIPE, SIG_IGN)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            guard fd >= 0 else { return }
            let bytes = Array(text.utf8)
            var done = 0
            while done < bytes.count {
                let w = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if w <= 0 { break }
                done += w
            }
            close(fd)
        }
        writer.start()
        var options = DecodeOptions()
        options.readSize = 1000
        options.keepIDs = true
        let d = try JSONLFile.decode(path: fifo, schema: EventSchema(), features: features, dictionaries: [:], options: options, progress: nil)
        options.threads = 1
        let whole = decodeText(text, features: features, options: options)
        #expect(d.batch.count > 400 && sameBatch(d.batch, whole.batch) && sameReport(d.report, whole.report))
    }

    @Test("an empty file is zero records, not an error")
    func emptyFile() throws {
        let file = try TempFile("")
        defer { file.remove() }
        let d = try JSONLFile.decode(path: file.path, schema: EventSchema(), features: features, dictionaries: [:], options: DecodeOptions(), progress: nil)
        #expect(d.batch.count == 0 && d.report.linesRead == 0 && d.bytes == 0)
        #expect(d.batch.numericalNames == ["amount"] && d.batch.categoricalNames == ["country"])
    }

    @Test("missing files and directories are errors naming the path")
    func errors() throws {
        let missing = "/nonexistent-dir/for-sure/data.jsonl"
        #expect(throws: IngestError.fileNotFound(missing)) {
            try JSONLFile.decode(path: missing, schema: EventSchema(), features: [], dictionaries: [:], options: DecodeOptions(), progress: nil)
        }
        #expect(IngestError.fileNotFound(missing).description.contains(missing))
        let dir = FileManager.default.temporaryDirectory.path
        #expect(throws: IngestError.isDirectory(dir)) { try JSONLFile.inferFeatures(path: dir, schema: EventSchema()) }
        #expect(IngestError.isDirectory(dir).description.contains("is a directory"))
    }

    @Test("inference: kinds by majority, first-seen order, null-only features resolved by reading on")
    func inference() throws {
        var lines: [String] = []
        for i in 0..<10 {
            let mixedS = i < 6 ? "\"s\(i)\"" : "\(i)"  // 6 strings, 4 numbers → categorical
            let mixedN = i < 4 ? "\"s\(i)\"" : "\(i)"  // 4 strings, 6 numbers → numerical
            let tie = i < 5 ? "\"s\"" : "1"  // 5/5 → numerical (strings must be the majority)
            let late = i < 7 ? "null" : "\"x\""  // null in the sample (5 lines), a string later
            var extra = ""
            if i == 8 { extra = ",\"unseen\":\"after the sample\"" }
            lines.append(#"{"features":{"n":\#(i),"s":"v","b":true,"ms":\#(mixedS),"mn":\#(mixedN),"tie":\#(tie),"late":\#(late),"nulls":null,"obj":{"a":1}\#(extra)}}"#)
        }
        lines.insert("not json", at: 2)
        let file = try TempFile(lines.joined(separator: "\n"))
        defer { file.remove() }
        // The whole file as the sample: majorities decide; "unseen" (line 9) is in it.
        let all = try JSONLFile.inferFeatures(path: file.path, schema: EventSchema(), sampleLines: 10)
        #expect(all.map(\.name) == ["n", "s", "b", "ms", "mn", "tie", "late", "nulls", "obj", "unseen"])
        #expect(all.map(\.kind) == [.numerical, .categorical, .categorical, .categorical, .numerical, .numerical, .categorical, .numerical, .numerical, .categorical])
        // A 5-line sample: "mn" and "tie" are all strings there; "late" is null-only in the
        // sample, so reading goes on until its first string; "unseen" starts after the sample.
        let sampled = try JSONLFile.inferFeatures(path: file.path, schema: EventSchema(), sampleLines: 5)
        #expect(sampled.map(\.name) == ["n", "s", "b", "ms", "mn", "tie", "late", "nulls", "obj"])
        #expect(sampled.map(\.kind) == [.numerical, .categorical, .categorical, .categorical, .categorical, .categorical, .categorical, .numerical, .numerical])
        // Declared features win.
        var declared = EventSchema()
        declared.declaredFeatures = [amount]
        #expect(try JSONLFile.inferFeatures(path: file.path, schema: declared) == [amount])
    }

    @Test("inference follows the schema's features path")
    func inferenceMappedPath() throws {
        var schema = EventSchema()
        schema.features = "inputs.values"
        let file = try TempFile(#"{"features":{"wrong":1},"inputs":{"values":{"a":1,"b":"x"}}}"#)
        defer { file.remove() }
        let inferred = try JSONLFile.inferFeatures(path: file.path, schema: schema)
        #expect(inferred.map(\.name) == ["a", "b"] && inferred.map(\.kind) == [.numerical, .categorical])
        #expect(inferred[0].path == "features.a")  // default path, which the decoder maps onto inputs.values
        let d = try JSONLFile.decode(path: file.path, schema: schema, features: inferred, dictionaries: [:], options: DecodeOptions(), progress: nil)
        #expect(d.batch.numerical[0] == [1] && d.batch.categoricalDictionaries[0].names == ["x"])
    }
}
