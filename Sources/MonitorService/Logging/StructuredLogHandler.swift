import Foundation
public import Logging
public import MonitorCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The log level every handler made by ``LogSetup`` reads, so a config reload can change it
/// for the running process.
final class SharedLogLevel: Sendable {
    private let raw = Atomic<UInt8>(2)

    static let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]

    var level: Logger.Level {
        get { Self.levels[Int(raw.load(ordering: .relaxed))] }
        set { raw.store(UInt8(Self.levels.firstIndex(of: newValue) ?? 2), ordering: .relaxed) }
    }
}

/// A swift-log handler that writes one line per message to standard error, as JSON or logfmt.
///
/// Each line has `ts` (RFC 3339, UTC, milliseconds), `level`, `logger`, `msg`, then the
/// metadata (the handler's, then the message's) with dotted lowercase keys. Values of keys that
/// name a credential (`token`, `secret`, `password`, `authorization`, `api_key`) are written
/// as `<redacted>`, whatever the caller passed: a second line of defence behind the rule that
/// secrets are never logged. Lines are written with one `write(2)` each, so concurrent loggers
/// never interleave within a line.
public struct StructuredLogHandler: LogHandler {
    public enum Format: Sendable { case json, logfmt }

    let label: String
    let format: Format
    let shared: SharedLogLevel
    let now: @Sendable () -> Date
    let write: @Sendable (String) -> Void
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public var logLevel: Logger.Level {
        get { shared.level }
        set { shared.level = newValue }
    }

    init(label: String, format: Format, shared: SharedLogLevel, now: @escaping @Sendable () -> Date = { Date() },
         write: @escaping @Sendable (String) -> Void = StructuredLogHandler.writeStandardError) {
        self.label = label
        self.format = format
        self.shared = shared
        self.now = now
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let m = event.metadata { merged.merge(m) { _, new in new } }
        write(Self.render(format: format, date: now(), level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// Metadata keys whose values are never written.
    static func isSensitive(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["token", "secret", "password", "authorization", "api_key", "apikey"].contains { k.contains($0) }
    }

    /// One line (with its newline).
    static func render(format: Format, date: Date, level: Logger.Level, label: String, message: String,
                       metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [("ts", rfc3339(date)), ("level", level.rawValue), ("logger", label), ("msg", message)]
        for key in metadata.keys.sorted() {
            fields.append((key, isSensitive(key) ? "<redacted>" : flatten(metadata[key]!)))
        }
        switch format {
        case .json:
            return "{" + fields.map { "\(JSONObjectWriter.quote($0.0)):\(JSONObjectWriter.quote($0.1))" }.joined(separator: ",") + "}\n"
        case .logfmt:
            return fields.map { "\(logfmtKey($0.0))=\(logfmtValue($0.1))" }.joined(separator: " ") + "\n"
        }
    }

    static func flatten(_ v: Logger.Metadata.Value) -> String {
        switch v {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return "[" + a.map(flatten).joined(separator: ", ") + "]"
        case .dictionary(let d): return "{" + d.keys.sorted().map { "\($0): \(flatten(d[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    static func logfmtKey(_ k: String) -> String {
        let cleaned = k.unicodeScalars.map { $0 == " " || $0 == "=" || $0 == "\"" || $0.value < 0x21 ? "_" : String($0) }.joined()
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// A logfmt value: bare when it has no space, quote, `=` or control character; else quoted
    /// with `\"`, `\\`, `\n`, `\t` escapes.
    static func logfmtValue(_ v: String) -> String {
        let needsQuotes = v.isEmpty || v.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.value < 0x20 }
        // Quoted values use JSON's string escapes, as the json format does.
        return needsQuotes ? JSONObjectWriter.quote(v) : v
    }

    static func rfc3339(_ d: Date) -> String {
        Timestamp(milliseconds: Int64((d.timeIntervalSince1970 * 1000).rounded(.down))).rfc3339
    }

    @Sendable static func writeStandardError(_ line: String) {
        var s = line
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(2, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }
}

/// Sets up swift-log for `monitor run` from the config's `logging:` section.
public enum LogSetup {
    static let shared = SharedLogLevel()

    /// Bootstraps the logging system once per process (swift-log allows one bootstrap).
    /// - Parameters:
    ///   - settings: The config's `logging:` (format and level).
    ///   - levelOverride: `--log-level`, which wins over the config.
    public static func bootstrap(_ settings: LoggingSettings, levelOverride: Logger.Level? = nil) {
        shared.level = levelOverride ?? Logger.Level(rawValue: settings.level.rawValue) ?? .info
        let format = settings.format
        LoggingSystem.bootstrap { label in
            switch format {
            case .json: return StructuredLogHandler(label: label, format: .json, shared: shared)
            case .logfmt: return StructuredLogHandler(label: label, format: .logfmt, shared: shared)
            case .text:
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = shared.level
                return LevelFollowingHandler(inner: h, shared: shared)
            }
        }
    }

    /// Applies a reloaded `logging.level` (the format stays until a restart).
    static func apply(level: LoggingSettings.Level) {
        shared.level = Logger.Level(rawValue: level.rawValue) ?? .info
    }

    /// The `logging:` section of a config file, or the defaults when it cannot be read (the
    /// run then reports the config's errors itself).
    public static func settings(configPath: String) -> LoggingSettings {
        guard let text = ConfigLoader.readText(configPath) else { return LoggingSettings() }
        return MonitorConfig.parse(text, path: configPath).0?.logging ?? LoggingSettings()
    }
}

/// swift-log's text handler, with its level following the shared one (a reload can change it).
struct LevelFollowingHandler: LogHandler {
    var inner: StreamLogHandler
    let shared: SharedLogLevel

    var logLevel: Logger.Level {
        get { shared.level }
        set { shared.level = newValue }
    }
    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }
    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }
    func log(event: LogEvent) {
        var redacted = event
        if let m = event.metadata {
            redacted.metadata = m.reduce(into: [:]) { $0[$1.key] = StructuredLogHandler.isSensitive($1.key) ? "<redacted>" : $1.value }
        }
        inner.log(event: redacted)
    }
}
