import Foundation
import MonitorCore
import MonitorIngest
import Testing

@Suite("FileSource: reading, chunking, listing order")
struct FileSourceReadingTests {
    @Test("--once: a single file is read to its end, with identity, range, line numbers and positions")
    func singleFileToEnd() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "one\ntwo\nthree\n")
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: false))
        let chunk = try #require(try source.poll())
        #expect(chunk.source == "preds" && chunk.path == dir.at("a.jsonl"))
        let key = try dir.key("a.jsonl")
        #expect(chunk.key == key)
        #expect(chunk.range == 0..<14 && chunk.firstLineNumber == 1 && chunk.lineCount == 3)
        #expect(String(decoding: chunk.bytes, as: UTF8.self) == "one\ntwo\nthree\n")
        #expect(chunk.positions.count == 1 && chunk.positions[0].offset == 14 && chunk.positions[0].key == chunk.key)
        #expect(chunk.positions[0].source == "preds" && chunk.positions[0].meta.contains("line=4"))
        #expect(!source.isAtEnd)
        #expect(try source.poll() == nil)
        #expect(source.isAtEnd)
        #expect(try source.poll() == nil)
        #expect(source.positions == chunk.positions)
        #expect(source.statistics.linesRead == 3 && source.statistics.bytesRead == 14)
    }

    @Test("chunks end at a newline and stay within maxChunkBytes; a longer line comes alone", arguments: [1, 5, 9, 10, 64])
    func chunking(maxChunkBytes: Int) throws {
        let dir = try Scratch()
        let lines = ["a", "bb", "ccc", "dddddddddddddddddddd", "e", "", "ffff", "gg"]
        let body = lines.map { $0 + "\n" }.joined()
        try dir.write("a.jsonl", body)
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: false, maxChunkBytes: maxChunkBytes))
        let chunks = try drain(source)
        #expect(source.isAtEnd)
        #expect(text(chunks) == body)
        var expectedStart: Int64 = 0
        var expectedLine = 1
        for c in chunks {
            #expect(c.bytes.last == 0x0A)
            #expect(c.range.lowerBound == expectedStart && c.range.count == c.bytes.count)
            #expect(c.firstLineNumber == expectedLine && c.lineCount == c.bytes.filter { $0 == 0x0A }.count)
            #expect(c.bytes.count <= maxChunkBytes || c.lineCount == 1)
            expectedStart = c.range.upperBound
            expectedLine += c.lineCount
        }
    }

    @Test("follow: a partial last line is held back, then emitted once, whole, when its newline arrives")
    func partialLineFollow() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "first\nsec")
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: true))
        #expect(text(try drain(source)) == "first\n")
        #expect(try source.poll() == nil)
        #expect(source.positions[0].offset == 6)
        try dir.append("a.jsonl", "ond")
        #expect(try source.poll() == nil)
        try dir.append("a.jsonl", "\nthird\n")
        let chunks = try drain(source)
        #expect(text(chunks) == "second\nthird\n")
        #expect(chunks.first?.firstLineNumber == 2)
        #expect(!source.isAtEnd)
    }

    @Test("--once: a final line without a newline is a record; a file holding only a partial line too")
    func onceFinalLine() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "x\ny")
        try dir.write("b.jsonl", "only-partial")
        let once = try FileSource(config(.glob(dir.at("*.jsonl")), follow: false))
        let chunks = try drain(once)
        #expect(once.isAtEnd)
        #expect(chunks.map { String(decoding: $0.bytes, as: UTF8.self) } == ["x\ny", "only-partial"])
        #expect(chunks.map(\.lineCount) == [2, 1])
        #expect(once.positions.map(\.offset) == [3, 12])
        // The same files in follow mode: nothing unterminated is emitted.
        let follow = try FileSource(config(.glob(dir.at("*.jsonl")), follow: true))
        #expect(text(try drain(follow)) == "x\n")
        #expect(follow.positions.map(\.offset) == [2, 0])
    }

    @Test("the decoder sees the final unterminated record exactly as a whole-file decode does")
    func decodesLikeWholeFile() throws {
        let dir = try Scratch()
        let body = mixedCorpus(records: 300, seed: 4) + #"{"features":{"amount":3}}"#
        try dir.write("a.jsonl", body)
        var options = DecodeOptions()
        options.threads = 1
        let whole = try JSONLFile.decode(
            path: dir.at("a.jsonl"), schema: EventSchema(), features: [amount, country], dictionaries: [:], options: options, progress: nil)
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: false, maxChunkBytes: 700))
        var decoder = JSONLDecoder(schema: EventSchema(), features: [amount, country], dictionaries: [:], options: options)
        var batch = Batch()
        var report = DecodeReport()
        var count = 0
        while let chunk = try source.poll() {
            chunk.decode(with: &decoder, into: &batch, report: &report)
            count += 1
        }
        #expect(count > 10)
        #expect(sameBatch(batch, whole.batch))
        #expect(sameReport(report, whole.report))
    }

    @Test("empty files: nothing in --once, nothing until written in follow")
    func emptyFiles() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "")
        let once = try FileSource(config(.file(dir.at("a.jsonl")), follow: false))
        #expect(try drain(once).isEmpty && once.isAtEnd)
        #expect(once.positions.count == 1 && once.positions[0].offset == 0)
        let follow = try FileSource(config(.file(dir.at("a.jsonl")), follow: true))
        #expect(try drain(follow).isEmpty)
        try dir.append("a.jsonl", "late\n")
        #expect(text(try drain(follow)) == "late\n")
    }

    @Test("directory: *.jsonl regular files in bytewise name order; hidden, other names and subdirectories skipped")
    func directoryOrder() throws {
        let dir = try Scratch()
        try dir.mkdir("logs")
        try dir.mkdir("logs/sub.jsonl")
        for (name, body) in [("p-9.jsonl", "9\n"), ("p-10.jsonl", "10\n"), ("B.jsonl", "B\n"), ("a.jsonl", "a\n"), (".hidden.jsonl", "h\n"), ("notes.txt", "t\n")] {
            try dir.write("logs/" + name, body)
        }
        let source = try FileSource(config(.directory(dir.at("logs")), follow: false))
        let chunks = try drain(source)
        #expect(chunks.map { String(decoding: $0.bytes, as: UTF8.self) } == ["B\n", "a\n", "10\n", "9\n"])
        #expect(source.positions.map(\.path) == ["B.jsonl", "a.jsonl", "p-10.jsonl", "p-9.jsonl"].map { dir.at("logs/" + $0) })
        let custom = try FileSource(config(.directory(dir.at("logs"), pattern: "*.txt"), follow: false))
        #expect(text(try drain(custom)) == "t\n")
    }

    @Test("glob: matching regular files in bytewise path order, across directories")
    func globOrder() throws {
        let dir = try Scratch()
        try dir.mkdir("x")
        try dir.mkdir("y")
        try dir.write("y/predictions-1.jsonl", "y1\n")
        try dir.write("x/predictions-2.jsonl", "x2\n")
        try dir.write("x/predictions-1.jsonl", "x1\n")
        try dir.write("x/labels-1.jsonl", "no\n")
        let source = try FileSource(config(.glob(dir.at("*/predictions-*.jsonl")), follow: false))
        #expect(try drain(source).map { String(decoding: $0.bytes, as: UTF8.self) } == ["x1\n", "x2\n", "y1\n"])
    }

    @Test("--once: a missing file or directory is an error; a glob without matches is empty input")
    func onceMissing() throws {
        let dir = try Scratch()
        #expect(throws: IngestError.fileNotFound(dir.at("none.jsonl"))) { try FileSource(config(.file(dir.at("none.jsonl")), follow: false)) }
        #expect(throws: IngestError.fileNotFound(dir.at("nodir"))) { try FileSource(config(.directory(dir.at("nodir")), follow: false)) }
        #expect(throws: IngestError.isDirectory(dir.path)) { try FileSource(config(.file(dir.path), follow: false)) }
        let glob = try FileSource(config(.glob(dir.at("*.jsonl")), follow: false))
        #expect(try glob.poll() == nil && glob.isAtEnd)
    }

    @Test("follow: a target that is a directory is reported once, not thrown")
    func followDirectoryAsFile() throws {
        let dir = try Scratch()
        let source = try FileSource(config(.file(dir.path), follow: true))
        #expect(try source.poll() == nil)
        #expect(try source.poll() == nil)
        #expect(source.takeEvents() == [.unreadable(path: dir.path, reason: "is a directory, expected a JSONL file")])
    }

    @Test("follow: a file that does not exist yet is read from its start once it appears")
    func fileAppears() throws {
        let dir = try Scratch()
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: true, startAt: .end))
        #expect(try source.poll() == nil && source.positions.isEmpty)
        try dir.write("a.jsonl", "1\n2\n")
        let chunks = try drain(source)
        #expect(text(chunks) == "1\n2\n" && chunks[0].firstLineNumber == 1)
    }

    @Test("follow: new files in a glob and in a directory are picked up, from offset 0, in order")
    func newFilesAppear() throws {
        let dir = try Scratch()
        try dir.write("b.jsonl", "b1\n")
        let glob = try FileSource(config(.glob(dir.at("*.jsonl")), follow: true, startAt: .end))
        let directory = try FileSource(config(.directory(dir.path), follow: true))
        #expect(try drain(glob).isEmpty)  // started at the end
        #expect(text(try drain(directory)) == "b1\n")
        try dir.write("a.jsonl", "a1\n")
        try dir.write("c.jsonl", "c1\n")
        try dir.append("b.jsonl", "b2\n")
        #expect(text(try drain(glob)) == "a1\nb2\nc1\n")
        #expect(text(try drain(directory)) == "a1\nb2\nc1\n")
        #expect(glob.positions.map(\.path) == ["a", "b", "c"].map { dir.at($0 + ".jsonl") })
    }

    @Test("startAt .end: begins after the last complete line, so a line in progress is read whole")
    func startAtEnd() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "old1\nold2\nnew-")
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: true, startAt: .end))
        #expect(try source.poll() == nil)
        #expect(source.positions[0].offset == 10)
        try dir.append("a.jsonl", "line\nnext\n")
        let chunks = try drain(source)
        #expect(text(chunks) == "new-line\nnext\n")
        #expect(chunks[0].firstLineNumber == 1)
    }

    @Test("a line between maxChunkBytes and maxLineBytes is emitted alone; a longer one is skipped as oversized")
    func longLines() throws {
        let dir = try Scratch()
        let long = String(repeating: "L", count: 500)
        let huge = String(repeating: "H", count: 5000)
        try dir.write("a.jsonl", "a\n\(long)\nb\n\(huge)\nc\n")
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: false, maxChunkBytes: 100, maxLineBytes: 1000))
        let chunks = try drain(source)
        #expect(chunks.count == 5)
        #expect(chunks.map(\.firstLineNumber) == [1, 2, 3, 4, 5])
        #expect(String(decoding: chunks[1].bytes, as: UTF8.self) == long + "\n")
        guard case .oversizedLine(let prefix, let length) = chunks[3].content else {
            Issue.record("expected an oversized line, got \(chunks[3].content)")
            return
        }
        #expect(length == 5000 && prefix == Array(huge.utf8.prefix(FileChunk.oversizedPrefixBytes)))
        #expect(chunks[3].range == 505..<5506 && chunks[3].bytes.isEmpty)
        #expect(text(chunks) == "a\n\(long)\nb\nc\n")
        #expect(source.statistics.oversizedLines == 1)
        #expect(source.takeEvents().contains(.oversizedLine(path: dir.at("a.jsonl"), line: 4, length: 5000)))
    }

    @Test("follow: a 40 MB line without a newline is scanned in bounded memory, never buffered, then skipped once it ends")
    func hugeLineFollow() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "before\n")
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: true, maxChunkBytes: 1 << 16, maxLineBytes: 1 << 20))
        #expect(text(try drain(source)) == "before\n")
        let block = [UInt8](repeating: UInt8(ascii: "z"), count: 8 << 20)
        for _ in 0..<5 {
            try dir.append("a.jsonl", bytes: block)
            #expect(try source.poll() == nil)
            #expect(source.positions[0].offset == 7)  // a checkpoint never points inside the line
        }
        try dir.append("a.jsonl", "\nafter\n")
        let chunks = try drain(source)
        #expect(chunks.count == 2)
        guard case .oversizedLine(_, let length) = chunks.first?.content else {
            Issue.record("expected an oversized line")
            return
        }
        #expect(length == 40 << 20)
        #expect(text(chunks) == "after\n" && chunks[1].firstLineNumber == 3)
        #expect(source.positions[0].offset == 7 + (40 << 20) + 7)
    }

    @Test("--once: an oversized line without a newline at the end of the file is skipped, counted, and ends the file")
    func hugeLineOnceAtEOF() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "ok\n" + String(repeating: "q", count: 3000))
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: false, maxChunkBytes: 64, maxLineBytes: 256))
        let chunks = try drain(source)
        #expect(source.isAtEnd && chunks.count == 2)
        guard case .oversizedLine(_, let length) = chunks[1].content else {
            Issue.record("expected an oversized line")
            return
        }
        #expect(length == 3000 && source.positions[0].offset == 3003)
        var decoder = JSONLDecoder(schema: EventSchema(), features: [amount], dictionaries: [:], options: DecodeOptions())
        var batch = Batch()
        var report = DecodeReport()
        for c in chunks { c.decode(with: &decoder, into: &batch, report: &report) }
        #expect(report.linesRead == 2 && report.counts[.oversized] == 1 && report.sampleLines[.oversized] == [2])
    }
}

