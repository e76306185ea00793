import Foundation
import MonitorCore
import Yams

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A blocking HTTP request on loopback: (status, headers, body), or nil when nothing answers.
func httpRequest(_ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil,
                 timeout: TimeInterval = 10) -> (status: Int, headers: [String: String], body: String)? {
    final class Box: @unchecked Sendable { var result: (Int, [String: String], String)? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.timeoutInterval = timeout
    for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
    if let body { request.httpBody = Data(body.utf8) }
    URLSession.shared.dataTask(with: request) { data, response, _ in
        if let http = response as? HTTPURLResponse {
            var h: [String: String] = [:]
            for (k, v) in http.allHeaderFields { h["\(k)".lowercased()] = "\(v)" }
            box.result = (http.statusCode, h, String(decoding: data ?? Data(), as: UTF8.self))
        }
        done.signal()
    }.resume()
    _ = done.wait(timeout: .now() + timeout + 1)
    return box.result.map { (status: $0.0, headers: $0.1, body: $0.2) }
}

/// docs/openapi.yaml, read with Yams, and a checker for the subset of JSON Schema it uses:
/// `type` (one or a list), `properties`, `required`, `additionalProperties` (bool or schema),
/// `items`, `enum`, `minItems`, `format: date-time` and `$ref` to `#/components/...`.
/// Anything else in a schema is reported as unsupported, so the file cannot outgrow the check.
struct OpenAPISpec {
    let root: [String: Any]

    static let supportedKeywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "minItems", "format", "$ref",
        "description", "examples",
    ]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { throw SpecError("\(path): not a mapping") }
        self.root = root
    }

    struct SpecError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Every operation as "METHOD /path".
    var operations: Set<String> {
        var out: Set<String> = []
        for (path, item) in root["paths"] as? [String: Any] ?? [:] {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "delete", "put", "patch"].contains(method) {
                out.insert("\(method.uppercased()) \(path)")
            }
        }
        return out
    }

    func operation(_ method: String, _ path: String) -> [String: Any]? {
        ((root["paths"] as? [String: Any])?[path] as? [String: Any])?[method.lowercased()] as? [String: Any]
    }

    func resolve(_ node: [String: Any]) -> [String: Any] {
        guard let ref = node["$ref"] as? String, ref.hasPrefix("#/") else { return node }
        var cur: Any = root
        for part in ref.dropFirst(2).split(separator: "/") { cur = (cur as? [String: Any])?[String(part)] ?? [:] }
        return resolve(cur as? [String: Any] ?? [:])
    }

    /// Problems with a response: its status must be documented, and a JSON body must match the
    /// documented schema. Empty = conforms.
    func check(_ method: String, _ path: String, status: Int, contentType: String?, body: String) -> [String] {
        guard let op = operation(method, path) else { return ["\(method) \(path) is not in the OpenAPI file"] }
        guard let response = (op["responses"] as? [String: Any])?["\(status)"] as? [String: Any] else {
            return ["\(method) \(path): status \(status) is not documented"]
        }
        let resolved = resolve(response)
        guard let content = resolved["content"] as? [String: Any] else { return [] }
        let type = (contentType ?? "").split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[type] as? [String: Any] else {
            return ["\(method) \(path) \(status): content type \"\(contentType ?? "none")\" not documented (\(content.keys.sorted()))"]
        }
        let schema = media["schema"] as? [String: Any] ?? [:]
        if type == "application/json" {
            guard let value = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) else {
                return ["\(method) \(path) \(status): the body is not JSON: \(body.prefix(200))"]
            }
            return validate(value, schema, at: "$")
        }
        return validate(body, schema, at: "$")
    }

    /// JSON Schema validation of a decoded value (JSONSerialization's types).
    func validate(_ value: Any, _ rawSchema: [String: Any], at path: String) -> [String] {
        let schema = resolve(rawSchema)
        var problems: [String] = []
        for key in schema.keys where !Self.supportedKeywords.contains(key) {
            problems.append("\(path): schema keyword \"\(key)\" is not supported by the test's checker")
        }
        if let types = schema["type"] {
            let allowed = (types as? [String]) ?? [types as? String ?? ""]
            if !allowed.contains(where: { Self.matches(value, type: $0) }) {
                return problems + ["\(path): \(Self.describe(value)) is not of type \(allowed)"]
            }
        }
        if let options = schema["enum"] as? [Any] {
            if !options.contains(where: { "\($0)" == "\(value)" }) { problems.append("\(path): \(value) is not one of \(options)") }
        }
        if schema["format"] as? String == "date-time", let s = value as? String, Timestamp.parse(s) == nil || !s.contains("T") {
            problems.append("\(path): \"\(s)\" is not an RFC 3339 date-time")
        }
        if let object = value as? [String: Any], !(value is NSArray) {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path): required property \"\(name)\" is missing")
            }
            for (name, v) in object {
                if let p = properties[name] as? [String: Any] {
                    problems += validate(v, p, at: "\(path).\(name)")
                } else if let extra = schema["additionalProperties"] {
                    if let s = extra as? [String: Any] { problems += validate(v, s, at: "\(path).\(name)") }
                    else if (extra as? Bool) == false { problems.append("\(path): property \"\(name)\" is not allowed") }
                } else if schema["properties"] != nil {
                    // Undocumented fields are an error: the file must describe what the server sends.
                    problems.append("\(path): property \"\(name)\" is not documented")
                }
            }
        }
        if let array = value as? [Any] {
            if let min = schema["minItems"] as? Int, array.count < min { problems.append("\(path): fewer than \(min) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, v) in array.enumerated() { problems += validate(v, items, at: "\(path)[\(i)]") }
            }
        }
        return problems
    }

    static func isBool(_ v: Any) -> Bool {
        guard let n = v as? NSNumber else { return false }
        // JSONSerialization makes true/false NSNumbers of Objective-C type "c" (char).
        return String(cString: n.objCType) == "c"
    }

    static func matches(_ v: Any, type: String) -> Bool {
        switch type {
        case "object": return v is [String: Any]
        case "array": return v is [Any]
        case "string": return v is String
        case "boolean": return isBool(v)
        case "integer":
            guard let n = v as? NSNumber, !isBool(v) else { return false }
            return n.doubleValue.rounded() == n.doubleValue
        case "number": return v is NSNumber && !isBool(v)
        case "null": return v is NSNull
        default: return false
        }
    }

    static func describe(_ v: Any) -> String {
        let s = "\(v)"
        return s.count > 80 ? String(s.prefix(80)) + "…" : s
    }
}
