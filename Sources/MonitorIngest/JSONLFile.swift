#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization
public import MonitorCore

/// Decoding of whole JSON Lines files (DESIGN §3, §4, §13).
///
/// Files are read with `pread(2)` in chunks of `readSize` bytes (8 MiB); a partial last line is
/// carried over to the next chunk, so memory stays at about `readSize + maxRecordBytes` per
/// thread plus the decoded columns, whatever the file size. Nothing is memory-mapped.
public enum JSONLFile {
    /// Decodes a JSONL file into one batch.
    ///
    /// With `options.threads > 1` and a large enough file, the file is cut into one byte range
    /// per thread at line boundaries; each range is decoded with thread-local dictionaries and
    /// the batches are concatenated in file order, their categorical codes remapped into the
    /// caller's dictionaries in record order. The result (records, codes, dictionaries, report
    /// line numbers) is identical to a single-threaded decode.
    /// An empty file gives an empty batch (the caller decides whether that is an error).
    /// - Parameters:
    ///   - path: the file.
    ///   - schema: where the fields live.
    ///   - features: the features to extract.
    ///   - dictionaries: starting dictionaries by categorical feature name (the reference's
    ///     frozen dictionaries when decoding current data).
    ///   - options: decode options.
    ///   - progress: called with (bytes read so far, file size) after each chunk, possibly from
    ///     several threads.
    /// - Returns: the batch, the report, unknown feature names and the bytes consumed.
    /// - Throws: ``IngestError`` when the file is missing, a directory or unreadable.
    public static func decode(
        path: String, schema: EventSchema, features: [FeatureSpec], dictionaries: [String: CategoryDictionary],
        options: DecodeOptions, progress: (@Sendable (Int64, Int64) -> Void)?
    ) throws -> DecodedFile {
        let file = try OpenedFile(path: path)
        defer { file.close() }
        let counter = ProgressCounter(total: file.size, callback: progress)
        let threads = file.isRegular ? min(max(1, options.threads), Int(file.size / Int64(max(1, options.minBytesPerThread)))) : 1
        if threads <= 1 {
            var decoder = JSONLDecoder(schema: schema, features: features, dictionaries: dictionaries, options: options)
            let part = try decodeRange(file, 0, file.isRegular ? file.size : nil, &decoder, options: options, finalLineComplete: options.finalLineComplete, counter: counter)
            return DecodedFile(
                batch: part.batch, report: part.report, unknownFeatures: decoder.unknownFeatures,
                unknownFeatureCount: decoder.unknownFeatureCount, bytes: part.consumed)
        }
        let bounds = try splitPoints(file, parts: threads)
        let results = UnsafeMutableBufferPointer<Result<Part, any Error>?>.allocate(capacity: threads)
        results.initialize(repeating: nil)
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        // Thread-local dictionaries: the caller's, without a new-category budget; the budget is
        // applied at the merge, in record order, exactly as a sequential decode applies it.
        var local = dictionaries
        for k in local.keys { local[k]!.maxNewCategories = .max }
        let localDictionaries = local
        let shared = UnsafeSendable(results)
        DispatchQueue.concurrentPerform(iterations: threads) { i in
            let r = Result<Part, any Error> {
                var decoder = JSONLDecoder(schema: schema, features: features, dictionaries: localDictionaries, options: options)
                var part = try decodeRange(
                    file, bounds[i], bounds[i + 1], &decoder, options: options,
                    finalLineComplete: i == threads - 1 ? options.finalLineComplete : true, counter: counter,
                    reserveForBytes: i == 0 ? file.size : nil)
                part.unknown = decoder.allUnknownFeatures
                return part
            }
            shared.value[i] = r
        }
        var parts: [Part] = []
        for i in 0..<threads {
            // Move out of the result slot so the batch has one owner (mutations copy otherwise).
            let result = results[i]!
            results[i] = nil
            parts.append(try result.get())
        }
        return merge(&parts, dictionaries: dictionaries)
    }