@Suite("FileSource: rotation, truncation, deletion (follow mode)")
struct FileSourceFollowTests {
    @Test("rename rotation: lines written before and after are each read once, old file first")
    func renameRotation() throws {
        let dir = try Scratch()
        try dir.write("app.jsonl", "1\n2\n")
        let source = try FileSource(config(.file(dir.at("app.jsonl")), follow: true))
        #expect(text(try drain(source)) == "1\n2\n")
        let oldKey = try dir.key("app.jsonl")
        try dir.append("app.jsonl", "3\n4\n")  // written before the rotation, not yet read
        try dir.move("app.jsonl", "app.jsonl.1")
        try dir.write("app.jsonl", "5\n")
        try dir.append("app.jsonl", "6\n")
        let newKey = try dir.key("app.jsonl")
        let chunks = try drain(source)
        #expect(text(chunks) == "3\n4\n5\n6\n")
        #expect(chunks.first?.key == oldKey && chunks.last?.key == newKey)
        #expect(chunks.last?.firstLineNumber == 1 || chunks.last?.firstLineNumber == 2)
        #expect(source.statistics.rotations == 1 && source.statistics.filesRetired == 1)
        #expect(source.positions.count == 1 && source.positions[0].key == newKey)
        let events = source.takeEvents()
        #expect(events.contains(.rotated(path: dir.at("app.jsonl"), key: oldKey)))
        #expect(events.contains(.retired(path: dir.at("app.jsonl"), key: oldKey, offset: 8)))
        try dir.append("app.jsonl", "7\n")
        #expect(text(try drain(source)) == "7\n")
    }

