public import MonitorCore
import MonitorStats

/// Event-time windows per model and version, compared with their reference as they close
/// (DESIGN §5): the streaming counterpart of `monitor compare`.
///
/// A pure value: batches, watermarks and checkpoint records in, closed windows and checkpoint
/// records out. It does no I/O and never reads a clock.
///
/// ## Windows and panes
/// Each ``WindowSpec`` is tumbling (`slide == size`) or sliding, aligned to multiples of `slide`
/// since the epoch. Events are accumulated per *pane* — one stream (model, version), one
/// slide-long interval `[k·slide, (k+1)·slide)` — and a window is the union of its
/// `size / slide` panes, merged when it closes. Configurations with the same slide share panes.
/// A pane is freed once every window that contains it has closed.
///
/// ## Watermark and lateness
/// The watermark is the largest event time seen minus `allowedLateness`, raised further by
/// ``advance(to:)``. It depends on the order of events only, not on how they were cut into
/// batches: each event is judged against the watermark as it stood just before it. An event is
/// **late** when its pane has ended at or before that watermark — then at least one of its
/// windows has ended (for tumbling windows: its window). A late event is counted
/// (``WindowCounters/late``, per configuration) and excluded from that configuration's windows;
/// so no event ever reaches a window after the window could have closed, and sliding windows of
/// one configuration never disagree about which events exist. Events without a timestamp
/// (`Int64.min`) are counted and dropped. The watermark is one clock for all streams.
///
/// ## Closing
/// ``advance(to:)`` closes every window whose end is at or before the watermark;
/// ``closeAll()`` closes everything (end of input, `--once`). Closed windows come out ordered
/// by end, then start, configuration name, model and version, with their series samples
/// (``SeriesName``; labels `model`, `version`, `window`, `feature`; timestamp = the window's
/// end). The statistics are those of `monitor compare` for the same events against the same
/// reference: the same kernels run on the same numbers.
///
/// ## Profiles
/// The ``ProfileResolver`` names the reference in force for a (model, version) the first time
/// the stream is seen. A pane keeps the profile it was created with; a window is computed
/// against the profile of its latest pane (a window straddling ``refreshProfiles()`` uses the
/// panes built with the newer profile only).
///
/// ## Checkpoints
/// ``checkpointDelta()`` returns the records of what changed since the previous call (new exact
/// sample values as append-only chunks, small summaries otherwise) and the keys of freed panes;
/// ``restore(from:)`` rebuilds the state from the records, so that ingesting A, checkpointing,
/// restoring and ingesting B gives the same windows, bit for bit, as ingesting A and B.
///
/// ## Memory
/// Per window and numerical feature: at most `exactLimit` exact values (8 bytes each), then
/// ≈ 5 KB of KLL sketch per pane; per categorical feature one `Int` per category met. The exact
/// budget of a sliding window is shared among its `size / slide` panes (each keeps
/// `⌈exactLimit · slide / size⌉` values before its sketch takes over), so a sliding window holds
/// no more than a tumbling one; with the default 1M limit a window of 25 features stays under
/// ≈ 170 MB of samples however many events it receives.
public struct WindowManager: Sendable {
    /// The window configurations, as given.
    public let specs: [WindowSpec]
    /// How far behind the largest event time the watermark stays, ms.
    public let allowedLateness: Int64
    /// Statistics and decision settings (bins, ε, exact limit, tests, thresholds, correction).
    public let settings: DriftSettings
    /// Where profiles come from.
    public let resolver: ProfileResolver

    /// Event times are accepted within ±2⁶¹ ms (±73 million years) so that window arithmetic
    /// cannot overflow; anything beyond is treated as a missing timestamp.
    static let maxAbsTime: Int64 = 1 << 61
    /// The longest window or lateness accepted: 2⁴⁰ ms ≈ 34.8 years.
    static let maxSpan: Int64 = 1 << 40

    var groups: [SlideGroup] = []
    /// Slide group of each spec.
    var groupOfSpec: [Int] = []
    var profiles: [ProfileSlot?] = []
    var slotOfProfileID: [Int64: Int] = [:]
    var streams: [Stream] = []
    var streamIndex: [StreamName: Int] = [:]
    var panes: [Pane] = []
    var freePanes: [Int] = []
    var paneIndex: [PaneKey: Int] = [:]
    /// Int64.min until the first event.
    var mark: Int64 = .min
    /// Every window ending at or before this has been closed.
    var closedThrough: Int64 = .min
    var stateDirty = false
    var pendingDeletes: [String] = []
    var scratch = Scratch()
    /// Sort buffers for closing windows (reused).
    var sortBuffer: [Double] = []
    var sortScratch: [UInt64] = []

