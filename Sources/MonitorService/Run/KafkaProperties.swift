import Foundation
import MonitorCore

/// Resolves a Kafka source's librdkafka properties: `${NAME}` references from the environment,
/// `{file: path}` values from files (relative to the config file). The service is the only
/// place that reads the environment (DESIGN §2). Resolved values are never logged: errors name
/// the property and the variable or file, not the value.
enum KafkaProperties {
    static func resolve(_ k: KafkaSettings, source: String, loaded: LoadedConfig,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws(ServiceError) -> [(String, String)] {
        var out: [(String, String)] = []
        for (name, value) in k.properties.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .text(let text):
                var resolved = ""
                var rest = Substring(text)
                while let start = rest.range(of: "${") {
                    guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
                    let variable = String(rest[start.upperBound..<end])
                    guard let v = environment[variable] else {
                        throw .config("source \"\(source)\": kafka.properties.\(name): environment variable \(variable) is not set")
                    }
                    resolved += rest[..<start.lowerBound] + v
                    rest = rest[rest.index(after: end)...]
                }
                resolved += rest
                out.append((name, resolved))
            case .file(let path):
                let p = loaded.resolve(path.value)
                guard let data = FileManager.default.contents(atPath: p) else {
                    throw .config("\(path.path):\(path.line):\(path.column): source \"\(source)\": kafka.properties.\(name): cannot read \(p)")
                }
                var s = String(decoding: data, as: UTF8.self)
                while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
                out.append((name, s))
            }
        }
        return out
    }
}
