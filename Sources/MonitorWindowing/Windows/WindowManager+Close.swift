public import MonitorCore
import MonitorStats

extension WindowManager {
    /// Raises the watermark to `watermark` (if later) and closes every window ending at or
    /// before it.
    ///
    /// Events whose pane ends at or before the new watermark are late from now on. Call it with
    /// ``watermark`` to close what the events themselves made ready, or with a later time to close
    /// windows of an idle source.
    ///
    /// - Parameter watermark: the event time up to which the input is considered complete.
    /// - Returns: the closed windows, ordered by end, then start, configuration name, model and
    ///   version (`WindowKey`'s order), with their results and per-feature detail.
    public mutating func advance(to watermark: Timestamp) -> [ClosedWindow] {
        if watermark.milliseconds > mark { mark = watermark.milliseconds }
        return close(through: mark)
    }

    /// Closes the windows the events seen so far made ready (ending at or before ``watermark``).
    ///
    /// - Returns: the closed windows, in `WindowKey` order.
    public mutating func closeReady() -> [ClosedWindow] {
        close(through: mark)
    }

    /// Closes every open window: the end of input (`monitor run --once`). The watermark goes to
    /// +∞, so any later event is late.
    ///
    /// - Returns: the closed windows, in `WindowKey` order.
    public mutating func closeAll() -> [ClosedWindow] {
        mark = .max
        return close(through: .max)
    }

    /// A window instance about to close.
    struct Candidate: Hashable {
        var stream: Int32
        var spec: Int32
        var start: Int64
    }

    mutating func close(through w: Int64) -> [ClosedWindow] {
        guard w > closedThrough else { return [] }
        // Clamped bounds: pane starts are within ±2⁶¹ and sizes at most 2⁴⁰, so the arithmetic
        // below cannot overflow and the comparisons are unchanged.
        let hi = min(w, 1 << 62)
        let lo = max(closedThrough, -(1 << 62))
        var candidates = Set<Candidate>()
        for key in paneIndex.keys {
            let g = groups[Int(key.group)]
            for si in g.specs {
                // Windows containing the pane start at P − j·slide (0 ≤ j < size/slide) and end
                // size later; those ending in (closedThrough, w] close now.
                let size = specs[si].size
                let jlo = max(0, Self.ceilDiv(key.start + size - hi, g.slide))
                let jhi = min(size / g.slide - 1, Self.ceilDiv(key.start + size - lo, g.slide) - 1)
                guard jlo <= jhi else { continue }
                for j in jlo...jhi {
                    candidates.insert(Candidate(stream: key.stream, spec: Int32(si), start: key.start - j * g.slide))
                }
            }
        }
        let ordered = candidates.map { c -> (WindowKey, Candidate) in
            let s = streams[Int(c.stream)]
            let spec = specs[Int(c.spec)]
            return (WindowKey(model: s.model, version: s.version, window: spec.name, start: Timestamp(milliseconds: c.start),
                              end: Timestamp(milliseconds: c.start + spec.size)), c)
        }.sorted { $0.0 < $1.0 }
        var closed: [ClosedWindow] = []
        closed.reserveCapacity(ordered.count)
        var buffer: [Double] = []
        var keys: [UInt64] = []
        swap(&buffer, &sortBuffer)
        swap(&keys, &sortScratch)
        for (key, c) in ordered {
            if let result = closeWindow(key, c, &buffer, &keys) { closed.append(result) }
        }
        swap(&buffer, &sortBuffer)
        swap(&keys, &sortScratch)
        let expired = paneIndex.filter { key, _ in key.start + groups[Int(key.group)].maxSize <= w }
        for (_, p) in expired.sorted(by: { $0.value < $1.value }) { freePane(p) }
        closedThrough = w
        stateDirty = true
        collectProfiles()
        return closed
    }

    static func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? (a + b - 1) / b : -((-a) / b)
    }

    /// Merges a window's panes and compares them with the profile of its latest pane.
    private mutating func closeWindow(_ key: WindowKey, _ c: Candidate, _ buffer: inout [Double], _ keys: inout [UInt64]) -> ClosedWindow? {
        let spec = specs[Int(c.spec)]
        let g = groupOfSpec[Int(c.spec)]
        let slide = groups[g].slide
        var members: [Int] = []
        var start = c.start
        while start < c.start + spec.size {
            if let p = paneIndex[PaneKey(stream: c.stream, group: Int32(g), start: start)] { members.append(p) }
            start += slide
        }
        guard let last = members.last else { return nil }
        let slotIndex = panes[last].profileSlot
        members.removeAll { panes[$0].profileSlot != slotIndex }
        streams[Int(c.stream)].windowsClosed += 1
        stateDirty = true
        return Self.statistics(
            panes: members.map { panes[$0] }, slot: profiles[slotIndex]!, key: key, settings: settings,
            buffer: &buffer, keys: &keys)
    }
}
