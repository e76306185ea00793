/// Decides whether a retraining trigger is emitted or suppressed (pure; DESIGN §9): a cooldown
/// per model and a maximum number of open triggers per model stop trigger storms — a drifting
/// model would otherwise request a retraining at every window.
///
/// Time is event time (the evaluation time at which the alert fired), passed in: a replay or a
/// backfill decides exactly as the live run did, and tests step time by hand.
///
/// A trigger is *open* from its emission until its alert resolves: while the condition that
/// asked for a retraining still holds, another request for the same model adds nothing.
///
/// Invariants: `lastEmitted[m]` is the latest emitted trigger of model `m`; `open[m]` holds the
/// emitted triggers of `m` whose alert has not resolved, by alert key.
public struct TriggerPolicy: Sendable, Hashable {
    /// Minimum event time between two emitted triggers of one model, ms. One day by default:
    /// retraining takes hours and its new version needs a window or more of data before the
    /// monitor can tell whether it helped.
    public var cooldown: Int64
    /// Open triggers allowed per model. One by default: a second request while the first one's
    /// alert still fires asks for the same retraining.
    public var maxOpen: Int

    public private(set) var lastEmitted: [String: (id: String, at: Timestamp)] = [:]
    public private(set) var open: [String: [String: String]] = [:]

    /// The default cooldown (24 h).
    public static let defaultCooldown: Int64 = 86_400_000
    /// The default maximum of open triggers per model.
    public static let defaultMaxOpen = 1

    public init(cooldown: Int64 = TriggerPolicy.defaultCooldown, maxOpen: Int = TriggerPolicy.defaultMaxOpen) {
        self.cooldown = max(0, cooldown)
        self.maxOpen = max(1, maxOpen)
    }

    /// A policy that has seen `records` (the stored triggers, any order), as after a restart.
    public init(cooldown: Int64 = TriggerPolicy.defaultCooldown, maxOpen: Int = TriggerPolicy.defaultMaxOpen,
                restoring records: [TriggerRecord]) {
        self.init(cooldown: cooldown, maxOpen: maxOpen)
        for r in records.sorted(by: { $0.trigger.firedAtMilliseconds < $1.trigger.firedAtMilliseconds }) where r.status == .emitted {
            let at = Timestamp(milliseconds: r.trigger.firedAtMilliseconds)
            recordEmitted(model: r.trigger.model, id: r.trigger.id, alertKey: r.alertKey, at: at)
            if r.closedAt != nil { _ = close(alertKey: r.alertKey, model: r.trigger.model) }
        }
    }

    /// What the policy says about one trigger.
    public enum Decision: Hashable, Sendable {
        case emit
        /// Not emitted; the reason is recorded with the trigger and shown by `monitor triggers list`.
        case suppress(reason: String)
    }

    /// The decision for a trigger of `model` firing at `at` (does not change the state: call
    /// ``recordEmitted(model:id:alertKey:at:)`` when it is emitted).
    public func decide(model: String, at: Timestamp) -> Decision {
        let openIDs = open[model].map { Array($0.values).sorted() } ?? []
        if openIDs.count >= maxOpen {
            return .suppress(reason: "max open triggers: model \"\(model)\" has \(openIDs.count) open (\(openIDs.joined(separator: ", "))), "
                + "max_open_triggers is \(maxOpen); a trigger stays open until its alert resolves")
        }
        if let last = lastEmitted[model], at.milliseconds - last.at.milliseconds < cooldown {
            let next = Timestamp(milliseconds: last.at.milliseconds + cooldown)
            return .suppress(reason: "cooldown: model \"\(model)\" had trigger \(last.id) at \(last.at); "
                + "next allowed at \(next) (cooldown \(PrometheusDuration.format(cooldown)))")
        }
        return .emit
    }

    /// Records an emitted trigger.
    public mutating func recordEmitted(model: String, id: String, alertKey: String, at: Timestamp) {
        if let last = lastEmitted[model], last.at > at {} else { lastEmitted[model] = (id, at) }
        open[model, default: [:]][alertKey] = id
    }

    /// The alert `alertKey` resolved: closes its open trigger; returns the trigger's id.
    public mutating func close(alertKey: String, model: String) -> String? {
        guard let id = open[model]?.removeValue(forKey: alertKey) else { return nil }
        if open[model]?.isEmpty == true { open[model] = nil }
        return id
    }

    public static func == (a: TriggerPolicy, b: TriggerPolicy) -> Bool {
        a.cooldown == b.cooldown && a.maxOpen == b.maxOpen && a.open == b.open
            && a.lastEmitted.mapValues { "\($0.id)@\($0.at.milliseconds)" } == b.lastEmitted.mapValues { "\($0.id)@\($0.at.milliseconds)" }
    }

    public func hash(into h: inout Hasher) {
        h.combine(cooldown)
        h.combine(maxOpen)
        h.combine(open)
    }
}
