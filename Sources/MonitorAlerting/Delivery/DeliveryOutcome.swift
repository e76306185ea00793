import Foundation
public import MonitorCore

/// How one delivery attempt ended — transport outcomes are data (cf. Alertmanager's
/// `Retrier.Check`): the dispatcher owns what happens next.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Accepted (2xx, or the file written and fsync-ed).
    case delivered(status: Int?)
    /// Worth another attempt: 5xx, 429, 408, a timeout, a connection failure.
    case retryable(String, status: Int?, retryAfter: Duration?)
    /// Will not succeed as it is: other statuses (4xx, 3xx — redirects are not followed), a
    /// refused destination, an unrenderable payload.
    case permanent(String, status: Int?)

    /// The status class of an HTTP response, in one place.
    public static func classify(status: Int, retryAfter: Duration?) -> DeliveryOutcome {
        switch status {
        case 200..<300: return .delivered(status: status)
        case 429, 408, 500..<600: return .retryable("HTTP \(status)", status: status, retryAfter: retryAfter)
        case 300..<400: return .permanent("HTTP \(status) (redirects are not followed)", status: status)
        default: return .permanent("HTTP \(status)", status: status)
        }
    }

    public var statusCode: Int? {
        switch self {
        case .delivered(let s), .retryable(_, let s, _), .permanent(_, let s): return s
        }
    }
}

/// Delivers one outbox notification to one integration (a webhook or a file).
public protocol NotificationSender: Sendable {
    /// One attempt. Never throws: every failure is an outcome.
    ///
    /// - Parameters:
    ///   - notification: The row to deliver.
    ///   - now: Wall-clock time of the attempt (the `webhook-timestamp`).
    func send(_ notification: OutboxNotification, now: Timestamp) async -> DeliveryOutcome
    /// Attempts before the notification is dead.
    var maxAttempts: Int { get }
}

/// Parses `Retry-After`: delay-seconds or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`)
/// relative to `now`.
public enum RetryAfter {
    public static func parse(_ value: String, now: Timestamp) -> Duration? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(v), seconds >= 0 { return .seconds(seconds) }
        // IMF-fixdate.
        let parts = v.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int64(parts[1]), let year = Int64(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let m = months.firstIndex(of: String(parts[2])) else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int64($0) }
        guard hms.count == 3 else { return nil }
        let days = Timestamp.daysFromCivil(year: year, month: Int64(m + 1), day: day)
        let ms = (days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]) * 1000
        return .milliseconds(max(0, ms - now.milliseconds))
    }
}
