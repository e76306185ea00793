/// A window configuration: event-time tumbling (`slide == size`) or sliding (`slide < size`),
/// aligned to multiples of `slide` since the epoch (so hourly windows start on the hour).
public struct WindowSpec: Hashable, Sendable {
    /// The name used as the `window` label (e.g. `1h`).
    public var name: String
    /// Window length, ms.
    public var size: Int64
    /// Distance between window starts, ms; equals `size` for tumbling windows. `size` is a
    /// multiple of `slide`, so a sliding window is the union of `size / slide` panes.
    public var slide: Int64

    public init(name: String, size: Int64, slide: Int64? = nil) {
        self.name = name
        self.size = size
        self.slide = slide ?? size
    }

    public var isTumbling: Bool { slide == size }
}

/// Identifies one window instance: [start, end) of one window configuration for one model and
/// version.
public struct WindowKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var model: String
    public var version: String
    /// The window configuration's name.
    public var window: String
    public var start: Timestamp
    public var end: Timestamp

    public init(model: String, version: String, window: String, start: Timestamp, end: Timestamp) {
        self.model = model
        self.version = version
        self.window = window
        self.start = start
        self.end = end
    }

    public static func < (a: WindowKey, b: WindowKey) -> Bool {
        (a.end, a.start, a.window, a.model, a.version) < (b.end, b.start, b.window, b.model, b.version)
    }

    /// A stable text key, e.g. `fraud|3|1h|1763805600000|1763809200000` (store primary keys).
    public var storageKey: String { "\(model)|\(version)|\(window)|\(start.milliseconds)|\(end.milliseconds)" }

    public var description: String { "\(window) window [\(start), \(end)) of \(model)/\(version)" }

    /// The labels every sample of this window carries.
    public var labels: Labels {
        Labels([(LabelName.model, model), (LabelName.version, version), (LabelName.window, window)])
    }
}

/// What a closed window produced: its series samples and which reference it was compared with.
public struct WindowResult: Hashable, Sendable {
    public var key: WindowKey
    /// The reference profile in force for this model/version (`ProfileRecord.id` and name).
    public var profileID: Int64
    public var profileName: String
    /// Events that went into the window's distributions.
    public var eventCount: Int
    /// Every series value of the window (timestamp = `key.end`).
    public var samples: [Sample]
    /// Per feature, the window's counts over the reference profile's bins (the report's
    /// reference-vs-latest chart), in the profile's feature order; empty when not computed.
    public var histograms: [FeatureHistogram]

    public init(
        key: WindowKey, profileID: Int64, profileName: String, eventCount: Int, samples: [Sample], histograms: [FeatureHistogram] = []
    ) {
        self.key = key
        self.profileID = profileID
        self.profileName = profileName
        self.eventCount = eventCount
        self.samples = samples
        self.histograms = histograms
    }
}

/// One feature's distribution in a window, over the bins of the reference profile it was
/// compared with.
///
/// Invariants: for a numerical feature `counts` has one entry per PSI bin of the reference
/// (`edges.count + 1`, the outer bins open-ended, so they sum to the finite values); for a
/// categorical feature one entry per reference category, in the profile's order, then one
/// for every other value (categories the reference never saw, and the decoder's overflow).
/// `missing` counts the window's missing values (NaN, ±∞, absent, null), which are in no bin.
public struct FeatureHistogram: Hashable, Sendable {
    public var feature: String
    public var counts: [Int]
    public var missing: Int

    public init(feature: String, counts: [Int], missing: Int) {
        self.feature = feature
        self.counts = counts
        self.missing = missing
    }
}
