/// The kind of a feature, which decides the statistics computed for it.
public enum FeatureKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Numbers: binned against reference quantiles; KS, Wasserstein, PSI, JS.
    case numerical
    /// Strings (or booleans): counted per category; chi-square, PSI, JS.
    case categorical
}

/// How a numeric `ts` field is interpreted (RFC 3339 strings are always accepted).
public enum TimestampUnit: String, Sendable, Hashable, Codable, CaseIterable {
    case seconds
    case milliseconds
}

/// A dotted path to a field inside a JSON record, e.g. `prediction.score` or `inputs.amount`.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The keys from the outermost object inwards. Never empty.
    public var components: [String]

    /// Parses a dotted path. Empty components are dropped; `"a..b"` is `["a", "b"]`.
    public init(dotted: String) {
        components = dotted.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
    }
    /// A path from its components, outermost first.
    public init(components: [String]) { self.components = components }
    /// A path from a dotted string literal.
    public init(stringLiteral value: String) { self.init(dotted: value) }

    public var description: String { components.joined(separator: ".") }
}

/// One feature the decoder extracts: its column name, its kind and where it lives in a record.
public struct FeatureSpec: Hashable, Sendable {
    /// The feature's name as it appears in series labels and reports.
    public var name: String
    /// Numerical or categorical.
    public var kind: FeatureKind
    /// Where the value lives in a record; by default `features.<name>`.
    public var path: FieldPath

    /// A feature read from `path`, by default `features.<name>`.
    public init(name: String, kind: FeatureKind, path: FieldPath? = nil) {
        self.name = name
        self.kind = kind
        self.path = path ?? FieldPath(components: ["features", name])
    }
}

/// Where the fields of a prediction record live, and which features to extract.
///
/// Defaults match the record format of DESIGN §3:
/// `{"id","ts","model","version","features":{...},"prediction":{"score","label"}}`.
public struct EventSchema: Hashable, Sendable {
    /// The record id (joins labels to predictions).
    public var id: FieldPath = "id"
    /// The event time: RFC 3339 or a number in `timestampUnit`.
    public var timestamp: FieldPath = "ts"
    /// The model name.
    public var model: FieldPath = "model"
    /// The model version.
    public var version: FieldPath = "version"
    /// The object holding the features when they are not declared one by one.
    public var features: FieldPath = "features"
    /// The predicted score or probability (classification).
    public var score: FieldPath = "prediction.score"
    /// The predicted class.
    public var predictedLabel: FieldPath = "prediction.label"
    /// Regression models log `prediction.value`.
    public var value: FieldPath = "prediction.value"
    /// The ground truth in label records (`{"id","ts","label"}`, DESIGN §3); their `id` and `ts`
    /// are at `id` and `timestamp`, as in prediction records.
    public var label: FieldPath = "label"
    /// Unit of numeric timestamps.
    public var timestampUnit: TimestampUnit = .milliseconds
    /// Declared features in column order. Empty means: infer from the reference data.
    public var declaredFeatures: [FeatureSpec] = []

    /// The default schema of DESIGN §3, with features inferred.
    public init() {}
}