    // MARK: - Ranges

    struct Part {
        var batch: Batch
        var report: DecodeReport
        var consumed: Int64
        var unknown: [String] = []
    }

    /// Decodes the lines of `[start, end)` (to EOF when `end` is nil), numbering lines from 1.
    static func decodeRange(
        _ file: OpenedFile, _ start: Int64, _ end: Int64?, _ decoder: inout JSONLDecoder, options: DecodeOptions,
        finalLineComplete: Bool, counter: ProgressCounter, reserveForBytes: Int64? = nil
    ) throws -> Part {
        var batch = Batch()
        var report = DecodeReport()
        var line = 1
        var estimated = false
        // The first range of a parallel decode reserves for the whole file: the merge then
        // appends the other ranges in place instead of copying the first one.
        let rangeBytes = reserveForBytes ?? (end.map { $0 - start } ?? file.size - start)
        // Give the batch its layout even when the range is empty.
        decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0), firstLineNumber: 1, into: &batch, report: &report)
        let consumed = try readLines(
            file, start: start, end: end, readSize: options.readSize, maxRecordBytes: options.maxRecordBytes,
            finalLineComplete: finalLineComplete, counter: counter
        ) { event in
            switch event {
            case .lines(let bytes):
                let before = report.linesRead
                decoder.decode(bytes, firstLineNumber: line, into: &batch, report: &report)
                line += report.linesRead - before
                if !estimated && batch.count > 0 && rangeBytes > 2 * Int64(bytes.count) {
                    // Records per byte of the first chunk, plus 5 % for longer lines later on.
                    estimated = true
                    let expected = Double(batch.count) / Double(bytes.count) * Double(rangeBytes) * 1.05
                    decoder.reserve(Int(expected) - batch.count, in: &batch)
                }
            case .oversized:
                report.linesRead += 1
                report.record(.oversized, line: line)
                line += 1
            }
            return true
        }
        return Part(batch: batch, report: report, consumed: consumed - start)
    }

    enum ChunkEvent {
        /// Complete lines (the last one may lack its `\n` at the end of the file).
        case lines(UnsafeRawBufferPointer)
        /// A line longer than `maxRecordBytes`, skipped without buffering it.
        case oversized
    }

    /// How far ahead of the parser the reader asks the kernel to read (`POSIX_FADV_WILLNEED`):
    /// 16 MiB is ~10 ms of disk at the cold-read speed measured here, comfortably more than the
    /// parse time of one 256 KiB chunk.
    static let readAheadBytes = 16 << 20

    /// Reads `[start, end)` in chunks and hands out complete lines.
    /// - Returns: the offset just past the last byte handed out (or skipped).
    static func readLines(
        _ file: OpenedFile, start: Int64, end: Int64?, readSize: Int, maxRecordBytes: Int, finalLineComplete: Bool,
        counter: ProgressCounter?, _ body: (ChunkEvent) -> Bool
    ) throws -> Int64 {
        let readSize = max(1, readSize)
        let capacity = readSize + maxRecordBytes + 1
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buf.deallocate() }
        var carry = 0
        var skipping = false
        var pos = start
        // Ask the kernel to fetch ahead of the parser, so a file that is not in the page cache is
        // read while earlier chunks are parsed (cold reads ran at 1.6 GB/s here, and parsing
        // otherwise waited on each one). Advice only: errors are ignored.
        var advisedUntil = start
        while true {
            let want = end.map { Int(min(Int64(readSize), $0 - pos)) } ?? readSize
            if want <= 0 { break }
            if file.isRegular && pos + Int64(readAheadBytes / 2) >= advisedUntil {
                let limit = end ?? Int64.max
                let next = min(advisedUntil + Int64(readAheadBytes), limit)
                if next > advisedUntil {
                    _ = posix_fadvise(file.fd, off_t(advisedUntil), off_t(next - advisedUntil), POSIX_FADV_WILLNEED)
                    advisedUntil = next
                }
            }
            // Pipes and character devices cannot seek: plain read(2) from where they are.
            let r = file.isRegular ? pread(file.fd, buf + carry, want, off_t(pos)) : read(file.fd, buf + carry, want)
            if r < 0 {
                if errno == EINTR { continue }
                throw IngestError.unreadable(file.path, reason: String(cString: strerror(errno)))
            }
            if r == 0 { break }
            pos += Int64(r)
            counter?.add(Int64(r))
            let total = carry + r
            var s = 0
            if skipping {
                guard let nl = memchr(buf + carry, 0x0A, r) else {
                    carry = 0
                    continue
                }
                s = UnsafeMutableRawPointer(buf).distance(to: nl) + 1
                skipping = false
            }
            var last = total - 1
            while last >= s && buf[last] != 0x0A { last -= 1 }
            if last >= s {
                if !body(.lines(UnsafeRawBufferPointer(start: buf + s, count: last + 1 - s))) { return pos - Int64(total - last - 1) }
                s = last + 1
            }
            carry = total - s
            if carry > 0 && s > 0 { memmove(buf, buf + s, carry) }
            if carry > maxRecordBytes {
                _ = body(.oversized)
                skipping = true
                carry = 0
            }
        }
        if carry > 0 {
            if !finalLineComplete { return pos - Int64(carry) }
            _ = body(.lines(UnsafeRawBufferPointer(start: buf, count: carry)))
        }
        return pos
    }

    /// Offsets that cut a regular file into `parts` ranges, each starting at a line start.
    static func splitPoints(_ file: OpenedFile, parts: Int) throws -> [Int64] {
        var bounds: [Int64] = [0]
        let probe = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        defer { probe.deallocate() }
        for i in 1..<parts {
            var off = max(bounds[i - 1], file.size * Int64(i) / Int64(parts) - 1)
            var cut = file.size
            search: while off < file.size {
                let r = pread(file.fd, probe, 1 << 16, off_t(off))
                if r < 0 {
                    if errno == EINTR { continue }
                    throw IngestError.unreadable(file.path, reason: String(cString: strerror(errno)))
                }
                if r == 0 { break }
                if let nl = memchr(probe, 0x0A, r) {
                    cut = off + Int64(UnsafeMutableRawPointer(probe).distance(to: nl)) + 1
                    break search
                }
                off += Int64(r)
            }
            bounds.append(max(bounds[i - 1], cut))
        }
        bounds.append(file.size)
        return bounds
    }

    // MARK: - Merge

    /// Concatenates range results in order, remapping categorical codes into `dictionaries`.
    /// Consumes `parts` (each batch is released once appended, so no column is copied on write).
    static func merge(_ parts: inout [Part], dictionaries: [String: CategoryDictionary]) -> DecodedFile {
        var out = parts[0].batch
        parts[0].batch = Batch()
        let base = out.categoricalNames.map { dictionaries[$0] ?? CategoryDictionary() }
        var merged = base
        var labels = CategoryDictionary()
        var models = CategoryDictionary()
        var versions = CategoryDictionary()
        var report = DecodeReport()
        var linesBefore = 0
        var unknownSeen = Set<String>()
        var unknown: [String] = []
        var bytes: Int64 = 0
        func remapAll(_ b: inout Batch) {
            for j in b.categorical.indices {
                remap(&b.categorical[j], from: b.categoricalDictionaries[j], baseCount: base[j].count, into: &merged[j])
            }
            remap(&b.predictedLabels, from: b.labelDictionary, baseCount: 0, into: &labels)
            remap(&b.models, from: b.modelDictionary, baseCount: 0, into: &models)
            remap(&b.versions, from: b.versionDictionary, baseCount: 0, into: &versions)
        }
        for i in parts.indices {
            if i == 0 {
                remapAll(&out)
            } else {
                var b = parts[i].batch
                parts[i].batch = Batch()  // release as we go
                remapAll(&b)
                // Each column is released as soon as it is appended: the peak stays near one
                // copy of the data plus one column.
                func move<T>(_ from: inout [T], to: inout [T]) {
                    to += from
                    from = []
                }
                for j in out.numerical.indices { move(&b.numerical[j], to: &out.numerical[j]) }
                for j in out.categorical.indices { move(&b.categorical[j], to: &out.categorical[j]) }
                move(&b.timestamps, to: &out.timestamps)
                move(&b.scores, to: &out.scores)
                move(&b.values, to: &out.values)
                move(&b.predictedLabels, to: &out.predictedLabels)
                move(&b.models, to: &out.models)
                move(&b.versions, to: &out.versions)
                if let ids = b.ids { out.ids = (out.ids ?? []) + ids }
                out.count += b.count
            }
            var r = parts[i].report
            for (reason, lines) in r.sampleLines { r.sampleLines[reason] = lines.map { $0 + linesBefore } }
            linesBefore += r.linesRead
            report.merge(r)
            for name in parts[i].unknown where unknownSeen.count < JSONLDecoder.unknownFeatureCountLimit {
                if unknownSeen.insert(name).inserted { unknown.append(name) }
            }
            bytes += parts[i].consumed
        }
        out.categoricalDictionaries = merged
        out.labelDictionary = labels
        out.modelDictionary = models
        out.versionDictionary = versions
        return DecodedFile(
            batch: out, report: report, unknownFeatures: Array(unknown.prefix(JSONLDecoder.unknownFeatureSampleLimit)),
            unknownFeatureCount: unknown.count, bytes: bytes)
    }

    /// Rewrites codes ≥ `baseCount` of `local` into `target`'s codes (adding names in code
    /// order, which is first-seen order, so `target`'s budget is applied as a sequential decode
    /// would apply it).
    static func remap(_ codes: inout [UInt32], from local: CategoryDictionary, baseCount: Int, into target: inout CategoryDictionary) {
        guard local.count > baseCount else { return }
        var table = [UInt32](repeating: 0, count: local.count - baseCount)
        for c in baseCount..<local.count { table[c - baseCount] = target.code(for: local.names[c]) }
        let limit = UInt32(local.count)
        let b = UInt32(baseCount)
        codes.withUnsafeMutableBufferPointer { p in
            for i in p.indices where p[i] >= b && p[i] < limit { p[i] = table[Int(p[i] - b)] }
        }
    }
}

