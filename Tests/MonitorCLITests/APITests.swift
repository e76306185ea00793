import Foundation
import MonitorService
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A running `monitor run` with the HTTP API on a free loopback port and an API token.
struct APIService {
    let service: ServiceProcess
    let base: String
    let token: String
    let dir: TempDir

    /// Two days of simulated data with drift from the first noon (so alerts exist), hourly windows.
    static func start(_ dir: TempDir, token: String = "test-token-0123456789abcdef", logging: String = "{format: json, level: info}")
        throws -> APIService
    {
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "8000", "--reference-rows", "4000", "--seed", "5", "--duration", "2d",
            "--drift-start", "2026-11-01T12:00:00Z", "--drift", "amount:shift=1.0,country:new-category=0.3",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let port = freeLoopbackPort()
        let config = try writeRunConfig(dir, source: "data/predictions.jsonl", reference: "file: data/reference.jsonl")
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "http: {listen: \"\"}",
            with: "http: {listen: \"127.0.0.1:\(port)\", api_token: \"${MONITOR_API_TOKEN}\"}\nlogging: \(logging)")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"), environment: ["MONITOR_API_TOKEN": token])
        let base = "http://127.0.0.1:\(port)"
        let up = waitUntil(seconds: 90) { httpGet(base + "/metrics")?.1.contains("psi{") == true }
        #expect(up, "no window series on /metrics; log:\n\(service.log.suffix(3000))")
        return APIService(service: service, base: base, token: token, dir: dir)
    }
}

@Suite("HTTP API against docs/openapi.yaml", .serialized)
struct APITests {
    static let specPath = MonitorProcess.packageRoot.appendingPathComponent("docs/openapi.yaml").path