    @Test("a rotated file stays open for the grace period: late writes to the old descriptor are read, then it is closed")
    func rotationGrace() throws {
        let dir = try Scratch()
        let time = ManualTime()
        try dir.write("app.jsonl", "1\n")
        let source = try FileSource(config(.file(dir.at("app.jsonl")), follow: true, grace: .seconds(5)), now: { time.now })
        #expect(text(try drain(source)) == "1\n")
        try dir.move("app.jsonl", "app.jsonl.1")
        try dir.write("app.jsonl", "new1\n")
        #expect(text(try drain(source)) == "new1\n")
        #expect(source.positions.count == 2)
        time.advance(by: .seconds(3))
        try dir.append("app.jsonl.1", "late\npartial")  // the writer had not reopened yet
        #expect(text(try drain(source)) == "late\n")
        time.advance(by: .seconds(4))
        #expect(try source.poll() == nil)
        #expect(source.positions.count == 2)  // 4 s since its last growth: still open
        time.advance(by: .seconds(2))
        // Closed now: its unterminated last line can never be completed, so it is a record.
        let last = try drain(source)
        #expect(text(last) == "partial" && last.first?.path == dir.at("app.jsonl"))
        #expect(source.positions.count == 1 && source.statistics.filesRetired == 1)
    }

