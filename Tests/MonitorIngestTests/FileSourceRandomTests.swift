import Foundation
import MonitorCore
import MonitorIngest
import Testing

@Suite("FileSource: randomized writer against a following reader")
struct FileSourceRandomTests {
    /// A writer appends random lines (some partial, some longer than a chunk or than the line
    /// limit) to `app.jsonl` and, between the reader's polls, rotates it by rename (shifting
    /// `app.jsonl.N` → `.N+1` like logrotate), copies and truncates it, deletes it, and restarts
    /// the reader from its positions, while the reader's clock moves so that rotated files are
    /// closed. Copytruncate and delete happen only after the reader has caught up (the window in
    /// which any tailer loses lines is excluded, as documented); rename rotations happen at any
    /// time. The reader's output must be exactly the written lines, in order.
    @Test("every written line is read exactly once, in order", arguments: Array(UInt64(1)...16))
    func randomized(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let dir = try Scratch()
        let time = ManualTime()
        let maxLine = 400
        let cfg = config(
            .file(dir.at("app.jsonl")), follow: true, maxChunkBytes: Int.random(in: 8...200, using: &rng), maxLineBytes: maxLine,
            grace: .seconds(1))
        var source = try FileSource(cfg, now: { time.now })
        var written: [UInt8] = []
        var pending: [UInt8] = []  // the unterminated tail of app.jsonl
        var read: [UInt8] = []
        var rotated = 0
        var copies = 0
        var sequence = 0
        var counts = (rotations: 0, copytruncates: 0, deletes: 0, restarts: 0, oversized: 0)
        var log: [String] = []

        func take(_ chunk: FileChunk) {
            switch chunk.content {
            case .lines(let bytes):
                read += bytes
                log.append("chunk \(chunk.path) \(chunk.range) \(String(decoding: bytes.prefix(12), as: UTF8.self))")
            case .oversizedLine(let prefix, let length):
                // Lines here are shorter than the kept prefix, so the whole line is there.
                #expect(Int64(prefix.count) == length)
                read += prefix
                if chunk.range.count > Int(length) { read.append(0x0A) }
                counts.oversized += 1
            }
        }
        func catchUp() throws {
            while let chunk = try source.poll() { take(chunk) }
        }
        func finishLine() throws {
            guard !pending.isEmpty else { return }
            try dir.append("app.jsonl", "\n")
            log.append("finish")
            written += pending + [0x0A]
            pending = []
        }
        func randomLine() -> [UInt8] {
            sequence += 1
            let length: Int
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<3: length = Int.random(in: maxLine...(3 * maxLine), using: &rng)  // oversized
            case 3..<10: length = Int.random(in: 100...maxLine - 20, using: &rng)  // longer than most chunks
            default: length = Int.random(in: 0...40, using: &rng)
            }
            var line = Array("{\"seq\":\(sequence),\"pad\":\"".utf8)
            for _ in 0..<length { line.append(UInt8(ascii: "a") + UInt8.random(in: 0..<26, using: &rng)) }
            return line + Array("\"}".utf8)
        }

        try dir.write("app.jsonl", "")
        for _ in 0..<400 {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<45:
                // Append: finish the pending line or not, whole lines, maybe a partial one.
                var bytes: [UInt8] = []
                for _ in 0..<Int.random(in: 0...4, using: &rng) {
                    let line = randomLine()
                    bytes += line + [0x0A]
                    written += pending + line + [0x0A]
                    pending = []
                }
                if Bool.random(using: &rng) {
                    let line = randomLine()
                    let cut = Int.random(in: 0..<line.count, using: &rng)
                    bytes += line[..<cut]
                    pending += line[..<cut]
                    if Bool.random(using: &rng) {
                        // All of its bytes now, its newline in a later write.
                        bytes += line[cut...]
                        pending += line[cut...]
                    }
                }
                try dir.append("app.jsonl", bytes: bytes)
                log.append("append \(bytes.count) \(String(decoding: bytes.prefix(12), as: UTF8.self))")
            case 45..<70:
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    guard let chunk = try source.poll() else { break }
                    take(chunk)
                }
            case 70..<78:
                // logrotate: the writer ends its line, the chain shifts, the file is renamed.
                try finishLine()
                // A file created and renamed away between two polls is never seen by any tailer:
                // rotate only a file the reader knows.
                guard FileManager.default.fileExists(atPath: dir.at("app.jsonl")) else { continue }
                let current = try dir.key("app.jsonl")
                guard source.positions.contains(where: { $0.key == current }) else { continue }
                for k in stride(from: rotated, through: 1, by: -1) { try dir.move("app.jsonl.\(k)", "app.jsonl.\(k + 1)") }
                try dir.move("app.jsonl", "app.jsonl.1")
                rotated += 1
                counts.rotations += 1
                log.append("rotate")
            case 78..<84:
                try finishLine()
                try catchUp()
                guard FileManager.default.fileExists(atPath: dir.at("app.jsonl")) else { continue }
                copies += 1
                try dir.copy("app.jsonl", to: "copy-\(copies).bak")
                try dir.shrink("app.jsonl")
                counts.copytruncates += 1
                log.append("copytruncate")
            case 84..<87:
                try finishLine()
                try catchUp()
                guard FileManager.default.fileExists(atPath: dir.at("app.jsonl")) else { continue }
                try dir.remove("app.jsonl")
                counts.deletes += 1
                log.append("delete")
            case 87..<93:
                let positions = source.positions
                source.close()
                source = try FileSource(cfg, resumeFrom: positions, now: { time.now })
                counts.restarts += 1
                log.append("restart \(positions)")
            default:
                time.advance(by: .milliseconds(Int64.random(in: 0...1500, using: &rng)))
            }
        }
        try finishLine()
        try catchUp()
        time.advance(by: .seconds(2))
        try catchUp()
        let same = read == written
        let diverge = (0..<min(read.count, written.count)).first { read[$0] != written[$0] } ?? min(read.count, written.count)
        #expect(same, "seed \(seed): read \(read.count) bytes, written \(written.count), first difference at \(diverge): read …\(excerpt(read, diverge))… written …\(excerpt(written, diverge))…")
        if !same { try? log.joined(separator: "\n").write(toFile: "/tmp/files-random-\(seed).log", atomically: true, encoding: .utf8) }
        #expect(source.positions.count <= 1)
        #expect(counts.rotations > 0 && counts.copytruncates > 0 && counts.restarts > 0 && counts.oversized > 0)
        #expect(source.statistics.droppedEvents == 0)
    }
}

/// Up to 80 bytes around `index`, as text.
func excerpt(_ bytes: [UInt8], _ index: Int) -> String {
    let lower = max(0, index - 40)
    let upper = min(bytes.count, index + 40)
    return lower < upper ? String(decoding: bytes[lower..<upper], as: UTF8.self) : ""
}
