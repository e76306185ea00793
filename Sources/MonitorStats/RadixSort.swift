/// Sorting of finite `Double` samples in linear time.
///
/// `Array.sort()` (an introsort over `Comparable`) costs about 12× numpy's vectorised sort on
/// 1M doubles on the machines we target, and every exact statistic that needs order (KS,
/// Wasserstein, quantiles) starts with a sort. This file implements an LSD radix sort over the
/// IEEE-754 bit patterns instead.
///
/// ## Method
/// Each double is mapped to a `UInt64` key whose unsigned order equals the numeric order:
/// for non-negative values the sign bit is set; for negative values all bits are flipped.
/// Keys are then sorted by 11-bit digits, least significant first (6 passes cover 64 bits),
/// with all six digit histograms built in one read pass, and passes in which every key has the
/// same digit skipped (typical for the exponent bits of data in a narrow range).
///
/// ## Complexity
/// O(n) time (at most 7 passes over the data), O(n) extra space for one scratch buffer.
///
/// ## Numerical notes
/// NaN has no place in a total order and must be removed by the caller (every caller in this
/// module filters missing values first). `-0.0` sorts before `+0.0`; they compare equal, so no
/// statistic computed from the sorted sample depends on their relative order.
///
/// ## References
/// Knuth, D. E. (1998). *The Art of Computer Programming, Vol. 3*, §5.2.5 (radix sorting).
/// Herf, M. (2001). "Radix Tricks" (the float-to-key bit flip).
public enum RadixSort {
    /// Below this size the standard library's sort is faster than the histogram set-up.
    static let smallSortLimit = 512

    @inline(__always)
    static func key(_ x: Double) -> UInt64 {
        let b = x.bitPattern
        return (b >> 63) == 0 ? b | (1 << 63) : ~b
    }

    @inline(__always)
    static func value(_ k: UInt64) -> Double {
        Double(bitPattern: (k >> 63) == 1 ? k & ~(1 << 63) : ~k)
    }

    /// Sorts `values` in place in ascending order.
    ///
    /// - Parameter values: finite or infinite doubles; must not contain NaN.
    /// - Complexity: O(n).
    public static func sort(_ values: inout [Double]) {
        let n = values.count
        if n <= smallSortLimit {
            values.sort()
            return
        }
        var scratch = [UInt64](repeating: 0, count: n)
        values.withUnsafeMutableBufferPointer { v in
            v.withMemoryRebound(to: UInt64.self) { keys in
                scratch.withUnsafeMutableBufferPointer { sc in
                    var counts = [Int](repeating: 0, count: radix * passes)
                    counts.withUnsafeMutableBufferPointer { c in
                        for i in 0..<n {
                            let k = key(Double(bitPattern: keys[i]))
                            keys[i] = k
                            count(k, c)
                        }
                        sortKeys(keys.baseAddress!, sc.baseAddress!, n, c)
                    }
                }
            }
        }
    }

    /// Sorts the finite values of `column` into `out[0..<k]` and returns k; NaN and ±∞ (missing
    /// values) are left out.
    ///
    /// `out` and `scratch` are workspaces the caller keeps across calls: they grow when needed and
    /// are never shrunk, so sorting column after column touches no fresh memory (zeroing new
    /// pages cost more than the sort itself in profiles of `monitor compare`). Elements of `out`
    /// past k are unspecified.
    ///
    /// - Complexity: O(n), at most 7 passes.
    public static func sortFinite(
        _ column: UnsafeBufferPointer<Double>, into out: inout [Double], scratch: inout [UInt64]
    ) -> Int {
        if out.count < column.count { out = [Double](repeating: 0, count: column.count) }
        var k = 0
        if column.count <= smallSortLimit {
            for x in column where x.isFinite {
                out[k] = x
                k += 1
            }
            out.withUnsafeMutableBufferPointer { $0[0..<k].sort() }
            return k
        }
        if scratch.count < column.count { scratch = [UInt64](repeating: 0, count: column.count) }
        out.withUnsafeMutableBufferPointer { o in
            o.withMemoryRebound(to: UInt64.self) { keys in
                scratch.withUnsafeMutableBufferPointer { sc in
                    var counts = [Int](repeating: 0, count: radix * passes)
                    counts.withUnsafeMutableBufferPointer { c in
                        for x in column where x.isFinite {
                            let kx = key(x)
                            keys[k] = kx
                            count(kx, c)
                            k &+= 1
                        }
                        sortKeys(keys.baseAddress!, sc.baseAddress!, k, c)
                    }
                }
            }
        }
        return k
    }

    static let digitBits = 11
    static let radix = 1 << digitBits
    static let passes = 6

    @inline(__always)
    static func count(_ k: UInt64, _ c: UnsafeMutableBufferPointer<Int>) {
        var v = k
        for p in 0..<passes {
            c[p &* radix &+ Int(v & UInt64(radix - 1))] &+= 1
            v >>= UInt64(digitBits)
        }
    }

    /// LSD passes over `n` keys in `a` (histograms already in `c`), ping-ponging with `b`; the
    /// sorted doubles end in `a`.
    static func sortKeys(_ a: UnsafeMutablePointer<UInt64>, _ b: UnsafeMutablePointer<UInt64>, _ n: Int, _ c: UnsafeMutableBufferPointer<Int>) {
        var src = a
        var dst = b
        for p in 0..<passes {
            let base = p * radix
            // Skip a pass in which all keys share one digit.
            var trivial = false
            for d in 0..<radix where c[base + d] != 0 {
                trivial = c[base + d] == n
                break
            }
            if trivial { continue }
            var sum = 0
            for d in 0..<radix {
                let t = c[base + d]
                c[base + d] = sum
                sum += t
            }
            let shift = UInt64(p * digitBits)
            for i in 0..<n {
                let v = src[i]
                let d = Int((v >> shift) & UInt64(radix - 1))
                let pos = c[base + d]
                dst[pos] = v
                c[base + d] = pos &+ 1
            }
            swap(&src, &dst)
        }
        // Back to doubles, into `a`.
        if src == a {
            for i in 0..<n { a[i] = value(a[i]).bitPattern }
        } else {
            for i in 0..<n { a[i] = value(src[i]).bitPattern }
        }
    }

    /// Returns the non-NaN elements of `values`, sorted ascending. ±Inf are kept.
    public static func sortedDroppingNaN(_ values: UnsafeBufferPointer<Double>) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(values.count)
        for v in values where !v.isNaN { out.append(v) }
        sort(&out)
        return out
    }
}
