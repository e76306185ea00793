import CSQLite

/// An in-memory hash index from record ids to rowids: the label join's lookups by id.
///
/// The join looks every prediction and every label up by its record id, and ids arrive in random
/// order. Kept in SQLite, that index cost a random B-tree insert per prediction and a random
/// B-tree descent per lookup (a label waiting in a `WITHOUT ROWID` table keyed by id cost two
/// more), and those were most of the join's time with 1M predictions pending. Here the tables
/// are plain rowid tables appended in arrival order, and this index maps a 32-bit hash of the id
/// (its *key*) to the rowids of the rows with that key.
///
/// A key is not an id: ids share keys (with 30M rows indexed, about 0.7% of lookups of a new id
/// meet another id's key). Every hit is therefore verified by reading the row (which the join
/// reads anyway, for its time and state) and comparing the stored id, so a shared key costs one
/// read and never joins the wrong rows. A miss — the usual case for a new prediction — costs no
/// SQLite call at all.
///
/// It is a multimap (a prediction id may be reused across windows) with open addressing and
/// linear probing. Keys and rowids live in two arrays: a probe scans the 4-byte keys (16 to a
/// cache line) and reads a rowid only for an equal key. A key's home slot is its position scaled
/// to the table (`key × size / 2³²`), so an entry's home is known from its key alone, which
/// backward-shift deletion needs (no tombstones). It grows by doubling at 3/4 load: 12 bytes a
/// slot, 16–32 bytes per indexed row (16–32 MB for 1M rows).
///
/// It is not durable: `Database` builds it from the tables when the join first needs it, and
/// drops it when a transaction rolls back or another connection changed the file
/// (`PRAGMA data_version`).
struct IDHashIndex {
    /// Keys by slot; 0 marks an empty slot (``key(_:)`` never returns 0).
    private var keys: [UInt32]
    /// Rowids by slot.
    private var values: [Int64]
    /// Entries in the index.
    private(set) var count = 0

    /// Bytes of the slot arrays (12 per slot).
    var memoryBytes: Int { keys.count * (MemoryLayout<UInt32>.stride + MemoryLayout<Int64>.stride) }

    /// An empty index with room for `capacity` entries before it grows.
    init(capacity: Int = 0) {
        var size = 16
        while size * 3 / 4 < capacity { size *= 2 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: 0, count: size)
    }

    /// The key of `id`: a 32-bit hash of its UTF-8 bytes, never 0.
    static func key(_ id: String) -> UInt32 {
        var id = id
        return id.withUTF8 { key(UnsafeRawBufferPointer($0)) }
    }

