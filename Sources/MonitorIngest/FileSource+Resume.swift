#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MonitorCore

/// What a file position keeps in ``MonitorCore/SourcePosition/meta``:
/// `fnv1a=<16 hex>/<bytes hashed>;size=<file size seen>;line=<next line number>`.
/// Unknown fields are ignored and missing ones are not checked, so the format can grow.
struct PositionMeta: Equatable {
    var fingerprint: Fingerprint?
    var size: Int64?
    var line: Int?

    init(fingerprint: Fingerprint?, size: Int64?, line: Int?) {
        self.fingerprint = fingerprint
        self.size = size
        self.line = line
    }

    init(_ text: String) {
        for field in text.split(separator: ";") {
            guard let eq = field.firstIndex(of: "=") else { continue }
            let value = field[field.index(after: eq)...]
            switch field[..<eq] {
            case "fnv1a": fingerprint = Fingerprint(text: value)
            case "size": size = Int64(value)
            case "line": line = Int(value).flatMap { $0 >= 1 ? $0 : nil }
            default: continue
            }
        }
    }

    var text: String {
        var parts: [String] = []
        if let fingerprint { parts.append("fnv1a=" + fingerprint.text) }
        if let size { parts.append("size=\(size)") }
        if let line { parts.append("line=\(line)") }
        return parts.joined(separator: ";")
    }
}

extension FileSource {
    /// Finds the checkpointed files and tracks them at their saved offsets (see the type's
    /// "Resume" rules).
    func resume(_ saved: [SourcePosition], matched: [(String, FileStatus)]) throws {
        var matchedPaths: [FileIdentity: String] = [:]
        for (path, status) in matched where matchedPaths[status.identity] == nil { matchedPaths[status.identity] = path }
        for position in saved {
            guard let identity = FileIdentity(key: position.key) else {
                unresolved(position)
                continue
            }
            if byIdentity[identity] != nil { continue }  // listed twice: the first one wins
            guard let (path, sibling) = locate(identity, savedPath: position.path, matched: matchedPaths) else {
                unresolved(position)
                continue
            }
            let fd = FileSystem.openForReading(path)
            guard fd >= 0 else {
                reportUnreadable(path, reason: FileSystem.errorText())
                unresolved(position)
                continue
            }
            guard let status = FileStatus.of(descriptor: fd), status.identity == identity else {
                FileSystem.closeDescriptor(fd)
                unresolved(position)
                continue
            }
            let meta = PositionMeta(position.meta)
            let f = TrackedFile(identity: identity, path: path, fd: fd)
            f.size = status.size
            f.modified = status.modified
            do {
                if let saved = meta.fingerprint, try Fingerprint.read(fd, limit: saved.count, path: path) != saved {
                    statistics.identityMismatches += 1
                    note(.identityMismatch(position, path: path))
                    guard sibling else {
                        // A path the source reads: picked up below as a new file, from 0. Anywhere
                        // else the inode now belongs to an unrelated file.
                        FileSystem.closeDescriptor(fd)
                        continue
                    }
                    // Named like a rotation of the saved path: the file was truncated and
                    // rewritten, then rotated, while the service was down. Its content is new.
                    f.fingerprint = try Fingerprint.read(fd, path: path)
                } else {
                    f.fingerprint = try Fingerprint.read(fd, path: path)
                    try place(f, at: position, meta: meta, size: status.size)
                }
            } catch {
                FileSystem.closeDescriptor(fd)
                throw error
            }
            if matchedPaths[identity] == nil {
                // Rotated away while the service was down: read it to its end before the file now
                // at its old path.
                rotationCount += 1
                f.detached = rotationCount
                f.order = position.path
                f.lastActivity = now()
                statistics.rotations += 1
            }
            add(f)
            note(.resumed(path: path, key: f.key, offset: f.offset))
        }
    }

    /// Sets a resumed file's offset and line number from its position.
    private func place(_ f: TrackedFile, at position: SourcePosition, meta: PositionMeta, size: Int64) throws {
        let offset = max(0, position.offset)
        if size < offset {
            statistics.truncations += 1
            note(.truncated(path: f.path, key: f.key, offset: offset, size: size))
            return
        }
        f.offset = offset
        f.nextLine = meta.line ?? 1
        if offset > 0 {
            var b: UInt8 = 0
            let n = try FileSystem.readFully(f.fd, &b, count: 1, at: offset - 1, path: f.path)
            if n == 1 && b != 0x0A {
                // Not a line boundary (a final unterminated line, or a start inside an oversized
                // line): skip to the next `\n` rather than decode half a line.
                f.endsLine = false
                f.skip = TrackedFile.Skip(lineStart: offset, scanned: offset, prefix: [], fragment: true)
            }
        }
    }

    /// Where the file `identity` is now: at a path the source reads, at its saved path, or in
    /// its saved path's directory (rotated away); `sibling` tells whether it was found under a
    /// name that starts with the saved path's name (`app.jsonl.1`, `app.jsonl-20261122`).
    private func locate(_ identity: FileIdentity, savedPath: String, matched: [FileIdentity: String]) -> (path: String, sibling: Bool)? {
        if let path = matched[identity] { return (path, false) }
        if let status = FileStatus.of(path: savedPath), status.isRegular, status.identity == identity { return (savedPath, true) }
        let directory = FileSystem.directory(of: savedPath)
        let base = FileSystem.lastComponent(of: savedPath)
        for name in FileSystem.listDirectory(directory, matching: nil) ?? [] {
            let path = FileSystem.join(directory, name)
            if let status = FileStatus.of(path: path), status.isRegular, status.identity == identity { return (path, name.hasPrefix(base)) }
        }
        return nil
    }

    private func unresolved(_ position: SourcePosition) {
        statistics.unresolvedPositions += 1
        note(.positionNotFound(position))
    }
}
