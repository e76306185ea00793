#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Knobs of the JSONL decoder (``JSONLDecoder``, ``JSONLFile``).
public struct DecodeOptions: Sendable {
    /// Keep each record's `id` in `Batch.ids` (costs one `String` per record; off by default
    /// because drift comparison never needs ids, only the delayed-label join does).
    public var keepIDs: Bool = false
    /// Lines longer than this (in bytes, without the line break) are skipped and counted as
    /// `oversized`, without ever being buffered whole. 1 MiB is ~2000× a typical prediction
    /// record and bounds the reader's memory at `readSize + maxRecordBytes`.
    public var maxRecordBytes: Int = 1 << 20
    /// Worker threads for ``JSONLFile/decode(path:schema:features:dictionaries:options:progress:)``.
    /// Defaults to the number of online cores.
    public var threads: Int = DecodeOptions.onlineCores
    /// Whether a final line without a trailing `\n` is a record. `true` for a complete file;
    /// follow mode (a file still being written) sets it to `false` so that a half-written last
    /// line is left for the next read.
    public var finalLineComplete: Bool = true
    /// Bytes requested per `read(2)`. 8 MiB amortises the syscall and keeps the working set of a
    /// chunk's decoded rows in the last-level cache. Tests shrink it to a few bytes so that lines
    /// straddle chunk boundaries.
    package var readSize: Int = 256 << 10
    /// A file is split across threads only when each thread gets at least this many bytes;
    /// below that the thread start-up and the merge cost more than they save.
    package var minBytesPerThread: Int = 4 << 20
    /// Whether lines may be decoded through a learnt line template (``LineTemplate``). Tests
    /// turn it off to compare against the general parser.
    package var lineTemplates: Bool = true

    /// Default options.
    public init() {}

    /// Options with the given values.
    public init(keepIDs: Bool = false, maxRecordBytes: Int = 1 << 20, threads: Int = DecodeOptions.onlineCores, finalLineComplete: Bool = true) {
        self.keepIDs = keepIDs
        self.maxRecordBytes = maxRecordBytes
        self.threads = threads
        self.finalLineComplete = finalLineComplete
    }

    /// Number of online processors (at least 1).
    public static var onlineCores: Int {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }
}
