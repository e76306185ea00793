import Hummingbird
import Logging
import MonitorCore
import NIOCore

/// The service's HTTP endpoints (DESIGN §11): `/metrics`, `/healthz`, `/readyz`, `/api/v1/alerts`.
enum HTTPServer {
    /// Builds the Hummingbird application (a `Service`, run in the service group).
    static func make(status: ServiceStatus, host: String, port: Int, logger: Logger,
                     onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let body = status.exposition()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/readyz") { _, _ -> Response in
            let notReady = status.notReady
            if notReady.isEmpty {
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            }
            let text = notReady.keys.sorted().map { "\($0): \(notReady[$0]!)" }.joined(separator: "\n") + "\n"
            return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/api/v1/alerts") { _, _ -> Response in
            let json = AlertJSON.array(status.alerts)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "modelmonitor"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
