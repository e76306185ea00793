import Foundation
import MonitorCore
import MonitorService
import Testing

@Suite("monitor simulate")
struct SimulateTests {
    func generate(seed: UInt64, rows: Int = 2000, drift: String? = nil, duration: Int64? = nil) throws -> (TempDir, [String: Data]) {
        let dir = try TempDir()
        var spec = SimulationSpec()
        if let duration { spec.durationMilliseconds = duration }
        spec.rows = rows
        spec.referenceRows = rows
        spec.seed = seed
        if let drift { spec.drifts = try SimulatedDrift.parse(drift) }
        _ = try SimulateRunner.run(spec: spec, directory: dir.url.path)
        var files: [String: Data] = [:]
        for f in ["reference.jsonl", "predictions.jsonl", "labels.jsonl", "manifest.json"] {
            files[f] = try Data(contentsOf: dir.url.appendingPathComponent(f))
        }
        return (dir, files)
    }

    @Test("output is byte-identical per seed and differs across seeds")
    func deterministic() throws {
        let (_, a) = try generate(seed: 11)
        let (_, b) = try generate(seed: 11)
        let (_, c) = try generate(seed: 12)
        #expect(a == b)
        #expect(a["predictions.jsonl"] != c["predictions.jsonl"])
    }

    @Test("records follow the DESIGN §3 format and every line is JSON")
    func format() throws {
        // 500 records in a minute: 120 ms apart, closer than the ±250 ms per-host jitter.
        let (_, files) = try generate(seed: 3, rows: 500, duration: 60_000)
        let lines = String(decoding: files["predictions.jsonl"]!, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 500)
        var lastTs = Int64.min
        var outOfOrder = 0
        for line in lines {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(obj["model"] as? String == "fraud")
            #expect(obj["version"] as? String == "3")
            let tsText = try #require(obj["ts"] as? String)
            let ts = try #require(Timestamp.parse(tsText))
            if ts.milliseconds < lastTs { outOfOrder += 1 }
            lastTs = max(lastTs, ts.milliseconds)
            let features = try #require(obj["features"] as? [String: Any])
            #expect(features.count == 12)
            let prediction = try #require(obj["prediction"] as? [String: Any])
            let score = try #require(prediction["score"] as? Double)
            #expect((0...1).contains(score))
            #expect(["fraud", "legit"].contains(prediction["label"] as? String))
        }
        // Per-host jitter makes a few records arrive slightly out of order, as real logs do.
        #expect(outOfOrder > 0 && outOfOrder < 250)
        let labels = String(decoding: files["labels.jsonl"]!, as: UTF8.self).split(separator: "\n")
        // 3% of labels never arrive: 500 · 0.97 ± a few standard deviations.
        #expect((455...499).contains(labels.count), "\(labels.count)")
    }

    @Test("drift changes the drifted features only from the drift start")
    func drift() throws {
        let (_, plain) = try generate(seed: 5, rows: 3000)
        let (_, drifted) = try generate(seed: 5, rows: 3000, drift: "amount:missing=0.5,country:new-category=0.2")
        // The reference never drifts.
        #expect(plain["reference.jsonl"] == drifted["reference.jsonl"])
        let text = String(decoding: drifted["predictions.jsonl"]!, as: UTF8.self)
        let nullAmounts = text.components(separatedBy: "\"amount\":null").count - 1
        let newCountries = text.components(separatedBy: "\"country\":\"country_new\"").count - 1
        #expect((1300...1700).contains(nullAmounts), "\(nullAmounts)")
        #expect((450...750).contains(newCountries), "\(newCountries)")
    }

    @Test("bad drift specs list every problem", arguments: [
        ("amount", "expected FEATURE:KIND=VALUE"),
        ("amount:shift", "expected KIND=NUMBER"),
        ("amount:wobble=1", "unknown drift kind 'wobble'"),
        ("amount:missing=1.5", "share in [0, 1]"),
    ])
    func badSpec(spec: String, message: String) {
        #expect {
            _ = try SimulatedDrift.parse(spec)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("a bad drift spec on the command line is a usage error (exit 2) that names the item")
    func badSpecCLI() throws {
        let dir = try TempDir()
        let r = try MonitorProcess.run(["simulate", "--out", dir.path("out"), "--drift", "age:wobble=1"])
        #expect(r.code == 2)
        #expect(r.stderr.contains("error: 'age:wobble=1': unknown drift kind 'wobble'"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out/predictions.jsonl")))
    }

    @Test("drift on an unknown feature or of the wrong kind is rejected")
    func badFeature() throws {
        var spec = SimulationSpec()
        spec.drifts = try SimulatedDrift.parse("height:shift=1,country:shift=1,amount:new-category=0.1")
        #expect {
            _ = try Simulator(spec: spec)
        } throws: { error in
            let e = error as! SimulationError
            return e.problems.count == 3 && e.problems[0].contains("unknown feature 'height'")
        }
    }
}
