#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written through a temporary name and renamed into place on `commit()`, so readers never
/// see a half-written file and a crash leaves the previous version intact.
package final class AtomicOutputFile {
    package let path: String
    private let tempPath: String
    private var handle: UnsafeMutablePointer<FILE>?

    /// Opens `path + ".tmp-<pid>"` for writing.
    /// - Throws: `ServiceError.io` naming the path and the system's reason.
    package init(path: String) throws(ServiceError) {
        self.path = path
        self.tempPath = path + ".tmp-\(getpid())"
        guard let h = fopen(tempPath, "wb") else {
            throw .io("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        handle = h
    }

    package func write(_ bytes: [UInt8]) throws(ServiceError) {
        guard let h = handle else { return }
        let n = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, h) }
        if n != bytes.count { throw .io("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    package func write(_ text: String) throws(ServiceError) { try write(Array(text.utf8)) }

    /// Flushes, fsyncs and renames the file into place.
    package func commit() throws(ServiceError) {
        guard let h = handle else { return }
        handle = nil
        if fflush(h) != 0 || fsync(fileno(h)) != 0 {
            fclose(h)
            throw .io("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        fclose(h)
        if rename(tempPath, path) != 0 { throw .io("cannot rename into \(path): \(String(cString: strerror(errno)))") }
    }

    deinit {
        if let h = handle {
            fclose(h)
            unlink(tempPath)
        }
    }
}

/// Creates a directory and its parents (like `mkdir -p`).
package func makeDirectories(_ path: String) throws(ServiceError) {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        current += "/" + part
        if mkdir(current, 0o755) != 0 && errno != EEXIST {
            throw .io("cannot create directory \(current): \(String(cString: strerror(errno)))")
        }
    }
}
