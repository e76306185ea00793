public import MonitorCore

/// Which addresses a webhook may connect to (pure). By default only global unicast addresses
/// are allowed: loopback, private (RFC 1918, unique-local), link-local (cloud metadata services
/// live at 169.254.169.254 and fd00:ec2::254), carrier-grade NAT, multicast, unspecified,
/// documentation, benchmarking and reserved ranges are refused unless allow-listed. IPv6
/// addresses that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the
/// embedded address as well.
///
/// The check runs on every resolved address at send time (DNS can change after the config was
/// loaded) and on literal addresses at load time.
public struct DestinationPolicy: Sendable, Hashable {
    /// Allow RFC 1918 and unique-local (`fc00::/7`) destinations.
    public var allowPrivate: Bool
    /// Ranges allowed whatever their kind.
    public var allowlist: [IPNetwork]

    public init(allowPrivate: Bool = false, allowlist: [IPNetwork] = []) {
        self.allowPrivate = allowPrivate
        self.allowlist = allowlist
    }

    static func net(_ s: String) -> IPNetwork { IPNetwork(parsing: s)! }

    /// Refused IPv4 ranges and why (IANA special-purpose registry).
    static let refusedV4: [(IPNetwork, String)] = [
        (net("0.0.0.0/8"), "unspecified / this network"),
        (net("10.0.0.0/8"), "private"),
        (net("100.64.0.0/10"), "carrier-grade NAT"),
        (net("127.0.0.0/8"), "loopback"),
        (net("169.254.0.0/16"), "link-local (cloud metadata)"),
        (net("172.16.0.0/12"), "private"),
        (net("192.0.0.0/24"), "IETF protocol assignments"),
        (net("192.0.2.0/24"), "documentation"),
        (net("192.88.99.0/24"), "6to4 relay anycast"),
        (net("192.168.0.0/16"), "private"),
        (net("198.18.0.0/15"), "benchmarking"),
        (net("198.51.100.0/24"), "documentation"),
        (net("203.0.113.0/24"), "documentation"),
        (net("224.0.0.0/4"), "multicast"),
        (net("240.0.0.0/4"), "reserved"),
    ]

    static let refusedV6: [(IPNetwork, String)] = [
        (net("::/128"), "unspecified"),
        (net("::1/128"), "loopback"),
        (net("fc00::/7"), "private (unique-local)"),
        (net("fe80::/10"), "link-local"),
        (net("fec0::/10"), "site-local (deprecated)"),
        (net("ff00::/8"), "multicast"),
        (net("2001:db8::/32"), "documentation"),
        (net("100::/64"), "discard-only"),
        (net("2001::/32"), "Teredo"),
        (net("2001:10::/28"), "ORCHID"),
    ]

    /// Why an address is refused, or nil when it may be contacted.
    public func refusal(for ip: IPAddress) -> String? {
        if allowlist.contains(where: { $0.contains(ip) }) { return nil }
        if let v4 = ip.embeddedIPv4 {
            if let why = refusal(for: .v4(v4)) { return "\(ip) embeds \(IPAddress.v4(v4)): \(why)" }
        }
        let table: [(IPNetwork, String)]
        switch ip {
        case .v4: table = Self.refusedV4
        case .v6: table = Self.refusedV6
        }
        for (network, why) in table where network.contains(ip) {
            if allowPrivate, why.hasPrefix("private") { return nil }
            return "\(ip) is \(why) (\(network)); allow it with allowlist: [\(network)]\(why.hasPrefix("private") ? " or allow_private: true" : "")"
        }
        return nil
    }

    /// Checks a URL without resolving it: the syntax (``WebhookURL``) and, for a literal
    /// address, the address. Host names are checked when resolved, at send time.
    public func check(url text: String) -> Result<WebhookURL, Refusal> {
        let url: WebhookURL
        do { url = try WebhookURL(parsing: text) } catch { return .failure(Refusal(reason: error.description)) }
        if case .ip(let ip) = url.host, let why = refusal(for: ip) { return .failure(Refusal(reason: why)) }
        // Resolvers answer "localhost" themselves (RFC 6761): judge it as the loopback address.
        if case .name(let name) = url.host, name == "localhost" || name.hasSuffix(".localhost"), let why = refusal(for: .v4(0x7f00_0001)) {
            return .failure(Refusal(reason: "\(name): \(why)"))
        }
        return .success(url)
    }

    /// Why a destination is refused.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }
}
