import Foundation
import Testing

/// `monitor compare` as a user runs it: exit codes, messages and output shapes (DESIGN §12).
@Suite("monitor compare (CLI)", .serialized)
struct CompareCLITests {
    /// A small pair of files: `amount` shifts by 3 sd in the current data, `country` gains a new
    /// category, `age` is unchanged.
    static func record(_ i: Int, amount: Double?, age: Int, country: String?) -> String {
        let a = amount.map { "\($0)" } ?? "null"
        let c = country.map { "\"\($0)\"" } ?? "null"
        return #"{"id":"p-\#(i)","ts":"2026-11-22T10:00:00Z","model":"fraud","features":{"amount":\#(a),"age":\#(age),"country":\#(c)},"prediction":{"score":0.5,"label":"legit"}}"#
    }

    static func files(_ dir: TempDir, rows: Int = 400, shift: Double = 3) throws -> (String, String) {
        var ref = ""
        var cur = ""
        let countries = ["DE", "FR", "US", "GB"]
        for i in 0..<rows {
            let u = (Double(i) + 0.5) / Double(rows)  // evenly spread quantiles: deterministic
            let z = sqrt(2) * inverseErf(2 * u - 1)
            ref += record(i, amount: 10 + z, age: 20 + i % 50, country: countries[i % 4]) + "\n"
            cur += record(i, amount: 10 + z + shift, age: 20 + (i * 7) % 50, country: i % 5 == 0 ? "XX" : countries[i % 4]) + "\n"
        }
        return (try dir.write("ref.jsonl", ref), try dir.write("cur.jsonl", cur))
    }

    @Test("drift found: table by default, exit 1 only with --fail-on-drift")
    func driftExitCodes() throws {
        let dir = try TempDir()
        let (ref, cur) = try Self.files(dir)
        let plain = try MonitorProcess.run(["compare", "--reference", ref, "--current", cur])
        #expect(plain.code == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("amount"))
        #expect(plain.stdout.contains("DRIFT"))
        let fail = try MonitorProcess.run(["compare", "--reference", ref, "--current", cur, "--fail-on-drift"])
        #expect(fail.code == 1)
        let same = try MonitorProcess.run(["compare", "--reference", ref, "--current", ref, "--fail-on-drift"])
        #expect(same.code == 0, "\(same.stdout)\(same.stderr)")
        #expect(!same.stdout.contains("DRIFT"))
    }

