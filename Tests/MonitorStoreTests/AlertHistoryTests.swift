import MonitorCore
import Testing

@testable import MonitorStore

@Suite("Alert history")
struct AlertHistoryTests {
    /// Transitions at hours 1…n, alternating instances, with awkward annotations.
    func transitions(_ n: Int, from hour: Int = 1) -> [AlertTransition] {
        (hour..<hour + n).map { h in
            var alert = makeAlert(awkwardValues[h % awkwardValues.count], at: Int64(h) * 3_600_000)
            alert.annotations = alert.annotations.setting("detail", to: awkwardValues[(h + 1) % awkwardValues.count])
            return AlertTransition(alert: alert, from: .pending, to: .firing, at: ts(Int64(h) * 3_600_000), actions: h.isMultiple(of: 2) ? ["retrain", "a,\"b\""] : [])
        }
    }

    @Test("delivery bookkeeping: undelivered in commit order, limit, mark once")
    func delivery() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let first = transitions(3)
        let second = transitions(2, from: 4)
        var write = CheckpointWrite()
        write.transitions = first
        try store.commit(write)
        write.transitions = second
        try store.commit(write)

        let all = try store.undeliveredTransitions(limit: 100)
        #expect(all.map(\.transition) == first + second)
        #expect(all.allSatisfy { $0.deliveredAt == nil })
        #expect(all.map(\.id) == all.map(\.id).sorted())
        #expect(try store.undeliveredTransitions(limit: 2).map(\.id) == Array(all.prefix(2).map(\.id)))
        #expect(try store.undeliveredTransitions(limit: 0).isEmpty)
        #expect(try store.undeliveredTransitions(limit: -1).isEmpty)

        try store.markDelivered(ids: [all[0].id, all[2].id, 987_654], at: ts(1))
        #expect(try store.undeliveredTransitions(limit: 100).map(\.id) == [all[1].id, all[3].id, all[4].id])
        try store.markDelivered(ids: [all[0].id], at: ts(2))  // already delivered: first time kept
        try store.markDelivered(ids: [], at: ts(3))

        let history = try SQLiteStore(path: dir.database).transitions(since: nil)
        #expect(history.map(\.transition) == first + second)
        #expect(history.map(\.deliveredAt) == [ts(1), nil, ts(1), nil, nil])
    }

    @Test("transitions(since:) includes the bound")
    func since() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        var write = CheckpointWrite()
        write.transitions = transitions(5)
        try store.commit(write)
        #expect(try store.transitions(since: ts(3 * 3_600_000)).map(\.transition) == Array(write.transitions[2...]))
        #expect(try store.transitions(since: ts(100 * 3_600_000)).isEmpty)
    }

    @Test("every alert state and optional time round-trips in alert_state and alert_transitions")
    func states() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let alerts = AlertState.allCases.enumerated().map { i, state in
            var a = makeAlert("f\(i)", state: state)
            a.value = -1.5 * Double(i)
            return a
        }
        var write = CheckpointWrite()
        write.alerts = alerts
        write.transitions = zip(alerts, alerts.dropFirst()).map { AlertTransition(alert: $1, from: $0.state, to: $1.state, at: ts(5)) }
        try store.commit(write)
        #expect(try store.loadCheckpoint().alerts == alerts)
        #expect(try store.transitions(since: nil).map(\.transition) == write.transitions)
    }
}
