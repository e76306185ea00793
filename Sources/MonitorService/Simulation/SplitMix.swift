/// A small, fast, seedable pseudo-random generator (xoshiro256**, seeded through splitmix64).
///
/// `monitor simulate` must be byte-identical per seed on every machine, so it never touches the
/// system generator.
///
/// References: Blackman, D. & Vigna, S. (2021). "Scrambled linear pseudorandom number
/// generators". ACM TOMS 47(4). Steele, Lea & Flood (2014), "Fast splittable pseudorandom number
/// generators" (splitmix64).
package struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double? = nil

    /// Seeds the four state words from `seed` with splitmix64, as the authors recommend.
    package init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    @inline(__always)
    package mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    package mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal by the polar Box–Muller method (Marsaglia & Bray 1964).
    package mutating func normal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        while true {
            let u = 2 * uniform() - 1
            let v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * log(s) / s).squareRoot()
                spareNormal = v * f
                return u * f
            }
        }
    }

    /// Poisson(λ) by inversion for small λ (all uses here have λ < 30).
    package mutating func poisson(_ lambda: Double) -> Int {
        let l = exp(-lambda)
        var k = 0
        var p = uniform()
        while p > l {
            k += 1
            p *= uniform()
        }
        return k
    }

    /// Index drawn from a cumulative distribution table (`cdf.last == 1`).
    package mutating func categorical(_ cdf: [Double]) -> Int {
        let u = uniform()
        var lo = 0
        var hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
