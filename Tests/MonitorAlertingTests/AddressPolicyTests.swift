import MonitorAlerting
import MonitorCore
import Testing

/// The destination check as a pure function: nothing here opens a connection.
@Suite("Webhook destinations (pure)")
struct AddressPolicyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var url: String
        var intent: String
        var testDescription: String { "\(url) — \(intent)" }
    }

    static let refused: [Case] = [
        // Cloud metadata and link-local.
        Case(url: "http://169.254.169.254/latest/meta-data/", intent: "AWS/GCP/Azure metadata"),
        Case(url: "http://[fd00:ec2::254]/latest/", intent: "AWS IPv6 metadata (unique-local)"),
        Case(url: "http://[fe80::1]/", intent: "IPv6 link-local"),
        Case(url: "http://169.254.0.1:8080/", intent: "link-local with port"),
        // Numeric host forms that resolve to the metadata address or loopback.
        Case(url: "http://2852039166/", intent: "decimal 169.254.169.254"),
        Case(url: "http://0xa9fea9fe/", intent: "hex 169.254.169.254"),
        Case(url: "http://0251.0376.0251.0376/", intent: "octal 169.254.169.254"),
        Case(url: "http://0xa9.0xfe.0xa9.0xfe/", intent: "dotted hex"),
        Case(url: "http://169.254.43518/", intent: "two-part form, last part fills 16 bits"),
        Case(url: "http://2130706433/", intent: "decimal 127.0.0.1"),
        Case(url: "http://0x7f.1/", intent: "hex + short form of 127.0.0.1"),
        Case(url: "http://017700000001/", intent: "octal 127.0.0.1"),
        Case(url: "http://127.1/", intent: "short form 127.0.0.1"),
        Case(url: "http://127.0.0.1./", intent: "trailing dot"),
        Case(url: "http://0/", intent: "0 = 0.0.0.0"),
        Case(url: "http://0.0.0.0:9000/", intent: "unspecified"),
        Case(url: "http://1.2.3.4.5/", intent: "five parts: not an address, refused"),
        Case(url: "http://256.1.1.1/", intent: "out of range part"),
        Case(url: "http://4294967296/", intent: "beyond 32 bits"),
        // Private ranges and other special-purpose ones.
        Case(url: "http://10.0.0.1/", intent: "RFC 1918"),
        Case(url: "http://172.16.5.4/", intent: "RFC 1918"),
        Case(url: "http://172.31.255.255/", intent: "RFC 1918 upper edge"),
        Case(url: "http://192.168.1.1/", intent: "RFC 1918"),
        Case(url: "http://100.64.0.1/", intent: "carrier-grade NAT"),
        Case(url: "http://127.0.0.1:9464/metrics", intent: "loopback"),
        Case(url: "http://localhost:8080/", intent: "localhost is loopback"),
        Case(url: "http://LOCALHOST/", intent: "case-insensitive"),
        Case(url: "http://[::1]/", intent: "IPv6 loopback"),
        Case(url: "http://[::]/", intent: "IPv6 unspecified"),
        Case(url: "http://224.0.0.1/", intent: "multicast"),
        Case(url: "http://255.255.255.255/", intent: "broadcast (reserved)"),
        Case(url: "http://192.0.2.10/", intent: "documentation"),
        // IPv6 forms embedding a refused IPv4 address.
        Case(url: "http://[::ffff:169.254.169.254]/", intent: "IPv4-mapped metadata"),
        Case(url: "http://[::ffff:a9fe:a9fe]/", intent: "IPv4-mapped, hex groups"),
        Case(url: "http://[::ffff:127.0.0.1]/", intent: "IPv4-mapped loopback"),
        Case(url: "http://[::ffff:10.0.0.1]/", intent: "IPv4-mapped private"),
        Case(url: "http://[::10.0.0.1]/", intent: "IPv4-compatible private"),
        Case(url: "http://[64:ff9b::a9fe:a9fe]/", intent: "NAT64 of metadata"),
        Case(url: "http://[2002:a9fe:a9fe::1]/", intent: "6to4 of metadata"),
        Case(url: "http://[fe80::1%25eth0]/", intent: "zone id"),
        // Userinfo and parser-differential tricks.
        Case(url: "http://user:pass@example.com/", intent: "userinfo"),
        Case(url: "http://example.com@169.254.169.254/", intent: "host after @"),
        Case(url: "http://169.254.169.254#@example.com/", intent: "fragment hiding the host"),
        Case(url: "http://example.com\\@169.254.169.254/", intent: "backslash"),
        Case(url: "http://exa mple.com/", intent: "whitespace"),
        Case(url: "http://%31%32%37.0.0.1/", intent: "percent-encoded host"),
        Case(url: "http://ex\u{0430}mple.com/", intent: "non-ASCII (homoglyph) host"),
        Case(url: "http://example.com:0/", intent: "port 0"),
        Case(url: "http://example.com:99999/", intent: "port out of range"),
        // Schemes.
        Case(url: "file:///etc/passwd", intent: "file scheme"),
        Case(url: "gopher://example.com/", intent: "gopher"),
        Case(url: "ftp://example.com/", intent: "ftp"),
        Case(url: "dict://127.0.0.1:11211/", intent: "dict"),
        Case(url: "javascript:alert(1)", intent: "no authority"),
        Case(url: "//example.com/", intent: "scheme-relative"),
    ]

    @Test("refused by default", arguments: refused)
    func refusedByDefault(_ c: Case) {
        if case .success(let url) = DestinationPolicy().check(url: c.url) {
            Issue.record("accepted \(c.url) as \(url.host)")
        }
    }

    static let accepted: [(String, String)] = [
        ("https://hooks.example.com/services/T0/B0/x", "host name: checked when resolved"),
        ("https://93.184.215.14/hook", "public IPv4"),
        ("http://[2606:4700::1111]:8443/x?y=1", "public IPv6 with port and query"),
        ("HTTPS://Example.COM", "case-insensitive scheme, no path"),
        ("http://8.8.8.8:80/", "public with explicit default port"),
    ]

    @Test("accepted", arguments: accepted)
    func acceptedURLs(_ url: String, _ intent: String) {
        guard case .success = DestinationPolicy().check(url: url) else {
            Issue.record("refused \(url) (\(intent))")
            return
        }
    }

    @Test("the allowlist and allow_private open exactly their ranges")
    func allowlist() throws {
        let loopback = DestinationPolicy(allowlist: [try #require(IPNetwork(parsing: "127.0.0.0/8")), try #require(IPNetwork(parsing: "::1/128"))])
        #expect(loopback.refusal(for: .v4(0x7f00_0001)) == nil)
        #expect(loopback.refusal(for: try #require(IPAddress(parsing: "::1"))) == nil)
        #expect(loopback.refusal(for: try #require(IPAddress(parsing: "::ffff:127.0.0.1"))) == nil)  // judged by the embedded address
        #expect(loopback.refusal(for: try #require(IPAddress(parsing: "169.254.169.254"))) != nil)
        #expect(loopback.refusal(for: try #require(IPAddress(parsing: "10.1.2.3"))) != nil)
        if case .failure(let r) = loopback.check(url: "http://localhost:1234/x") { Issue.record("localhost refused: \(r)") }
        let priv = DestinationPolicy(allowPrivate: true)
        #expect(priv.refusal(for: try #require(IPAddress(parsing: "10.1.2.3"))) == nil)
        #expect(priv.refusal(for: try #require(IPAddress(parsing: "fd12::1"))) == nil)
        #expect(priv.refusal(for: try #require(IPAddress(parsing: "169.254.169.254"))) != nil)  // metadata stays refused
        #expect(priv.refusal(for: .v4(0x7f00_0001)) != nil)  // loopback is not private
    }

    @Test("numeric host forms parse as inet_aton does")
    func inetAton() {
        let cases: [(String, IPAddress.HostIPv4)] = [
            ("127.0.0.1", .ipv4(0x7f00_0001)), ("2130706433", .ipv4(0x7f00_0001)), ("0x7f000001", .ipv4(0x7f00_0001)),
            ("0177.0.0.01", .ipv4(0x7f00_0001)), ("127.1", .ipv4(0x7f00_0001)), ("127.0.1", .ipv4(0x7f00_0001)),
            ("0x7F.0X0.0.1", .ipv4(0x7f00_0001)), ("example.com", .notNumeric), ("1.example", .notNumeric),
            ("08.0.0.1", .invalid), ("0x", .ipv4(0)), ("1.2.3.256", .invalid), ("1.2.65536", .invalid),
        ]
        for (host, expected) in cases {
            #expect(IPAddress.parseHostIPv4(host) == expected, "\(host)")
        }
    }

    @Test("CIDR parsing")
    func cidr() throws {
        #expect(IPNetwork(parsing: "10.0.0.0/8")?.description == "10.0.0.0/8")
        #expect(IPNetwork(parsing: "10.0.0.1/8") == nil)  // host bits set
        #expect(IPNetwork(parsing: "::1")?.description == "::1/128")
        #expect(IPNetwork(parsing: "fc00::/7")?.contains(try #require(IPAddress(parsing: "fdff::1"))) == true)
        #expect(IPNetwork(parsing: "1.2.3.4/33") == nil)
        #expect(IPNetwork(parsing: "010.0.0.0/8") == nil)  // leading zeros are ambiguous
        #expect(IPAddress(parsing: "2001:db8::a:0:0:1")?.description == "2001:db8::a:0:0:1")
        #expect(IPAddress(parsing: "1:2:3:4:5:6:7:8:9") == nil)
    }
}
