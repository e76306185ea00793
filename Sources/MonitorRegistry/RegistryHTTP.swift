import AsyncHTTPClient
import Foundation
import MonitorCore
import NIOCore
import NIOHTTP1

/// The HTTP exchanges of the HTTP sinks: one request, the response's status and body (up to a
/// cap), errors classified as ``SinkOutcome``s.
struct RegistryHTTP: Sendable {
    /// Response bodies beyond this are not read.
    static let responseBodyCap = 64 * 1024

    let client: HTTPClient
    let timeout: Duration

    struct Response {
        var status: Int
        var body: [UInt8]
        var retryAfter: Duration?
    }

    /// Sends one request; returns the response, or the outcome of a transport failure.
    func send(method: HTTPMethod, url: String, headers: [(String, String)], body: [UInt8]?, now: Timestamp) async -> Result<Response, Failure> {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: "ModelMonitor")
        for (n, v) in headers { request.headers.add(name: n, value: v) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        do {
            let response = try await client.execute(request, timeout: .milliseconds(ms))
            var bytes: [UInt8] = []
            for try await chunk in response.body {
                bytes += chunk.readableBytesView
                if bytes.count >= Self.responseBodyCap { break }
            }
            let retryAfter = response.headers.first(name: "retry-after").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
                .map { Duration.seconds(max(0, $0)) }
            return .success(Response(status: Int(response.status.code), body: bytes, retryAfter: retryAfter))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return .failure(Failure(outcome: .retryable("timeout after \(timeout) (\(error))", status: nil, retryAfter: nil)))
            default:
                return .failure(Failure(outcome: .retryable(Self.describe(error), status: nil, retryAfter: nil)))
            }
        } catch {
            return .failure(Failure(outcome: .retryable(Self.describe(error), status: nil, retryAfter: nil)))
        }
    }

    struct Failure: Error {
        var outcome: SinkOutcome
    }

    /// A transport error, shortened (NIO errors name the address only, never the query).
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
