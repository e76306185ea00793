/// A webhook URL as ModelMonitor accepts it: `http` or `https`, a host name or an IP address, an
/// optional port and a path with an optional query — nothing else.
///
/// The parse is deliberately narrower than RFC 3986 so that it cannot disagree with the HTTP
/// client about where a request goes: userinfo (`user@host`), backslashes, percent-encoded or
/// non-ASCII hosts, fragments, whitespace and control characters are refused instead of
/// interpreted. Numeric hosts in any form a resolver accepts (`2130706433`, `0x7f.1`, `0177.1`)
/// are read as the IPv4 address they denote (``IPAddress/parseHostIPv4(_:)``).
public struct WebhookURL: Hashable, Sendable, CustomStringConvertible {
    /// Where a URL's host points.
    public enum Host: Hashable, Sendable {
        case name(String)
        case ip(IPAddress)
    }

    /// `http` or `https`.
    public let scheme: String
    public let host: Host
    /// The host as written in the URL (lowercased), e.g. for the `Host` header.
    public let hostText: String
    public let port: Int
    /// Path and query, at least `/`.
    public let target: String
    /// The URL as given.
    public let text: String

    /// Parses a webhook URL.
    ///
    /// - Throws: ``Problem`` saying what is not accepted.
    public init(parsing text: String) throws(Problem) {
        self.text = text
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
            throw Problem("contains whitespace, control or non-ASCII characters")
        }
        guard !text.contains("\\") else { throw Problem("contains a backslash") }
        guard let sep = text.firstRange(of: "://") else { throw Problem("expected http://HOST/PATH or https://HOST/PATH") }
        let scheme = text[..<sep.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw Problem("scheme \"\(scheme)\" is not allowed (http or https only)") }
        self.scheme = scheme
        let rest = text[sep.upperBound...]
        guard !rest.contains("#") else { throw Problem("fragments (#) are not allowed") }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        self.target = target
        guard !authority.contains("@") else { throw Problem("userinfo (user@host) is not allowed; put credentials in a secret header instead") }
        guard !authority.isEmpty else { throw Problem("the host is missing") }
        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Problem("unterminated IPv6 address") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Problem("unexpected text after the IPv6 address") }
                portPart = after.dropFirst()
            }
            guard let v6 = IPAddress.parseIPv6(String(hostPart)) else { throw Problem("\"[\(hostPart)]\" is not an IPv6 address (zone ids are not allowed)") }
            host = .ip(.v6(v6))
            hostText = "[\(IPAddress.v6(v6))]"
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            let lower = hostPart.lowercased()
            guard !lower.isEmpty, lower.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
                throw Problem("host \"\(hostPart)\" has characters other than letters, digits, - and . (write IDNs as punycode)")
            }
            switch IPAddress.parseHostIPv4(lower) {
            case .ipv4(let a):
                host = .ip(.v4(a))
                hostText = IPAddress.v4(a).description
            case .invalid:
                throw Problem("host \"\(hostPart)\" looks like an IPv4 address but is not a valid one")
            case .notNumeric:
                guard !lower.hasPrefix("."), !lower.contains("..") else { throw Problem("host \"\(hostPart)\" is not a valid name") }
                host = .name(lower.hasSuffix(".") ? String(lower.dropLast()) : lower)
                hostText = lower.hasSuffix(".") ? String(lower.dropLast()) : lower
            }
        }
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(portPart), (1...65535).contains(p) else {
                throw Problem("port \"\(portPart)\" is not 1–65535")
            }
            port = p
        } else {
            port = scheme == "https" ? 443 : 80
        }
    }

    /// The URL rebuilt from its parts (numeric hosts in canonical form), what the client is given.
    public var canonical: String {
        let defaultPort = scheme == "https" ? 443 : 80
        return "\(scheme)://\(hostText)\(port == defaultPort ? "" : ":\(port)")\(target)"
    }

    /// The URL without its path and query (which may carry tokens), for logs and errors.
    public var redacted: String {
        let defaultPort = scheme == "https" ? 443 : 80
        return "\(scheme)://\(hostText)\(port == defaultPort ? "" : ":\(port)")/…"
    }

    public var description: String { redacted }

    /// Why a URL is not accepted.
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
