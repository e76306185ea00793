import MonitorCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Evaluates a syntax tree at one instant over a sample source, with PromQL's semantics:
/// - comparisons without `bool` filter and keep the vector element's value and metric name;
///   with `bool` they return 0/1 and drop the name; arithmetic drops the name;
/// - vector–vector arithmetic and comparisons match one-to-one on all labels (the metric name is
///   never part of a match) or on the `on(…)`/`ignoring(…)` labels; the result has the left
///   side's labels (only the `on` labels with `on`, without the `ignoring` ones with `ignoring`);
/// - `and`, `or`, `unless` match many-to-many on the same label signature;
/// - division by zero gives ±Inf or NaN (IEEE 754), `%` is `fmod`.
struct Evaluator<Source: SampleSource> {
    let source: Source
    let time: Timestamp

    func evaluate(_ node: ExprNode) throws -> ExpressionValue {
        switch node {
        case .number(let v, _):
            return .scalar(v)
        case .paren(let e, _):
            return try evaluate(e)
        case .selector(let s):
            return .vector(select(s))
        case .unary(let op, let e, let span):
            let v = try evaluate(e)
            guard op == .minus else { return v }
            switch v {
            case .scalar(let x): return .scalar(-x)
            case .vector(let samples):
                let out = samples.map { VectorSample(metric: nil, labels: $0.labels, value: -$0.value) }
                try checkUnique(out, span)
                return .vector(out)
            }
        case .binary(let b):
            return try binary(b)
        case .aggregate(let a):
            guard case .vector(let samples) = try evaluate(a.operand) else {
                preconditionFailure("parser admits only vector operands to aggregations")
            }
            return .vector(aggregate(a, samples))
        }
    }

    // MARK: Selectors

    private func select(_ s: VectorSelector) -> [VectorSample] {
        let names: [String]
        if let metric = s.metric {
            names = s.nameMatchers.allSatisfy({ $0.matches(metric) }) ? [metric] : []
        } else {
            names = source.metricNames(at: time).filter { n in s.nameMatchers.allSatisfy { $0.matches(n) } }
        }
        var out: [VectorSample] = []
        for name in names {
            for sample in source.samples(metric: name, at: time)
            where s.matchers.allSatisfy({ $0.matches(sample.labels[$0.name] ?? "") }) {
                out.append(VectorSample(metric: name, labels: sample.labels, value: sample.value))
            }
        }
        return out
    }

    // MARK: Binary operators

    private func binary(_ b: BinaryExpression) throws -> ExpressionValue {
        let lhs = try evaluate(b.lhs)
        let rhs = try evaluate(b.rhs)
        switch (lhs, rhs) {
        case (.scalar(let x), .scalar(let y)):
            if b.op.isComparison { return .scalar(Evaluator.compare(b.op, x, y) ? 1 : 0) }
            return .scalar(Evaluator.arithmetic(b.op, x, y))
        case (.vector(let v), .scalar(let y)):
            return .vector(try vectorScalar(b, v, y, scalarOnLeft: false))
        case (.scalar(let x), .vector(let v)):
            return .vector(try vectorScalar(b, v, x, scalarOnLeft: true))
        case (.vector(let l), .vector(let r)):
            switch b.op {
            case .and, .or, .unless: return .vector(setOperation(b, l, r))
            default: return .vector(try vectorVector(b, l, r))
            }
        }
    }

    private func vectorScalar(_ b: BinaryExpression, _ v: [VectorSample], _ scalar: Double, scalarOnLeft: Bool) throws -> [VectorSample] {
        var out: [VectorSample] = []
        out.reserveCapacity(v.count)
        for s in v {
            let (x, y) = scalarOnLeft ? (scalar, s.value) : (s.value, scalar)
            if b.op.isComparison {
                let keep = Evaluator.compare(b.op, x, y)
                if b.returnBool {
                    out.append(VectorSample(metric: nil, labels: s.labels, value: keep ? 1 : 0))
                } else if keep {
                    out.append(s)  // the vector element's value, whichever side it is on
                }
            } else {
                out.append(VectorSample(metric: nil, labels: s.labels, value: Evaluator.arithmetic(b.op, x, y)))
            }
        }
        if b.op.isArithmetic || b.returnBool { try checkUnique(out, b.opSpan) }
        return out
    }

