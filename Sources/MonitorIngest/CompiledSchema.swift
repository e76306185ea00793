import MonitorCore

/// One key of an object level in the compiled key table.
struct KeyEntry {
    enum Kind: UInt8 {
        case none = 0, numeric, text, timestamp
    }
    var keyOffset: Int32
    var keyLength: Int32
    var kind: Kind
    /// Whether the target is a feature column (for `missingFeatures`).
    var isFeature: Bool
    /// Whether the key can be compared against raw input bytes (no `"`, `\` or control bytes).
    var rawComparable: Bool
    /// Column slot for `.numeric` / `.text` targets.
    var slot: Int32
    /// Node to descend into when the value is an object, or -1.
    var child: Int32
    /// The key followed by its closing quote, little-endian, in two words (when it fits in 16
    /// bytes), with masks selecting its bytes: one or two 8-byte compares match a key.
    var pattern0: UInt64 = 0
    var pattern1: UInt64 = 0
    var mask0: UInt64 = 0
    var mask1: UInt64 = 0
    var wordComparable: Bool = false
}

/// One object level: a contiguous run of entries.
struct NodeInfo {
    var first: Int32
    var count: Int32
    /// The schema's features object: keys not in the table are unknown features.
    var isFeatures: Bool
}

/// The schema's dotted paths compiled into a trie of per-object key tables.
///
/// Slots: numeric slots are the numerical features in column order, then `score`, then `value`;
/// text slots are the categorical features in column order, then `label`, `model`, `version`, `id`.
///
/// Invariants: immutable after `init` (hence safe to share between threads); node 0 is the root;
/// when two targets share one path, the first registered wins (features, then id, ts, model,
/// version, score, label, value).
final class CompiledSchema: @unchecked Sendable {
    let keys: UnsafeMutablePointer<UInt8>
    let entries: UnsafeMutablePointer<KeyEntry>
    let nodes: UnsafeMutablePointer<NodeInfo>
    let nodeCount: Int
    let entryCount: Int
    let numericalNames: [String]
    let categoricalNames: [String]
    let numericalCount: Int
    let categoricalCount: Int
    var numericSlots: Int { numericalCount + 2 }
    var textSlots: Int { categoricalCount + 4 }
    var scoreSlot: Int { numericalCount }
    var valueSlot: Int { numericalCount + 1 }
    var labelSlot: Int { categoricalCount }
    var modelSlot: Int { categoricalCount + 1 }
    var versionSlot: Int { categoricalCount + 2 }
    var idSlot: Int { categoricalCount + 3 }

    private struct Target {
        var kind: KeyEntry.Kind
        var slot: Int
        var isFeature: Bool
    }
    private struct TmpEntry {
        var key: [UInt8]
        var target: Target?
        var child: Int?
    }
    private struct TmpNode {
        var entries: [TmpEntry] = []
        var isFeatures = false
    }

    /// The path a feature is read from: its own path, except that the default `features.<name>`
    /// follows the schema's `features` mapping (`features: inputs` → `inputs.<name>`).
    static func effectivePath(_ spec: FeatureSpec, schema: EventSchema) -> [String] {
        if spec.path.components == ["features", spec.name] { return schema.features.components + [spec.name] }
        return spec.path.components
    }

