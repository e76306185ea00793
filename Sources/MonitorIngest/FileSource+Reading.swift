#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSource {
    /// The next chunk of `f` from its offset: whole lines up to `chunkBytes`, one long line, or a
    /// skipped oversized line; with `final`, an unterminated line at the end of the file too.
    /// Reads are stateless apart from the offset (and a skip in progress): an unterminated tail
    /// is read again on the next call, so there is no carry-over buffer to lose or to checkpoint.
    func read(_ f: TrackedFile, final: Bool) throws -> FileChunk? {
        if f.skip != nil { return try continueSkip(f, final: final) }
        let n = try FileSystem.readFully(f.fd, scratch, count: chunkBytes, at: f.offset, path: f.path)
        if n == 0 { return nil }
        let buffer = UnsafeRawBufferPointer(start: scratch, count: n)
        if final && n < chunkBytes {
            // The end of the file is in this read: hand out everything, a final unterminated line
            // included (n ≤ lineLimit, since chunkBytes ≤ lineLimit + 1).
            return try emitLines(f, buffer, terminated: buffer[n - 1] == 0x0A)
        }
        if let last = Self.lastNewline(buffer) {
            return try emitLines(f, UnsafeRawBufferPointer(rebasing: buffer[0...last]), terminated: true)
        }
        if n < chunkBytes { return nil }  // an unterminated line at the end of the file: wait for its `\n`
        return try readLongLine(f, have: n, final: final)
    }

    /// A line of at least `chunkBytes` bytes starts at `f.offset` (its first `have` bytes are in
    /// `scratch`): emitted alone when its `\n` comes within `lineLimit` bytes, else skipped.
    private func readLongLine(_ f: TrackedFile, have: Int, final: Bool) throws -> FileChunk? {
        let capacity = lineLimit + 1
        var total = have
        var newline: Int? = nil
        let line = try [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
            let base = UnsafeMutableRawPointer(buf.baseAddress!)
            base.copyMemory(from: scratch, byteCount: have)
            if have < capacity {
                total += try FileSystem.readFully(f.fd, base + have, count: capacity - have, at: f.offset + Int64(have), path: f.path)
                if let p = memchr(base + have, 0x0A, total - have) { newline = base.distance(to: p) }
            }
            count = total
        }
        if let i = newline {
            return try line.withUnsafeBytes { try emitLines(f, UnsafeRawBufferPointer(rebasing: $0[0...i]), terminated: true) }
        }
        if total < capacity {
            // End of file inside a long line within the limit.
            return final ? try line.withUnsafeBytes { try emitLines(f, $0, terminated: false) } : nil
        }
        f.skip = TrackedFile.Skip(
            lineStart: f.offset, scanned: f.offset + Int64(total), prefix: Array(line.prefix(FileChunk.oversizedPrefixBytes)))
        return try continueSkip(f, final: final)
    }

    /// Searches on for the `\n` ending an oversized line; emits the line as skipped once found
    /// (or at the end of the file when `final`).
    private func continueSkip(_ f: TrackedFile, final: Bool) throws -> FileChunk? {
        guard var skip = f.skip else { return nil }
        while true {
            let n = try FileSystem.readFully(f.fd, scratch, count: chunkBytes, at: skip.scanned, path: f.path)
            if n == 0 { break }
            let found = memchr(scratch, 0x0A, n)
            let usable = found.map { scratch.distance(to: $0) } ?? n
            if skip.prefix.count < FileChunk.oversizedPrefixBytes && Int64(skip.prefix.count) == skip.scanned - skip.lineStart {
                let take = min(usable, FileChunk.oversizedPrefixBytes - skip.prefix.count)
                skip.prefix.append(contentsOf: UnsafeRawBufferPointer(start: scratch, count: take))
            }
            if let p = found {
                let end = skip.scanned + Int64(scratch.distance(to: p)) + 1
                if skip.fragment {
                    f.skip = nil
                    f.offset = end
                    f.endsLine = true
                    f.size = max(f.size, end)
                    return try read(f, final: final)
                }
                return emitOversized(f, skip, end: end, terminated: true)
            }
            skip.scanned += Int64(n)
            if n < chunkBytes { break }
        }
        f.skip = skip
        guard final else { return nil }
        f.skip = nil
        if skip.fragment {
            f.offset = skip.scanned
            return nil
        }
        if skip.scanned > skip.lineStart { return emitOversized(f, skip, end: skip.scanned, terminated: false) }
        return nil
    }

    /// Hands out `bytes` (whole lines starting at `f.offset`) and advances the file.
    private func emitLines(_ f: TrackedFile, _ bytes: UnsafeRawBufferPointer, terminated: Bool) throws -> FileChunk {
        let start = f.offset
        let lines = Self.countNewlines(bytes) + (terminated ? 0 : 1)
        let first = f.nextLine
        f.offset += Int64(bytes.count)
        f.endsLine = terminated
        f.nextLine += lines
        f.size = max(f.size, f.offset)
        if f.fingerprint.count < Fingerprint.length && f.size > Int64(f.fingerprint.count) {
            f.fingerprint = try Fingerprint.read(f.fd, path: f.path)
        }
        // Growth keeps a rotated file open; a final unterminated line handed out as it is being
        // closed does not.
        if f.detached != nil && terminated { f.lastActivity = now() }
        statistics.bytesRead += Int64(bytes.count)
        statistics.linesRead += lines
        return FileChunk(
            source: configuration.name, path: f.path, key: f.key, range: start..<f.offset, firstLineNumber: first, lineCount: lines,
            content: .lines(Array(bytes)), positions: positions)
    }

    /// Hands out a skipped oversized line `[skip.lineStart, end)` and advances the file past it.
    private func emitOversized(_ f: TrackedFile, _ skip: TrackedFile.Skip, end: Int64, terminated: Bool) -> FileChunk {
        let length = end - skip.lineStart - (terminated ? 1 : 0)
        let line = f.nextLine
        f.skip = nil
        f.offset = end
        f.endsLine = terminated
        f.nextLine += 1
        f.size = max(f.size, end)
        if f.detached != nil && terminated { f.lastActivity = now() }
        statistics.oversizedLines += 1
        statistics.bytesRead += end - skip.lineStart
        statistics.linesRead += 1
        note(.oversizedLine(path: f.path, line: line, length: length))
        return FileChunk(
            source: configuration.name, path: f.path, key: f.key, range: skip.lineStart..<end, firstLineNumber: line, lineCount: 1,
            content: .oversizedLine(prefix: skip.prefix, length: length), positions: positions)
    }

    /// Index of the last `\n`, searching backwards (lines are short, so this stops early).
    static func lastNewline(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var i = bytes.count - 1
        while i >= 0 {
            if bytes[i] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    /// Number of `\n` bytes.
    static func countNewlines(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard var p = bytes.baseAddress else { return 0 }
        var left = bytes.count
        var n = 0
        while left > 0, let q = memchr(p, 0x0A, left) {
            n += 1
            let step = p.distance(to: UnsafeRawPointer(q)) + 1
            p += step
            left -= step
        }
        return n
    }
}
