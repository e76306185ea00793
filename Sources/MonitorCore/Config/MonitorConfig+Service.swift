import Yams

extension MonitorConfig {
    static func positioned(_ node: Node, _ value: String, _ r: YAMLReader) -> Positioned<String> {
        Positioned(value, path: r.path, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    static func parseSources(_ node: Node, _ r: inout YAMLReader) -> [SourceSettings] {
        var out: [SourceSettings] = []
        var names: Set<String> = []
        let keys = ["name", "type", "kind", "path", "follow", "start_at", "poll_interval", "dead_letter", "kafka"]
        for (i, item) in r.sequence(node, "sources").enumerated() {
            var ctx = "sources[\(i)]"
            let entries = r.mapping(item, ctx, allowed: keys)
            var name: String?
            var path: Positioned<String>?
            if let n = entries.first(where: { $0.key == "name" }), let s = r.string(n.value, ctx + ".name") {
                if s.isEmpty || !s.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) {
                    r.error(n.value, ctx + ".name", "a source name uses letters, digits, '_', '-' and '.' only")
                } else if !names.insert(s).inserted {
                    r.error(n.value, ctx + ".name", "duplicate source name \"\(s)\"")
                } else {
                    name = s
                    ctx = "source \"\(s)\""
                }
            } else if case .mapping = item, !entries.contains(where: { $0.key == "name" }) {
                r.error(item, ctx, "missing \"name\"")
            }
            let isKafka = entries.first(where: { $0.key == "type" })?.value.scalar?.string == SourceType.kafka.rawValue
            var kafka: KafkaSettings?
            if isKafka {
                if let p = entries.first(where: { $0.key == "path" }) {
                    r.error(p.keyNode, ctx + ".path", "a kafka source reads topics (kafka.topics), not a path")
                }
                if let k = entries.first(where: { $0.key == "kafka" }) {
                    kafka = parseKafka(k.value, ctx + ".kafka", &r)
                } else if case .mapping = item {
                    r.error(item, ctx, "missing \"kafka\" (brokers, group, topics)")
                }
                path = positioned(item, "", r)
            } else if let k = entries.first(where: { $0.key == "kafka" }) {
                r.error(k.keyNode, ctx + ".kafka", "only a source of type kafka takes kafka settings")
            }
            if isKafka {
            } else if let p = entries.first(where: { $0.key == "path" }) {
                if let s = r.string(p.value, ctx + ".path") {
                    if s.isEmpty { r.error(p.value, ctx + ".path", "a path cannot be empty") }
                    else { path = positioned(p.value, s, r) }
                }
            } else if case .mapping = item {
                r.error(item, ctx, "missing \"path\" (a file, a glob or a directory)")
            }
            var source = SourceSettings(name: name ?? "", path: path ?? Positioned(""))
            source.kafka = kafka
            if isKafka {
                // Kafka sources are woken by data, not by a timer: the pipeline's idle sleep is short.
                source.pollInterval = 50
            }
            for (key, _, v) in entries {
                let kctx = "\(ctx).\(key)"
                switch key {
                case "type": if let x = r.choice(v, kctx, SourceType.self) { source.type = x }
                case "kind": if let x = r.choice(v, kctx, SourceKind.self) { source.kind = x }
                case "follow": if let x = r.bool(v, kctx) { source.follow = x }
                case "start_at": if let x = r.choice(v, kctx, StartPosition.self) { source.startAt = x }
                case "poll_interval":
                    if let x = r.duration(v, kctx) {
                        if x < 10 || x > 3_600_000 { r.error(v, kctx, "must be between 10ms and 1h") } else { source.pollInterval = x }
                    }
                case "dead_letter": if let x = r.string(v, kctx), !x.isEmpty { source.deadLetter = x }
                default: break
                }
            }
            if name != nil, path != nil, !isKafka || kafka != nil { out.append(source) }
        }
        return out
    }

    static func parseKafka(_ node: Node, _ ctx: String, _ r: inout YAMLReader) -> KafkaSettings? {
        var k = KafkaSettings()
        var ok = true
        let entries = r.mapping(node, ctx, allowed: ["brokers", "group", "topics", "properties", "auto_offset_reset", "dead_letter_topic"])
        func names(_ v: Node, _ c: String) -> [String] {
            if case .scalar(let s) = v {
                return s.string.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
            }
            return r.sequence(v, c).compactMap { r.string($0, c) }.filter { !$0.isEmpty }
        }
        for (key, keyNode, v) in entries {
            let kctx = "\(ctx).\(key)"
            switch key {
            case "brokers":
                k.brokers = names(v, kctx)
                if k.brokers.isEmpty { r.error(v, kctx, "at least one broker (host:port) is needed"); ok = false }
                for b in k.brokers where !b.contains(":") { r.error(v, kctx, "\"\(b)\" is not host:port"); ok = false }
            case "group":
                if let s = r.string(v, kctx), !s.isEmpty { k.group = s } else { r.error(v, kctx, "cannot be empty"); ok = false }
            case "topics":
                k.topics = names(v, kctx)
                if k.topics.isEmpty { r.error(v, kctx, "at least one topic is needed"); ok = false }
            case "auto_offset_reset":
                if let x = r.choice(v, kctx, KafkaSettings.OffsetResetPolicy.self) { k.autoOffsetReset = x } else { ok = false }
            case "dead_letter_topic":
                if let s = r.string(v, kctx), !s.isEmpty { k.deadLetterTopic = s }
            case "properties":
                for (name, nameNode, pv) in r.mapping(v, kctx) {
                    let pctx = "\(kctx).\(name)"
                    if let why = KafkaSettings.reservedProperties[name] {
                        r.error(nameNode, pctx, "cannot be set here: \(why)")
                        ok = false
                        continue
                    }
                    switch pv {
                    case .scalar(let s):
                        let value = SecretValue.text(s.string)
                        if KafkaSettings.isSecretProperty(name), value.environmentReferences.isEmpty, !s.string.isEmpty {
                            r.warning(pv, pctx, "a secret written in the config is recorded with the config text in the store; use ${ENV_VAR} or {file: path}")
                        }
                        k.properties[name] = value
                    case .mapping:
                        for (fk, _, fv) in r.mapping(pv, pctx, allowed: ["file"]) where fk == "file" {
                            if let p = r.string(fv, pctx + ".file"), !p.isEmpty {
                                k.properties[name] = .file(positioned(fv, p, r))
                            } else {
                                r.error(fv, pctx + ".file", "cannot be empty")
                                ok = false
                            }
                        }
                        if k.properties[name] == nil, ok { r.error(pv, pctx, "give a value, ${ENV_VAR} or {file: path}"); ok = false }
                    default:
                        r.error(pv, pctx, "expected a value, ${ENV_VAR} or {file: path}")
                        ok = false
                    }
                }
            default: _ = keyNode
            }
        }
        guard case .mapping = node else { return nil }
        if k.brokers.isEmpty, !entries.contains(where: { $0.key == "brokers" }) { r.error(node, ctx, "missing \"brokers\" (host:port list)"); ok = false }
        if k.group.isEmpty, !entries.contains(where: { $0.key == "group" }) { r.error(node, ctx, "missing \"group\" (the consumer group)"); ok = false }
        if k.topics.isEmpty, !entries.contains(where: { $0.key == "topics" }) { r.error(node, ctx, "missing \"topics\""); ok = false }
        return ok ? k : nil
    }

    static func parseReferenceChoice(_ node: Node, _ ctx: String, _ r: inout YAMLReader) -> ReferenceChoice? {
        var choice = ReferenceChoice()
        for (key, _, v) in r.mapping(node, ctx, allowed: ["profile", "file"]) {
            guard let s = r.string(v, "\(ctx).\(key)") else { continue }
            if s.isEmpty { r.error(v, "\(ctx).\(key)", "cannot be empty"); continue }
            if key == "profile" { choice.profile = s } else { choice.file = positioned(v, s, r) }
        }
        if choice.profile != nil, choice.file != nil {
            r.error(node, ctx, "give either \"profile\" or \"file\", not both")
            return nil
        }
        if choice.profile == nil, choice.file == nil {
            if case .mapping = node { r.error(node, ctx, "give \"profile\" (a stored profile name) or \"file\" (a JSONL file)") }
            return nil
        }
        return choice
    }

    static func parseReference(_ node: Node, into ref: inout ReferenceSettings, _ r: inout YAMLReader) {
        var own = ReferenceChoice()
        var sawOwn = false
        for (key, _, v) in r.mapping(node, "reference", allowed: ["profile", "file", "models"]) {
            switch key {
            case "models":
                for (model, _, mv) in r.mapping(v, "reference.models") {
                    if let c = parseReferenceChoice(mv, "reference.models.\(model)", &r) { ref.overrides[model] = c }
                }
            default:
                sawOwn = true
                guard let s = r.string(v, "reference.\(key)") else { continue }
                if s.isEmpty { r.error(v, "reference.\(key)", "cannot be empty"); continue }
                if key == "profile" { own.profile = s } else { own.file = positioned(v, s, r) }
            }
        }
        if own.profile != nil, own.file != nil {
            r.error(node, "reference", "give either \"profile\" or \"file\", not both")
        } else if own.profile != nil || own.file != nil {
            ref.default = own
        } else if !sawOwn, ref.overrides.isEmpty, case .mapping = node {
            r.error(node, "reference", "give \"profile\" (a stored profile name) or \"file\" (a JSONL file)")
        }
    }

    static func parseWindows(_ node: Node, _ r: inout YAMLReader) -> [WindowSpec] {
        var out: [WindowSpec] = []
        var names: Set<String> = []
        for (i, item) in r.sequence(node, "windows").enumerated() {
            let ctx = "windows[\(i)]"
            var name: String?
            var size: Int64?
            var slide: Int64?
            var sizeNode: Node?
            for (key, _, v) in r.mapping(item, ctx, allowed: ["name", "size", "slide"]) {
                switch key {
                case "name":
                    if let s = r.string(v, ctx + ".name") {
                        if s.isEmpty { r.error(v, ctx + ".name", "cannot be empty") }
                        else if !names.insert(s).inserted { r.error(v, ctx + ".name", "duplicate window name \"\(s)\"") }
                        else { name = s }
                    }
                case "size": size = r.duration(v, ctx + ".size"); sizeNode = v
                case "slide":
                    slide = r.duration(v, ctx + ".slide")
                    if let sl = slide, let sz = size ?? nil, sl > sz { r.error(v, ctx + ".slide", "slide must not exceed size") }
                default: break
                }
            }
            guard case .mapping = item else { continue }
            guard let size else {
                if sizeNode == nil { r.error(item, ctx, "missing \"size\" (e.g. 1h)") }
                continue
            }
            if size < 1000 { r.error(sizeNode, ctx + ".size", "a window must be at least 1s"); continue }
            if let slide {
                if slide <= 0 || slide > size || size % slide != 0 {
                    r.error(sizeNode, ctx, "size (\(PrometheusDuration.format(size))) must be a multiple of slide (\(PrometheusDuration.format(slide)))")
                    continue
                }
                if size / slide > 1440 { r.error(sizeNode, ctx, "at most 1440 panes per window (size / slide)"); continue }
            }
            out.append(WindowSpec(name: name ?? PrometheusDuration.format(size), size: size, slide: slide))
        }
        if out.isEmpty, case .sequence(let s) = node, s.isEmpty { r.error(node, "windows", "at least one window is needed") }
        return out
    }

    static func parseStore(_ node: Node, into s: inout StoreSettings, _ r: inout YAMLReader) {
        for (key, _, v) in r.mapping(node, "store", allowed: ["path", "checkpoint_interval", "synchronous"]) {
            let ctx = "store.\(key)"
            switch key {
            case "path": if let x = r.string(v, ctx) { if x.isEmpty { r.error(v, ctx, "cannot be empty") } else { s.path = x } }
            case "checkpoint_interval":
                if let x = r.duration(v, ctx) {
                    if x < 100 { r.error(v, ctx, "must be at least 100ms") } else { s.checkpointInterval = x }
                }
            case "synchronous": if let x = r.choice(v, ctx, StoreSettings.SyncMode.self) { s.synchronous = x }
            default: break
            }
        }
    }

    static func parseFileList(_ node: Node, _ ctx: String, _ r: inout YAMLReader) -> [Positioned<String>] {
        if case .scalar(let s) = node {
            return s.string.isEmpty ? [] : [positioned(node, s.string, r)]
        }
        var out: [Positioned<String>] = []
        for (i, item) in r.sequence(node, ctx).enumerated() {
            if let s = r.string(item, "\(ctx)[\(i)]") {
                if s.isEmpty { r.error(item, "\(ctx)[\(i)]", "cannot be empty") } else { out.append(positioned(item, s, r)) }
            }
        }
        return out
    }

    static func parseHTTP(_ node: Node, into h: inout HTTPSettings, _ r: inout YAMLReader) {
        let entries = r.mapping(node, "http", allowed: ["listen", "api_token", "api_token_file"])
        if entries.contains(where: { $0.key == "api_token" }), let f = entries.first(where: { $0.key == "api_token_file" }) {
            r.error(f.keyNode, "http.api_token_file", "give either api_token (${ENV_VAR}) or api_token_file, not both")
        }
        for (key, _, v) in entries where key == "api_token" {
            guard let s = r.string(v, "http.api_token") else { continue }
            let body = s.dropFirst(2).dropLast()
            guard s.hasPrefix("${"), s.hasSuffix("}"), !body.isEmpty,
                  body.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !(body.first?.isNumber ?? true)
            else {
                // Never echo the value: it may be a pasted token.
                r.error(v, "http.api_token", "must be an environment reference like ${MONITOR_API_TOKEN} (a token is never written inline; or use api_token_file:)")
                continue
            }
            h.apiToken = .environment(String(body))
        }
        for (key, _, v) in entries where key == "api_token_file" {
            if let s = r.string(v, "http.api_token_file"), !s.isEmpty { h.apiToken = .file(s) } else {
                r.error(v, "http.api_token_file", "must name a file")
            }
        }
        for (key, _, v) in entries where key == "listen" {
            guard let s = r.string(v, "http.listen") else { continue }
            if s.isEmpty { h.enabled = false; continue }
            guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else {
                r.error(v, "http.listen", "expected host:port, e.g. 127.0.0.1:9464 (\"\" turns the listener off)")
                continue
            }
            var host = String(s[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            h.host = host.isEmpty ? "0.0.0.0" : host
            h.port = port
        }
    }

    static func parseLogging(_ node: Node, into l: inout LoggingSettings, _ r: inout YAMLReader) {
        for (key, _, v) in r.mapping(node, "logging", allowed: ["format", "level"]) {
            switch key {
            case "format": if let x = r.choice(v, "logging.format", LoggingSettings.Format.self) { l.format = x }
            case "level": if let x = r.choice(v, "logging.level", LoggingSettings.Level.self) { l.level = x }
            default: break
            }
        }
    }

    static func parseShutdown(_ node: Node, into s: inout ShutdownSettings, _ r: inout YAMLReader) {
        for (key, _, v) in r.mapping(node, "shutdown", allowed: ["delivery_deadline"]) where key == "delivery_deadline" {
            if let d = r.duration(v, "shutdown.delivery_deadline") {
                if d < 0 || d > 600_000 { r.error(v, "shutdown.delivery_deadline", "must be between 0s and 10m") } else { s.deliveryDeadline = d }
            }
        }
    }
}
