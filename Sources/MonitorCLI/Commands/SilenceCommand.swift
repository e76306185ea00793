import ArgumentParser
import Foundation
import MonitorCore
import MonitorService

/// `monitor silence`: mute notifications of matching alerts for a while.
struct SilenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Add, list and expire silences (muted notifications).",
        discussion: """
            A silence mutes the notifications of every alert whose labels match all
            its matchers, from its start to its end (wall-clock time). Muted
            notifications are recorded in the store's notification log, not sent.
            Silences live in the store; a running `monitor run` sees a new one at its
            next notification flush.

            Matchers use Alertmanager's syntax: name="value", name!="value",
            name=~"regex", name!~"regex" (regular expressions match whole values).

            Examples:
              monitor silence add --config monitor.yaml alertname=FeatureDrift \\
                  'model=~"fraud|credit"' --duration 2h --comment "retraining"
              monitor silence list --store monitor.db --all
              monitor silence expire --store monitor.db sil_3f2a9c0d1e4b5a67
            """,
        subcommands: [Add.self, List.self, Expire.self]
    )

    struct StoreOptions: ParsableArguments {
        @Option(name: .long, help: "The monitor's store (SQLite file).")
        var store: String?

        @Option(name: .long, help: "Config file whose store.path to use (instead of --store).")
        var config: String?

        func path() throws -> String {
            do { return try SilenceRunner.storePath(store: store, config: config) } catch {
                throw CLIFailure(message: error.message, code: error.kind == .usage ? .usage : .failure)
            }
        }
    }

    static func now() -> Timestamp { Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded())) }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a silence; prints its id.",
            discussion: """
                Examples:
                  monitor silence add --store monitor.db alertname=FeatureDrift --duration 2h \\
                      --comment "known upstream change"
                  monitor silence add --store monitor.db severity=ticket \\
                      --start 2026-11-04T18:00:00Z --end 2026-11-05T08:00:00Z
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: "Matchers, e.g. alertname=FeatureDrift 'model=~\"fraud|credit\"'.")
        var matchers: [String] = []

        @Option(name: .long, help: "Start (RFC 3339 or YYYY-MM-DD; default: now).")
        var start: String?

        @Option(name: .long, help: "End (RFC 3339 or YYYY-MM-DD).")
        var end: String?

        @Option(name: .long, help: "Length from the start, e.g. 2h or 1d (default 1h).")
        var duration: String?

        @Option(name: .long, help: "Who creates it (default: $USER).")
        var author: String?

        @Option(name: .long, help: "Why.")
        var comment: String = ""

        func validate() throws {
            if let start, Timestamp.parse(start) == nil { throw ValidationError("--start: \"\(start)\" is not an RFC 3339 time or a date") }
            if let end, Timestamp.parse(end) == nil { throw ValidationError("--end: \"\(end)\" is not an RFC 3339 time or a date") }
            if let duration, PrometheusDuration.parse(duration) == nil { throw ValidationError("--duration: \"\(duration)\" is not a duration like 30m or 2h") }
            if end != nil && duration != nil { throw ValidationError("give --end or --duration, not both") }
        }

        func run() throws {
            let now = SilenceCommand.now()
            let startsAt = start.flatMap(Timestamp.parse) ?? now
            let endsAt = end.flatMap(Timestamp.parse)
                ?? Timestamp(milliseconds: startsAt.milliseconds + (duration.flatMap(PrometheusDuration.parse) ?? 3_600_000))
            let author = self.author ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            do {
                let path = try storeOptions.path()
                let silence = try SilenceRunner.add(storePath: path, matchers: try SilenceRunner.matchers(matchers), startsAt: startsAt,
                                                    endsAt: endsAt, createdBy: author, comment: comment, now: now)
                print(silence.id)
            } catch let e as ServiceError {
                throw CLIFailure(message: e.message, code: e.kind == .usage ? .usage : .failure)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List silences (active and pending; --all adds expired ones).",
            discussion: """
                Examples:
                  monitor silence list --config monitor.yaml
                  monitor silence list --store monitor.db --all --format json
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

        @OptionGroup var storeOptions: StoreOptions

        @Flag(name: .long, help: "Include expired silences.")
        var all = false

        @Option(name: .long, help: "table or json.")
        var format: Format = .table

        func run() throws {
            let now = SilenceCommand.now()
            do {
                let silences = try SilenceRunner.list(storePath: try storeOptions.path(), includeExpired: all, now: now)
                if format == .json {
                    print(SilenceRunner.json(silences, now: now))
                    return
                }
                if silences.isEmpty {
                    print("no silences")
                    return
                }
                for s in silences {
                    print("\(s.id)  \(SilenceRunner.state(s, at: now))  \(s.startsAt) – \(s.endsAt)  by \(s.createdBy)")
                    print("    " + s.matchers.map(\.description).joined(separator: ", ") + (s.comment.isEmpty ? "" : "  # \(s.comment)"))
                }
            } catch let e as ServiceError {
                throw CLIFailure(message: e.message, code: e.kind == .usage ? .usage : .failure)
            }
        }
    }

    struct Expire: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a silence now.",
            discussion: """
                Example:
                  monitor silence expire --store monitor.db sil_3f2a9c0d1e4b5a67
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: "The silence's id (from add or list).")
        var id: String

        func run() throws {
            do {
                try SilenceRunner.expire(storePath: try storeOptions.path(), id: id, now: SilenceCommand.now())
                print("expired \(id)")
            } catch let e as ServiceError {
                throw CLIFailure(message: e.message, code: e.kind == .usage ? .usage : .failure)
            }
        }
    }
}
