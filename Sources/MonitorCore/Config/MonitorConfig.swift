import Yams

/// The configuration file (`monitor.yaml`).
///
/// Relative paths in it (sources, reference files, the store, rule and alert files) are
/// relative to the directory of the config file, as Prometheus does for `rule_files`.
///
/// ```yaml
/// sources:
///   - name: predictions
///     path: logs/predictions-*.jsonl
/// reference:
///   profile: fraud-train          # stored by `monitor baseline --name fraud-train`
/// windows:
///   - {name: 1h, size: 1h}
///   - {name: 1d, size: 1d, slide: 1h}
/// allowed_lateness: 5m
/// store: {path: monitor.db}
/// rules: [rules/*.yaml]
/// alerts: [alerts/*.yaml]
/// http: {listen: "127.0.0.1:9464", api_token: "${MONITOR_API_TOKEN}"}
/// logging: {format: json, level: info}
/// shutdown: {delivery_deadline: 10s}
/// labels: {horizon: 7d, min_coverage: 0.9, positive_class: fraud}
/// schema:
///   id: request_id              # dotted paths into each record
///   timestamp: ts
///   timestamp_unit: milliseconds
///   features_path: inputs
///   features:
///     amount: numerical
///     country: {kind: categorical, path: inputs.geo.country}
/// drift:
///   alpha: 0.01
///   correction: bh
///   overrides:
///     amount: {test: psi, threshold: 0.2}
/// ```
public struct MonitorConfig: Sendable {
    /// Where fields live and which features to read.
    public var schema = EventSchema()
    /// How drift is computed and decided.
    public var drift = DriftSettings()
    /// Where events come from.
    public var sources: [SourceSettings] = []
    /// The reference each model/version is compared with.
    public var reference = ReferenceSettings()
    /// Window configurations (default: one tumbling `1h` window).
    public var windows: [WindowSpec] = [WindowSpec(name: "1h", size: 3_600_000)]
    /// Watermark = max event time seen − `allowedLateness` (ms).
    public var allowedLateness: Int64 = 60_000
    public var store = StoreSettings()
    /// Rule file paths or globs.
    public var ruleFiles: [Positioned<String>] = []
    /// Alert routing/receiver file paths or globs.
    public var alertFiles: [Positioned<String>] = []
    public var http = HTTPSettings()
    /// Log format and level of `monitor run`.
    public var logging = LoggingSettings()
    /// What SIGTERM may take.
    public var shutdown = ShutdownSettings()
    /// How delayed labels are joined and when windows' performance matures.
    public var labels = LabelSettings()
    /// Retraining triggers: sinks (MLflow, webhook, Kafka, file) and policy (`registry:`).
    public var registry = RegistrySettings()
    /// The file's text, as read (for the audit trail).
    public var text: String = ""
    /// The config file's path, as given.
    public var path: String = ""

    /// All defaults.
    public init() {}

    static let topLevelKeys = ["sources", "schema", "reference", "windows", "allowed_lateness", "store", "rules",
                               "alerts", "http", "drift", "labels", "registry", "logging", "shutdown"]