    /// The key of an id's UTF-8 bytes (as `key(_: String)`).
    ///
    /// Eight bytes at a time, each word mixed by a multiply and a fold of its high half (the
    /// scheme of wyhash's and xxh3's inner loops), then a full avalanche (MurmurHash3's 64-bit
    /// finaliser) over the length-seeded state, of which the high half is the key. Not a
    /// cryptographic hash: a shared key costs a read, never a wrong join.
    static func key(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        // The length, multiplied into every bit, seeds the state (XORed in plainly, "b" and
        // "a\0" collided).
        var h: UInt64 = (0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)) &* 0xC2B2_AE3D_27D4_EB4F
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        let key = UInt32(truncatingIfNeeded: h >> 32)
        return key == 0 ? 1 : key
    }

    /// The home slot of `key` in a table of `size` slots.
    @inline(__always)
    private static func home(_ key: UInt32, _ size: Int) -> Int { Int((UInt64(key) &* UInt64(size)) >> 32) }

    /// Adds an entry (an equal entry may exist already: this is a multimap).
    mutating func insert(_ key: UInt32, _ value: Int64) {
        if (count + 1) * 4 > keys.count * 3 { grow() }
        let size = keys.count
        var i = Self.home(key, size)
        keys.withUnsafeMutableBufferPointer { k in
            while k[i] != 0 { i = i + 1 == size ? 0 : i + 1 }
            k[i] = key
        }
        values[i] = value
        count += 1
    }

    /// Appends the values of `key` to `out` (in no particular order).
    func values(_ key: UInt32, into out: inout [Int64]) {
        let size = keys.count
        var i = Self.home(key, size)
        keys.withUnsafeBufferPointer { k in
            while k[i] != 0 {
                if k[i] == key { out.append(values[i]) }
                i = i + 1 == size ? 0 : i + 1
            }
        }
    }

    /// Asks the CPU to fetch `key`'s home slot without waiting for it.
    ///
    /// A lookup in a large index misses the CPU caches (~170 ns of memory latency here), paid
    /// one lookup at a time between SQLite calls. The join calls this for the record a few
    /// ahead of the one it looks up, so that the fetch overlaps the SQLite work and the lookup
    /// then hits the cache. (Touching a whole batch's slots first, as an earlier version did,
    /// does not survive the SQLite work between the lookups: a batch's inserts touch more
    /// memory than the caches hold.)
    @inline(__always)
    func prefetch(_ key: UInt32) {
        keys.withUnsafeBufferPointer { k in monitor_prefetch(k.baseAddress! + Self.home(key, k.count)) }
    }

    /// Whether `key` has any entry.
    func contains(_ key: UInt32) -> Bool {
        let size = keys.count
        var i = Self.home(key, size)
        return keys.withUnsafeBufferPointer { k in
            while k[i] != 0 {
                if k[i] == key { return true }
                i = i + 1 == size ? 0 : i + 1
            }
            return false
        }
    }

    /// Removes the entry (`key`, `value`); false when there is none.
    @discardableResult
    mutating func remove(_ key: UInt32, _ value: Int64) -> Bool {
        let size = keys.count
        var i = Self.home(key, size)
        while keys[i] != 0 && !(keys[i] == key && values[i] == value) { i = i + 1 == size ? 0 : i + 1 }
        guard keys[i] != 0 else { return false }
        // Backward-shift deletion: move later entries of the probe run into the hole when the
        // hole lies on their way from their home slot, so that lookups never stop early.
        var hole = i
        var j = i
        while true {
            j = j + 1 == size ? 0 : j + 1
            let k = keys[j]
            if k == 0 { break }
            let h = Self.home(k, size)
            // Is `h` cyclically outside (hole, j]? Then the entry at j may move to the hole.
            let outside = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j)
            if outside {
                keys[hole] = k
                values[hole] = values[j]
                hole = j
            }
        }
        keys[hole] = 0
        count -= 1
        return true
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: 0, count: oldKeys.count * 2)
        count = 0
        for i in oldKeys.indices where oldKeys[i] != 0 { insert(oldKeys[i], oldValues[i]) }
    }
}

/// The label join's in-memory indexes (see ``IDHashIndex``): the rows of `label_predictions`
/// (every state: a settled prediction still makes a replay a duplicate) and the waiting labels
/// (rows of `label_pending`, slots of `label_blocks`), by id; the predictions' times by rowid
/// run (``PredictionTimes``); plus what the join keeps of the
/// waiting labels between two writes (the buffer, the blocks' `taken` bitmaps, the last block read).
struct JoinIndex {
    var predictions: IDHashIndex
    var labels: IDHashIndex
    /// The time spans of `label_predictions`' rowid runs (its time index).
    var times = PredictionTimes()
    /// Labels that came first in the open checkpoint transaction and still wait, not yet in the
    /// store: they are written as blocks when the transaction commits (or before anything else
    /// reads the store, or when there are too many), so a prediction that arrives before then
    /// joins without anything being written, read back and deleted.
    var waiting = WaitingLabels()
    /// The blocks of `label_blocks` with labels still waiting, by `seq`.
    var blocks: [Int64: LabelBlock.State] = [:]
    /// Blocks whose `taken` changed in the open transaction (written with the waiting labels).
    var dirtyBlocks: [Int64] = []
    /// The `seq` of the next block written.
    var nextBlock: Int64 = 1
    /// The blocks read last (predictions tend to take labels in about the order they waited;
    /// a few blocks absorb the interleaving of several partitions), replaced in turn.
    var cachedBlocks: [LabelBlock.Decoded] = []
    /// The slot of `cachedBlocks` replaced next.
    var nextCacheSlot = 0
    /// Blocks kept in `cachedBlocks` (about 3 KB each).
    static let cachedBlockLimit = 16

