import Foundation
public import MonitorCore

#if canImport(Glibc)
    import Glibc
#endif

/// The `file` receiver: appends each notification's generic JSON as one line and `fsync`s
/// before reporting it delivered.
public struct FileSender: NotificationSender {
    public let path: String
    public var maxAttempts: Int { 10 }

    public init(path: String) { self.path = path }

    public func send(_ notification: OutboxNotification, now: Timestamp) async -> DeliveryOutcome {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .retryable("\(path): \(String(cString: strerror(errno)))", status: nil, retryAfter: nil) }
        defer { close(fd) }
        let bytes = Array((notification.payload + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return .retryable("\(path): \(String(cString: strerror(errno)))", status: nil, retryAfter: nil)
            }
            offset += n
        }
        if fsync(fd) != 0 { return .retryable("\(path): fsync: \(String(cString: strerror(errno)))", status: nil, retryAfter: nil) }
        return .delivered(status: nil)
    }
}
