import Foundation
import Hummingbird
import Logging
import MonitorCore
import MonitorStore
import NIOCore

/// The service's HTTP endpoints (DESIGN §11, documented in docs/openapi.yaml): `/metrics`,
/// `/healthz`, `/readyz`, `/api/v1/status`, `/api/v1/alerts`, `/api/v1/windows`,
/// `/api/v1/silences` and `POST /-/reload`.
///
/// Mutating calls (POST, DELETE) need `Authorization: Bearer <token>` when `http.api_token` is
/// configured; the comparison takes the same time wherever the tokens differ.
enum HTTPServer {
    /// What the API endpoints need besides the status.
    struct API: Sendable {
        /// A store connection of its own (silences, window results); nil in tests of the
        /// read-only endpoints.
        var store: SQLiteStore?
        var reloader: ConfigReloader?
        var token: APIToken
        var now: @Sendable () -> Timestamp = wallClockNow
    }

    /// Builds the Hummingbird application (a `Service`, run in the service group).
    static func make(status: ServiceStatus, api: API, host: String, port: Int, logger: Logger,
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
            text(.ok, "ok\n")
        }
        router.get("/readyz") { _, _ -> Response in
            let notReady = status.notReady
            if notReady.isEmpty { return text(.ok, "ready\n") }
            return text(.serviceUnavailable, notReady.keys.sorted().map { "\($0): \(notReady[$0]!)" }.joined(separator: "\n") + "\n")
        }
        router.get("/api/v1/status") { _, _ -> Response in
            json(.ok, status.statusJSON())
        }
        router.get("/api/v1/alerts") { _, _ -> Response in
            json(.ok, AlertJSON.array(status.alerts))
        }
        router.get("/api/v1/windows") { request, _ -> Response in
            windows(request, api: api)
        }
        router.get("/api/v1/silences") { request, _ -> Response in
            guard let store = api.store else { return error(.serviceUnavailable, "no store") }
            let expired = request.uri.queryParameters.get("expired").map { $0 == "true" || $0 == "1" } ?? false
            let now = api.now()
            do {
                let list = try store.silences(at: now, includeExpired: expired)
                return json(.ok, "{\"status\":\"success\",\"data\":{\"silences\":\(SilenceRunner.json(list, now: now))}}")
            } catch {
                return HTTPServer.error(.internalServerError, "\(error)")
            }
        }
        router.post("/api/v1/silences") { request, context -> Response in
            guard api.token.authorizes(authorizationHeader: request.headers[.authorization]) else { return unauthorized() }
            guard let store = api.store else { return error(.serviceUnavailable, "no store") }
            let body = try await request.body.collect(upTo: 64 * 1024)
            return addSilence(Data(body.readableBytesView), store: store, now: api.now(), logger: logger)
        }
        // DESIGN §11 names `DELETE /api/v1/silences` (the id as `?id=`); the path form is
        // Alertmanager's habit. Both expire the silence now.
        router.delete("/api/v1/silences/:id") { request, context -> Response in
            expireSilence(request, id: context.parameters.get("id"), api: api, logger: logger)
        }
        router.delete("/api/v1/silences") { request, _ -> Response in
            expireSilence(request, id: request.uri.queryParameters.get("id"), api: api, logger: logger)
        }
        router.post("/-/reload") { request, _ -> Response in
            guard api.token.authorizes(authorizationHeader: request.headers[.authorization]) else { return unauthorized() }
            guard let reloader = api.reloader else { return error(.serviceUnavailable, "reload is not available") }
            // Reading and parsing files blocks: off the event loop.
            let outcome = await Task.detached { reloader.reload(trigger: "http") }.value
            switch outcome {
            case .accepted(let hash, let warnings):
                return json(.ok, "{\"status\":\"success\",\"data\":{\"configHash\":\(AlertJSON.quote(hash)),\"warnings\":["
                    + warnings.map(AlertJSON.quote).joined(separator: ",") + "]}}")
            case .rejected(let errors):
                return json(.badRequest, "{\"status\":\"error\",\"error\":\"config reload rejected; the running config stays\",\"errors\":["
                    + errors.map(AlertJSON.quote).joined(separator: ",") + "]}")
            }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "modelmonitor"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// `DELETE /api/v1/silences/{id}` and `DELETE /api/v1/silences?id=`.
    static func expireSilence(_ request: Request, id: String?, api: API, logger: Logger) -> Response {
        guard api.token.authorizes(authorizationHeader: request.headers[.authorization]) else { return unauthorized() }
        guard let store = api.store else { return error(.serviceUnavailable, "no store") }
        guard let id, !id.isEmpty else { return error(.badRequest, "id: the silence to expire (sil_…)") }
        do {
            guard try store.expireSilence(id: id, at: api.now()) else { return error(.notFound, "no silence \(id)") }
        } catch {
            return HTTPServer.error(.internalServerError, "\(error)")
        }
        logger.info("silence expired through the API", metadata: ["silence.id": "\(id)"])
        return json(.ok, "{\"status\":\"success\"}")
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, "{\"status\":\"error\",\"error\":\(AlertJSON.quote(message))}")
    }

