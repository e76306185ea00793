import Testing
import MonitorIngest

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test(
        "valid date-times",
        arguments: [
            // Intent: the DESIGN §3 example, UTC with milliseconds.
            ("2026-11-22T10:00:00.123Z", Int64(1_795_341_600_123)),
            // Intent: an offset moves the instant; nanoseconds are truncated to ms.
            ("2026-11-22T12:00:00.123456789+02:00", 1_795_341_600_123),
            // Intent: before the epoch, negative ms.
            ("1969-12-31T23:59:59.999Z", -1),
            // Intent: leap day, negative half-hour offset.
            ("2024-02-29T00:00:00-05:30", 1_709_184_600_000),
            // Intent: space separator, lowercase z, one fraction digit means tenths.
            ("2026-01-01 00:00:00.5z", 1_767_225_600_500),
            ("2026-01-01t00:00:00.05Z", 1_767_225_600_050),
            // Intent: a leap second lands on the next minute.
            ("2016-12-31T23:59:60Z", 1_483_228_800_000),
            ("1970-01-01T00:00:00Z", 0),
        ])
    func valid(_ text: String, _ ms: Int64) {
        #expect(RFC3339.milliseconds(text) == ms)
    }

    @Test(
        "invalid date-times",
        arguments: [
            "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
            "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z", "2026-01-01", "2026-01-01T00:00:00",
            "2026-01-01T00:00:00+0200", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00.Z", "2026-01-01X00:00:00Z",
            "2026-1-01T00:00:00Z", "2026-01-01T00:00:00ZZ", "", "yesterday", "2026-01-01T00:00:00+02:00 ",
        ])
    func invalid(_ text: String) {
        #expect(RFC3339.milliseconds(text) == nil)
    }
}
