import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A real MLflow tracking server (PyPI `mlflow` in `.venv-mlflow`, created by scripts/setup) on
/// loopback with a SQLite backend, started once per test process by `scripts/mlflow-server` and
/// stopped when the process ends (the script watches this process's pid).
final class MLflowServer: @unchecked Sendable {
    let port: Int
    let dir: TempDir
    let process: Process
    var base: String { "http://127.0.0.1:\(port)" }

    /// Why MLflow is unavailable: not installable (a skip, loudly) or broken (a failure).
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
        /// True only when scripts/setup recorded that pip could not install MLflow.
        var notInstallable: Bool
    }

    static let venv = MonitorProcess.packageRoot.appendingPathComponent(".venv-mlflow")

    /// The install failure recorded by scripts/setup, if any.
    static var installFailure: String? {
        try? String(contentsOfFile: venv.path + ".failed", encoding: .utf8)
    }

    /// Whether the MLflow tests run. When scripts/setup could not install MLflow they are
    /// skipped, and this says so on stderr in a banner; a missing venv without that record is
    /// a failure (setup was not run), never a silent pass.
    static let installable: Bool = {
        if let why = installFailure, !FileManager.default.isExecutableFile(atPath: venv.appendingPathComponent("bin/mlflow").path) {
            FileHandle.standardError.write(Data("""

                ################################################################################
                ##  SKIPPING THE MLFLOW REGISTRY TESTS: MLflow could not be installed.         ##
                ##  \(why.split(separator: "\n").first ?? "")
                ##  See .venv-mlflow.failed; run scripts/setup with PyPI reachable.            ##
                ################################################################################

                """.utf8))
            return false
        }
        return true
    }()

    /// The one server of this test process, started by the first test that asks (without
    /// holding a thread of the test pool while it starts: MLflow takes ~40 s).
    static let starting = Task { () -> Result<MLflowServer, Unavailable> in
        do { return .success(try await MLflowServer.start()) } catch let e as Unavailable { return .failure(e) } catch {
            return .failure(Unavailable(description: "\(error)", notInstallable: false))
        }
    }

    /// The server, or a test failure explaining why there is none.
    static func require() async throws -> MLflowServer {
        switch await starting.value {
        case .success(let s): return s
        case .failure(let e): throw e
        }
    }

    private init(port: Int, dir: TempDir, process: Process) {
        self.port = port
        self.dir = dir
        self.process = process
    }

    private static func start() async throws -> MLflowServer {
        guard FileManager.default.isExecutableFile(atPath: Self.venv.appendingPathComponent("bin/mlflow").path) else {
            throw Unavailable(description: "\(Self.venv.path)/bin/mlflow is missing: run scripts/setup (it installs MLflow)", notInstallable: false)
        }
        let dir = try TempDir()
        let process = Process()
        process.executableURL = MonitorProcess.packageRoot.appendingPathComponent("scripts/mlflow-server")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // An empty port: the script picks a free one and writes it to DIR/port.
        process.arguments = [dir.path("mlflow"), "", String(getpid())]
        try process.run()
        var port = 0
        let deadline = Date().addingTimeInterval(180)
        while port == 0, Date() < deadline, process.isRunning {
            if let t = try? String(contentsOfFile: dir.path("mlflow/port"), encoding: .utf8), let p = Int(t.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = p
            } else {
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        guard port > 0 else {
            let log = (try? String(contentsOfFile: dir.path("mlflow/server.log"), encoding: .utf8)) ?? ""
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            throw Unavailable(description: "mlflow server did not start within 180 s: \(log.suffix(1500))", notInstallable: false)
        }
        return MLflowServer(port: port, dir: dir, process: process)
    }

    /// One REST call to `/api/2.0/mlflow/<endpoint>`; the decoded JSON object.
    @discardableResult
    func api(_ method: String, _ endpoint: String, _ body: [String: Any]? = nil) throws -> (status: Int, json: [String: Any]) {
        try MLflowServer.request(method, base + "/api/2.0/mlflow/" + endpoint, body)
    }

    static func request(_ method: String, _ url: String, _ body: [String: Any]? = nil) throws -> (status: Int, json: [String: Any]) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        r.timeoutInterval = 30
        if let body {
            r.httpBody = try JSONSerialization.data(withJSONObject: body)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, Data?, (any Error)?) = (0, nil, nil)
        URLSession.shared.dataTask(with: r) { data, response, error in
            result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data, error)
            done.signal()
        }.resume()
        done.wait()
        if let e = result.2 { throw e }
        let json = result.1.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        return (result.0, json)
    }

    /// Creates a registered model with `versions` versions (sources are opaque strings: nothing
    /// is fetched) and optional aliases (alias → version).
    func createModel(_ name: String, versions: Int, aliases: [String: String] = [:]) throws {
        let created = try api("POST", "registered-models/create", ["name": name])
        #expect(created.status == 200, "create \(name): \(created.json)")
        for i in 1...versions {
            let v = try api("POST", "model-versions/create", ["name": name, "source": "s3://monitor-test/\(name)/\(i)"])
            #expect(v.status == 200, "create \(name) v\(i): \(v.json)")
        }
        for (alias, version) in aliases {
            let a = try api("POST", "registered-models/alias", ["name": name, "alias": alias, "version": version])
            #expect(a.status == 200, "alias \(alias): \(a.json)")
        }
    }

    /// A model version's tags, read back through the REST API.
    func versionTags(_ name: String, _ version: String) throws -> [String: String] {
        let r = try api("GET", "model-versions/get?name=\(name)&version=\(version)")
        let tags = ((r.json["model_version"] as? [String: Any])?["tags"] as? [[String: Any]]) ?? []
        return Dictionary(tags.compactMap { t in (t["key"] as? String).map { ($0, "\(t["value"] ?? "")") } }) { a, _ in a }
    }

    /// A registered model's tags and aliases (alias → version).
    func modelTagsAndAliases(_ name: String) throws -> (tags: [String: String], aliases: [String: String]) {
        let r = try api("GET", "registered-models/get?name=\(name)")
        let m = r.json["registered_model"] as? [String: Any] ?? [:]
        let tags = (m["tags"] as? [[String: Any]] ?? []).compactMap { t in (t["key"] as? String).map { ($0, "\(t["value"] ?? "")") } }
        let aliases = (m["aliases"] as? [[String: Any]] ?? []).compactMap { a in (a["alias"] as? String).map { ($0, "\(a["version"] ?? "")") } }
        return (Dictionary(tags) { a, _ in a }, Dictionary(aliases) { a, _ in a })
    }
}