    @Test("copytruncate: lines written after the truncation are read exactly once", arguments: ["4\n", "a longer line than everything before\n"])
    func copyTruncate(afterTruncate: String) throws {
        let dir = try Scratch()
        try dir.write("app.jsonl", "1\n2\n3\n")
        let source = try FileSource(config(.file(dir.at("app.jsonl")), follow: true))
        #expect(text(try drain(source)) == "1\n2\n3\n")
        let key = try dir.key("app.jsonl")
        try dir.copy("app.jsonl", to: "app.jsonl.1")
        try dir.shrink("app.jsonl")
        try dir.append("app.jsonl", afterTruncate)
        try dir.append("app.jsonl", "5\n")
        let chunks = try drain(source)
        #expect(text(chunks) == afterTruncate + "5\n")
        #expect(chunks.first?.key == key && chunks.first?.firstLineNumber == 1 && chunks.first?.range.lowerBound == 0)
        #expect(source.statistics.truncations == 1 && source.statistics.rotations == 0)
        #expect(try drain(source).isEmpty)
    }

    @Test("truncation to a shorter file, rewritten in place: read again from 0, line numbers restart")
    func truncateShorter() throws {
        let dir = try Scratch()
        try dir.write("app.jsonl", "aaaa\nbbbb\ncccc\n")
        let source = try FileSource(config(.file(dir.at("app.jsonl")), follow: true))
        #expect(text(try drain(source)) == "aaaa\nbbbb\ncccc\n")
        try dir.write("app.jsonl", "x\ny\n")  // O_TRUNC, same inode
        let chunks = try drain(source)
        #expect(text(chunks) == "x\ny\n" && chunks[0].firstLineNumber == 1)
        #expect(source.statistics.truncations == 1)
        let key = try dir.key("app.jsonl")
        #expect(source.takeEvents().contains(.truncated(path: dir.at("app.jsonl"), key: key, offset: 15, size: 4)))
    }

