public import MonitorCore

/// JSON renderings of alerts (API responses and the `file` receiver's notifications).
public enum AlertJSON {
    /// A JSON string literal (RFC 8259 escaping), as every JSON output of the service writes it.
    public static func quote(_ s: String) -> String { JSONObjectWriter.quote(s) }

    /// A JSON number; non-finite values (not representable in JSON) become strings.
    public static func number(_ v: Double) -> String {
        v.isFinite ? "\(v)" : quote(SeriesExposition.format(v))
    }

    public static func labels(_ l: Labels) -> String {
        "{" + l.pairs.map { "\(quote($0.name)):\(quote($0.value))" }.joined(separator: ",") + "}"
    }

    /// One alert instance.
    public static func object(_ a: Alert) -> String {
        var s = "{\"labels\":\(labels(a.labels)),\"annotations\":\(labels(a.annotations)),\"state\":\(quote(a.state.rawValue))"
        s += ",\"value\":\(number(a.value)),\"activeAt\":\(quote(a.activeAt.rfc3339))"
        if let f = a.firedAt { s += ",\"firedAt\":\(quote(f.rfc3339))" }
        if let r = a.resolvedAt { s += ",\"resolvedAt\":\(quote(r.rfc3339))" }
        s += ",\"group\":\(quote(a.group)),\"rule\":\(quote(a.rule))}"
        return s
    }

    public static func array(_ alerts: [Alert]) -> String {
        "{\"status\":\"success\",\"data\":{\"alerts\":[" + alerts.map(object).joined(separator: ",") + "]}}"
    }

    /// One notification line of the `file` receiver.
    public static func notification(_ t: AlertTransition, receiver: String, id: Int64) -> String {
        var s = "{\"id\":\(id),\"receiver\":\(quote(receiver)),\"status\":\(quote(t.to == .resolved ? "resolved" : t.to.rawValue))"
        s += ",\"from\":\(quote(t.from.rawValue)),\"at\":\(quote(t.at.rfc3339))"
        if !t.actions.isEmpty { s += ",\"actions\":[" + t.actions.map(quote).joined(separator: ",") + "]" }
        s += ",\"alert\":\(object(t.alert))}"
        return s
    }
}
