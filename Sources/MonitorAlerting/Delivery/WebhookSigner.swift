import Crypto
import Foundation

/// Standard Webhooks signing (https://www.standardwebhooks.com): each request carries
/// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated
/// list of `v1,<base64 HMAC-SHA256>` over `id.timestamp.body`, one per secret — two during a
/// key rotation, so receivers holding either key verify.
///
/// Secrets are the spec's `whsec_<base64>` strings (the prefix is optional); the HMAC key is
/// the decoded bytes. The signer never renders its keys.
public struct WebhookSigner: Sendable, CustomStringConvertible {
    /// Key bytes (a `SymmetricKey` is built per signature: it is not `Sendable`).
    private let keys: [[UInt8]]

    /// Why a secret was refused (the message never contains the secret).
    public struct InvalidSecret: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Decodes `whsec_…` (or bare base64) secrets.
    public init(secrets: [String]) throws(InvalidSecret) {
        var keys: [[UInt8]] = []
        for (i, s) in secrets.enumerated() {
            let text = s.trimmingCharacters(in: .whitespacesAndNewlines)
            let b64 = text.hasPrefix("whsec_") ? String(text.dropFirst(6)) : text
            guard let data = Data(base64Encoded: b64), data.count >= 16, data.count <= 64 else {
                throw InvalidSecret(description: "secret \(i + 1) is not a Standard Webhooks secret (whsec_ followed by base64 of 16 to 64 bytes)")
            }
            keys.append(Array(data))
        }
        self.keys = keys
    }

    /// The `webhook-signature` header value for a message.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content += body
        return keys.map { key in
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
            return "v1," + Data(mac).base64EncodedString()
        }.joined(separator: " ")
    }

    /// The three headers.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> [(String, String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature(id: id, timestamp: timestamp, body: body))]
    }

    public var description: String { "WebhookSigner(\(keys.count) key(s), redacted)" }
}