    private func vectorVector(_ b: BinaryExpression, _ lhs: [VectorSample], _ rhs: [VectorSample]) throws -> [VectorSample] {
        var right: [MatchSignature: Int] = [:]
        right.reserveCapacity(rhs.count)
        for (i, s) in rhs.enumerated() {
            let sig = b.matching.signature(s.labels)
            if let j = right[sig] {
                throw ExpressionError(.evaluation, offset: b.opSpan.start, length: b.opSpan.length,
                                      "many-to-many matching not allowed: found duplicate series for the match group \(b.matching.describe(s.labels)) on the right side of \"\(b.op.rawValue)\": \(rhs[j].metric ?? "")\(rhs[j].labels) and \(s.metric ?? "")\(s.labels)")
            }
            right[sig] = i
        }
        var matched = Set<MatchSignature>()
        var out: [VectorSample] = []
        let dropName: Bool
        switch b.matching {
        case .on: dropName = true
        default: dropName = b.op.isArithmetic || b.returnBool
        }
        for s in lhs {
            let sig = b.matching.signature(s.labels)
            guard let j = right[sig] else { continue }
            let r = rhs[j].value
            var value: Double
            var keep = true
            if b.op.isComparison {
                keep = Evaluator.compare(b.op, s.value, r)
                value = s.value
                if b.returnBool {
                    value = keep ? 1 : 0
                    keep = true
                }
            } else {
                value = Evaluator.arithmetic(b.op, s.value, r)
            }
            guard keep else { continue }
            if !matched.insert(sig).inserted {
                throw ExpressionError(.evaluation, offset: b.opSpan.start, length: b.opSpan.length,
                                      "multiple matches for labels \(b.matching.describe(s.labels)) on the left side of \"\(b.op.rawValue)\": many-to-one matching (group_left/group_right) is not supported")
            }
            let labels: Labels
            switch b.matching {
            case .none: labels = s.labels
            case .on(let names): labels = s.labels.keeping(names)
            case .ignoring(let names): labels = s.labels.removing(names)
            }
            out.append(VectorSample(metric: dropName ? nil : s.metric, labels: labels, value: value))
        }
        if dropName { try checkUnique(out, b.opSpan) }
        return out
    }

    private func setOperation(_ b: BinaryExpression, _ lhs: [VectorSample], _ rhs: [VectorSample]) -> [VectorSample] {
        switch b.op {
        case .and:
            let right = Set(rhs.map { b.matching.signature($0.labels) })
            return lhs.filter { right.contains(b.matching.signature($0.labels)) }
        case .unless:
            let right = Set(rhs.map { b.matching.signature($0.labels) })
            return lhs.filter { !right.contains(b.matching.signature($0.labels)) }
        case .or:
            let left = Set(lhs.map { b.matching.signature($0.labels) })
            return lhs + rhs.filter { !left.contains(b.matching.signature($0.labels)) }
        default:
            preconditionFailure("setOperation called with \(b.op)")
        }
    }

    /// PromQL rejects a vector whose elements share a label set once names were dropped.
    private func checkUnique(_ v: [VectorSample], _ span: Span) throws {
        guard v.count > 1 else { return }
        var seen = Set<Labels>()
        seen.reserveCapacity(v.count)
        for s in v where s.metric == nil {
            if !seen.insert(s.labels).inserted {
                throw ExpressionError(.evaluation, offset: span.start, length: span.length,
                                      "vector cannot contain metrics with the same labelset \(s.labels)")
            }
        }
    }

    static func compare(_ op: BinaryOperator, _ x: Double, _ y: Double) -> Bool {
        switch op {
        case .eql: return x == y
        case .neq: return x != y
        case .gtr: return x > y
        case .lss: return x < y
        case .gte: return x >= y
        case .lte: return x <= y
        default: preconditionFailure("compare called with \(op)")
        }
    }

    static func arithmetic(_ op: BinaryOperator, _ x: Double, _ y: Double) -> Double {
        switch op {
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        case .mod: return fmod(x, y)
        case .pow: return pow(x, y)
        default: preconditionFailure("arithmetic called with \(op)")
        }
    }

    // MARK: Aggregation

    private struct Accumulator {
        var sum = 0.0
        var compensation = 0.0
        var count = 0
        var min = Double.nan
        var max = Double.nan

        /// Kahan–Neumaier summation, as PromQL's `kahanSumInc` (compensation reset at ±Inf).
        mutating func add(_ v: Double) {
            count += 1
            let t = sum + v
            if t.isInfinite {
                compensation = 0
            } else if abs(sum) >= abs(v) {
                compensation += (sum - t) + v
            } else {
                compensation += (v - t) + sum
            }
            sum = t
            // min/max ignore NaN unless every value is NaN (PromQL).
            if count == 1 || min.isNaN || v < min { min = v }
            if count == 1 || max.isNaN || v > max { max = v }
        }

        func result(_ op: AggregationOperator) -> Double {
            switch op {
            case .sum: return sum + compensation
            case .avg: return (sum + compensation) / Double(count)
            case .count: return Double(count)
            case .min: return min
            case .max: return max
            }
        }
    }

    private func aggregate(_ a: Aggregation, _ samples: [VectorSample]) -> [VectorSample] {
        var index: [Labels: Int] = [:]
        var groups: [(Labels, Accumulator)] = []
        for s in samples {
            let key: Labels
            switch a.grouping {
            case .by(let names): key = names.isEmpty ? Labels() : s.labels.keeping(names)
            case .without(let names): key = s.labels.removing(names)
            }
            if let i = index[key] {
                groups[i].1.add(s.value)
            } else {
                index[key] = groups.count
                var acc = Accumulator()
                acc.add(s.value)
                groups.append((key, acc))
            }
        }
        return groups.map { VectorSample(metric: nil, labels: $0.0, value: $0.1.result(a.op)) }
    }
}
