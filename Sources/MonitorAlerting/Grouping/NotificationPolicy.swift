public import MonitorCore

/// What the last notification of a group to its receiver contained (Alertmanager's nflog
/// entry): the fingerprints of its firing and resolved alerts and when it was sent (event time).
public struct NotificationRecord: Codable, Sendable, Hashable {
    public var firing: [String]
    public var resolved: [String]
    public var at: Int64

    public init(firing: [String], resolved: [String], at: Int64) {
        self.firing = firing
        self.resolved = resolved
        self.at = at
    }
}

/// Why a group flush sends a notification, or why not. The raw value appears in logs and in the
/// notification log.
public enum NotifyReason: String, Sendable, Hashable, CaseIterable {
    case firstNotification = "first notification of the group"
    case newFiring = "new firing alerts"
    case allResolved = "all alerts resolved"
    case newlyResolved = "alerts resolved"
    case repeatInterval = "repeat interval elapsed"
    case unchanged = "unchanged since the last notification"
    case nothingFiring = "nothing firing that was notified"

    /// Whether the flush sends.
    public var sends: Bool {
        switch self {
        case .firstNotification, .newFiring, .allResolved, .newlyResolved, .repeatInterval: return true
        case .unchanged, .nothingFiring: return false
        }
    }
}

/// The dedup decision of a group flush, as a pure function (Alertmanager's
/// `DedupStage.needsUpdate`).
public enum NotificationPolicy {
    /// Decides whether a flush notifies.
    ///
    /// - Parameters:
    ///   - previous: The group's last notification to this receiver, nil if none.
    ///   - firing: Fingerprints of the firing alerts to notify now (muted ones removed).
    ///   - resolved: Fingerprints of the resolved ones.
    ///   - sendResolved: Whether the receiver wants resolutions.
    ///   - repeatInterval: Milliseconds after which an unchanged firing group is notified again.
    ///   - now: The flush time (event time, milliseconds).
    /// - Returns: The reason; ``NotifyReason/sends`` says whether to notify.
    public static func decide(previous: NotificationRecord?, firing: Set<String>, resolved: Set<String>, sendResolved: Bool,
                              repeatInterval: Int64, now: Int64) -> NotifyReason {
        // Never notified: only firing alerts start a conversation with the receiver.
        guard let previous else { return firing.isEmpty ? .nothingFiring : .firstNotification }
        if !firing.isSubset(of: Set(previous.firing)) { return .newFiring }
        if firing.isEmpty {
            // Everything resolved: sent whatever send_resolved says, so the log forgets the
            // firing set; alerts that fired and resolved between two flushes are not news.
            return previous.firing.isEmpty ? .nothingFiring : .allResolved
        }
        if sendResolved, !resolved.isSubset(of: Set(previous.resolved)) { return .newlyResolved }
        let (due, overflow) = previous.at.addingReportingOverflow(repeatInterval)
        return !overflow && due <= now ? .repeatInterval : .unchanged
    }
}