    init(schema: EventSchema, features: [FeatureSpec], keepIDs: Bool) {
        var tmp = [TmpNode()]
        func node(at path: [String]) -> Int {
            var n = 0
            for comp in path {
                let key = Array(comp.utf8)
                if let i = tmp[n].entries.firstIndex(where: { $0.key == key }) {
                    if let c = tmp[n].entries[i].child {
                        n = c
                    } else {
                        tmp.append(TmpNode())
                        tmp[n].entries[i].child = tmp.count - 1
                        n = tmp.count - 1
                    }
                } else {
                    tmp.append(TmpNode())
                    tmp[n].entries.append(TmpEntry(key: key, target: nil, child: tmp.count - 1))
                    n = tmp.count - 1
                }
            }
            return n
        }
        func add(_ path: [String], _ target: Target) {
            guard let last = path.last else { return }
            let n = node(at: Array(path.dropLast()))
            let key = Array(last.utf8)
            if let i = tmp[n].entries.firstIndex(where: { $0.key == key }) {
                if tmp[n].entries[i].target == nil { tmp[n].entries[i].target = target }
            } else {
                tmp[n].entries.append(TmpEntry(key: key, target: target, child: nil))
            }
        }

        // Root keys first, in the order records usually list them (DESIGN §3), so that the
        // next-key guess of the root level hits.
        var num: [String] = []
        var cat: [String] = []
        let numericalSpecs = features.filter { $0.kind == .numerical }
        let categoricalSpecs = features.filter { $0.kind == .categorical }
        numericalCount = numericalSpecs.count
        categoricalCount = categoricalSpecs.count
        let nNum = numericalSpecs.count
        let nCat = categoricalSpecs.count
        if keepIDs { add(schema.id.components, Target(kind: .text, slot: nCat + 3, isFeature: false)) }
        add(schema.timestamp.components, Target(kind: .timestamp, slot: 0, isFeature: false))
        add(schema.model.components, Target(kind: .text, slot: nCat + 1, isFeature: false))
        add(schema.version.components, Target(kind: .text, slot: nCat + 2, isFeature: false))
        let featuresNode = node(at: schema.features.components)
        tmp[featuresNode].isFeatures = !schema.features.components.isEmpty
        for spec in features {
            let path = Self.effectivePath(spec, schema: schema)
            if spec.kind == .numerical {
                add(path, Target(kind: .numeric, slot: num.count, isFeature: true))
                num.append(spec.name)
            } else {
                add(path, Target(kind: .text, slot: cat.count, isFeature: true))
                cat.append(spec.name)
            }
        }
        add(schema.score.components, Target(kind: .numeric, slot: nNum, isFeature: false))
        add(schema.predictedLabel.components, Target(kind: .text, slot: nCat, isFeature: false))
        add(schema.value.components, Target(kind: .numeric, slot: nNum + 1, isFeature: false))
        numericalNames = num
        categoricalNames = cat

        // Flatten.
        let totalEntries = tmp.reduce(0) { $0 + $1.entries.count }
        let totalKeyBytes = tmp.reduce(0) { $0 + $1.entries.reduce(0) { $0 + $1.key.count } }
        keys = .allocate(capacity: max(1, totalKeyBytes))
        entries = .allocate(capacity: max(1, totalEntries))
        nodes = .allocate(capacity: tmp.count)
        nodeCount = tmp.count
        entryCount = totalEntries
        var e = 0
        var k = 0
        for (ni, n) in tmp.enumerated() {
            nodes[ni] = NodeInfo(first: Int32(e), count: Int32(n.entries.count), isFeatures: n.isFeatures)
            for t in n.entries {
                for (j, b) in t.key.enumerated() { keys[k + j] = b }
                let raw = !t.key.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }
                entries[e] = KeyEntry(
                    keyOffset: Int32(k), keyLength: Int32(t.key.count), kind: t.target?.kind ?? .none,
                    isFeature: t.target?.isFeature ?? false, rawComparable: raw, slot: Int32(t.target?.slot ?? 0),
                    child: Int32(t.child ?? -1))
                let pattern = t.key + [UInt8(ascii: "\"")]
                if raw && pattern.count <= 16 {
                    for (j, b) in pattern.enumerated() {
                        if j < 8 {
                            entries[e].pattern0 |= UInt64(b) << (8 * j)
                            entries[e].mask0 |= 0xFF << (8 * j)
                        } else {
                            entries[e].pattern1 |= UInt64(b) << (8 * (j - 8))
                            entries[e].mask1 |= 0xFF << (8 * (j - 8))
                        }
                    }
                    entries[e].wordComparable = true
                }
                k += t.key.count
                e += 1
            }
        }
    }

    deinit {
        keys.deallocate()
        entries.deallocate()
        nodes.deallocate()
    }
}
