/// An IPv4 or IPv6 address, parsed without the network (pure), for the webhook destination
/// checks.
///
/// `IPAddress(parsing:)` accepts the strict forms (`192.0.2.1`, `2001:db8::1`, `::ffff:10.0.0.1`).
/// ``IPAddress/parseHostIPv4(_:)`` also accepts every form `inet_aton(3)` and the WHATWG URL parser
/// read as IPv4 — `2130706433`, `0x7f.1`, `017700000001`, `127.1` — because a URL host written so
/// connects to that address.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    /// 16 bytes, network order.
    case v6([UInt8])

    /// Parses a strict dotted quad or an IPv6 address (no zone id); nil otherwise.
    public init?(parsing text: String) {
        if let v4 = Self.parseDottedQuad(Substring(text)) {
            self = .v4(v4)
        } else if let v6 = Self.parseIPv6(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// The address as `inet_ntop` writes it (IPv6 without compression of the longest zero run
    /// only when it is a single group).
    public var description: String {
        switch self {
        case .v4(let a): return "\(a >> 24).\((a >> 16) & 0xff).\((a >> 8) & 0xff).\(a & 0xff)"
        case .v6(let b):
            var groups: [UInt16] = []
            for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(b[i]) << 8 | UInt16(b[i + 1])) }
            // Longest run of zero groups (length ≥ 2) becomes "::".
            var best = (start: -1, length: 0)
            var i = 0
            while i < 8 {
                if groups[i] == 0 {
                    var j = i
                    while j < 8, groups[j] == 0 { j += 1 }
                    if j - i > best.length { best = (i, j - i) }
                    i = j
                } else {
                    i += 1
                }
            }
            func hex(_ g: ArraySlice<UInt16>) -> String { g.map { String($0, radix: 16) }.joined(separator: ":") }
            if best.length < 2 { return hex(groups[...]) }
            return hex(groups[..<best.start]) + "::" + hex(groups[(best.start + best.length)...])
        }
    }

    /// The IPv4 address embedded in an IPv6 one by a translation scheme — IPv4-mapped
    /// (`::ffff:0:0/96`), IPv4-compatible (`::/96`, deprecated), NAT64 (`64:ff9b::/96`,
    /// `64:ff9b:1::/48`) and 6to4 (`2002::/16`) — so that a check on the IPv4 address cannot be
    /// bypassed by writing it as IPv6.
    public var embeddedIPv4: UInt32? {
        guard case .v6(let b) = self else { return nil }
        func u32(_ at: Int) -> UInt32 { UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3]) }
        let first10Zero = b[0..<10].allSatisfy { $0 == 0 }
        if first10Zero && b[10] == 0xff && b[11] == 0xff { return u32(12) }
        if first10Zero && b[10] == 0 && b[11] == 0 && u32(12) > 1 { return u32(12) }  // not :: or ::1
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b {
            if b[4..<12].allSatisfy({ $0 == 0 }) { return u32(12) }
            if b[4] == 0 && b[5] == 1 { return u32(12) }  // 64:ff9b:1::/48 (local-use NAT64); last 32 bits
        }
        if b[0] == 0x20 && b[1] == 0x02 { return u32(2) }
        return nil
    }

    /// A strict dotted quad: four decimal parts 0–255, no leading zeros (so that `010.0.0.1` is
    /// not silently read as decimal while a URL parser reads it as octal).
    static func parseDottedQuad(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), !(p.count > 1 && p.first == "0"),
                  let n = UInt32(p), n <= 255 else { return nil }
            value = value << 8 | n
        }
        return value
    }

    /// What a URL host means as IPv4, following `inet_aton(3)` and the WHATWG URL standard: one
    /// to four parts separated by dots (a trailing dot allowed), each decimal, octal (leading
    /// `0`) or hexadecimal (`0x`); the last part fills the remaining bytes.
    ///
    /// - Returns: `.notNumeric` for a host name, `.ipv4` for a numeric host, `.invalid` for a host
    ///   that looks numeric but is out of range (refused: resolvers disagree about such hosts).
    public static func parseHostIPv4(_ host: String) -> HostIPv4 {
        var text = Substring(host)
        if text.hasSuffix(".") { text = text.dropLast() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 4 else {
            return parts.last.map(isNumericPart) == true ? .invalid : .notNumeric
        }
        // WHATWG: a host whose last part is a number is an IPv4 address (or invalid).
        guard let last = parts.last, isNumericPart(last) else { return .notNumeric }
        var numbers: [UInt64] = []
        for p in parts {
            guard let n = numericValue(p) else { return .invalid }
            numbers.append(n)
        }
        var value: UInt64 = 0
        for (i, n) in numbers.enumerated() {
            if i < numbers.count - 1 {
                guard n <= 255 else { return .invalid }
                value |= n << (8 * UInt64(3 - i))
            } else {
                let bits = 8 * UInt64(4 - i)
                guard n < (UInt64(1) << bits) else { return .invalid }
                value |= n
            }
        }
        return .ipv4(UInt32(value))
    }

    /// The result of ``parseHostIPv4(_:)``.
    public enum HostIPv4: Hashable, Sendable {
        case notNumeric
        case ipv4(UInt32)
        case invalid
    }

    private static func isNumericPart(_ p: Substring) -> Bool {
        if p.isEmpty { return false }
        let lower = p.lowercased()
        if lower.hasPrefix("0x") { return lower.dropFirst(2).allSatisfy { $0.isHexDigit } }
        return p.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func numericValue(_ p: Substring) -> UInt64? {
        let lower = p.lowercased()
        if lower.hasPrefix("0x") {
            let digits = lower.dropFirst(2)
            if digits.isEmpty { return 0 }
            guard digits.count <= 16 else { return nil }
            return UInt64(digits, radix: 16)
        }
        guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), p.count <= 20 else { return nil }
        if p.count > 1 && p.first == "0" {
            guard p.allSatisfy({ ("0"..."7").contains($0) }) else { return nil }
            return UInt64(p.dropFirst(), radix: 8)
        }
        return UInt64(p)
    }

    /// RFC 4291 text: eight groups, `::` once, an embedded dotted quad at the end; no zone id.
    static func parseIPv6(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, !text.contains("%") else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String, allowIPv4: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in parts.enumerated() {
                if i == parts.count - 1, allowIPv4, p.contains(".") {
                    guard let v4 = parseDottedQuad(p) else { return nil }
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xffff))
                } else {
                    guard !p.isEmpty, p.count <= 4, p.allSatisfy({ $0.isHexDigit }), let g = UInt16(p, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        if halves.count == 2 {
            guard let h = groups(halves[0], allowIPv4: false), let t = groups(halves[1], allowIPv4: true), h.count + t.count <= 7 else {
                return nil
            }
            head = h
            tail = t
        } else {
            guard let h = groups(halves[0], allowIPv4: true), h.count == 8 else { return nil }
            head = h
        }
        let all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}

/// An address range in CIDR notation (`10.0.0.0/8`, `fc00::/7`, or one address).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// Parses `ADDRESS/PREFIX` or a single address (a /32 or /128); nil when invalid, including
    /// host bits set below the prefix (`10.0.0.1/8`), which is usually a typo.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parsing: String(parts[0])) else { return nil }
        let maxLength: Int
        switch address {
        case .v4: maxLength = 32
        case .v6: maxLength = 128
        }
        var length = maxLength
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty, let n = Int(parts[1]), n <= maxLength else {
                return nil
            }
            length = n
        }
        self.address = address
        self.prefixLength = length
        guard contains(address), Self.masked(address, length) == address else { return nil }
    }

    public init(_ address: IPAddress, prefixLength: Int) {
        self.address = Self.masked(address, prefixLength)
        self.prefixLength = prefixLength
    }

    /// Whether `ip` is in the range (an IPv4 range never contains an IPv6 address, and the
    /// reverse; callers check embedded IPv4 addresses separately).
    public func contains(_ ip: IPAddress) -> Bool {
        switch (address, ip) {
        case (.v4, .v4), (.v6, .v6): return Self.masked(ip, prefixLength) == address
        default: return false
        }
    }

    public var description: String { "\(address)/\(prefixLength)" }

    static func masked(_ ip: IPAddress, _ length: Int) -> IPAddress {
        switch ip {
        case .v4(let a):
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return .v4(a & mask)
        case .v6(let b):
            var out = b
            for i in 0..<16 {
                let bits = max(0, min(8, length - 8 * i))
                out[i] = bits == 0 ? 0 : b[i] & UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            }
            return .v6(out)
        }
    }
}
