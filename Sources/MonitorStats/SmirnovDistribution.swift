import RealModule

/// Survival function of the one-sided one-sample Smirnov statistic, Pr(D⁺ₙ ≥ d).
///
/// D⁺ₙ = sup_t (Fₙ(t) − F(t)) for the empirical distribution function Fₙ of n independent draws
/// from a continuous F. This is `scipy.special.smirnov(n, d)`.
///
/// ## Discussion
/// The Smirnov (1944) / Birnbaum–Tingey (1951) formula
///
///     Pr(D⁺ₙ ≥ d) = Σ_{v=0}^{⌊n(1−d)⌋} C(n, v) · d · (d + v/n)^(v−1) · (1 − d − v/n)^(n−v)
///
/// is a sum of positive terms (the last term is left out when n(1 − d) is an integer, where it is
/// zero). The two-sided Kolmogorov distribution uses 2·smirnov in its upper tail; see
/// ``kolmogorovSF(_:n:)``.
///
/// - Parameters:
///   - d: the statistic, in [0, 1].
///   - n: the sample size, ≥ 1.
/// - Returns: Pr(D⁺ₙ ≥ d) in [0, 1]; NaN when d is NaN or outside [0, 1] or n < 1.
///
/// ## Complexity
/// Closed forms for d ≤ 1/n, d ≥ 1 − 1/n and n > 10⁶. Otherwise the sum: all terms while it has
/// at most 4096 of them; beyond that O(1)-ish — a 513-point scan finds where the terms matter and
/// a trapezoid sub-sampling of those terms is refined until it converges (typically a few hundred
/// to a few thousand term evaluations, independent of n; e.g. under a millisecond for n = 500 000,
/// where scipy's term-by-term double-double loop takes about 0.6 s).
///
/// ## Numerical notes
/// - Each term is evaluated in log space, ln C(n,v) from `logGamma`, with n·d carried as a
///   double-double (an exact product via FMA) so that ⌊nd⌋ and 1 − d − v/n are exact where it
///   matters. Terms are summed relative to the largest one, so results down to 1e-308 keep full
///   relative accuracy. The absolute error of ln n! (≈ n ln n · 2⁻⁵³) bounds the relative error,
///   about 2e-9 at n = 10⁶.
/// - The terms, as a function of v, form a smooth unimodal bell whose width grows like n (it is
///   the law of the first crossing time of the empirical process). Sampling every H-th term and
///   multiplying by H is the trapezoid rule for that bell, which converges geometrically in 1/H
///   (Trefethen & Weideman 2014); H is halved until two estimates agree to 1e-9 relative, and at
///   H = 1 the sample *is* the sum. The tests check this against the full sum.
/// - As in scipy, the result is 0 when −2nd² < ln(DBL_MIN) ≈ −708.4 (the true value is below
///   1e-307), and for n > 10⁶ scipy's approximation exp(−(6nd + 1)²/(18n)) is used.
///
/// ## References
/// - Smirnov, N. V. (1944). Approximate laws of distribution of random variables from empirical
///   data. *Uspekhi Mat. Nauk* 10, 179–206.
/// - Birnbaum, Z. W. & Tingey, F. H. (1951). One-sided confidence contours for probability
///   distribution functions. *Ann. Math. Statist.* 22(4), 592–596.
/// - van Mulbregt, P. (2018). Computing the cumulative distribution function and quantiles of the
///   one-sided Kolmogorov–Smirnov statistic. arXiv:1802.06966.
/// - Trefethen, L. N. & Weideman, J. A. C. (2014). The exponentially convergent trapezoidal rule.
///   *SIAM Review* 56(3), 385–458.
///
/// ## Example
/// ```swift
/// smirnovSF(0.5, n: 2)    // 0.25
/// smirnovSF(0.1, n: 100)  // 0.12659065845628…
/// ```
public func smirnovSF(_ d: Double, n: Int) -> Double {
    if d.isNaN || n < 1 || d < 0 || d > 1 { return .nan }
    if n == 1 { return 1 - d }
    if d == 0 { return 1 }
    if d == 1 { return 0 }
    let x = d
    let nd = Double(n)
    // n·x as an unevaluated sum nxHi + nxLo (exact), split into floor and fraction alpha.
    let nxHi = nd * x
    let nxLo = (-nxHi).addingProduct(nd, x)
    var nxFloor = nxHi.rounded(.down)
    var alpha = (nxHi - nxFloor) + nxLo
    if alpha < 0 {
        nxFloor -= 1
        alpha += 1
    }
    if alpha >= 1 {
        nxFloor += 1
        alpha = 0
    }
    let nxfl = Int(nxFloor)

    // d ≤ 1/n: only the v = 0 … terms of the complement survive: Pr(D⁺ < d) = d(1 + d)^(n−1).
    if nxfl == 0 || (nxfl == 1 && alpha == 0) {
        let cdf = x * Double.exp(Double(n - 1) * Double.log(onePlus: x))
        return clipProbability(1 - cdf)
    }
    // The sum is below the smallest normal double (scipy returns 0 here too).
    if -2 * nd * x * x < smirnovMinimumLog { return 0 }
    // d ≥ 1 − 1/n: only the v = 0 term remains.
    if nxfl >= n - 1 { return clipProbability(Double.pow(1 - x, n)) }
    if n > smirnovMaximumSumN {
        // scipy.special.smirnov's approximation for very large n: exp(−(6nx+1)²/(18n)).
        let logp = -Double.pow(6.0 * nd * x + 1, 2) / 18.0 / nd
        if logp < -Double.log(2.0) { return Double.exp(logp) }
        return clipProbability(1 - (-Double.expMinusOne(logp)))
    }
    let summand = SmirnovSummand(n: n, x: x, nxHi: nxHi, nxLo: nxLo)
    return clipProbability(summand.sum(last: n - nxfl - 1))
}

