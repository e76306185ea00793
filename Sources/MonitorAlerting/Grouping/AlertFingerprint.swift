public import MonitorCore

/// Alert identity as Alertmanager computes it (`model.LabelSet.Fingerprint`): FNV-1a 64 over the
/// sorted label names and values, each followed by the byte 0xFF; written as 16 hex digits.
public enum AlertFingerprint {
    public static func of(_ labels: Labels) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ byte: UInt8) {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        for l in labels.pairs {
            for b in l.name.utf8 { add(b) }
            add(0xff)
            for b in l.value.utf8 { add(b) }
            add(0xff)
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
