import Foundation
import MonitorCore

extension Database {
    /// The trigger part of a checkpoint; call inside the checkpoint's write transaction.
    func commitTriggers(_ write: CheckpointWrite) throws {
        if !write.triggers.isEmpty {
            let insert = try connection.statement(
                """
                INSERT INTO triggers (id, model, version, group_name, rule, alert_key, status, status_reason, fired_at, created_at,
                    closed_at, payload)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                ON CONFLICT (id) DO NOTHING
                """
            )
            for r in write.triggers {
                let t = r.trigger
                try insert.run(t.id, t.model, t.version, t.group, t.rule, r.alertKey, r.status.rawValue, r.statusReason,
                               t.firedAtMilliseconds, r.createdAt.milliseconds, r.closedAt?.milliseconds, r.payload)
            }
        }
        if !write.triggerClosures.isEmpty {
            let update = try connection.statement("UPDATE triggers SET closed_at = ?2 WHERE id = ?1 AND closed_at IS NULL")
            for c in write.triggerClosures { try update.run(c.triggerID, c.at.milliseconds) }
        }
    }

    func triggers(model: String?) throws -> [TriggerRecord] {
        try connection.query(
            """
            SELECT id, status, status_reason, alert_key, created_at, closed_at, payload FROM triggers
            WHERE ?1 IS NULL OR model = ?1 ORDER BY fired_at, rowid
            """, model
        ) { row in
            guard let status = TriggerStatus(rawValue: row.text(1)) else {
                throw StoreError(code: .invalidData, message: "triggers: unknown status \"\(row.text(1))\"")
            }
            let payload = row.text(6)
            let trigger: RetrainTrigger
            do { trigger = try JSONDecoder().decode(RetrainTrigger.self, from: Data(payload.utf8)) } catch {
                throw StoreError(code: .invalidData, message: "triggers: \(row.text(0)): the payload cannot be decoded: \(error)")
            }
            return TriggerRecord(
                trigger: trigger, status: status, statusReason: row.optionalText(2), alertKey: row.text(3),
                createdAt: Timestamp(milliseconds: row.int64(4)), closedAt: row.optionalInt64(5).map(Timestamp.init(milliseconds:)),
                payload: payload)
        }
    }
}
