import Foundation
import MonitorCore
import Testing

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/config")

private func parseFixture(_ name: String) throws -> (MonitorConfig?, [ConfigDiagnostic]) {
    let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    return MonitorConfig.parse(text, path: name)
}

@Suite("Config parsing")
struct MonitorConfigTests {
    @Test("every key of a complete config is read")
    func fullConfig() throws {
        let (config, diags) = try parseFixture("full.good.yaml")
        #expect(diags.isEmpty, "\(diags)")
        let c = try #require(config)
        #expect(c.schema.id == FieldPath(dotted: "request_id"))
        #expect(c.schema.timestamp.components == ["meta", "ts"])
        #expect(c.schema.timestampUnit == .seconds)
        #expect(c.schema.score.description == "outputs.proba")
        #expect(c.schema.declaredFeatures.map(\.name) == ["amount", "country"])
        // features_path comes before features in the file: the default path follows it.
        #expect(c.schema.declaredFeatures[0].path.description == "inputs.amount")
        #expect(c.schema.declaredFeatures[1].path.description == "inputs.geo.country")
        #expect(c.schema.declaredFeatures[1].kind == .categorical)
        #expect(c.drift.bins == 20)
        #expect(c.drift.psiEpsilon == 0.001)
        #expect(c.drift.alpha == 0.01)
        #expect(c.drift.correction == .bh)
        #expect(c.drift.exactLimit == 500_000)
        #expect(c.drift.smallReferenceRows == 2000)
        #expect(c.drift.wassersteinThreshold == 0.2)
        #expect(c.drift.jsThreshold == 0.15)
        #expect(c.drift.minEffect == 0.02)
        #expect(c.drift.datasetDriftShare == 0.3)
        #expect(c.drift.overrides["amount"] == DriftOverride(test: .psi, threshold: 0.25))
        #expect(c.drift.overrides["country"] == DriftOverride(test: .chi2, threshold: nil))
    }

    @Test("an empty file means all defaults")
    func emptyConfig() {
        let (config, diags) = MonitorConfig.parse("", path: "empty.yaml")
        #expect(diags.isEmpty)
        #expect(config?.drift.alpha == 0.05)
        #expect(config?.drift.bins == 10)
    }

    /// Each bad fixture maps to its position and a substring of the expected message.
    @Test(
        "bad configs give positioned messages",
        arguments: [
            ("unknown-key.bad.yaml", 2, 3, "unknown key \"alpah\" (did you mean \"alpha\"?)"),
            ("bad-kind.bad.yaml", 3, 13, "\"numeric\" is not one of numerical, categorical"),
            ("bad-number.bad.yaml", 2, 10, "expected a number"),
            ("out-of-range.bad.yaml", 2, 9, "out of range 2...1000"),
            ("bad-correction.bad.yaml", 2, 15, "\"holm\" is not one of none, bonferroni, bh"),
            ("syntax.bad.yaml", 3, 1, "YAML syntax error"),
            ("missing-kind.bad.yaml", 3, 13, "missing \"kind\""),
            ("not-a-mapping.bad.yaml", 1, 1, "expected a mapping"),
        ])
    func badConfig(file: String, line: Int, column: Int, message: String) throws {
        let (config, diags) = try parseFixture(file)
        #expect(config == nil)
        let d = try #require(diags.first)
        #expect(d.path == file)
        #expect(d.line == line, "\(d)")
        #expect(d.column == column, "\(d)")
        #expect(d.description.contains(message), "\(d)")
        #expect(d.description.hasPrefix("\(file):\(line):\(column): "))
    }

    @Test("all problems of a file are reported at once")
    func manyProblems() throws {
        let (config, diags) = try parseFixture("many.bad.yaml")
        #expect(config == nil)
        let lines = diags.map(\.line)
        #expect(lines == [2, 4, 6, 7, 8], "\(diags.map(\.description))")
        #expect(diags[0].context == "schema.timestamp_unit")
        #expect(diags[3].context == "drift.bins")
    }
}

@Suite("Time parsing")
struct TimeParsingTests {
    @Test(
        "RFC 3339 and dates",
        arguments: [
            ("1970-01-01T00:00:00Z", Int64(0)),
            ("2026-11-22T10:00:00.123Z", Int64(1_795_341_600_123)),
            ("2026-11-22T12:00:00.123+02:00", Int64(1_795_341_600_123)),
            ("2026-11-22t10:00:00.1234567z", Int64(1_795_341_600_123)),
            ("2026-11-22 10:00:00.5Z", Int64(1_795_341_600_500)),
            ("2026-11-22", Int64(1_795_305_600_000)),
            ("1969-12-31T23:59:59.999Z", Int64(-1)),
        ])
    func rfc3339(text: String, ms: Int64) {
        #expect(Timestamp.parse(text)?.milliseconds == ms)
    }

    @Test("bad timestamps are rejected", arguments: ["", "2026-13-01", "2026-11-22T25:00:00Z", "2026-11-22T10:00:00", "2026-11-22T10:00:00.Z", "yesterday"])
    func bad(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("formatting round-trips", arguments: [Int64(0), 1_795_341_600_123, -1, 253_402_300_799_999, -62_135_596_800_000])
    func roundTrip(ms: Int64) {
        let t = Timestamp(milliseconds: ms)
        #expect(Timestamp.parse(t.rfc3339) == t, "\(t.rfc3339)")
    }

    @Test(
        "Prometheus durations",
        arguments: [("30s", Int64(30_000)), ("5m", 300_000), ("1h30m", 5_400_000), ("2d", 172_800_000), ("1w", 604_800_000),
                    ("500ms", 500), ("1m30s500ms", 90_500), ("0", 0)])
    func durations(text: String, ms: Int64) {
        #expect(PrometheusDuration.parse(text) == ms)
        if ms > 0 { #expect(PrometheusDuration.parse(PrometheusDuration.format(ms)) == ms) }
    }

    @Test("bad durations are rejected", arguments: ["", "5", "m", "1.5h", "30m1h", "1h1h", "-5m", "5 m"])
    func badDurations(text: String) {
        #expect(PrometheusDuration.parse(text) == nil)
    }
}
