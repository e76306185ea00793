import Foundation
import Testing
import Yams

@Suite("Container image and deployment manifests", .serialized)
struct DeploymentTests {
    static let root = MonitorProcess.packageRoot

    /// scripts/lint-deploy with its output; fails (never skips) when the linters are missing.
    static func lint(_ root: String? = nil) throws -> (Int32, String) {
        let script = Self.root.appendingPathComponent("scripts/lint-deploy").path
        let result = try #require(try runTool(script, root.map { [$0] } ?? []), "\(script) is not executable")
        if result.0 == 2 { Issue.record("the linters are missing (run scripts/setup): \(result.1)") }
        return result
    }

    /// hadolint on the Dockerfile, yamllint and kubernetes-validate --strict on deploy/ (our
    /// schemas for the PodMonitor and the Kustomization), the dashboard's JSON and the OpenAPI
    /// file all pass.
    @Test("the Dockerfile, deploy/ manifests, dashboard and OpenAPI file pass their linters")
    func linters() throws {
        let (code, output) = try Self.lint()
        #expect(code == 0, "\(output)")
        #expect(output.contains("passed for resource deployment/fraud-model"), "\(output)")
        #expect(output.contains("PodMonitor passed podmonitor.schema.json"), "\(output)")
    }

    /// The same linters fail on a copy with known mistakes: the check can fail.
    @Test("the linters catch a bad Dockerfile, a bad Deployment and a bad PodMonitor")
    func lintersCatchMistakes() throws {
        let dir = try TempDir()
        let fm = FileManager.default
        for item in ["Dockerfile", "deploy", "docs"] {
            try fm.copyItem(atPath: Self.root.appendingPathComponent(item).path, toPath: dir.path(item))
        }
        let dockerfile = try String(contentsOfFile: dir.path("Dockerfile"), encoding: .utf8)
        try dockerfile.replacingOccurrences(of: "FROM debian:bookworm-slim", with: "FROM debian:latest")
            .write(toFile: dir.path("Dockerfile"), atomically: true, encoding: .utf8)
        let deployment = try String(contentsOfFile: dir.path("deploy/kubernetes/deployment.yaml"), encoding: .utf8)
        try deployment.replacingOccurrences(of: "replicas: 2", with: "replicas: two")
            .write(toFile: dir.path("deploy/kubernetes/deployment.yaml"), atomically: true, encoding: .utf8)
        let podMonitor = try String(contentsOfFile: dir.path("deploy/kubernetes/podmonitor.yaml"), encoding: .utf8)
        try podMonitor.replacingOccurrences(of: "interval: 30s", with: "interval: often")
            .write(toFile: dir.path("deploy/kubernetes/podmonitor.yaml"), atomically: true, encoding: .utf8)
        let (code, output) = try Self.lint(dir.url.path)
        #expect(code == 1, "\(output)")
        #expect(output.contains("DL3007"), "hadolint did not flag debian:latest: \(output)")
        #expect(output.contains("spec.replicas"), "kubernetes-validate did not flag replicas: \(output)")
        #expect(output.contains("podMetricsEndpoints.0.interval"), "the PodMonitor schema did not flag interval: \(output)")
    }

    /// The configs shipped in the ConfigMap and in the image pass `monitor check`, laid out as
    /// the Deployment mounts them (and as the Dockerfile copies them).
    @Test("the ConfigMap's and the image's configs pass monitor check")
    func shippedConfigsCheck() throws {
        let dir = try TempDir()
        let fm = FileManager.default
        let configMap = try #require(try Yams.load(yaml: String(contentsOfFile: Self.root.appendingPathComponent(
            "deploy/kubernetes/configmap.yaml").path, encoding: .utf8)) as? [String: Any])
        let data = try #require(configMap["data"] as? [String: String])
        let deployment = try String(contentsOfFile: Self.root.appendingPathComponent("deploy/kubernetes/deployment.yaml").path,
                                    encoding: .utf8)
        try fm.createDirectory(atPath: dir.path("k8s/rules"), withIntermediateDirectories: true)
        for (key, text) in data {
            // The Deployment's items map ConfigMap keys to paths under /etc/monitor.
            let line = try #require(deployment.split(separator: "\n").first { $0.contains("key: \(key),") }, "\(key) is not mounted")
            let path = try #require(line.range(of: #"path: [^}]+"#, options: .regularExpression).map {
                line[$0].dropFirst(6).trimmingCharacters(in: .whitespaces)
            })
            _ = try dir.write("k8s/\(path)", text)
        }
        let k8s = try MonitorProcess.run(["check", "--config", dir.path("k8s/monitor.yaml")])
        #expect(k8s.code == 0, "\(k8s.stdout)\(k8s.stderr)")

        try fm.createDirectory(atPath: dir.path("image/rules"), withIntermediateDirectories: true)
        for f in ["monitor.yaml", "alerts.yaml"] {
            try fm.copyItem(atPath: Self.root.appendingPathComponent("deploy/docker/\(f)").path, toPath: dir.path("image/\(f)"))
        }
        for f in try fm.contentsOfDirectory(atPath: Self.root.appendingPathComponent("rules").path) where f.hasSuffix(".yaml") {
            try fm.copyItem(atPath: Self.root.appendingPathComponent("rules/\(f)").path, toPath: dir.path("image/rules/\(f)"))
        }
        let image = try MonitorProcess.run(["check", "--config", dir.path("image/monitor.yaml")])
        #expect(image.code == 0, "\(image.stdout)\(image.stderr)")
        // The Dockerfile copies exactly these files to /etc/monitor.
        let dockerfile = try String(contentsOfFile: Self.root.appendingPathComponent("Dockerfile").path, encoding: .utf8)
        #expect(dockerfile.contains("COPY deploy/docker/monitor.yaml deploy/docker/alerts.yaml /etc/monitor/"))
        #expect(dockerfile.contains("COPY rules/*.yaml /etc/monitor/rules/"))
        #expect(dockerfile.contains(#"CMD ["run", "--config", "/etc/monitor/monitor.yaml"]"#))
    }
}
