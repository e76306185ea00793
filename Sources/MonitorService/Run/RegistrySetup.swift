import AsyncHTTPClient
import Foundation
import MonitorAlerting
import MonitorCore
import MonitorRegistry

/// A `MonitorRegistry` sink as an outbox integration: the dispatcher delivers trigger rows
/// (receiver `@registry`) through it like notifications — same retries, backoff and audit.
struct RegistrySender: NotificationSender {
    let sink: any ModelRegistryClient

    var maxAttempts: Int { sink.maxAttempts }

    func send(_ notification: OutboxNotification, now: Timestamp) async -> DeliveryOutcome {
        let trigger: RetrainTrigger
        do { trigger = try JSONDecoder().decode(RetrainTrigger.self, from: Data(notification.payload.utf8)) } catch {
            return .permanent("the stored trigger cannot be decoded: \(error)", status: nil)
        }
        switch await sink.deliver(trigger, payload: notification.payload, now: now) {
        case .delivered(let status): return .delivered(status: status)
        case .retryable(let why, let status, let retryAfter): return .retryable(why, status: status, retryAfter: retryAfter)
        case .permanent(let why, let status): return .permanent(why, status: status)
        }
    }
}

/// Builds the sinks of `registry:`: secrets read from the environment or files (never logged),
/// URLs parsed, the destination policy and signing of notification webhooks reused.
enum RegistrySetup {
    /// Senders by `OutboxDispatcher.key(receiver: "@registry", integration: sink)`.
    static func senders(for loaded: LoadedConfig, client: HTTPClient, environment: [String: String]) throws(ServiceError)
        -> [String: any NotificationSender]
    {
        let settings = loaded.config.registry
        let path = loaded.config.path
        var problems: [String] = []
        var sinks: [any ModelRegistryClient] = []
        func secret(_ ref: AlertsFile.SecretReference, _ context: String) -> String? {
            SecretReferences.value(ref, context: context, environment: environment, resolve: { loaded.resolve($0) }, problems: &problems)
        }
        func check(_ options: RegistrySettings.HTTPOptions) -> DestinationCheck {
            let policy = DestinationPolicy(allowPrivate: options.allowPrivate, allowlist: options.allowlist)
            let resolver = SystemResolver()
            return { url in
                switch url.host {
                case .ip(let ip):
                    if let why = policy.refusal(for: ip) { return .permanent("destination refused: \(why)", status: nil) }
                case .name(let name):
                    let addresses: [IPAddress]
                    do { addresses = try resolver.resolve(name, port: url.port) } catch {
                        return .retryable("\(error)", status: nil, retryAfter: nil)
                    }
                    if addresses.isEmpty { return .retryable("\(name) resolved to no address", status: nil, retryAfter: nil) }
                    for ip in addresses {
                        if let why = policy.refusal(for: ip) { return .permanent("destination refused: \(name) resolves to \(why)", status: nil) }
                    }
                }
                return nil
            }
        }
        if let m = settings.mlflow {
            let context = "\(path):\(m.trackingURI.line): registry.mlflow"
            do {
                let url = try WebhookURL(parsing: m.trackingURI.value)
                var auth: String?
                if let t = m.token, let token = secret(t, context + ".token") { auth = MLflowSink.Configuration.bearer(token) }
                if let u = m.username, let p = m.password, let password = secret(p, context + ".password") {
                    auth = MLflowSink.Configuration.basic(username: u, password: password)
                }
                let configuration = MLflowSink.Configuration(
                    trackingURI: url, models: m.models, versionAlias: m.versionAlias, alias: m.alias, authorization: auth,
                    timeout: .milliseconds(m.http.timeout), maxAttempts: m.http.maxAttempts)
                sinks.append(MLflowSink(configuration: configuration, client: client, destination: check(m.http)))
            } catch {
                problems.append("\(context).tracking_uri: \(error)")
            }
        }
        if let w = settings.webhook {
            let context = "\(path):\(w.url.line): registry.webhook"
            do {
                let url = try WebhookURL(parsing: w.url.value)
                var signer: RequestSigner?
                if !w.secrets.isEmpty {
                    let values = w.secrets.compactMap { secret($0, context + ".secret") }
                    if values.count == w.secrets.count {
                        do {
                            let s = try WebhookSigner(secrets: values)
                            signer = { id, timestamp, body in s.headers(id: id, timestamp: timestamp, body: body) }
                        } catch { problems.append("\(context).secret: \(error)") }
                    }
                }
                sinks.append(WebhookTriggerSink(url: url, client: client, signer: signer, timeout: .milliseconds(w.http.timeout),
                                                maxAttempts: w.http.maxAttempts, destination: check(w.http)))
            } catch {
                problems.append("\(context).url: \(error)")
            }
        }
        if let k = settings.kafka {
            var properties: [String: String] = [:]
            for (name, value) in k.properties {
                switch value {
                case .text(let s):
                    var out = s
                    for ref in value.environmentReferences {
                        guard let v = environment[ref] else {
                            problems.append("\(path): registry.kafka.properties.\(name): environment variable \(ref) is not set")
                            continue
                        }
                        out = out.replacingOccurrences(of: "${\(ref)}", with: v)
                    }
                    properties[name] = out
                case .file(let p):
                    let full = loaded.resolve(p.value)
                    if let text = ConfigLoader.readText(full) { properties[name] = text.trimmingCharacters(in: .newlines) } else {
                        problems.append("\(p.path):\(p.line): registry.kafka.properties.\(name): \(ConfigLoader.unreadable(full))")
                    }
                }
            }
            do {
                sinks.append(try KafkaTriggerSink(brokers: k.brokers.joined(separator: ","), topic: k.topic, properties: properties,
                                                  timeout: .milliseconds(k.timeout), maxAttempts: k.maxAttempts))
            } catch {
                problems.append("\(path): \(error)")
            }
        }
        if let f = settings.file { sinks.append(FileTriggerSink(path: loaded.resolve(f.value))) }
        if !problems.isEmpty { throw .config(problems.joined(separator: "\n")) }
        var out: [String: any NotificationSender] = [:]
        for s in sinks {
            out[OutboxDispatcher<ContinuousClock>.key(receiver: TriggerOutbox.receiver, integration: s.name)] = RegistrySender(sink: s)
        }
        return out
    }
}
