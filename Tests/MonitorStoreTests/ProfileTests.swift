import MonitorCore
import Testing

@testable import MonitorStore

@Suite("Profiles")
struct ProfileTests {
    func profile(_ name: String, rows: Int, payload: [UInt8], model: String? = "fraud") -> ProfileRecord {
        ProfileRecord(
            id: 999, name: name, revision: 42, model: model, modelVersion: model == nil ? nil : "3",
            fingerprint: SHA256.hexString(SHA256.hash(payload)), rowCount: rows, createdAt: ts(Int64(rows)), payload: payload
        )
    }

    @Test("saving assigns ids and the next revision per name, ignoring the ones passed in")
    func revisions() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let a1 = try store.saveProfile(profile("train-2026", rows: 100, payload: [1, 2, 3]))
        let b1 = try store.saveProfile(profile("file:/data/ref.jsonl", rows: 5, payload: [], model: nil))
        let a2 = try store.saveProfile(profile("train-2026", rows: 200, payload: Array(repeating: 7, count: 100_000)))
        #expect((a1.revision, b1.revision, a2.revision) == (1, 1, 2))
        #expect(a1.id != b1.id && b1.id != a2.id && a1.id > 0)

        let other = try SQLiteStore(path: dir.database)
        #expect(try other.latestProfile(named: "train-2026") == a2)
        #expect(try other.latestProfile(named: "nope") == nil)
        #expect(try other.profile(id: a1.id) == a1)
        #expect(try other.profile(id: b1.id) == b1)  // nil model/version, empty payload
        #expect(try other.profile(id: 12345) == nil)

        var meta = [a2, b1, a1]
        for i in meta.indices { meta[i].payload = [] }
        #expect(try other.listProfiles() == meta)  // newest first, no payloads
        let a3 = try other.saveProfile(profile("train-2026", rows: 300, payload: [0]))
        #expect(a3.revision == 3)
    }
}
