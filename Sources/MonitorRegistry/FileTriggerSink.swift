import Foundation
public import MonitorCore

#if canImport(Glibc)
    import Glibc
#endif

/// Appends each trigger as one JSON line to a file and fsyncs it: the sink of the quick start
/// and of setups whose pipeline tails a file. At least once: a redelivery after a crash may
/// append the same trigger again (same `trigger_id`).
public struct FileTriggerSink: ModelRegistryClient {
    public let name = "file"
    public let path: String
    public var maxAttempts: Int { 5 }

    public init(path: String) { self.path = path }

    public func deliver(_ trigger: RetrainTrigger, payload: String, now: Timestamp) async -> SinkOutcome {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .retryable("cannot open \(path): \(String(cString: strerror(errno)))", status: nil, retryAfter: nil) }
        defer { close(fd) }
        let line = Array((payload + "\n").utf8)
        var written = 0
        while written < line.count {
            let n = line[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .retryable("cannot write \(path): \(String(cString: strerror(errno)))", status: nil, retryAfter: nil)
            }
            written += n
        }
        guard fsync(fd) == 0 else { return .retryable("cannot fsync \(path): \(String(cString: strerror(errno)))", status: nil, retryAfter: nil) }
        return .delivered(status: nil)
    }
}