/// An open file descriptor with what `stat` said about it.
struct OpenedFile: Sendable {
    let path: String
    let fd: Int32
    let size: Int64
    let isRegular: Bool

    init(path: String) throws {
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw IngestError.fileNotFound(path) }
            throw IngestError.unreadable(path, reason: String(cString: strerror(e)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw IngestError.isDirectory(path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IngestError.unreadable(path, reason: String(cString: strerror(errno))) }
        self.path = path
        self.fd = fd
        size = Int64(st.st_size)
        isRegular = (st.st_mode & S_IFMT) == S_IFREG
    }

    func close() { _ = closeDescriptor(fd) }
}

/// `close(2)`, named apart from `OpenedFile.close()`.
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }

/// Sums bytes read across threads and reports them.
final class ProgressCounter: Sendable {
    let done = Atomic<Int64>(0)
    let total: Int64
    let callback: (@Sendable (Int64, Int64) -> Void)?

    init(total: Int64, callback: (@Sendable (Int64, Int64) -> Void)?) {
        self.total = total
        self.callback = callback
    }

    func add(_ n: Int64) {
        let now = done.add(n, ordering: .relaxed).newValue
        callback?(now, total)
    }
}

/// Hands a buffer whose elements are written by distinct threads to `concurrentPerform`.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension JSONLFile {
    /// Asks the kernel to start reading `path` into the page cache (`POSIX_FADV_WILLNEED` over the
    /// whole file) and returns without waiting. Call it for a file you will decode after another
    /// one: its cold read then overlaps the first file's parsing. Advice only: errors are ignored.
    public static func prefetch(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED)
        close(fd)
    }
}
