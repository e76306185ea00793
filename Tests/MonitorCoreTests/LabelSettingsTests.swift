import MonitorCore
import Testing

@Suite("Config: labels")
struct LabelSettingsTests {
    @Test("defaults: 7d horizon, 0.9 coverage, task inferred, no positive class")
    func defaults() throws {
        let (config, diags) = MonitorConfig.parse("", path: "m.yaml")
        #expect(diags.isEmpty)
        let l = try #require(config).labels
        #expect(l.horizon == 7 * 86_400_000)
        #expect(l.minCoverage == 0.9)
        #expect(l.task == nil && l.positiveClass == nil)
    }

    @Test("every key is read")
    func full() throws {
        let (config, diags) = MonitorConfig.parse("""
            labels:
              horizon: 36h
              min_coverage: 0.75
              positive_class: fraud
              task: classification
            """, path: "m.yaml")
        #expect(diags.isEmpty, "\(diags)")
        let l = try #require(config).labels
        #expect(l.horizon == 36 * 3_600_000)
        #expect(l.minCoverage == 0.75)
        #expect(l.positiveClass == "fraud")
        #expect(l.task == .classification)
    }

    /// Each bad value maps to its position and message; all are reported at once.
    @Test("bad values give positioned messages, all at once")
    func bad() {
        let (config, diags) = MonitorConfig.parse("""
            labels:
              horizon: 30s
              min_coverage: 1.5
              positive_class: ""
              task: ranking
              horizn: 7d
            """, path: "m.yaml")
        #expect(config == nil)
        let text = diags.map(\.description)
        #expect(text.count == 5, "\(text)")
        #expect(text.contains("m.yaml:2:12: labels.horizon: must be between 1m and 3650d"), "\(text)")
        #expect(text.contains { $0.hasPrefix("m.yaml:3:17: labels.min_coverage:") && $0.contains("out of range") }, "\(text)")
        #expect(text.contains("m.yaml:4:19: labels.positive_class: cannot be empty"), "\(text)")
        #expect(text.contains { $0.hasPrefix("m.yaml:5:9: labels.task:") && $0.contains("not one of classification, regression") }, "\(text)")
        #expect(text.contains { $0.hasPrefix("m.yaml:6:3: labels:") && $0.contains("unknown key \"horizn\" (did you mean \"horizon\"?)") }, "\(text)")
    }

    @Test("coverage 0 is refused: it would mature windows without labels")
    func zeroCoverage() {
        let (config, diags) = MonitorConfig.parse("labels: {min_coverage: 0}", path: "m.yaml")
        #expect(config == nil)
        #expect(diags.first?.message.contains("above 0") == true)
    }

    @Test("performance series names are known to rules")
    func seriesNames() {
        for name in ["accuracy", "mape", "r2", "confusion_matrix", "labeled_count", "label_coverage", "reference_accuracy", "reference_auc"] {
            #expect(SeriesName.all.contains(name), "\(name)")
            #expect(SeriesName.maturity.contains(name), "\(name)")
        }
        #expect(!SeriesName.maturity.contains("psi"))
    }
}