    /// How many records ahead the join prefetches index slots.
    static let prefetchDistance = 4

    /// Prefetches the slots of the record `prefetchDistance` after record `i` of a batch whose
    /// keys are `keys` (see ``IDHashIndex/prefetch(_:)``).
    @inline(__always)
    func prefetch(_ keys: [UInt32], ahead i: Int) {
        guard i + Self.prefetchDistance < keys.count else { return }
        let key = keys[i + Self.prefetchDistance]
        predictions.prefetch(key)
        if labels.count > 0 { labels.prefetch(key) }
    }

    /// Records that block `seq`'s `taken` changed, so that the next write updates its row.
    mutating func markDirty(_ seq: Int64) {
        guard var state = blocks[seq], !state.dirty else { return }
        state.dirty = true
        blocks[seq] = state
        dirtyBlocks.append(seq)
    }

    /// Approximate bytes held besides the two hash indexes.
    var otherBytes: Int {
        waiting.memoryBytes + times.memoryBytes + blocks.capacity * 48 + cachedBlocks.reduce(0) { $0 + $1.bytes.capacity }
    }
    /// `PRAGMA data_version` when it was built: a different value at the start of a transaction
    /// means another connection committed meanwhile.
    var dataVersion: Int64
}

/// Labels waiting for their predictions that arrived in the open checkpoint transaction: a
/// write-behind buffer in front of `label_blocks`.
///
/// A label that comes first used to cost an insert into `label_pending` (and its time index),
/// then, when its prediction came, a read of that row and its deletion. When both arrive between
/// two checkpoints (labels slightly ahead of their predictions: the usual case for labels-first
/// sources), none of that needs to reach SQLite: the label waits here and the prediction takes
/// it. What is still here when the checkpoint commits is written to `label_blocks` in arrival order
/// in the same transaction, so the store holds exactly what it would have held, and a crash
/// before the commit loses nothing the sources do not replay.
struct WaitingLabels {
    /// Key → slot.
    private var index = IDHashIndex()
    private(set) var keys: [UInt32] = []
    private(set) var ids: [String] = []
    private(set) var timestamps: [Int64] = []
    private(set) var labels: [String?] = []
    private(set) var values: [Double] = []
    /// Slots taken by a prediction.
    private(set) var taken: [Bool] = []
    /// Labels still waiting.
    private(set) var count = 0

    /// Buffers a label (the caller has checked that none waits for `id`).
    mutating func append(key: UInt32, id: String, timestamp: Int64, label: String?, value: Double) {
        index.insert(key, Int64(ids.count))
        keys.append(key)
        ids.append(id)
        timestamps.append(timestamp)
        labels.append(label)
        values.append(value)
        taken.append(false)
        count += 1
    }

    /// The slot of the label waiting for `id`, if any.
    func slot(key: UInt32, id: String, scratch: inout [Int64]) -> Int? {
        guard count > 0 else { return nil }
        scratch.removeAll(keepingCapacity: true)
        index.values(key, into: &scratch)
        for s in scratch where ids[Int(s)] == id { return Int(s) }
        return nil
    }

    /// Takes the label in `slot` (its prediction arrived).
    mutating func take(_ slot: Int) {
        _ = index.remove(keys[slot], Int64(slot))
        taken[slot] = true
        count -= 1
    }

    /// Empties the buffer (after its labels were written to the store).
    mutating func removeAll() { self = WaitingLabels() }

    /// Approximate bytes held (slot arrays, the ids' and labels' inline storage; long strings'
    /// heap buffers are not counted).
    var memoryBytes: Int {
        index.memoryBytes + ids.capacity * (4 + 16 + 8 + 16 + 8 + 1)
    }
}

