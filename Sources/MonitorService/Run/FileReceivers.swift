import Foundation
import MonitorCore

#if canImport(Glibc)
    import Glibc
#endif

/// The `file` receivers of the alert routing file: each notification (an alert starting to fire
/// or resolving) is appended as one JSON line and fsync-ed before it counts as delivered.
///
/// This is the seam the notification feature replaces with the routing tree and the outbox:
/// rules produce transitions, the store keeps them, and this component only delivers.
final class FileReceivers {
    /// The route's receiver name and its files (absolute paths).
    let receiver: String?
    let files: [String]

    init(loaded: LoadedConfig) {
        guard let alerts = loaded.alertsFiles.first, let name = alerts.routeReceiver,
              let r = alerts.receivers.first(where: { $0.name == name }) else {
            receiver = nil
            files = []
            return
        }
        receiver = name
        let base = ConfigLoader.directory(of: alerts.path)
        files = r.files.map { ConfigLoader.resolve($0.value, against: base) }
    }

    /// Writes the notifiable transitions (to firing, to resolved); returns how many lines per
    /// file were written. Pending and dropped-pending transitions are stored but not notified,
    /// as in Prometheus/Alertmanager.
    func deliver(_ transitions: [StoredTransition]) throws -> Int {
        let notifiable = transitions.filter { $0.transition.to == .firing || $0.transition.to == .resolved }
        guard let receiver, !files.isEmpty, !notifiable.isEmpty else { return 0 }
        var text = ""
        for t in notifiable { text += AlertJSON.notification(t.transition, receiver: receiver, id: t.id) + "\n" }
        for path in files {
            let dir = ConfigLoader.directory(of: path)
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ServiceError.io("\(path): \(String(cString: strerror(errno)))") }
            defer { Glibc.close(fd) }
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ServiceError.io("\(path): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
            bytes.removeAll()
            if fsync(fd) != 0 { throw ServiceError.io("\(path): fsync: \(String(cString: strerror(errno)))") }
        }
        return notifiable.count
    }
}