    @Test("a file truncated and rewritten past the old offset before the next pass is still noticed")
    func rewrittenLonger() throws {
        let dir = try Scratch()
        try dir.write("app.jsonl", "{\"id\":1}\n")
        let source = try FileSource(config(.file(dir.at("app.jsonl")), follow: true))
        #expect(text(try drain(source)) == "{\"id\":1}\n")
        try dir.write("app.jsonl", "{\"id\":2,\"more\":true}\n")
        #expect(text(try drain(source)) == "{\"id\":2,\"more\":true}\n")
        #expect(source.statistics.truncations == 1)
    }

    @Test("a deleted file is read to its end through the open descriptor, closed after the grace, and a recreated file is read from 0")
    func deletedFile() throws {
        let dir = try Scratch()
        let time = ManualTime()
        try dir.write("app.jsonl", "1\n")
        let source = try FileSource(config(.file(dir.at("app.jsonl")), follow: true, grace: .seconds(1)), now: { time.now })
        #expect(text(try drain(source)) == "1\n")
        try dir.append("app.jsonl", "2\n")
        try dir.remove("app.jsonl")
        #expect(text(try drain(source)) == "2\n")
        #expect(source.statistics.rotations == 1 && source.positions.count == 1)
        time.advance(by: .seconds(1))
        #expect(try source.poll() == nil)
        #expect(source.positions.isEmpty && source.statistics.filesRetired == 1)
        try dir.write("app.jsonl", "fresh\n")
        let chunks = try drain(source)
        #expect(text(chunks) == "fresh\n" && chunks[0].firstLineNumber == 1)
    }

    @Test("a file renamed to another name the glob matches is the same file: no line is read twice")
    func renameWithinGlob() throws {
        let dir = try Scratch()
        try dir.write("p-current.jsonl", "1\n2\n")
        let source = try FileSource(config(.glob(dir.at("p-*.jsonl")), follow: true))
        #expect(text(try drain(source)) == "1\n2\n")
        try dir.append("p-current.jsonl", "3\n")
        try dir.move("p-current.jsonl", "p-2026-01-01.jsonl")
        try dir.write("p-current.jsonl", "4\n")
        #expect(text(try drain(source)) == "3\n4\n")
        #expect(source.statistics.rotations == 0 && source.positions.map(\.path) == [dir.at("p-2026-01-01.jsonl"), dir.at("p-current.jsonl")])
    }
}