    /// A manager with no state.
    ///
    /// - Parameters:
    ///   - specs: window configurations; names must be unique, `size` a positive multiple of a
    ///     positive `slide`, at most 2⁴⁰ ms.
    ///   - allowedLateness: ms the watermark stays behind the largest event time (≥ 0).
    ///   - settings: the drift settings (as `monitor compare` uses them).
    ///   - resolver: the profile in force per (model, version).
    /// - Throws: `WindowingError.invalidConfiguration` for unusable specs or lateness.
    public init(specs: [WindowSpec], allowedLateness: Int64, settings: DriftSettings, resolver: ProfileResolver) throws {
        guard !specs.isEmpty else { throw WindowingError.invalidConfiguration("no window configuration") }
        guard allowedLateness >= 0, allowedLateness <= Self.maxSpan else {
            throw WindowingError.invalidConfiguration("allowed lateness \(allowedLateness) ms is not in 0...\(Self.maxSpan)")
        }
        var names = Set<String>()
        for s in specs {
            guard names.insert(s.name).inserted else { throw WindowingError.invalidConfiguration("duplicate window name \"\(s.name)\"") }
            guard s.slide > 0, s.size > 0, s.size <= Self.maxSpan, s.size % s.slide == 0 else {
                throw WindowingError.invalidConfiguration(
                    "window \"\(s.name)\": size \(s.size) ms must be a positive multiple of slide \(s.slide) ms, at most \(Self.maxSpan)")
            }
        }
        self.specs = specs
        self.allowedLateness = allowedLateness
        self.settings = settings
        self.resolver = resolver
        for (i, s) in specs.enumerated() {
            if let g = groups.firstIndex(where: { $0.slide == s.slide }) {
                groups[g].specs.append(i)
                groups[g].maxSize = max(groups[g].maxSize, s.size)
                groupOfSpec.append(g)
            } else {
                groups.append(SlideGroup(slide: s.slide, specs: [i], maxSize: s.size))
                groupOfSpec.append(groups.count - 1)
            }
        }
    }

    /// The watermark: the largest event time seen minus the allowed lateness, or the last
    /// ``advance(to:)`` if later; nil before the first event.
    public var watermark: Timestamp? { mark == .min ? nil : Timestamp(milliseconds: mark) }

    /// Counters per model (all versions together; a missing model is `""`).
    public var counters: [String: WindowCounters] {
        var out: [String: WindowCounters] = [:]
        for s in streams { out[s.model, default: WindowCounters()].add(counters(of: s)) }
        return out
    }

    /// Counters of one model version (zero when never seen).
    public func counters(model: String, version: String) -> WindowCounters {
        streamIndex[StreamName(model: model, version: version)].map { counters(of: streams[$0]) } ?? WindowCounters()
    }

    func counters(of s: Stream) -> WindowCounters {
        var c = WindowCounters()
        c.accepted = s.accepted
        c.noTimestamp = s.noTimestamp
        c.unprofiled = s.unprofiled
        c.windowsClosed = s.windowsClosed
        for (i, n) in s.late.enumerated() where n > 0 { c.late[specs[i].name] = n }
        return c
    }

    /// Panes currently held (a measure of open state).
    public var openPaneCount: Int { paneIndex.count }

    /// Re-resolves the profile in force of every stream seen so far (after a new baseline was
    /// stored or the config reloaded). Open panes keep the profile they were built with; new
    /// panes use the new one.
    public mutating func refreshProfiles() {
        for i in streams.indices {
            streams[i].profileSlot = slot(for: resolver.inForce(streams[i].model, streams[i].version))
        }
        stateDirty = true
    }

    /// The slot of a resolved profile (a new slot for a new id).
    mutating func slot(for resolved: ResolvedProfile?) -> Int? {
        guard let resolved else { return nil }
        if let s = slotOfProfileID[resolved.id], profiles[s] != nil { return s }
        let s = profiles.firstIndex(where: { $0 == nil }) ?? profiles.count
        if s == profiles.count { profiles.append(nil) }
        profiles[s] = ProfileSlot(resolved)
        slotOfProfileID[resolved.id] = s
        return s
    }

    /// The stream of a (model, version), created (and its profile resolved) on first sight.
    mutating func stream(model: String, version: String) -> Int {
        let name = StreamName(model: model, version: version)
        if let i = streamIndex[name] { return i }
        let slot = slot(for: resolver.inForce(model, version))
        streams.append(Stream(model: model, version: version, profileSlot: slot, late: [Int](repeating: 0, count: specs.count)))
        streamIndex[name] = streams.count - 1
        stateDirty = true
        return streams.count - 1
    }

    /// The pane of (stream, group, start), created with the stream's profile when absent.
    mutating func pane(stream: Int, group: Int, start: Int64, slot: Int) -> Int {
        let key = PaneKey(stream: Int32(stream), group: Int32(group), start: start)
        if let p = paneIndex[key] { return p }
        let pane = Pane(key: key, profileSlot: slot, slot: profiles[slot]!)
        let p: Int
        if let free = freePanes.popLast() {
            panes[free] = pane
            p = free
        } else {
            panes.append(pane)
            p = panes.count - 1
        }
        paneIndex[key] = p
        return p
    }

    /// Frees a pane, recording its deletion when a checkpoint wrote it.
    mutating func freePane(_ p: Int) {
        let key = panes[p].key
        if panes[p].persisted { pendingDeletes.append(storageKey(of: key)) }
        paneIndex[key] = nil
        // Keep a cheap placeholder: the accumulators' memory goes now.
        panes[p].numerical = []
        panes[p].categorical = []
        freePanes.append(p)
    }

    /// Drops profile slots no stream and no pane uses.
    mutating func collectProfiles() {
        var used = [Bool](repeating: false, count: profiles.count)
        for s in streams { if let slot = s.profileSlot { used[slot] = true } }
        for p in paneIndex.values { used[panes[p].profileSlot] = true }
        for i in profiles.indices where !used[i] {
            if let id = profiles[i]?.resolved.id { slotOfProfileID[id] = nil }
            profiles[i] = nil
        }
    }
}
