import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP GET on loopback: (status, body), or nil when nothing answers.
func httpGet(_ url: String, timeout: TimeInterval = 5) -> (Int, String)? {
    final class Box: @unchecked Sendable { var result: (Int, String)? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    var request = URLRequest(url: URL(string: url)!)
    request.timeoutInterval = timeout
    URLSession.shared.dataTask(with: request) { data, response, _ in
        if let http = response as? HTTPURLResponse {
            box.result = (http.statusCode, String(decoding: data ?? Data(), as: UTF8.self))
        }
        done.signal()
    }.resume()
    _ = done.wait(timeout: .now() + timeout + 1)
    return box.result
}

/// A TCP port nothing listens on right now (bound to port 0 and released).
func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            _ = bind(fd, $0, len)
            _ = getsockname(fd, $0, &len)
        }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Waits until `condition` holds (checked every 100 ms) or the deadline passes.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(100_000)
    }
    return condition()
}

/// Runs a command, returning its exit code and combined output; nil when it is not installed.
func runTool(_ path: String, _ args: [String], stdin: String? = nil) throws -> (Int32, String)? {
    guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    let input = Pipe()
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("HTTP endpoints", .serialized)
struct MetricsEndpointTests {
    /// Starts the service on a free loopback port over two days of data (hourly windows) and
    /// returns it with its base URL once `/metrics` shows window series.
    func startService(_ dir: TempDir) throws -> (ServiceProcess, String) {
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "8000", "--reference-rows", "4000", "--seed", "3", "--duration", "2d",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let port = freeLoopbackPort()
        let config = try writeRunConfig(dir, source: "data/predictions.jsonl", reference: "file: data/reference.jsonl")
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "http: {listen: \"\"}", with: "http: {listen: \"127.0.0.1:\(port)\"}")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        let base = "http://127.0.0.1:\(port)"
        let up = waitUntil(seconds: 60) { httpGet(base + "/metrics")?.1.contains("psi{") == true }
        #expect(up, "no window series on /metrics; log:\n\(service.log.suffix(3000))")
        return (service, base)
    }

    @Test("/metrics passes promtool check metrics; /healthz and /readyz answer")
    func exposition() throws {
        let dir = try TempDir()
        let (service, base) = try startService(dir)
        defer { _ = service.terminate() }
        let (status, body) = try #require(httpGet(base + "/metrics"))
        #expect(status == 200)
        for name in ["psi{", "ks_pvalue{", "js_distance{", "missing_rate{", "drifted_feature_share{", "monitor_events_total{",
                     "monitor_decode_errors_total{", "monitor_late_events_total{", "monitor_windows_closed_total{",
                     "monitor_checkpoint_duration_seconds_bucket", "monitor_rule_evaluation_duration_seconds_bucket"] {
            #expect(body.contains(name), "\(name) missing from /metrics")
        }
        let promtool = try #require(try runTool("/usr/bin/promtool", ["check", "metrics"], stdin: body),
                                    "promtool is not installed (Debian package prometheus; scripts/setup installs it)")
        #expect(promtool.0 == 0, "promtool check metrics:\n\(promtool.1)")
        #expect(httpGet(base + "/healthz")?.0 == 200)
        #expect(httpGet(base + "/readyz")?.0 == 200)
        #expect(httpGet(base + "/api/v1/alerts")?.1.hasPrefix("{\"status\":\"success\"") == true)
        #expect(service.terminate() == 0)
    }

    @Test("a real Prometheus server scrapes the monitor")
    func prometheusScrape() throws {
        let dir = try TempDir()
        let (service, base) = try startService(dir)
        defer { _ = service.terminate() }
        let target = base.replacingOccurrences(of: "http://", with: "")
        let promPort = freeLoopbackPort()
        let promConfig = try dir.write("prometheus.yml", """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: monitor
                static_configs: [{targets: ["\(target)"]}]
            """)
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus"),
                     "prometheus is not installed (Debian package prometheus; scripts/setup installs it)")
        let prom = Process()
        prom.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        prom.arguments = ["--config.file=\(promConfig)", "--storage.tsdb.path=\(dir.path("tsdb"))",
                          "--web.listen-address=127.0.0.1:\(promPort)"]
        let log = dir.path("prometheus.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        prom.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        prom.standardOutput = prom.standardError
        try prom.run()
        defer {
            prom.terminate()
            prom.waitUntilExit()
        }
        let api = "http://127.0.0.1:\(promPort)/api/v1/query?query="
        let scraped = waitUntil(seconds: 60) {
            guard let (code, body) = httpGet(api + "up%7Bjob%3D%22monitor%22%7D") else { return false }
            return code == 200 && body.contains("\"value\":[") && body.contains(",\"1\"]")
        }
        #expect(scraped, "Prometheus did not scrape the monitor; log:\n\((try? String(contentsOfFile: log, encoding: .utf8))?.suffix(2000) ?? "")")
        let psi = httpGet(api + "psi%7Bfeature%3D%22amount%22%7D")
        #expect(psi?.1.contains("\"feature\":\"amount\"") == true, "\(psi?.1 ?? "no answer")")
        let errors = httpGet("http://127.0.0.1:\(promPort)/api/v1/targets")
        #expect(errors?.1.contains("\"health\":\"up\"") == true, "\(errors?.1 ?? "")")
    }
}
