import Foundation

/// Paths of test fixtures and shipped files, found relative to this source file.
enum Fixtures {
    /// `Tests/MonitorRulesTests/Fixtures`.
    static let directory: String = {
        let here = #filePath
        return String(here[..<here.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    /// The repository root (two levels above the test target).
    static let repositoryRoot: String = {
        var parts = directory.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/MonitorRulesTests/Fixtures
        return parts.joined(separator: "/")
    }()

    /// Names of files in `Fixtures/<sub>` ending in `suffix`, sorted.
    static func names(in sub: String, suffix: String) -> [String] {
        let path = directory + "/" + sub
        let all = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return all.filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// Names of files in a repository directory ending in `suffix`, sorted.
    static func repositoryNames(in sub: String, suffix: String) -> [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/" + sub)) ?? []
        return all.filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func read(_ absolutePath: String) throws -> String {
        try String(contentsOfFile: absolutePath, encoding: .utf8)
    }
}