/// Where in `label_predictions` rows of a time may be: the time span of each run of
/// ``runLength`` consecutive rowids. It replaces an index on `ts_ms`.
///
/// The join finds rows by time three ways: the pending predictions the horizon passed (expiry),
/// the settled ones older than every open window (deletion), and a window's joined rows (its
/// performance). An index on `ts_ms` answered those, at the price of a B-tree insert per
/// prediction, which was the largest cost left in registering one (0.29–0.37 s per 100k
/// predictions with it, 0.18–0.21 s without, with 1M pending). Rows are appended in arrival
/// order (a new rowid is always above every existing one) and predictions arrive roughly in
/// time order, so a run's span is narrow and a time range maps to few runs; the queries then
/// read those runs' rowid ranges, checking each row's time. A run's span only widens (rows
/// deleted from it do not narrow it), so a query may read a run with no matching row left,
/// never miss one: late data costs reading, never a wrong answer.
///
/// It is not durable: built with the ``JoinIndex`` from the table (rows in rowid order).
struct PredictionTimes {
    /// A run: rowids `number × runLength ..< (number + 1) × runLength`.
    struct Run: Equatable {
        var number: Int64
        /// Rows in the table.
        var count: Int
        /// The least and greatest `ts_ms` of the rows inserted (those deleted included).
        var earliest: Int64
        var latest: Int64
        /// No row of the run is pending: the last expiry passed its latest time after the last
        /// pending insert. Expiry skips it. (Rows leave the pending state, never enter it.)
        var noPending: Bool
    }

    /// Rowids per run.
    static let runLength: Int64 = 4096

    /// Runs with rows, by number (ascending: runs are created at the end).
    private(set) var runs: [Run] = []

    /// Records an inserted row: rowid `seq`, time `time`, pending or not.
    mutating func insert(seq: Int64, time: Int64, pending: Bool) {
        let number = seq / Self.runLength
        // Nearly always the last run, or a new one after it; anywhere else is still kept in order.
        var i = runs.count - 1
        if i < 0 || runs[i].number != number {
            i = i < 0 || runs[i].number < number ? runs.count : position(number)
            if i == runs.count || runs[i].number != number {
                runs.insert(Run(number: number, count: 1, earliest: time, latest: time, noPending: !pending), at: i)
                return
            }
        }
        runs[i].count += 1
        if time < runs[i].earliest { runs[i].earliest = time }
        if time > runs[i].latest { runs[i].latest = time }
        if pending { runs[i].noPending = false }
    }

    /// Records a deleted row; a run with no row left is dropped.
    mutating func remove(seq: Int64) {
        let i = position(seq / Self.runLength)
        guard i < runs.count, runs[i].number == seq / Self.runLength else { return }
        runs[i].count -= 1
        if runs[i].count <= 0 { runs.remove(at: i) }
    }

    /// The index of run `number`, or where it would be inserted.
    private func position(_ number: Int64) -> Int {
        var lo = 0
        var hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].number < number { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The rowid ranges (inclusive) covering every run for which `matches` holds; adjacent
    /// matching runs (with no other run between them) make one range.
    func rowRanges(where matches: (Run) -> Bool) -> [ClosedRange<Int64>] {
        var ranges: [ClosedRange<Int64>] = []
        var open: (Int64, Int64)?
        for run in runs {
            if matches(run) {
                let end = (run.number + 1) * Self.runLength - 1
                open = (open?.0 ?? run.number * Self.runLength, end)
            } else if let o = open {
                ranges.append(o.0...o.1)
                open = nil
            }
        }
        if let o = open { ranges.append(o.0...o.1) }
        return ranges
    }

    /// After every pending row with time before `cutoff` expired: runs entirely before it have
    /// no pending row.
    mutating func expired(before cutoff: Int64) {
        for i in runs.indices where runs[i].latest < cutoff { runs[i].noPending = true }
    }

    /// Approximate bytes held.
    var memoryBytes: Int { runs.capacity * MemoryLayout<Run>.stride }
}