    /// Calls every operation of the OpenAPI file against a running service: each response's
    /// status must be documented and its JSON body must match the documented schema (no
    /// undocumented fields). Mutating calls are made without a token, with a wrong one and
    /// with the right one: only the last succeeds. The set of operations called must equal
    /// the set in the file, so an endpoint added to one and not the other fails here.
    @Test("every endpoint conforms to the OpenAPI file; mutating calls need the token")
    func conformance() throws {
        let spec = try OpenAPISpec(path: Self.specPath)
        let dir = try TempDir()
        let api = try APIService.start(dir)
        defer { _ = api.service.terminate() }
        var called: Set<String> = []
        var problems: [String] = []
        let auth = ["Authorization": "Bearer \(api.token)"]

        @discardableResult
        func call(_ method: String, _ template: String, _ url: String, headers: [String: String] = [:], body: String? = nil,
                  expect status: Int) -> String {
            called.insert("\(method) \(template)")
            guard let r = httpRequest(method, api.base + url, headers: headers, body: body) else {
                problems.append("\(method) \(url): no answer")
                return ""
            }
            if r.status != status { problems.append("\(method) \(url): status \(r.status), expected \(status): \(r.body.prefix(300))") }
            problems += spec.check(method, template, status: r.status, contentType: r.headers["content-type"], body: r.body)
                .map { "\(method) \(url): \($0)" }
            return r.body
        }

        // The whole file read: the drift has fired alerts by then.
        #expect(waitUntil(seconds: 90) { httpGet(api.base + "/api/v1/alerts")?.1.contains("\"state\":\"firing\"") == true },
                "no alert fired; log:\n\(api.service.log.suffix(2000))")
        call("GET", "/healthz", "/healthz", expect: 200)
        call("GET", "/readyz", "/readyz", expect: 200)
        let exposition = call("GET", "/metrics", "/metrics", expect: 200)
        // Every metric family the service exposes is in the list dashboards are checked against
        // (OperationsUnitTests checks deploy/grafana/ against that list).
        let families = Set(exposition.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) })
        #expect(families.count > 20, "\(families)")
        let exported = SelfMetrics.exportedNames
        let histogramFamilies = families.filter { exposition.contains("# TYPE \($0) histogram") }
        let unknown = families.filter { !exported.contains($0) && !(histogramFamilies.contains($0) && exported.contains($0 + "_bucket")) }
        #expect(unknown.isEmpty, "exposed but not in SelfMetrics.exportedNames: \(unknown.sorted())")
        let statusBody = call("GET", "/api/v1/status", "/api/v1/status", expect: 200)
        #expect(statusBody.contains("\"name\":\"predictions\""), "\(statusBody)")
        #expect(statusBody.contains("\"lastEvaluation\":"), "\(statusBody)")
        let alerts = call("GET", "/api/v1/alerts", "/api/v1/alerts", expect: 200)
        #expect(alerts.contains("\"state\":\"firing\""), "the drift should have fired an alert: \(alerts.prefix(500))")
        let windows = call("GET", "/api/v1/windows", "/api/v1/windows?model=fraud&since=2026-10-01T00:00:00Z&limit=5", expect: 200)
        #expect(windows.contains("\"metric\":\"psi\""), "\(windows.prefix(500))")
        call("GET", "/api/v1/windows", "/api/v1/windows?since=yesterday", expect: 400)
        call("GET", "/api/v1/silences", "/api/v1/silences", expect: 200)

        let newSilence = #"{"matchers":["alertname=FeatureDrift","model=fraud"],"duration":"2h","createdBy":"test","comment":"maintenance"}"#
        // Without a token, with a wrong one, with a scheme other than Bearer: 401.
        for headers in [[:], ["Authorization": "Bearer wrong-token-0123456789abcdef"], ["Authorization": "Basic \(api.token)"],
                        ["Authorization": "Bearer \(api.token)x"], ["Authorization": "Bearer"]] {
            call("POST", "/api/v1/silences", "/api/v1/silences", headers: headers, body: newSilence, expect: 401)
            call("DELETE", "/api/v1/silences/{id}", "/api/v1/silences/sil_0000000000000000", headers: headers, expect: 401)
            call("DELETE", "/api/v1/silences", "/api/v1/silences?id=sil_0000000000000000", headers: headers, expect: 401)
            call("POST", "/-/reload", "/-/reload", headers: headers, expect: 401)
        }
        #expect(!(httpGet(api.base + "/api/v1/silences")?.1.contains("maintenance") ?? true), "an unauthorized POST created a silence")
        call("POST", "/api/v1/silences", "/api/v1/silences", headers: auth, body: #"{"matchers":[]}"#, expect: 400)
        let created = call("POST", "/api/v1/silences", "/api/v1/silences", headers: auth, body: newSilence, expect: 201)
        let id = try #require(created.range(of: #""id":"(sil_[0-9a-f]+)""#, options: .regularExpression).map {
            String(created[$0].dropFirst(6).dropLast())
        }, "no id in \(created)")
        let listed = call("GET", "/api/v1/silences", "/api/v1/silences", expect: 200)
        #expect(listed.contains(id) && listed.contains("\"state\":\"active\""), "\(listed)")
        call("DELETE", "/api/v1/silences/{id}", "/api/v1/silences/\(id)", headers: auth, expect: 200)
        call("DELETE", "/api/v1/silences/{id}", "/api/v1/silences/sil_ffffffffffffffff", headers: auth, expect: 404)
        call("DELETE", "/api/v1/silences", "/api/v1/silences?id=sil_ffffffffffffffff", headers: auth, expect: 404)
        call("DELETE", "/api/v1/silences", "/api/v1/silences", headers: auth, expect: 400)
        // The query form expires too.
        let second = call("POST", "/api/v1/silences", "/api/v1/silences", headers: auth, body: newSilence, expect: 201)
        if let r = second.range(of: #""id":"(sil_[0-9a-f]+)""#, options: .regularExpression) {
            call("DELETE", "/api/v1/silences", "/api/v1/silences?id=\(second[r].dropFirst(6).dropLast())", headers: auth, expect: 200)
        }
        let expired = call("GET", "/api/v1/silences", "/api/v1/silences?expired=true", expect: 200)
        #expect(expired.contains(id) && expired.contains("\"state\":\"expired\""), "\(expired)")
        call("POST", "/-/reload", "/-/reload", headers: auth, expect: 200)

        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(called == spec.operations, "operations in the file but not called: \(spec.operations.subtracting(called).sorted()); called but not in the file: \(called.subtracting(spec.operations).sorted())")

        // The JSON log never carries the token, and every line is a JSON object.
        #expect(api.service.terminate() == 0)
        let log = api.service.log
        #expect(!log.contains(api.token), "the API token appears in the log")
        for line in log.split(separator: "\n") {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["msg"] != nil && object?["level"] != nil && object?["ts"] != nil, "not a JSON log line: \(line)")
        }
    }

    /// The checker itself: a body that breaks the schema is reported, so the conformance test
    /// can fail.
    @Test("the schema checker rejects wrong shapes")
    func checkerCatchesMistakes() throws {
        let spec = try OpenAPISpec(path: Self.specPath)
        #expect(spec.check("GET", "/api/v1/alerts", status: 200, contentType: "application/json",
                           body: #"{"status":"success","data":{"alerts":[]}}"#).isEmpty)
        // Missing required field, wrong type, undocumented field, bad enum, bad date-time.
        for bad in [#"{"status":"success"}"#, #"{"status":"success","data":{"alerts":{}}}"#,
                    #"{"status":"success","data":{"alerts":[]},"extra":1}"#, #"{"status":"ok","data":{"alerts":[]}}"#,
                    #"{"status":"success","data":{"alerts":[{"labels":{},"annotations":{},"state":"firing","value":1,"activeAt":"soon","group":"g","rule":"r"}]}}"#] {
            #expect(!spec.check("GET", "/api/v1/alerts", status: 200, contentType: "application/json", body: bad).isEmpty, "\(bad)")
        }
        #expect(!spec.check("GET", "/api/v1/alerts", status: 418, contentType: "application/json", body: "{}").isEmpty)
        #expect(!spec.check("GET", "/api/v1/nothing", status: 200, contentType: "application/json", body: "{}").isEmpty)
    }
}
