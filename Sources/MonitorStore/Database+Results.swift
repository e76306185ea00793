import MonitorCore

extension Database {
    func windowResults(model: String?, from: Timestamp?, to: Timestamp?) throws -> [WindowResult] {
        // Two statements rather than `(?1 IS NULL OR model = ?1)`, which would stop SQLite from
        // using the (model, end_ms) index.
        let columns = "SELECT id, model, version, window_name, start_ms, end_ms, profile_id, profile_name, event_count FROM window_results"
        let order = "ORDER BY end_ms, start_ms, window_name, model, version"
        let lower = from?.milliseconds ?? Int64.min
        let upper = to?.milliseconds ?? Int64.max
        return try read {
            let map: (Row) -> (Int64, WindowResult) = { row in
                let key = WindowKey(
                    model: row.text(1), version: row.text(2), window: row.text(3),
                    start: Timestamp(milliseconds: row.int64(4)), end: Timestamp(milliseconds: row.int64(5))
                )
                return (row.int64(0), WindowResult(key: key, profileID: row.int64(6), profileName: row.text(7), eventCount: row.int(8), samples: []))
            }
            var results: [(Int64, WindowResult)]
            if let model {
                results = try connection.query("\(columns) WHERE model = ?1 AND end_ms >= ?2 AND end_ms < ?3 \(order)", model, lower, upper, map: map)
            } else {
                results = try connection.query("\(columns) WHERE end_ms >= ?1 AND end_ms < ?2 \(order)", lower, upper, map: map)
            }
            let values = try connection.statement("SELECT series_id, value, ts_ms FROM series_values WHERE result_id = ?1 ORDER BY ordinal")
            let seriesRow = try connection.statement("SELECT metric, labels FROM series WHERE id = ?1")
            let histograms = try connection.statement("SELECT feature, counts, missing FROM window_histograms WHERE result_id = ?1 ORDER BY ordinal")
            // Decoded series of this query: most series recur in every window.
            var series: [Int64: (metric: String, labels: Labels)] = [:]
            for i in results.indices {
                let end = results[i].1.key.end
                let rows = try values.rows(results[i].0) { row in
                    (row.int64(0), row.double(1), row.optionalInt64(2).map(Timestamp.init(milliseconds:)) ?? end)
                }
                var samples: [Sample] = []
                samples.reserveCapacity(rows.count)
                for (seriesID, value, timestamp) in rows {
                    if series[seriesID] == nil {
                        guard let (metric, text) = try seriesRow.rows(seriesID, map: { ($0.text(0), $0.text(1)) }).first else {
                            throw StoreError(code: .invalidData, message: "series_values: series \(seriesID) does not exist")
                        }
                        series[seriesID] = (metric, try labels(text, in: "series"))
                    }
                    let (metric, labels) = series[seriesID]!
                    samples.append(Sample(metric: metric, labels: labels, value: value, timestamp: timestamp))
                }
                results[i].1.samples = samples
                results[i].1.histograms = try histograms.rows(results[i].0) { row in
                    guard let counts = JSONText.decodeIntegers(row.text(1)) else {
                        throw StoreError(code: .invalidData, message: "window_histograms: counts of result \(results[i].0) are not an array of integers")
                    }
                    return FeatureHistogram(feature: row.text(0), counts: counts, missing: row.int(2))
                }
            }
            return results.map(\.1)
        }
    }
}