@Suite("FileSource: resuming from checkpointed positions")
struct FileSourceResumeTests {
    @Test("a new source resumes at the saved offset, with line numbers continuing")
    func resumeOffset() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "1\n2\n3\n4\n")
        try dir.write("b.jsonl", "b1\n")
        let first = try FileSource(config(.glob(dir.at("*.jsonl")), follow: true, maxChunkBytes: 4))
        let chunk = try #require(try first.poll())
        #expect(text([chunk]) == "1\n2\n")
        let saved = chunk.positions
        #expect(saved.map(\.offset) == [4, 0])
        try dir.append("a.jsonl", "5\n")
        let second = try FileSource(config(.glob(dir.at("*.jsonl")), follow: true, maxChunkBytes: 4), resumeFrom: saved)
        let chunks = try drain(second)
        #expect(text(chunks) == "3\n4\n5\nb1\n")
        #expect(chunks[0].firstLineNumber == 3)
        let key = try dir.key("a.jsonl")
        #expect(second.takeEvents().contains(.resumed(path: dir.at("a.jsonl"), key: key, offset: 4)))
    }

    @Test("positions of other sources are ignored; a checkpoint disables startAt .end for files it does not mention")
    func resumeIgnoresOthersAndStartAt() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "a1\n")
        try dir.write("b.jsonl", "b1\n")
        let other = SourcePosition(source: "labels", key: try dir.key("a.jsonl"), path: dir.at("a.jsonl"), offset: 3)
        let mine = SourcePosition(source: "preds", key: try dir.key("a.jsonl"), path: dir.at("a.jsonl"), offset: 0)
        let fresh = try FileSource(config(.glob(dir.at("*.jsonl")), follow: true, startAt: .end), resumeFrom: [other])
        #expect(try drain(fresh).isEmpty)
        let resumed = try FileSource(config(.glob(dir.at("*.jsonl")), follow: true, startAt: .end), resumeFrom: [mine])
        #expect(text(try drain(resumed)) == "a1\nb1\n")
    }

    @Test("a rotation while the service was down: the old file is found beside its path, finished, then the new one read from 0")
    func rotationWhileDown() throws {
        let dir = try Scratch()
        try dir.write("app.jsonl", "1\n2\n")
        let first = try FileSource(config(.file(dir.at("app.jsonl")), follow: true))
        _ = try drain(first)
        let saved = first.positions
        first.close()
        try dir.append("app.jsonl", "3\n")
        try dir.move("app.jsonl", "app.jsonl.1")
        try dir.write("app.jsonl", "4\n")
        try dir.append("app.jsonl", "5\n")
        let second = try FileSource(config(.file(dir.at("app.jsonl")), follow: true), resumeFrom: saved)
        let chunks = try drain(second)
        #expect(text(chunks) == "3\n4\n5\n")
        #expect(chunks[0].path == dir.at("app.jsonl.1") && chunks[0].firstLineNumber == 3)
        #expect(second.statistics.rotations == 1 && second.statistics.filesRetired == 1)
        // --once after the same downtime does the same.
        let once = try FileSource(config(.file(dir.at("app.jsonl")), follow: false), resumeFrom: saved)
        #expect(text(try drain(once)) == "3\n4\n5\n" && once.isAtEnd)
    }

    @Test("inode reuse: a saved identity whose first bytes changed is not resumed; the file at the path is read from 0")
    func inodeReuse() throws {
        let dir = try Scratch()
        try dir.write("app.jsonl", "{\"id\":\"old-1\"}\n{\"id\":\"old-2\"}\n")
        let first = try FileSource(config(.file(dir.at("app.jsonl")), follow: true))
        _ = try drain(first)
        let saved = first.positions
        first.close()
        // Same inode, other content, longer than the saved offset: what a reused inode looks like.
        try dir.write("app.jsonl", "{\"id\":\"new-1\"}\n{\"id\":\"new-2\"}\n{\"id\":\"new-3\"}\n")
        let second = try FileSource(config(.file(dir.at("app.jsonl")), follow: true), resumeFrom: saved)
        let chunks = try drain(second)
        #expect(text(chunks) == "{\"id\":\"new-1\"}\n{\"id\":\"new-2\"}\n{\"id\":\"new-3\"}\n")
        #expect(chunks[0].firstLineNumber == 1)
        #expect(second.statistics.identityMismatches == 1)
        #expect(second.takeEvents().contains(.identityMismatch(saved[0], path: dir.at("app.jsonl"))))
        // A forged position: a real inode, a fingerprint that does not match.
        var forged = saved[0]
        forged.meta = "fnv1a=0123456789abcdef/16;size=32;line=3"
        let third = try FileSource(config(.file(dir.at("app.jsonl")), follow: false), resumeFrom: [forged])
        #expect(text(try drain(third)).hasPrefix("{\"id\":\"new-1\"}") && third.statistics.identityMismatches == 1)
    }

    @Test("truncated while down (shorter than the saved offset): read from 0")
    func truncatedWhileDown() throws {
        let dir = try Scratch()
        try dir.write("app.jsonl", "1111\n2222\n")
        let first = try FileSource(config(.file(dir.at("app.jsonl")), follow: false))
        _ = try drain(first)
        try dir.shrink("app.jsonl")
        try dir.append("app.jsonl", "3\n")
        let second = try FileSource(config(.file(dir.at("app.jsonl")), follow: false), resumeFrom: first.positions)
        #expect(text(try drain(second)) == "3\n")
        #expect(second.statistics.truncations == 1 || second.statistics.identityMismatches == 1)
    }

    @Test("truncated, rewritten and rotated while down: the rotated file's new content is read from 0, then the new file")
    func truncatedThenRotatedWhileDown() throws {
        let dir = try Scratch()
        try dir.write("app.jsonl", "{\"seq\":1}\n{\"seq\":2}\n")
        let first = try FileSource(config(.file(dir.at("app.jsonl")), follow: true))
        _ = try drain(first)
        let saved = first.positions
        first.close()
        try dir.shrink("app.jsonl")
        try dir.append("app.jsonl", "{\"seq\":3}\n")
        try dir.move("app.jsonl", "app.jsonl.1")
        try dir.write("app.jsonl", "{\"seq\":4}\n")
        try dir.write("unrelated.log", "x\n")
        let second = try FileSource(config(.file(dir.at("app.jsonl")), follow: true), resumeFrom: saved)
        #expect(text(try drain(second)) == "{\"seq\":3}\n{\"seq\":4}\n")
        #expect(second.statistics.identityMismatches == 1)
    }

    @Test("a position whose file is gone is skipped and reported; the rest is read")
    func positionNotFound() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "a\n")
        let ghost = SourcePosition(source: "preds", key: "file:1:999999999", path: dir.at("gone.jsonl"), offset: 10)
        let junk = SourcePosition(source: "preds", key: "kafka:t:0", path: "t", offset: 10)
        let source = try FileSource(config(.glob(dir.at("*.jsonl")), follow: false), resumeFrom: [ghost, junk])
        #expect(text(try drain(source)) == "a\n")
        #expect(source.statistics.unresolvedPositions == 2)
        let events = source.takeEvents()
        #expect(events.contains(.positionNotFound(ghost)) && events.contains(.positionNotFound(junk)))
    }

    @Test("a saved offset that is not a line boundary skips to the next line instead of decoding half a line")
    func resumeInsideLine() throws {
        let dir = try Scratch()
        try dir.write("a.jsonl", "abc\ndef\n")
        let position = SourcePosition(source: "preds", key: try dir.key("a.jsonl"), path: dir.at("a.jsonl"), offset: 2)
        let source = try FileSource(config(.file(dir.at("a.jsonl")), follow: false), resumeFrom: [position])
        let chunks = try drain(source)
        #expect(text(chunks) == "def\n")
    }
}