/// `scripts/flaky-proxy.py` in front of a server: the first `fail` requests answer `status`,
/// later ones are forwarded; every request is logged.
final class FlakyProxy {
    let process = Process()
    let port: Int
    let log: String

    init(dir: TempDir, upstream: String, fail: Int, status: Int = 500, port fixed: Int = 0, name: String = "proxy") throws {
        log = dir.path("\(name).jsonl")
        let portFile = dir.path("\(name).port")
        try? FileManager.default.removeItem(atPath: portFile)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", MonitorProcess.packageRoot.appendingPathComponent("scripts/flaky-proxy.py").path,
                             "--upstream", upstream, "--port-file", portFile, "--port", String(fixed), "--fail", String(fail),
                             "--status", String(status), "--log", log]
        try process.run()
        var port = 0
        for _ in 0..<400 where port == 0 {
            if let t = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(t) { port = p } else { usleep(25_000) }
        }
        self.port = port
    }

    /// Logged requests: (method, path, body, status, the Authorization header).
    var requests: [(method: String, path: String, body: String, status: Int, authorization: String?)] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (o["method"] as? String ?? "", o["path"] as? String ?? "", o["body"] as? String ?? "", o["status"] as? Int ?? 0,
                    o["authorization"] as? String)
        }
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// Runs `monitor` without holding a thread of the test pool while it runs (output goes to
/// files; the exit is awaited): long end-to-end suites must not starve the async tests that run
/// beside them (the pool has one thread per core).
func runMonitorAsync(_ args: [String], environment: [String: String] = [:]) async throws -> MonitorProcess.Result {
    let dir = try TempDir()
    let outPath = dir.path("stdout")
    let errPath = dir.path("stderr")
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    let p = Process()
    p.executableURL = MonitorProcess.binary
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }
    p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
        p.terminationHandler = { _ in cont.resume() }
        do { try p.run() } catch {
            p.terminationHandler = nil
            cont.resume()
        }
    }
    let code = p.terminationReason == .uncaughtSignal ? -p.terminationStatus : p.terminationStatus
    return MonitorProcess.Result(code: code, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                                 stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// `waitUntil` for async tests: polls without blocking a thread.
func waitUntilAsync(seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return condition()
}
