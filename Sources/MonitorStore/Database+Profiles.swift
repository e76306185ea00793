import MonitorCore

extension Database {
    func saveProfile(_ profile: ProfileRecord) throws -> ProfileRecord {
        try write {
            // Inside BEGIN IMMEDIATE: no other writer can take the same revision meanwhile.
            let revision = try connection.query("SELECT coalesce(max(revision), 0) + 1 FROM profiles WHERE name = ?1", profile.name) { $0.int(0) }.first ?? 1
            try connection.execute(
                """
                INSERT INTO profiles (name, revision, model, model_version, fingerprint, row_count, created_at, payload)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """,
                profile.name, revision, profile.model, profile.modelVersion, profile.fingerprint, profile.rowCount,
                profile.createdAt.milliseconds, profile.payload
            )
            var saved = profile
            saved.id = connection.lastInsertRowID
            saved.revision = revision
            return saved
        }
    }

    private static let columns = "id, name, revision, model, model_version, fingerprint, row_count, created_at"

    private func profileRow(_ row: Row, withPayload: Bool) -> ProfileRecord {
        ProfileRecord(
            id: row.int64(0), name: row.text(1), revision: row.int(2), model: row.optionalText(3),
            modelVersion: row.optionalText(4), fingerprint: row.text(5), rowCount: row.int(6),
            createdAt: Timestamp(milliseconds: row.int64(7)), payload: withPayload ? row.blob(8) : []
        )
    }

    func latestProfile(named name: String) throws -> ProfileRecord? {
        try connection.query("SELECT \(Self.columns), payload FROM profiles WHERE name = ?1 ORDER BY revision DESC LIMIT 1", name) {
            profileRow($0, withPayload: true)
        }.first
    }

    func profile(id: Int64) throws -> ProfileRecord? {
        try connection.query("SELECT \(Self.columns), payload FROM profiles WHERE id = ?1", id) { profileRow($0, withPayload: true) }.first
    }

    func listProfiles() throws -> [ProfileRecord] {
        try connection.query("SELECT \(Self.columns) FROM profiles ORDER BY id DESC") { profileRow($0, withPayload: false) }
    }
}
