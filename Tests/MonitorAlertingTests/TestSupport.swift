import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The venv scripts/setup creates; a test needing it fails (never skips) when it is missing.
    static func venvPython() throws -> String {
        let p = packageRoot.appendingPathComponent(".venv-webhooks/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: p) else {
            throw SetupMissing(description: "\(p) is missing: run scripts/setup (it creates .venv-webhooks with standardwebhooks)")
        }
        return p
    }

    static var receiverScript: String { packageRoot.appendingPathComponent("scripts/webhook-receiver.py").path }
}

struct SetupMissing: Error, CustomStringConvertible {
    let description: String
}

/// A fresh temporary directory, removed when dropped.
final class TempDir: @unchecked Sendable {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "monitor-alerting-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// `scripts/webhook-receiver.py` on a free loopback port, recording requests.
final class ReceiverProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let log: String

    struct Request {
        var path: String
        var headers: [String: String]
        var body: String
        var status: Int
        var verified: Bool?
        var at: Double
    }

    init(dir: TempDir, name: String = "receiver", statuses: [Int] = [200], retryAfter: String? = nil, hang: Bool = false,
         secret: String? = nil) throws {
        log = dir.file("\(name).jsonl")
        let portFile = dir.file("\(name).port")
        process.executableURL = URL(fileURLWithPath: secret == nil ? "/usr/bin/env" : try Paths.venvPython())
        var args = [Paths.receiverScript, "--port-file", portFile, "--log", log, "--statuses", statuses.map(String.init).joined(separator: ","),
                    "--quiet"]
        if secret == nil { args.insert("python3", at: 0) }
        if let retryAfter { args += ["--retry-after", retryAfter] }
        if hang { args.append("--hang") }
        if let secret { args += ["--secret", secret] }
        process.arguments = args
        try process.run()
        var port = 0
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) {
                port = p
                break
            }
            usleep(25_000)
        }
        guard port > 0 else {
            process.terminate()
            throw SetupMissing(description: "the webhook receiver did not start")
        }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    var requests: [Request] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(path: obj["path"] as? String ?? "", headers: obj["headers"] as? [String: String] ?? [:],
                           body: obj["body"] as? String ?? "", status: obj["status"] as? Int ?? 0, verified: obj["verified"] as? Bool,
                           at: obj["at"] as? Double ?? 0)
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

/// Polls until `condition` holds or `seconds` pass.
func waitUntil(seconds: Double, _ condition: () -> Bool) async -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

/// Runs a process to completion, returning (status, stdout, stderr).
func runProcess(_ executable: String, _ args: [String], stdin: String? = nil) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let input = Pipe()
    if stdin != nil { p.standardInput = input }
    try p.run()
    if let stdin {
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
    }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Client-side TCP connections to `port` on loopback that are still established (from
/// /proc/net/tcp): a leaked connection stays ESTABLISHED; a closed one leaves that state.
func establishedConnections(toPort port: Int) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return -1 }
    var n = 0
    for line in text.split(separator: "\n").dropFirst() {
        let f = line.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count > 3 else { continue }
        let remote = f[2].split(separator: ":")
        guard remote.count == 2, Int(remote[1], radix: 16) == port, f[3] == "01" else { continue }
        n += 1
    }
    return n
}