    @Test("JSON output has DESIGN §12's shape: kinds keep their own fields, no nulls")
    func jsonShape() throws {
        let dir = try TempDir()
        let (ref, cur) = try Self.files(dir)
        let r = try MonitorProcess.run(["compare", "--reference", ref, "--current", cur, "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("null"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["reference_rows"] as? Int == 400)
        #expect(obj["current_rows"] as? Int == 400)
        #expect(obj["dataset_drift"] is Bool)
        #expect(obj["drifted_feature_share"] is Double)
        let features = try #require(obj["features"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: features.map { ($0["name"] as! String, $0) })
        let amount = try #require(byName["amount"])
        #expect(amount["kind"] as? String == "numerical")
        #expect(amount["method"] as? String == "exact")
        // 400 reference values ≤ 1000: the KS p-value decides (with the effect-size floor).
        #expect(amount["test"] as? String == "ks")
        for k in ["psi", "ks_statistic", "ks_pvalue", "wasserstein", "wasserstein_normed", "js_distance", "missing_rate", "out_of_range_rate"] {
            #expect(amount[k] is Double, "amount.\(k)")
        }
        #expect(amount["chi2_pvalue"] == nil && amount["new_category_rate"] == nil)
        #expect(amount["drift"] as? Bool == true)
        let country = try #require(byName["country"])
        #expect(country["kind"] as? String == "categorical")
        #expect(country["test"] as? String == "chi2")
        for k in ["psi", "chi2_statistic", "chi2_pvalue", "js_distance", "missing_rate", "new_category_rate"] {
            #expect(country[k] is Double, "country.\(k)")
        }
        #expect(country["ks_pvalue"] == nil && country["wasserstein"] == nil && country["out_of_range_rate"] == nil)
        #expect(country["new_category_rate"] as? Double == 0.2)
        #expect(country["drift"] as? Bool == true)
        let age = try #require(byName["age"])
        #expect(age["drift"] as? Bool == false)
    }

    @Test("a missing file or a directory is a usage error (exit 2) naming the path")
    func missingFile() throws {
        let dir = try TempDir()
        let (ref, _) = try Self.files(dir, rows: 10)
        let missing = try MonitorProcess.run(["compare", "--reference", ref, "--current", dir.path("nope.jsonl")])
        #expect(missing.code == 2)
        #expect(missing.stderr.contains("nope.jsonl: No such file or directory"), "\(missing.stderr)")
        let directory = try MonitorProcess.run(["compare", "--reference", dir.url.path, "--current", ref])
        #expect(directory.code == 2)
        #expect(directory.stderr.contains("is a directory"))
    }

    @Test("bad flags are usage errors (exit 2)")
    func badFlags() throws {
        #expect(try MonitorProcess.run(["compare", "--reference", "a"]).code == 2)
        #expect(try MonitorProcess.run(["compare", "--reference", "a", "--current", "b", "--format", "xml"]).code == 2)
        #expect(try MonitorProcess.run(["compare", "--reference", "a", "--current", "b", "--correction", "holm"]).code == 2)
        #expect(try MonitorProcess.run(["frobnicate"]).code == 2)
    }

    @Test("an empty file, or one without a single valid record, fails with exit 1")
    func emptyFile() throws {
        let dir = try TempDir()
        let (ref, _) = try Self.files(dir, rows: 10)
        let empty = try dir.write("empty.jsonl", "")
        let r = try MonitorProcess.run(["compare", "--reference", ref, "--current", empty])
        #expect(r.code == 1)
        #expect(r.stderr.contains("empty.jsonl: no usable records (the file is empty)"), "\(r.stderr)")
        let garbage = try dir.write("garbage.jsonl", "not json\n{\"id\":\n")
        let g = try MonitorProcess.run(["compare", "--reference", garbage, "--current", ref])
        #expect(g.code == 1)
        #expect(g.stderr.contains("malformed_json"), "\(g.stderr)")
    }

    @Test("malformed lines are counted with line numbers; the rest is compared")
    func malformedLines() throws {
        let dir = try TempDir()
        let (ref, cur) = try Self.files(dir, rows: 200)
        var text = try String(contentsOfFile: cur, encoding: .utf8)
        text += "{\"id\": \"broken\"\n{not json}\n" + Self.record(999, amount: 10, age: 30, country: "DE") + "\n"
        let bad = try dir.write("bad.jsonl", text)
        let r = try MonitorProcess.run(["compare", "--reference", ref, "--current", bad, "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let errors = try #require((obj["decode_errors"] as? [String: Any])?["current"] as? [String: Int])
        #expect(errors["malformed_json"] == 2)
        #expect(r.stderr.contains("malformed_json (lines 201, 202)"), "\(r.stderr)")
        #expect(obj["current_rows"] as? Int == 203)
    }

    @Test("all-missing, constant and unknown features neither crash nor flag drift by accident")
    func degenerateColumns() throws {
        let dir = try TempDir()
        var ref = ""
        var cur = ""
        for i in 0..<300 {
            ref += #"{"id":"\#(i)","ts":"2026-11-22T10:00:00Z","features":{"x":\#(i % 17),"flat":5,"gone":\#(i),"nan":null}}"# + "\n"
            cur += #"{"id":"\#(i)","ts":"2026-11-22T10:00:00Z","features":{"x":\#((i * 3) % 17),"flat":5,"nan":null,"extra":1}}"# + "\n"
        }
        let r = try MonitorProcess.run(["compare", "--reference", try dir.write("r.jsonl", ref), "--current", try dir.write("c.jsonl", cur), "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let features = try #require(obj["features"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: features.map { ($0["name"] as! String, $0) })
        let flat = try #require(byName["flat"])
        #expect(flat["ks_statistic"] as? Double == 0)
        #expect(flat["psi"] as? Double == 0)
        #expect(flat["drift"] as? Bool == false)
        let gone = try #require(byName["gone"])
        #expect(gone["missing_rate"] as? Double == 1)
        #expect(gone["drift"] as? Bool == false)
        #expect((gone["note"] as? String)?.contains("no non-missing values in the current data") == true)
        let nan = try #require(byName["nan"])
        #expect(nan["drift"] as? Bool == false)
        #expect(byName["x"]?["drift"] as? Bool == false)
        let warnings = try #require(obj["warnings"] as? [String])
        #expect(warnings.contains { $0.contains("\"extra\"") && $0.contains("not in the reference") }, "\(warnings)")
    }

    @Test("an invalid --config lists every problem with file:line:column and exits 1")
    func invalidConfig() throws {
        let dir = try TempDir()
        let (ref, cur) = try Self.files(dir, rows: 10)
        let config = try dir.write("monitor.yaml", "drift:\n  alpha: 3\n  bins: x\n")
        let r = try MonitorProcess.run(["compare", "--reference", ref, "--current", cur, "--config", config])
        #expect(r.code == 1)
        #expect(r.stderr.contains("monitor.yaml:2:10: drift.alpha: 3.0 is out of range"), "\(r.stderr)")
        #expect(r.stderr.contains("monitor.yaml:3:9: drift.bins: expected an integer"), "\(r.stderr)")
    }

    @Test("--config declares features and paths; corrections apply")
    func configSchema() throws {
        let dir = try TempDir()
        let (ref, cur) = try Self.files(dir)
        let config = try dir.write("monitor.yaml", """
            schema:
              features:
                amount: numerical
                country: {kind: categorical, path: features.country}
            drift:
              correction: bonferroni
            """)
        let r = try MonitorProcess.run(["compare", "--reference", ref, "--current", cur, "--config", config, "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let features = try #require(obj["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as! String } == ["amount", "country"])
        #expect(obj["correction"] as? String == "bonferroni")
        for f in features {
            let p = try #require(f[f["kind"] as! String == "numerical" ? "ks_pvalue" : "chi2_pvalue"] as? Double)
            // Foundation's JSON parser may be 1 ulp off the printed value: compare to 1e-15.
            let adjusted = try #require(f["pvalue_adjusted"] as? Double)
            #expect(abs(adjusted - min(1, p * 2)) <= 1e-15 * adjusted)
        }
    }

    @Test("an override whose test does not fit the feature's kind is an error; one for an absent feature a warning")
    func overrideKinds() throws {
        let dir = try TempDir()
        let (ref, cur) = try Self.files(dir, rows: 50)
        let bad = try dir.write("bad.yaml", "drift:\n  overrides:\n    country: {test: ks}\n    amount: {test: chi2}\n")
        let r = try MonitorProcess.run(["compare", "--reference", ref, "--current", cur, "--config", bad])
        #expect(r.code == 1)
        #expect(r.stderr.contains("drift.overrides.amount: test chi2 applies to categorical features; \"amount\" is numerical"), "\(r.stderr)")
        #expect(r.stderr.contains("drift.overrides.country: test ks applies to numerical features; \"country\" is categorical"), "\(r.stderr)")
        let absent = try dir.write("absent.yaml", "drift:\n  overrides:\n    height: {test: psi}\n")
        let a = try MonitorProcess.run(["compare", "--reference", ref, "--current", cur, "--config", absent])
        #expect(a.code == 0)
        #expect(a.stdout.contains("warning: drift.overrides.height: no feature \"height\" in the data"), "\(a.stdout)")
    }

    @Test("records without a timestamp are fine for compare: counted, not warned about")
    func noTimestamps() throws {
        let dir = try TempDir()
        let lines = (0..<50).map { #"{"id":"\#($0)","features":{"x":\#($0 % 7)}}"# }.joined(separator: "\n") + "\n"
        let f = try dir.write("train.jsonl", lines)
        let r = try MonitorProcess.run(["compare", "--reference", f, "--current", f, "--format", "json"])
        #expect(r.code == 0)
        #expect(!r.stderr.contains("warning"), "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let errors = (obj["decode_errors"] as? [String: Any])?["reference"] as? [String: Int]
        #expect(errors?["bad_timestamp"] == 50)
        #expect(obj["warnings"] == nil)
    }

    @Test("every command has --help with an example")
    func help() throws {
        for cmd in ["compare", "simulate"] {
            let r = try MonitorProcess.run([cmd, "--help"])
            #expect(r.code == 0)
            #expect(r.stdout.contains("Examples:"), "\(cmd)")
        }
    }
}

/// Inverse error function (Giles 2010 single-precision-style approximation refined by Newton), for
/// building normal quantiles in tests without randomness.
func inverseErf(_ x: Double) -> Double {
    var w = -log((1 - x) * (1 + x))
    var p: Double
    if w < 5 {
        w -= 2.5
        p = 2.81022636e-08
        for c in [3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941] {
            p = c + p * w
        }
    } else {
        w = w.squareRoot() - 3
        p = -0.000200214257
        for c in [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682] {
            p = c + p * w
        }
    }
    var y = p * x
    for _ in 0..<2 { y -= (erf(y) - x) / (2 / Double.pi.squareRoot() * exp(-y * y)) }
    return y
}
