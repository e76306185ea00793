import Foundation
public import MonitorCore
import MonitorStore

/// `monitor silence add|list|expire`: silences stored in the monitor's store, read by a running
/// `monitor run` at each notification flush.
public enum SilenceRunner {
    /// Where the store is: `--store`, or the `store.path` of `--config`.
    public static func storePath(store: String?, config: String?) throws(ServiceError) -> String {
        if let store { return store }
        guard let config else { throw .usage("give --store FILE or --config monitor.yaml") }
        let (loaded, diags) = ConfigLoader.load(path: config)
        guard let loaded else { throw .config(diags.filter { $0.severity == .error }.map(\.description).joined(separator: "\n")) }
        return loaded.resolve(loaded.config.store.path)
    }

    static func open(_ path: String) throws(ServiceError) -> SQLiteStore {
        do { return try SQLiteStore(path: path) } catch { throw .io("\(path): \(error)") }
    }

    /// Parses matchers given on the command line (`alertname=FeatureDrift`, `model=~"fraud|credit"`).
    public static func matchers(_ texts: [String]) throws(ServiceError) -> [AlertMatcher] {
        var out: [AlertMatcher] = []
        for t in texts {
            do { out.append(try AlertMatcher(parsing: t)) } catch { throw .usage("matcher \(error)") }
        }
        guard !out.isEmpty else { throw .usage("a silence needs at least one matcher, e.g. alertname=FeatureDrift") }
        // A silence matching everything would mute every notification.
        if out.allSatisfy({ $0.matches(Labels()) }) {
            throw .usage("these matchers also match an alert without labels: add one that requires a label value")
        }
        return out
    }

    /// Stores a new silence; returns it with its id.
    public static func add(storePath: String, matchers: [AlertMatcher], startsAt: Timestamp, endsAt: Timestamp, createdBy: String,
                           comment: String, now: Timestamp) throws(ServiceError) -> Silence {
        let store = try open(storePath)
        defer { store.close() }
        return try add(store: store, matchers: matchers, startsAt: startsAt, endsAt: endsAt, createdBy: createdBy, comment: comment, now: now)
    }

    /// Stores a new silence in an open store (the HTTP API's connection).
    static func add(store: SQLiteStore, matchers: [AlertMatcher], startsAt: Timestamp, endsAt: Timestamp, createdBy: String,
                    comment: String, now: Timestamp) throws(ServiceError) -> Silence {
        guard endsAt > startsAt else { throw .usage("the end (\(endsAt)) must be after the start (\(startsAt))") }
        guard endsAt > now else { throw .usage("the end (\(endsAt)) is in the past") }
        var rng = SystemRandomNumberGenerator()
        let id = "sil_" + String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 16).leftPadded(to: 16)
        let silence = Silence(id: id, matchers: matchers, startsAt: startsAt, endsAt: endsAt, createdBy: createdBy, comment: comment,
                              createdAt: now)
        do { try store.addSilence(silence) } catch { throw .io("\(store.path): \(error)") }
        return silence
    }

    public static func list(storePath: String, includeExpired: Bool, now: Timestamp) throws(ServiceError) -> [Silence] {
        let store = try open(storePath)
        defer { store.close() }
        do { return try store.silences(at: now, includeExpired: includeExpired) } catch { throw .io("\(storePath): \(error)") }
    }

    /// Ends a silence now; throws when the id is unknown.
    public static func expire(storePath: String, id: String, now: Timestamp) throws(ServiceError) {
        let store = try open(storePath)
        defer { store.close() }
        let found: Bool
        do { found = try store.expireSilence(id: id, at: now) } catch { throw .io("\(storePath): \(error)") }
        if !found { throw .input("no silence \(id) in \(storePath)") }
    }

    /// `active`, `pending` (starts later) or `expired` at `now`.
    public static func state(_ s: Silence, at now: Timestamp) -> String {
        s.isActive(at: now) ? "active" : (now < s.startsAt ? "pending" : "expired")
    }

    /// One JSON object per silence (`monitor silence list --format json`).
    public static func json(_ silences: [Silence], now: Timestamp) -> String {
        "[" + silences.map { s in
            "{\"id\":\(AlertJSON.quote(s.id)),\"matchers\":[" + s.matchers.map { AlertJSON.quote($0.description) }.joined(separator: ",")
                + "],\"startsAt\":\(AlertJSON.quote(s.startsAt.rfc3339)),\"endsAt\":\(AlertJSON.quote(s.endsAt.rfc3339))"
                + ",\"createdBy\":\(AlertJSON.quote(s.createdBy)),\"comment\":\(AlertJSON.quote(s.comment))"
                + ",\"state\":\(AlertJSON.quote(state(s, at: now)))}"
        }.joined(separator: ",") + "]"
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
