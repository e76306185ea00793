import Foundation
public import MonitorCore
import MonitorIngest
public import MonitorStore
public import MonitorWindowing
import Synchronization

/// The reference profiles a run compares against, resolved from the config's `reference:`
/// section and the store (DESIGN §5): stored profiles by name, or files profiled at start.
public final class ReferenceProfiles: Sendable {
    /// Choice key (`profile:NAME` / `file:PATH`) → resolved profile.
    let byChoice: [String: ResolvedProfile]
    let settings: ReferenceSettings
    let store: SQLiteStore
    private let cache = Mutex<[Int64: ResolvedProfile]>([:])

    /// Every feature any resolved profile knows, numerical first, in profile order.
    public let features: [FeatureSpec]
    /// What was resolved, for the log: (choice, profile name, id, revision, rows).
    public let summary: [String]

    static func key(_ c: ReferenceChoice, base: String) -> String {
        if let p = c.profile { return "profile:\(p)" }
        return "file:\(ConfigLoader.resolve(c.file?.value ?? "", against: base))"
    }

    /// Resolves every choice of the config.
    /// - Throws: `ServiceError.config` naming the missing profile or unreadable file.
    public init(loaded: LoadedConfig, store: SQLiteStore, now: Timestamp) throws(ServiceError) {
        let config = loaded.config
        var choices: [ReferenceChoice] = []
        if let d = config.reference.default { choices.append(d) }
        for k in config.reference.overrides.keys.sorted() { choices.append(config.reference.overrides[k]!) }
        guard !choices.isEmpty else {
            throw .config("\(config.path): no reference: add `reference: {profile: NAME}` (stored with `monitor baseline`) or `reference: {file: train.jsonl}`")
        }
        var resolved: [String: ResolvedProfile] = [:]
        var lines: [String] = []
        for c in choices {
            let key = Self.key(c, base: loaded.baseDirectory)
            if resolved[key] != nil { continue }
            if let name = c.profile {
                let record: ProfileRecord?
                do { record = try store.latestProfile(named: name) } catch { throw .io("\(store.path): \(error)") }
                guard let record else {
                    throw .config("\(config.path): reference profile \"\(name)\" is not in \(store.path); create it with `monitor baseline --config \(config.path) --data FILE --name \(name)`")
                }
                let profile: ReferenceProfile
                do { profile = try ReferenceProfile.decode(record.payload) } catch {
                    throw .input("\(store.path): profile \"\(name)\" revision \(record.revision) cannot be read: \(error)")
                }
                resolved[key] = ResolvedProfile(profile: profile, id: record.id, name: record.name)
                lines.append("profile \"\(name)\" revision \(record.revision) (id \(record.id), \(record.rowCount) rows)")
            } else if let file = c.file {
                let path = loaded.resolve(file.value)
                let built = try BaselineRunner.profile(path: path, config: config, from: nil, to: nil)
                let name = "file:\(path)"
                var record: ProfileRecord?
                do {
                    if let latest = try store.latestProfile(named: name), latest.fingerprint == built.profile.fingerprint {
                        record = latest
                    } else {
                        record = try store.saveProfile(ProfileRecord(
                            name: name, fingerprint: built.profile.fingerprint, rowCount: built.profile.rowCount,
                            createdAt: now, payload: built.profile.encode()))
                    }
                } catch { throw .io("\(store.path): \(error)") }
                resolved[key] = ResolvedProfile(profile: built.profile, id: record!.id, name: name)
                lines.append("file \(path) as profile \"\(name)\" revision \(record!.revision) (id \(record!.id), \(built.profile.rowCount) rows)")
            }
        }
        byChoice = resolved
        settings = config.reference
        self.store = store
        summary = lines
        if !config.schema.declaredFeatures.isEmpty {
            features = config.schema.declaredFeatures
        } else {
            var seen = Set<String>()
            var num: [FeatureSpec] = []
            var cat: [FeatureSpec] = []
            for c in choices {
                guard let p = resolved[Self.key(c, base: loaded.baseDirectory)]?.profile else { continue }
                for f in p.numerical where seen.insert(f.name).inserted { num.append(FeatureSpec(name: f.name, kind: .numerical)) }
                for f in p.categorical where seen.insert(f.name).inserted { cat.append(FeatureSpec(name: f.name, kind: .categorical)) }
            }
            let path = config.schema.features
            features = (num + cat).map { FeatureSpec(name: $0.name, kind: $0.kind, path: FieldPath(components: path.components + [$0.name])) }
        }
        var byID: [Int64: ResolvedProfile] = [:]
        for r in resolved.values { byID[r.id] = r }
        cache.withLock { $0 = byID }
        baseDirectory = loaded.baseDirectory
    }

    let baseDirectory: String

    /// The resolver the window manager uses.
    public var resolver: ProfileResolver {
        let byChoice = byChoice
        let settings = settings
        let base = baseDirectory
        return ProfileResolver(
            inForce: { model, version in
                guard let c = settings.choice(model: model, version: version) else { return nil }
                return byChoice[Self.key(c, base: base)]
            },
            byID: { [self] id in self.profile(id: id) })
    }

    /// A profile by store id (restoring windows built against an earlier profile).
    func profile(id: Int64) -> ResolvedProfile? {
        if let p = cache.withLock({ $0[id] }) { return p }
        guard let record = try? store.profile(id: id), let profile = try? ReferenceProfile.decode(record.payload) else { return nil }
        let r = ResolvedProfile(profile: profile, id: record.id, name: record.name)
        cache.withLock { $0[id] = r }
        return r
    }
}
