public import AsyncHTTPClient
import Foundation
public import MonitorCore
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// A resolved webhook: the parsed URL, format, signing keys and limits (secrets already read).
public struct WebhookTarget: Sendable {
    public var url: WebhookURL
    public var format: AlertsFile.WebhookFormat
    public var signer: WebhookSigner?
    /// PagerDuty's routing key, put into the body at send time.
    public var routingKey: String?
    public var timeout: Duration
    public var maxAttempts: Int
    public var policy: DestinationPolicy

    public init(url: WebhookURL, format: AlertsFile.WebhookFormat, signer: WebhookSigner? = nil, routingKey: String? = nil,
                timeout: Duration = .seconds(10), maxAttempts: Int = 10, policy: DestinationPolicy = DestinationPolicy()) {
        self.url = url
        self.format = format
        self.signer = signer
        self.routingKey = routingKey
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.policy = policy
    }
}

/// Resolves host names for the destination check.
public protocol AddressResolver: Sendable {
    /// Every address the name resolves to; throws when it does not resolve.
    func resolve(_ host: String, port: Int) throws -> [IPAddress]
}

/// `getaddrinfo(3)`, the resolver the HTTP client itself uses.
public struct SystemResolver: AddressResolver {
    public init() {}

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public func resolve(_ host: String, port: Int) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var out: [IPAddress] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            if ai.pointee.ai_family == AF_INET, let sa = ai.pointee.ai_addr {
                let v4 = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
                out.append(.v4(v4))
            } else if ai.pointee.ai_family == AF_INET6, let sa = ai.pointee.ai_addr {
                let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ptr in
                    withUnsafeBytes(of: ptr.pointee.sin6_addr) { Array($0) }
                }
                out.append(.v6(bytes))
            }
            p = ai.pointee.ai_next
        }
        return out
    }
}

/// Delivers notifications to one webhook over HTTP(S) with AsyncHTTPClient: the payload rendered
/// in the webhook's format, Standard Webhooks headers when a secret is configured, a
/// per-request timeout, no redirects, the response body read up to ``responseBodyCap`` bytes,
/// and the destination check on every resolved address before each attempt.
public struct WebhookSender: NotificationSender {
    /// Response bodies beyond this are not read (a receiver cannot make us buffer megabytes).
    public static let responseBodyCap = 64 * 1024

    public let target: WebhookTarget
    let client: HTTPClient
    let resolver: any AddressResolver
    let externalURL: String

    public var maxAttempts: Int { target.maxAttempts }

    public init(target: WebhookTarget, client: HTTPClient, resolver: any AddressResolver = SystemResolver(), externalURL: String = "") {
        self.target = target
        self.client = client
        self.resolver = resolver
        self.externalURL = externalURL
    }

    /// An HTTP client configured for webhooks: no redirects, no decompression, connect timeout.
    public static func makeClient() -> HTTPClient {
        var config = HTTPClient.Configuration()
        config.redirectConfiguration = .disallow
        config.decompression = .disabled
        config.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5))
        config.connectionPool = .init(idleTimeout: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Checks the destination: a literal address, or every address the name resolves to now.
    func checkDestination() -> DeliveryOutcome? {
        switch target.url.host {
        case .ip(let ip):
            if let why = target.policy.refusal(for: ip) { return .permanent("destination refused: \(why)", status: nil) }
        case .name(let name):
            let addresses: [IPAddress]
            do { addresses = try resolver.resolve(name, port: target.url.port) } catch {
                return .retryable("\(error)", status: nil, retryAfter: nil)
            }
            if addresses.isEmpty { return .retryable("\(name) resolved to no address", status: nil, retryAfter: nil) }
            for ip in addresses {
                if let why = target.policy.refusal(for: ip) { return .permanent("destination refused: \(name) resolves to \(why)", status: nil) }
            }
        }
        return nil
    }

    public func send(_ notification: OutboxNotification, now: Timestamp) async -> DeliveryOutcome {
        if let refused = checkDestination() { return refused }
        let payload: NotificationPayload
        do { payload = try NotificationPayload.decode(notification.payload) } catch {
            return .permanent("the stored payload cannot be decoded: \(error)", status: nil)
        }
        let rendered = PayloadRenderer.render(payload, format: target.format,
                                              options: .init(routingKey: target.routingKey, externalURL: externalURL))
        var url = target.url.canonical
        if !rendered.pathSuffix.isEmpty {
            while url.hasSuffix("/") { url.removeLast() }
            url += rendered.pathSuffix
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: rendered.contentType)
        request.headers.add(name: "User-Agent", value: "ModelMonitor")
        if let signer = target.signer {
            for (name, value) in signer.headers(id: notification.id, timestamp: now.milliseconds / 1000, body: rendered.body) {
                request.headers.add(name: name, value: value)
            }
        } else {
            request.headers.add(name: "webhook-id", value: notification.id)
        }
        request.body = .bytes(rendered.body)
        let ms = target.timeout.components.seconds * 1000 + target.timeout.components.attoseconds / 1_000_000_000_000_000
        do {
            let response = try await client.execute(request, timeout: .milliseconds(ms))
            // Read at most the cap, then stop (the connection is closed rather than drained).
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read >= Self.responseBodyCap { break }
            }
            let status = Int(response.status.code)
            let retryAfter = response.headers.first(name: "retry-after").flatMap { RetryAfter.parse($0, now: now) }
            return DeliveryOutcome.classify(status: status, retryAfter: retryAfter)
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return .retryable("timeout after \(target.timeout) (\(error))", status: nil, retryAfter: nil)
            default:
                return .retryable("\(error)", status: nil, retryAfter: nil)
            }
        } catch {
            return .retryable(Self.describe(error), status: nil, retryAfter: nil)
        }
    }

    /// A transport error without anything from the request (NIO errors name the address only).
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