    static func unauthorized() -> Response {
        Response(status: .unauthorized, headers: [.contentType: "application/json", .wwwAuthenticate: "Bearer"],
                 body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"error\",\"error\":\"a valid bearer token is required\"}")))
    }

    /// `GET /api/v1/windows?model=&since=&limit=`.
    static func windows(_ request: Request, api: API) -> Response {
        guard let store = api.store else { return error(.serviceUnavailable, "no store") }
        let q = request.uri.queryParameters
        let now = api.now()
        var since = Timestamp(milliseconds: now.milliseconds - 86_400_000)
        if let s = q.get("since") {
            if let d = PrometheusDuration.parse(s) { since = Timestamp(milliseconds: now.milliseconds - d) }
            else if let t = Timestamp.parse(s) { since = t }
            else { return error(.badRequest, "since: \"\(s)\" is neither an RFC 3339 time nor a duration like 6h") }
        }
        var limit = 100
        if let l = q.get("limit") {
            guard let n = Int(l), (1...1000).contains(n) else { return error(.badRequest, "limit: a number from 1 to 1000") }
            limit = n
        }
        let model = q.get("model").flatMap { $0.isEmpty ? nil : $0 }
        let results: [WindowResult]
        do { results = try store.windowResults(model: model, from: since, to: nil) } catch {
            return HTTPServer.error(.internalServerError, "\(error)")
        }
        let quote = AlertJSON.quote
        let items = results.suffix(limit).map { r in
            var o = "{\"model\":\(quote(r.key.model)),\"version\":\(quote(r.key.version)),\"window\":\(quote(r.key.window))"
            o += ",\"start\":\(quote(r.key.start.rfc3339)),\"end\":\(quote(r.key.end.rfc3339)),\"eventCount\":\(r.eventCount)"
            if !r.profileName.isEmpty { o += ",\"profile\":\(quote(r.profileName))" }
            o += ",\"series\":[" + r.samples.map {
                "{\"metric\":\(quote($0.metric)),\"labels\":\(AlertJSON.labels($0.labels)),\"value\":\(AlertJSON.number($0.value))}"
            }.joined(separator: ",") + "]}"
            return o
        }
        return json(.ok, "{\"status\":\"success\",\"data\":{\"windows\":[" + items.joined(separator: ",") + "]}}")
    }

    /// `POST /api/v1/silences` with a `NewSilence` body.
    static func addSilence(_ body: Data, store: SQLiteStore, now: Timestamp, logger: Logger) -> Response {
        guard let o = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return error(.badRequest, "the body must be a JSON object (docs/openapi.yaml, NewSilence)")
        }
        let known: Set<String> = ["matchers", "startsAt", "endsAt", "duration", "createdBy", "comment"]
        if let unknown = o.keys.filter({ !known.contains($0) }).sorted().first { return error(.badRequest, "unknown field \"\(unknown)\"") }
        guard let texts = o["matchers"] as? [String] else { return error(.badRequest, "matchers: a list of strings like \"alertname=FeatureDrift\"") }
        guard let createdBy = o["createdBy"] as? String, !createdBy.isEmpty else { return error(.badRequest, "createdBy: required") }
        guard let comment = o["comment"] as? String else { return error(.badRequest, "comment: required") }
        var startsAt = now
        if let s = o["startsAt"] {
            guard let text = s as? String, let t = Timestamp.parse(text) else { return error(.badRequest, "startsAt: an RFC 3339 time") }
            startsAt = t
        }
        var endsAt = Timestamp(milliseconds: startsAt.milliseconds + 3_600_000)
        if o["endsAt"] != nil, o["duration"] != nil { return error(.badRequest, "give endsAt or duration, not both") }
        if let e = o["endsAt"] {
            guard let text = e as? String, let t = Timestamp.parse(text) else { return error(.badRequest, "endsAt: an RFC 3339 time") }
            endsAt = t
        }
        if let d = o["duration"] {
            guard let text = d as? String, let ms = PrometheusDuration.parse(text), ms > 0 else {
                return error(.badRequest, "duration: a duration like 2h")
            }
            endsAt = Timestamp(milliseconds: startsAt.milliseconds + ms)
        }
        let silence: Silence
        do {
            let matchers = try SilenceRunner.matchers(texts)
            silence = try SilenceRunner.add(store: store, matchers: matchers, startsAt: startsAt, endsAt: endsAt, createdBy: createdBy,
                                            comment: comment, now: now)
        } catch {
            return HTTPServer.error(error.kind == .io ? .internalServerError : .badRequest, error.message)
        }
        logger.info("silence added through the API", metadata: [
            "silence.id": "\(silence.id)", "matchers": "\(texts)", "created_by": "\(createdBy)", "ends_at": "\(endsAt)"])
        let one = SilenceRunner.json([silence], now: now).dropFirst().dropLast()
        return json(.created, "{\"status\":\"success\",\"data\":{\"silence\":\(one)}}")
    }
}
