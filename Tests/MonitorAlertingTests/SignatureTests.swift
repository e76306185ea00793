import Foundation
import MonitorAlerting
import Testing

/// Standard Webhooks signatures, checked against the spec's published example and against an
/// independent implementation (the PyPI `standardwebhooks` package, in `.venv-webhooks`).
@Suite("Standard Webhooks signatures")
struct SignatureTests {
    /// The example of the Standard Webhooks specification (and of the reference libraries'
    /// tests): this secret, id, timestamp and body sign to this value.
    @Test("the spec's published example")
    func specExample() throws {
        let signer = try WebhookSigner(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        let sig = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        // The prefix is optional; the key is the decoded base64 either way.
        let bare = try WebhookSigner(secrets: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        #expect(bare.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8)) == sig)
    }

    @Test("invalid secrets are refused without echoing them")
    func invalidSecret() {
        do {
            _ = try WebhookSigner(secrets: ["whsec_not base64!!"])
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("not base64"))
        }
        #expect(throws: WebhookSigner.InvalidSecret.self) { try WebhookSigner(secrets: ["whsec_" + Data([1, 2, 3]).base64EncodedString()]) }
        #expect("\(try! WebhookSigner(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]))".contains("MfKQ") == false)
    }

    static let verifyScript = """
        import json, sys
        from standardwebhooks.webhooks import Webhook
        cases = json.load(sys.stdin)
        out = []
        for c in cases:
            try:
                Webhook(c["secret"]).verify(c["body"], c["headers"])
                out.append("ok")
            except Exception as e:
                out.append("fail:" + type(e).__name__)
        # The library's own signing of the spec example, as a cross-check of both sides.
        from datetime import datetime, timezone
        wh = Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        out.append(wh.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", datetime.fromtimestamp(1614265330, tz=timezone.utc), '{"test": 2432232314}'))
        print(json.dumps(out))
        """

    @Test("signatures verify with the standardwebhooks package; tampering and rotation behave")
    func independentVerification() throws {
        let python = try Paths.venvPython()
        let s1 = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let s2 = "whsec_" + Data((0..<24).map { UInt8(200 - $0) }).base64EncodedString()
        let s3 = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
        let now = Int64(Date().timeIntervalSince1970)
        let body = #"{"alerts":[{"labels":{"alertname":"FeatureDrift","feature":"amount ü"}}],"status":"firing"}"#
        let rotating = try WebhookSigner(secrets: [s1, s2])
        func headers(_ signer: WebhookSigner, id: String, ts: Int64, body: String) -> [String: String] {
            Dictionary(uniqueKeysWithValues: signer.headers(id: id, timestamp: ts, body: Array(body.utf8)))
        }
        let good = headers(rotating, id: "msg_abc", ts: now, body: body)
        #expect(good["webhook-signature"]?.split(separator: " ").count == 2)
        var tamperedTimestamp = good
        tamperedTimestamp["webhook-timestamp"] = String(now + 1)
        var tamperedID = good
        tamperedID["webhook-id"] = "msg_abd"
        let cases: [[String: Any]] = [
            ["secret": s1, "body": body, "headers": good],  // old key verifies during rotation
            ["secret": s2, "body": body, "headers": good],  // new key too
            ["secret": s3, "body": body, "headers": good],  // a third key does not
            ["secret": s1, "body": body.replacingOccurrences(of: "firing", with: "resolved"), "headers": good],  // tampered body
            ["secret": s1, "body": body, "headers": tamperedTimestamp],  // tampered timestamp
            ["secret": s1, "body": body, "headers": tamperedID],  // tampered id
            ["secret": s1, "body": body, "headers": headers(try WebhookSigner(secrets: [s1]), id: "m", ts: now - 3600, body: body)],  // stale
        ]
        let input = String(decoding: try JSONSerialization.data(withJSONObject: cases), as: UTF8.self)
        let (status, out, err) = try runProcess(python, ["-c", Self.verifyScript], stdin: input)
        #expect(status == 0, "\(err)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String])
        #expect(Array(results.prefix(2)) == ["ok", "ok"])
        for (i, r) in results.dropFirst(2).prefix(5).enumerated() {
            #expect(r.hasPrefix("fail:"), "case \(i + 2) verified but must not")
        }
        #expect(results.last == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}
