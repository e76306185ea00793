import MonitorCore

/// `monitor simulate`: writes simulated logs into a directory.
public enum SimulateRunner {
    /// Writes `reference.jsonl`, `reference-labels.jsonl`, `predictions.jsonl`, `labels.jsonl` and `manifest.json` into
    /// `directory` and returns a one-paragraph summary for the terminal.
    public static func run(spec: SimulationSpec, directory: String) throws -> String {
        let sim = try Simulator(spec: spec)
        try makeDirectories(directory)
        var files: [String: AtomicOutputFile] = [:]
        let out = try sim.generate { name, bytes in
            if files[name] == nil { files[name] = try AtomicOutputFile(path: directory + "/" + name) }
            try files[name]!.write(bytes)
        }
        for f in files.values { try f.commit() }
        let manifest = AtomicOutputFile.self
        let m = try manifest.init(path: directory + "/manifest.json")
        try m.write(manifestJSON(spec: spec, output: out))
        try m.commit()
        let driftText = spec.drifts.isEmpty ? "none" : spec.drifts.map(\.description).joined(separator: ", ")
        return """
            wrote \(directory)/reference.jsonl (\(out.referenceLines) rows, \(Timestamp(milliseconds: spec.start.milliseconds - spec.durationMilliseconds)) to \(spec.start))
            wrote \(directory)/predictions.jsonl (\(out.predictionLines) rows, from \(spec.start), drift from \(spec.driftStart ?? spec.start): \(driftText))
            wrote \(directory)/reference-labels.jsonl (\(out.referenceLabelLines) labels of the reference records)
            wrote \(directory)/labels.jsonl (\(out.labelLines) labels, ordered by arrival\(spec.degradation > 0 ? "; \(out.flippedLabels) flipped from \(spec.degradationStart ?? spec.driftStart ?? spec.start)" : ""))
            wrote \(directory)/manifest.json
            """
    }

    static func manifestJSON(spec: SimulationSpec, output: Simulator.Output) -> String {
        func q(_ s: String) -> String { "\"" + s + "\"" }
        let drifts = spec.drifts.map { d -> String in
            switch d.kind {
            case .shift(let v): return "{\"feature\":\(q(d.feature)),\"kind\":\"shift\",\"value\":\(v)}"
            case .scale(let v): return "{\"feature\":\(q(d.feature)),\"kind\":\"scale\",\"value\":\(v)}"
            case .newCategory(let v): return "{\"feature\":\(q(d.feature)),\"kind\":\"new-category\",\"value\":\(v)}"
            case .missing(let v): return "{\"feature\":\(q(d.feature)),\"kind\":\"missing\",\"value\":\(v)}"
            }
        }
        return """
            {"seed":\(spec.seed),"model":\(q(spec.model)),"version":\(q(spec.version)),\
            "start":\(q(spec.start.rfc3339)),"duration_ms":\(spec.durationMilliseconds),\
            "drift_start":\(q((spec.driftStart ?? spec.start).rfc3339)),\
            "degradation":\(spec.degradation),"degradation_start":\(q((spec.degradationStart ?? spec.driftStart ?? spec.start).rfc3339)),\
            "flipped_labels":\(output.flippedLabels),\
            "reference_rows":\(output.referenceLines),"prediction_rows":\(output.predictionLines),\
            "label_rows":\(output.labelLines),\
            "numerical":[\(Simulator.numericalFeatureNames.map(q).joined(separator: ","))],\
            "categorical":[\(Simulator.featureNames.filter { !Simulator.numericalFeatureNames.contains($0) }.map(q).joined(separator: ","))],\
            "drift":[\(drifts.joined(separator: ","))]}

            """
    }
}
