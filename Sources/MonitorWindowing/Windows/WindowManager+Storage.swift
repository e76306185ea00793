import MonitorCore
import MonitorStats

extension WindowManager {
    /// The window configurations that share one slide: they share panes.
    struct SlideGroup: Sendable {
        /// Pane length, ms.
        var slide: Int64
        /// Indices into `specs`.
        var specs: [Int]
        /// The longest window of the group: a pane is needed until `start + maxSize` has closed.
        var maxSize: Int64

        /// Finite values a pane keeps exactly per feature: `exactLimit` shared among the panes of
        /// the group's longest window, so that a sliding window of n panes holds no more exact
        /// values than a tumbling one (n = 1 gets the whole limit). A window stays exact while
        /// its panes do and their union fits `exactLimit`.
        func paneExactLimit(_ exactLimit: Int) -> Int {
            let panes = Int(maxSize / slide)
            return exactLimit / panes + (exactLimit % panes == 0 ? 0 : 1)
        }
    }

    /// One (model, version) seen so far.
    struct Stream: Sendable {
        var model: String
        var version: String
        /// The profile slot new panes use; nil when no profile is in force.
        var profileSlot: Int?
        var accepted = 0
        var noTimestamp = 0
        var unprofiled = 0
        var windowsClosed = 0
        /// Late events by spec index.
        var late: [Int]
    }

    struct StreamName: Hashable, Sendable {
        var model: String
        var version: String
    }

    /// A distinct profile in use, with the per-profile translation of decoder codes.
    struct ProfileSlot: Sendable {
        var resolved: ResolvedProfile
        /// The references panes accumulate: features, then the score.
        var numerical: [NumericalReference]
        /// Features, then the label.
        var categorical: [CategoricalReference]
        /// Per categorical reference (label last).
        var translators: [CategoryTranslator]

        init(_ r: ResolvedProfile) {
            resolved = r
            numerical = r.profile.accumulatedNumerical
            categorical = r.profile.accumulatedCategorical
            translators = categorical.map(CategoryTranslator.init(reference:))
        }
    }

    struct PaneKey: Hashable, Sendable {
        var stream: Int32
        var group: Int32
        var start: Int64
    }

    /// Events of one stream in one slide-long interval [start, start + slide).
    struct Pane: Sendable {
        var key: PaneKey
        var profileSlot: Int
        var eventCount = 0
        var numerical: [NumericalAccumulator]
        var categorical: [CategoricalAccumulator]
        /// Changed since the last checkpoint.
        var dirty = true
        /// Written by a checkpoint at least once (its deletion must be recorded).
        var persisted = false

        init(key: PaneKey, profileSlot: Int, slot: ProfileSlot) {
            self.key = key
            self.profileSlot = profileSlot
            numerical = slot.numerical.map { NumericalAccumulator(binCount: $0.edges?.binCount ?? 0) }
            categorical = slot.categorical.map { _ in CategoricalAccumulator() }
        }
    }

    /// Per-batch buffers, kept between batches (grown, never shrunk) so ingest allocates
    /// nothing per event.
    struct Scratch: Sendable {
        /// Pane index per (group, row); −1 when the row is not in the group's windows.
        var rowPane: [Int32] = []
        /// Rows grouped by pane.
        var perm: [Int32] = []
        var gathered: [Double] = []
        var gatheredCodes: [UInt32] = []
        var finite: [Double] = []
        /// Local slot per pane index (−1 when not touched by the batch).
        var paneLocal: [Int32] = []
    }
}
