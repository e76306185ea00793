#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's identity: device and inode, as `stat(2)` reports them. While a descriptor is open
/// the kernel cannot reuse the inode, so an identity seen through an open descriptor is exact;
/// across restarts it is checked with a ``Fingerprint``.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// `file:<device>:<inode>`, the ``MonitorCore/SourcePosition/key`` of a file.
    var key: String { "file:\(device):\(inode)" }

    /// Parses a ``key``; nil when it is not one.
    init?(key: String) {
        let parts = key.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "file", let d = UInt64(parts[1]), let i = UInt64(parts[2]) else { return nil }
        device = d
        inode = i
    }

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// What `stat(2)`/`fstat(2)` said about a file.
struct FileStatus: Sendable, Equatable {
    var identity: FileIdentity
    var size: Int64
    var isRegular: Bool
    var isDirectory: Bool
    /// Modification time in nanoseconds (with the size, tells whether a file changed).
    var modified: Int64

    init(_ st: stat) {
        identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        size = Int64(st.st_size)
        isRegular = (st.st_mode & S_IFMT) == S_IFREG
        isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        #if canImport(Darwin)
        modified = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
    }

    /// `stat(2)` of a path (symbolic links followed, as `tail -F` does); nil with `errno` set
    /// when it fails.
    static func of(path: String) -> FileStatus? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStatus(st)
    }

    /// `fstat(2)` of a descriptor.
    static func of(descriptor fd: Int32) -> FileStatus? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return FileStatus(st)
    }
}

/// Low-level file helpers shared by the file source and the dead-letter writer.
enum FileSystem {
    /// The system's text for `errno`.
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Opens a file read-only; -1 with `errno` set on failure.
    static func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }

    /// Closes a descriptor (ignoring errors: a read-only descriptor has nothing to lose).
    static func closeDescriptor(_ fd: Int32) { _ = close(fd) }

    /// Reads up to `count` bytes at `offset`, retrying short reads until `count` bytes or EOF.
    /// - Returns: the bytes read (less than `count` only at end of file).
    /// - Throws: ``IngestError/unreadable(_:reason:)`` on an I/O error.
    static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64, path: String) throws -> Int {
        var done = 0
        while done < count {
            let r = pread(fd, buffer + done, count - done, off_t(offset + Int64(done)))
            if r < 0 {
                if errno == EINTR { continue }
                throw IngestError.unreadable(path, reason: errorText())
            }
            if r == 0 { break }
            done += r
        }
        return done
    }

    /// The paths matching a shell pattern (`glob(3)`: `*`, `?`, `[...]` in any component; a
    /// leading `.` is matched only explicitly), sorted bytewise. No match or an unreadable
    /// directory gives an empty list.
    static func expand(pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        let rc = glob(pattern, 0, nil, &g)
        guard rc == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted(by: bytewise)
    }

    /// The names of a directory's entries matching `pattern` (`fnmatch(3)` with `FNM_PERIOD`:
    /// hidden files are matched only by a pattern that starts with `.`), sorted bytewise; nil
    /// with `errno` set when the directory cannot be opened.
    static func listDirectory(_ directory: String, matching pattern: String?) -> [String]? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if let pattern, fnmatch(pattern, name, FNM_PERIOD) != 0 { continue }
            names.append(name)
        }
        return names.sorted(by: bytewise)
    }

    /// Byte order of the UTF-8 encodings (locale-independent, so the order is deterministic).
    static func bytewise(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// `path` without its last component (`.` for a bare name, `/` for a root entry).
    static func directory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of `path` (all of it when it has no `/`).
    static func lastComponent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    /// `directory` + `/` + `name`.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

/// A hash of a file's first bytes, stored with its position so that a restart can tell the same
/// file from a new one that got the same (reused) inode.
///
/// FNV-1a, 64 bits, over the first `min(64, size)` bytes. 64 bytes cover the start of the first
/// record (its id and timestamp), which differs between two log files; FNV-1a is enough because
/// this guards against accidents, not against an adversary.
struct Fingerprint: Hashable, Sendable {
    /// Bytes hashed (at most ``length``).
    var count: Int
    var hash: UInt64

    /// How many leading bytes identify a file.
    static let length = 64

    static let empty = Fingerprint(count: 0, hash: fnvOffsetBasis)
    static let fnvOffsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = fnvOffsetBasis
        for b in bytes {
            h ^= UInt64(b)
            h = h &* fnvPrime
        }
        return h
    }

    /// The fingerprint of a descriptor's first `min(limit, 64)` bytes.
    static func read(_ fd: Int32, limit: Int = Fingerprint.length, path: String) throws -> Fingerprint {
        let want = min(max(0, limit), length)
        return try withUnsafeTemporaryAllocation(byteCount: length, alignment: 1) { buf in
            let n = try FileSystem.readFully(fd, buf.baseAddress!, count: want, at: 0, path: path)
            return Fingerprint(count: n, hash: fnv1a(UnsafeRawBufferPointer(rebasing: buf[0..<n])))
        }
    }

    init(count: Int, hash: UInt64) {
        self.count = count
        self.hash = hash
    }

    /// `<16 hex digits>/<count>`.
    var text: String {
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + "/\(count)"
    }

    init?(text: Substring) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let h = UInt64(parts[0], radix: 16), let c = Int(parts[1]), c >= 0, c <= Self.length else {
            return nil
        }
        hash = h
        count = c
    }
}
