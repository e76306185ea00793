import Foundation
public import MonitorCore
import MonitorStore

/// `monitor triggers list`: the retraining triggers in a store and where each stands with each
/// sink (its outbox rows).
public enum TriggersRunner {
    /// One trigger and its deliveries.
    public struct Row: Sendable {
        public var record: TriggerRecord
        /// The trigger's outbox rows, one per sink it was sent to (empty unless emitted).
        public var deliveries: [OutboxEntry]
    }

    /// The triggers of a model (all when nil), oldest first, with their deliveries.
    public static func list(storePath: String, model: String?) throws(ServiceError) -> [Row] {
        guard FileManager.default.fileExists(atPath: storePath) else { throw .input("\(storePath): no such store") }
        let store: SQLiteStore
        do { store = try SQLiteStore(path: storePath) } catch { throw .io("\(storePath): \(error)") }
        defer { store.close() }
        do {
            let records = try store.triggers(model: model)
            let rows = try store.outboxEntries(state: nil).filter { $0.notification.receiver == TriggerOutbox.receiver }
            var byTrigger: [String: [OutboxEntry]] = [:]
            for e in rows {
                guard let at = e.notification.id.lastIndex(of: "@") else { continue }
                byTrigger[String(e.notification.id[..<at]), default: []].append(e)
            }
            return records.map { Row(record: $0, deliveries: byTrigger[$0.trigger.id] ?? []) }
        } catch {
            throw .io("\(storePath): \(error)")
        }
    }

    /// The state shown for a trigger: `suppressed`, `silenced`, `recorded` (emitted without a
    /// sink), or its deliveries' states (`delivered`, `pending`, `dead`), worst first.
    public static func state(_ row: Row) -> String {
        guard row.record.status == .emitted else { return row.record.status.rawValue }
        if row.deliveries.isEmpty { return "recorded" }
        for s in [OutboxState.dead, .pending] where row.deliveries.contains(where: { $0.state == s }) { return s.rawValue }
        return "delivered"
    }

    /// The human table.
    public static func table(_ rows: [Row]) -> String {
        guard !rows.isEmpty else { return "no retraining triggers\n" }
        var out = ""
        for r in rows {
            let t = r.record.trigger
            out += "\(t.id)  \(t.firedAt)  \(t.model) v\(t.version ?? "?")  \(t.rule)  \(state(r))"
            if let closed = r.record.closedAt { out += "  (alert resolved \(closed))" }
            out += "\n"
            if let why = r.record.statusReason { out += "    reason: \(why)\n" }
            for d in r.deliveries {
                var line = "    \(d.notification.integration): \(d.state.rawValue), \(d.attempts) attempt(s)"
                if let f = d.finishedAt { line += ", finished \(f)" } else if d.state == .pending { line += ", next \(d.nextAttemptAt)" }
                if let e = d.lastError { line += ", last error: \(e)" }
                out += line + "\n"
            }
            if r.record.status == .emitted { out += "    \(t.reason)\n" }
        }
        return out
    }

    /// A JSON array: each trigger's payload plus `status`, `status_reason`, `state`,
    /// `closed_at` and `deliveries` (sink, state, attempts, last_error, finished_at).
    public static func json(_ rows: [Row]) -> String {
        var items: [Any] = []
        for r in rows {
            var o = (try? JSONSerialization.jsonObject(with: Data(r.record.payload.utf8))) as? [String: Any] ?? [:]
            o["status"] = r.record.status.rawValue
            o["state"] = state(r)
            if let why = r.record.statusReason { o["status_reason"] = why }
            if let c = r.record.closedAt { o["closed_at"] = c.rfc3339 }
            o["deliveries"] = r.deliveries.map { d -> [String: Any] in
                var x: [String: Any] = ["sink": d.notification.integration, "state": d.state.rawValue, "attempts": d.attempts]
                if let e = d.lastError { x["last_error"] = e }
                if let f = d.finishedAt { x["finished_at"] = f.rfc3339 }
                return x
            }
            items.append(o)
        }
        let data = (try? JSONSerialization.data(withJSONObject: items, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
