import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MonitorCore
import MonitorIngest
import Synchronization

/// A fresh directory per test, removed when the value goes away. File operations go through
/// POSIX calls so that each test controls exactly which inode a path names.
final class Scratch {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("monitor-files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func at(_ name: String) -> String { path + "/" + name }

    /// Creates or replaces `name`'s content in place (same inode when it exists).
    func write(_ name: String, _ text: String) throws { try put(name, Array(text.utf8), flags: O_WRONLY | O_CREAT | O_TRUNC) }
    func write(_ name: String, bytes: [UInt8]) throws { try put(name, bytes, flags: O_WRONLY | O_CREAT | O_TRUNC) }
    /// Appends to `name` (creating it).
    func append(_ name: String, _ text: String) throws { try put(name, Array(text.utf8), flags: O_WRONLY | O_CREAT | O_APPEND) }
    func append(_ name: String, bytes: [UInt8]) throws { try put(name, bytes, flags: O_WRONLY | O_CREAT | O_APPEND) }

    /// `mv from to` (the inode moves with the name).
    func move(_ from: String, _ to: String) throws {
        guard posixRename(at(from), at(to)) == 0 else { throw POSIXFailure(call: "rename", errno: errno) }
    }

    func remove(_ name: String) throws {
        guard unlink(at(name)) == 0 else { throw POSIXFailure(call: "unlink", errno: errno) }
    }

    /// `truncate -s size name` (same inode).
    func shrink(_ name: String, to size: Int = 0) throws {
        guard posixTruncate(at(name), size) == 0 else { throw POSIXFailure(call: "truncate", errno: errno) }
    }

    /// `cp name copy` (a new inode), as `copytruncate` does before truncating.
    func copy(_ name: String, to copy: String) throws { try write(copy, bytes: try read(name)) }

    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: at(name)))) }

    func mkdir(_ name: String) throws { try FileManager.default.createDirectory(atPath: at(name), withIntermediateDirectories: true) }

    /// `file:<device>:<inode>` of a path.
    func key(_ name: String) throws -> String {
        var st = stat()
        guard stat(at(name), &st) == 0 else { throw POSIXFailure(call: "stat", errno: errno) }
        return "file:\(UInt64(st.st_dev)):\(UInt64(st.st_ino))"
    }

    private func put(_ name: String, _ bytes: [UInt8], flags: Int32) throws {
        let fd = open(at(name), flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(call: "open", errno: errno) }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let r = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + done, bytes.count - done) }
            guard r > 0 else { throw POSIXFailure(call: "write", errno: errno) }
            done += r
        }
    }
}

private func posixRename(_ a: String, _ b: String) -> Int32 { rename(a, b) }
private func posixTruncate(_ path: String, _ size: Int) -> Int32 { truncate(path, off_t(size)) }
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

struct POSIXFailure: Error, CustomStringConvertible {
    let call: String
    let errno: Int32
    var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Monotonic time that moves only when a test says so.
final class ManualTime: Sendable {
    private let value = Mutex<Duration>(.zero)
    var now: Duration { value.withLock { $0 } }
    func advance(by d: Duration) { value.withLock { $0 += d } }
}

/// Polls until nil; returns the chunks.
func drain(_ source: FileSource, limit: Int = 100_000) throws -> [FileChunk] {
    var out: [FileChunk] = []
    while let c = try source.poll() {
        out.append(c)
        if out.count > limit { break }
    }
    return out
}

/// The text of the chunks' lines, concatenated.
func text(_ chunks: [FileChunk]) -> String { String(decoding: chunks.flatMap(\.bytes), as: UTF8.self) }

/// A configuration for tests (small chunks by default, so that chunking is exercised).
func config(
    _ target: FileSource.Target, follow: Bool, startAt: FileSource.StartPosition = .beginning, maxChunkBytes: Int = 1 << 16,
    maxLineBytes: Int = 1 << 20, grace: Duration = .zero
) -> FileSource.Configuration {
    FileSource.Configuration(
        name: "preds", target: target, follow: follow, startAt: startAt, maxChunkBytes: maxChunkBytes, maxLineBytes: maxLineBytes,
        rotationGrace: grace)
}
