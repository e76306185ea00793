/// When to try a failed delivery again (pure): exponential backoff with jitter, as in
/// Alertmanager's retry stage — `base · 2^(attempt−1)` capped at `cap`, then scaled by a random
/// factor in [1 − jitter, 1] so that receivers recovering from an outage are not hit by every
/// sender at once. A receiver's `Retry-After` is a lower bound on the delay.
public struct RetrySchedule: Sendable, Hashable {
    public var base: Duration
    public var cap: Duration
    /// Share of the delay that is random, 0…1.
    public var jitter: Double

    /// One second doubling to five minutes: the fifth retry waits ~16 s, the tenth ~5 min, so ten
    /// attempts span about 15 minutes — an outage of a receiver's deploy, not of a day.
    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300), jitter: Double = 0.5) {
        self.base = base
        self.cap = cap
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before the attempt after `attempt` failed ones.
    ///
    /// - Parameters:
    ///   - attempt: Attempts made so far (≥ 1).
    ///   - retryAfter: The receiver's `Retry-After`, if it sent one (capped at one hour).
    ///   - rng: Source of the jitter.
    public func delay(after attempt: Int, retryAfter: Duration? = nil, using rng: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        var d = base * (1 << exponent)
        if d > cap { d = cap }
        let factor = 1 - jitter * Double.random(in: 0...1, using: &rng)
        d = d * factor
        if let retryAfter { d = max(d, min(retryAfter, .seconds(3600))) }
        return d
    }
}