/// ln(DBL_MIN) (cephes MINLOG): below this exponent e^(−2nd²) is not a normal double.
let smirnovMinimumLog = -7.08396418532264106224e2

/// Relative agreement of two successive trapezoid estimates that ends the refinement. The
/// trapezoid error falls geometrically, so the accepted estimate is far more accurate than this;
/// it must stay above the rounding noise of the summands (≈ n·ln n·2⁻⁵³ per term from logGamma,
/// ~1e-10 for n = 10⁶ after averaging) and far below the 1e-6 the p-values are used at.
let smirnovTrapezoidTolerance = 1e-9

/// Above this n scipy stops summing and uses an approximation; we follow it to agree with scipy.
let smirnovMaximumSumN = 1_000_000

/// The v-th term of the Smirnov–Birnbaum–Tingey sum, in log space.
struct SmirnovSummand {
    let n: Int
    let nd: Double
    let logX: Double
    let logN: Double
    let logNFactorial: Double
    let nxHi: Double
    let nxLo: Double

    init(n: Int, x: Double, nxHi: Double, nxLo: Double) {
        self.n = n
        self.nd = Double(n)
        self.logX = Double.log(x)
        self.logN = Double.log(Double(n))
        self.logNFactorial = Double.logGamma(Double(n) + 1)
        self.nxHi = nxHi
        self.nxLo = nxLo
    }

    /// ln[C(n,v) · x · (x + v/n)^(v−1) · (1 − x − v/n)^(n−v)] for 0 ≤ v < n − nx.
    @inline(__always)
    func logTerm(_ v: Int) -> Double {
        let dv = Double(v)
        let logBinomial = logNFactorial - Double.logGamma(dv + 1) - Double.logGamma(Double(n - v) + 1)
        let a = (dv + nxHi) + nxLo  // n·(x + v/n)
        let b = (Double(n - v) - nxHi) - nxLo  // n·(1 − x − v/n), exact cancellation first
        return logBinomial + logX + (dv - 1) * (Double.log(a) - logN) + Double(n - v) * (Double.log(b) - logN)
    }

    /// Σ_{v=0}^{last} exp(logTerm(v)).
    func sum(last: Int, forceFullSum: Bool = false) -> Double {
        let count = last + 1
        if forceFullSum || count <= 4096 {
            var logs = [Double](repeating: 0, count: count)
            var top = -Double.infinity
            for v in 0..<count {
                logs[v] = logTerm(v)
                top = Swift.max(top, logs[v])
            }
            var s = 0.0
            for v in 0..<count { s += Double.exp(logs[v] - top) }
            return Double.exp(top + Double.log(s))
        }
        // Locate the bell on a coarse grid.
        let scan = 512
        var coarse = [(v: Int, log: Double)]()
        coarse.reserveCapacity(scan + 1)
        var top = -Double.infinity
        var topIndex = 0
        for k in 0...scan {
            let v = Int((Double(k) * Double(last) / Double(scan)).rounded())
            let l = logTerm(v)
            coarse.append((v, l))
            if l > top {
                top = l
                topIndex = k
            }
        }
        // Terms below e^-60 of the largest are negligible even when there are 10⁶ of them.
        let cutoff = top - 60
        var kLo = topIndex
        while kLo > 0 && coarse[kLo].log >= cutoff { kLo -= 1 }
        var kHi = topIndex
        while kHi < scan && coarse[kHi].log >= cutoff { kHi += 1 }
        let lo = coarse[kLo].v
        let hi = coarse[kHi].v
        // Trapezoid sub-sampling on the integer grid lo, lo+H, …; halve H until it converges.
        var step = 1
        while step * 256 <= hi - lo { step *= 2 }
        var total = 0.0
        var v = lo
        while v <= hi {
            total += Double.exp(logTerm(v) - top)
            v += step
        }
        var estimate = total * Double(step)
        while step > 1 {
            let half = step / 2
            var v = lo + half
            while v <= hi {
                total += Double.exp(logTerm(v) - top)
                v += step
            }
            step = half
            let refined = total * Double(step)
            let converged = Swift.abs(refined - estimate) <= smirnovTrapezoidTolerance * refined
            estimate = refined
            if converged { break }
        }
        return Double.exp(top + Double.log(estimate))
    }
}
