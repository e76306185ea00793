/// What `monitor report --verify` found about one audited table's hash chain (DESIGN §10).
///
/// Each audited table has its own chain: row *n*'s link is `SHA-256(link(n−1) ‖ content(n))`,
/// with 32 zero bytes before the first row. The chain head is the last link; an auditor who pins
/// it (and the row count) can later show that nothing before it changed.
///
/// Invariants: `rows` counts the table's rows as read; `links` counts the chain's entries;
/// `firstBreak` is nil when every row matches its link, in order, and every link has its row.
public struct AuditChainStatus: Hashable, Sendable {
    /// The audited table (`window_results`, `alert_transitions`, …).
    public var table: String
    /// Rows in the table.
    public var rows: Int
    /// Links in the chain (equal to `rows` when intact).
    public var links: Int
    /// The last link's SHA-256 hex, or nil for an empty chain.
    public var head: String?
    /// The key of the row the head links (its primary key as text: the `id`, or a config's
    /// `hash`), or nil for an empty chain.
    public var headKey: String?
    /// The first broken link, or nil when the chain verified (or was not verified).
    public var firstBreak: AuditBreak?
    /// Whether the chain was recomputed (`--verify`); heads alone are read without it.
    public var verified: Bool

    public init(table: String, rows: Int, links: Int, head: String?, headKey: String?, firstBreak: AuditBreak?, verified: Bool) {
        self.table = table
        self.rows = rows
        self.links = links
        self.head = head
        self.headKey = headKey
        self.firstBreak = firstBreak
        self.verified = verified
    }
}

/// The first place where a table and its hash chain disagree.
public struct AuditBreak: Hashable, Sendable, CustomStringConvertible {
    /// How the row and its link disagree.
    public enum Kind: String, Hashable, Sendable {
        /// The row's content no longer hashes to its link: it was updated.
        case modified
        /// A link names a row that is gone: it was deleted.
        case deleted
        /// A row has no link: it was inserted behind the store's back.
        case inserted
        /// A link does not continue the previous one: links were removed or reordered.
        case relinked
    }

    /// The audited table.
    public var table: String
    /// The primary key (as text) of the row concerned: the `id`, or a config's `hash`.
    public var key: String
    public var kind: Kind
    /// One sentence for people, naming the table and the row.
    public var detail: String

    public init(table: String, key: String, kind: Kind, detail: String) {
        self.table = table
        self.key = key
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(table) row \(key): \(detail)" }
}

/// A config version recorded by the service: the effective text (config, rules and alerts files)
/// and when a checkpoint first carried it.
public struct ConfigVersion: Hashable, Sendable {
    /// SHA-256 hex of `text`.
    public var hash: String
    public var text: String
    public var firstSeen: Timestamp

    public init(hash: String, text: String, firstSeen: Timestamp) {
        self.hash = hash
        self.text = text
        self.firstSeen = firstSeen
    }
}