    /// Parses a config document. Returns the config when there were no errors, and every
    /// diagnostic (errors and warnings) either way.
    public static func parse(_ text: String, path: String) -> (MonitorConfig?, [ConfigDiagnostic]) {
        var r = YAMLReader(path: path)
        var config = MonitorConfig()
        config.text = text
        config.path = path
        guard let root = r.compose(text) else {
            if r.diagnostics.isEmpty { return (config, []) }  // empty document: all defaults
            return (nil, r.diagnostics)
        }
        for (key, _, value) in r.mapping(root, "", allowed: topLevelKeys) {
            switch key {
            case "schema": parseSchema(value, into: &config.schema, &r)
            case "drift": parseDrift(value, into: &config.drift, &r)
            case "sources": config.sources = parseSources(value, &r)
            case "reference": parseReference(value, into: &config.reference, &r)
            case "windows": config.windows = parseWindows(value, &r)
            case "allowed_lateness": if let d = r.duration(value, key) { config.allowedLateness = d }
            case "store": parseStore(value, into: &config.store, &r)
            case "rules": config.ruleFiles = parseFileList(value, key, &r)
            case "alerts": config.alertFiles = parseFileList(value, key, &r)
            case "http": parseHTTP(value, into: &config.http, &r)
            case "logging": parseLogging(value, into: &config.logging, &r)
            case "shutdown": parseShutdown(value, into: &config.shutdown, &r)
            case "labels": parseLabels(value, into: &config.labels, &r)
            case "registry": config.registry = parseRegistry(value, &r)
            default: break
            }
        }
        let hasErrors = r.diagnostics.contains { $0.severity == .error }
        return (hasErrors ? nil : config, r.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
    }

    static func parseSchema(_ node: Node, into s: inout EventSchema, _ r: inout YAMLReader) {
        let keys = ["id", "timestamp", "timestamp_unit", "model", "version", "features_path", "score",
                    "predicted_label", "value", "label", "features"]
        for (key, _, v) in r.mapping(node, "schema", allowed: keys) {
            let ctx = "schema.\(key)"
            switch key {
            case "timestamp_unit": if let u = r.choice(v, ctx, TimestampUnit.self) { s.timestampUnit = u }
            case "features": s.declaredFeatures = parseFeatures(v, featuresPath: s.features, &r)
            default:
                guard let p = r.string(v, ctx) else { continue }
                let path = FieldPath(dotted: p)
                if path.components.isEmpty {
                    r.error(v, ctx, "a field path cannot be empty")
                    continue
                }
                switch key {
                case "id": s.id = path
                case "timestamp": s.timestamp = path
                case "model": s.model = path
                case "version": s.version = path
                case "features_path":
                    s.features = path
                    // Declared features parsed earlier keep their explicit paths; default ones move.
                    for i in s.declaredFeatures.indices where s.declaredFeatures[i].path.components.count == 2
                        && s.declaredFeatures[i].path.components[0] == "features" {
                        s.declaredFeatures[i].path = FieldPath(components: path.components + [s.declaredFeatures[i].name])
                    }
                case "score": s.score = path
                case "predicted_label": s.predictedLabel = path
                case "value": s.value = path
                case "label": s.label = path
                default: break
                }
            }
        }
    }

    static func parseFeatures(_ node: Node, featuresPath: FieldPath, _ r: inout YAMLReader) -> [FeatureSpec] {
        var out: [FeatureSpec] = []
        for (name, _, v) in r.mapping(node, "schema.features") {
            let ctx = "schema.features.\(name)"
            if case .scalar = v {
                if let k = r.choice(v, ctx, FeatureKind.self) {
                    out.append(FeatureSpec(name: name, kind: k, path: FieldPath(components: featuresPath.components + [name])))
                }
                continue
            }
            var kind: FeatureKind? = nil
            var path = FieldPath(components: featuresPath.components + [name])
            var sawKind = false
            for (key, _, fv) in r.mapping(v, ctx, allowed: ["kind", "path"]) {
                if key == "kind" {
                    sawKind = true
                    kind = r.choice(fv, ctx + ".kind", FeatureKind.self)
                } else if let p = r.string(fv, ctx + ".path") {
                    path = FieldPath(dotted: p)
                }
            }
            if !sawKind { r.error(v, ctx, "missing \"kind\" (numerical or categorical)") }
            if let kind { out.append(FeatureSpec(name: name, kind: kind, path: path)) }
        }
        return out
    }

    static func parseDrift(_ node: Node, into d: inout DriftSettings, _ r: inout YAMLReader) {
        let keys = ["bins", "psi_epsilon", "alpha", "correction", "exact_limit", "small_reference_rows",
                    "wasserstein_threshold", "js_threshold", "min_effect", "dataset_drift_share", "overrides"]
        for (key, _, v) in r.mapping(node, "drift", allowed: keys) {
            let ctx = "drift.\(key)"
            switch key {
            case "bins": if let x = r.int(v, ctx, range: 2...1000) { d.bins = x }
            case "psi_epsilon": if let x = r.double(v, ctx, range: 1e-12...0.1) { d.psiEpsilon = x }
            case "alpha": if let x = r.double(v, ctx, range: 1e-300...1) { d.alpha = x }
            case "correction": if let x = r.choice(v, ctx, PValueCorrectionKind.self) { d.correction = x }
            case "exact_limit": if let x = r.int(v, ctx, range: 1000...1_000_000_000) { d.exactLimit = x }
            case "small_reference_rows": if let x = r.int(v, ctx, range: 0...Int.max) { d.smallReferenceRows = x }
            case "wasserstein_threshold": if let x = r.double(v, ctx, range: 0...1e12) { d.wassersteinThreshold = x }
            case "js_threshold": if let x = r.double(v, ctx, range: 0...1) { d.jsThreshold = x }
            case "min_effect": if let x = r.double(v, ctx, range: 0...1e12) { d.minEffect = x }
            case "dataset_drift_share": if let x = r.double(v, ctx, range: 0...1) { d.datasetDriftShare = x }
            case "overrides":
                for (name, _, ov) in r.mapping(v, ctx) {
                    let octx = "\(ctx).\(name)"
                    var test: DriftTest? = nil
                    var threshold: Double? = nil
                    for (ok, _, ovv) in r.mapping(ov, octx, allowed: ["test", "threshold"]) {
                        if ok == "test" { test = r.choice(ovv, octx + ".test", DriftTest.self) }
                        else { threshold = r.double(ovv, octx + ".threshold", range: 0...1e12) }
                    }
                    if let test { d.overrides[name] = DriftOverride(test: test, threshold: threshold) }
                    else { r.error(ov, octx, "missing \"test\" (\(DriftTest.allCases.map(\.rawValue).joined(separator: ", ")))") }
                }
            default: break
            }
        }
    }
}
