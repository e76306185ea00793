import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Crash points for the durability tests: `MONITOR_FAULT_INJECTION=after-commit:N` kills the
/// process with SIGKILL right after the Nth checkpoint that committed notifications (before any
/// is sent); `after-send:N` right after the Nth delivery attempt returned (before its result is
/// recorded). Unset in production: every hook is then a no-op.
final class FaultInjection: Sendable {
    enum Point: String, Sendable { case afterCommit = "after-commit", afterSend = "after-send" }

    let point: Point?
    let after: Int
    private let hits = Atomic<Int>(0)

    init(environment: [String: String]) {
        let parts = (environment["MONITOR_FAULT_INJECTION"] ?? "").split(separator: ":")
        if parts.count == 2, let p = Point(rawValue: String(parts[0])), let n = Int(parts[1]), n > 0 {
            point = p
            after = n
        } else {
            point = nil
            after = 0
        }
    }

    /// Counts a pass through `p`; kills the process at the configured one.
    func hit(_ p: Point) {
        guard p == point else { return }
        if hits.wrappingAdd(1, ordering: .relaxed).newValue == after {
            kill(getpid(), SIGKILL)
        }
    }
}
