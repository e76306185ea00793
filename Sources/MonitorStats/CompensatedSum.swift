/// Neumaier's improved Kahan–Babuška summation: the running sum plus a separate compensation
/// term that captures each addition's rounding error exactly (Neumaier 1974).
///
/// The error of the result is at most about 2ε·Σ|xᵢ| + O(nε²)·Σ|xᵢ|, independent of n to first
/// order, versus (n−1)ε·Σ|xᵢ| for a naive loop.
struct CompensatedSum {
    var sum = 0.0
    var compensation = 0.0

    @inline(__always)
    mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    var value: Double { sum + compensation }
}
