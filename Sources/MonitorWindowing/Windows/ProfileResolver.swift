/// A reference profile together with the store's identity for it.
public struct ResolvedProfile: Sendable {
    /// The decoded profile.
    public var profile: ReferenceProfile
    /// The store's id (`ProfileRecord.id`), recorded in every window result and checkpoint.
    public var id: Int64
    /// The profile's name (`ProfileRecord.name`).
    public var name: String

    /// A profile with its store id and name.
    public init(profile: ReferenceProfile, id: Int64, name: String) {
        self.profile = profile
        self.id = id
        self.name = name
    }
}

/// How ``WindowManager`` finds the reference a model version is compared with.
///
/// The service builds it from the config's `reference:` section and the profile store; tests
/// pass profiles directly. Lookups happen the first time a (model, version) is seen, on
/// ``WindowManager/refreshProfiles()`` and on restore, never per event, so a closure that decodes
/// a stored profile is fine. The manager keeps one copy per distinct profile id.
public struct ProfileResolver: Sendable {
    /// The profile in force for a model and version, or nil when none applies (their events are
    /// then counted as `unprofiled` and dropped). A missing model or version is `""`.
    public var inForce: @Sendable (_ model: String, _ version: String) -> ResolvedProfile?
    /// A profile by store id: restoring a checkpoint whose open windows were built against a
    /// profile that is no longer the one in force. nil drops those windows (reported by
    /// ``WindowManager/restore(from:)``).
    public var byID: @Sendable (_ id: Int64) -> ResolvedProfile?

    /// A resolver from its two lookups.
    ///
    /// - Parameters:
    ///   - inForce: the profile in force for (model, version).
    ///   - byID: a profile by store id; by default none.
    public init(
        inForce: @escaping @Sendable (_ model: String, _ version: String) -> ResolvedProfile?,
        byID: @escaping @Sendable (_ id: Int64) -> ResolvedProfile? = { _ in nil }
    ) {
        self.inForce = inForce
        self.byID = byID
    }

    /// One profile for every model and version.
    public static func constant(_ profile: ResolvedProfile) -> ProfileResolver {
        ProfileResolver(inForce: { _, _ in profile }, byID: { $0 == profile.id ? profile : nil })
    }
}
