import Foundation
import MonitorAlerting
public import MonitorCore

#if canImport(Glibc)
    import Glibc
#endif

/// A file's text with its path, as read for a config, rule or alert file.
public struct SourceText: Sendable, Hashable {
    public var path: String
    public var text: String
}

/// A config file with everything it references read and parsed: what `monitor run`,
/// `monitor baseline` and `monitor check` start from.
public struct LoadedConfig: Sendable {
    public var config: MonitorConfig
    /// The config file's directory: relative paths in the config are resolved against it.
    public var baseDirectory: String
    /// Rule files matched by `rules:` (sorted, deduplicated), with their text.
    public var ruleTexts: [SourceText] = []
    /// Alert files matched by `alerts:`, parsed.
    public var alertsFiles: [AlertsFile] = []

    /// A path from the config, made absolute against the config's directory.
    public func resolve(_ path: String) -> String {
        ConfigLoader.resolve(path, against: baseDirectory)
    }
}

/// Reads a config file and the rule and alert files it names, collecting every diagnostic.
public enum ConfigLoader {
    /// Loads and validates everything; the config is nil when any error was found.
    public static func load(path: String) -> (LoadedConfig?, [ConfigDiagnostic]) {
        guard let text = readText(path) else {
            return (nil, [ConfigDiagnostic(path: path, line: 0, column: 0, message: unreadable(path))])
        }
        var (config, diagnostics) = MonitorConfig.parse(text, path: path)
        guard let config else { return (nil, diagnostics) }
        let base = directory(of: path)
        var loaded = LoadedConfig(config: config, baseDirectory: base)
        for pattern in config.ruleFiles {
            let (files, diags) = expand(pattern, base: base, context: "rules")
            diagnostics += diags
            for f in files where !loaded.ruleTexts.contains(where: { $0.path == f }) {
                if let t = readText(f) { loaded.ruleTexts.append(SourceText(path: f, text: t)) }
                else { diagnostics.append(pattern.diagnostic("rules", unreadable(f))) }
            }
        }
        for pattern in config.alertFiles {
            let (files, diags) = expand(pattern, base: base, context: "alerts")
            diagnostics += diags
            for f in files {
                guard let t = readText(f) else {
                    diagnostics.append(pattern.diagnostic("alerts", unreadable(f)))
                    continue
                }
                let (file, d) = AlertsFile.parse(t, path: f)
                diagnostics += d
                if let file {
                    diagnostics += AlertingValidation.diagnostics(file)
                    loaded.alertsFiles.append(file)
                }
            }
        }
        if loaded.alertsFiles.count > 1 {
            diagnostics.append(config.alertFiles[0].diagnostic(
                "alerts", "\(loaded.alertsFiles.count) alert files matched; one route tree is allowed: \(loaded.alertsFiles.map(\.path).joined(separator: ", "))"))
        }
        for s in config.sources {
            if let dl = s.deadLetter, dl.hasSuffix("/") {
                diagnostics.append(s.path.diagnostic("source \"\(s.name)\".dead_letter", "must name a file, not a directory"))
            }
        }
        let hasErrors = diagnostics.contains { $0.severity == .error }
        return (hasErrors ? nil : loaded, diagnostics)
    }

    static func unreadable(_ path: String) -> String {
        var st = stat()
        if stat(path, &st) != 0 { return "cannot read \(path): \(String(cString: strerror(errno)))" }
        if (st.st_mode & S_IFMT) == S_IFDIR { return "cannot read \(path): it is a directory" }
        return "cannot read \(path): \(String(cString: strerror(errno)))"
    }

    /// The UTF-8 text of a file, or nil.
    public static func readText(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The directory part of a path (`.` for a bare file name).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` if absolute, else `base/path`.
    public static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") || base == "." || base.isEmpty { return path }
        return base + "/" + path
    }

    /// Expands a file name or glob (relative to `base`); a pattern that matches nothing is an error.
    static func expand(_ pattern: Positioned<String>, base: String, context: String) -> ([String], [ConfigDiagnostic]) {
        let full = resolve(pattern.value, against: base)
        let isGlob = full.contains(where: { "*?[".contains($0) })
        if !isGlob {
            var st = stat()
            if stat(full, &st) != 0 { return ([], [pattern.diagnostic(context, "\(full): no such file")]) }
            return ([full], [])
        }
        var g = glob_t()
        defer { globfree(&g) }
        let rc = glob(full, 0, nil, &g)
        if rc == GLOB_NOMATCH || g.gl_pathc == 0 {
            return ([], [pattern.diagnostic(context, "\(full) matches no file")])
        }
        guard rc == 0 else { return ([], [pattern.diagnostic(context, "cannot expand \(full)")]) }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return (out.sorted(), [])
    }
}
