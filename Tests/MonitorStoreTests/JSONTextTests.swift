import MonitorCore
import Testing

@testable import MonitorStore

@Suite("Label and list encoding")
struct JSONTextTests {
    @Test("every awkward value round-trips as a name and as a value")
    func roundTrip() {
        for value in awkwardValues {
            let labels = Labels([("feature", value), (value, "v")])
            let text = JSONText.encode(labels)
            #expect(JSONText.decodeLabels(text) == labels, "\(text)")
            #expect(!text.utf8.contains(0x0a), "raw newline in \(text)")
        }
        #expect(JSONText.decodeLabels(JSONText.encode(Labels())) == Labels())
        #expect(JSONText.decodeStrings(JSONText.encode(awkwardValues)) == awkwardValues)
        #expect(JSONText.decodeStrings(JSONText.encode([])) == [])
    }

    @Test("every control character and every 1-byte value survives")
    func allBytes() {
        let value = String(decoding: (1...127).map { UInt8($0) }, as: UTF8.self) + "\u{0}"
        let labels = Labels([("v", value)])
        #expect(JSONText.decodeLabels(JSONText.encode(labels)) == labels)
    }

    @Test("canonical: equal label sets encode equally whatever their construction order")
    func canonical() {
        let a = Labels([("b", "2"), ("a", "1"), ("é", "3")])
        let b = Labels([("é", "3"), ("a", "1"), ("b", "2")])
        #expect(JSONText.encode(a) == JSONText.encode(b))
        #expect(JSONText.encode(a) == #"{"a":"1","b":"2","é":"3"}"#)
    }

    @Test(
        "JSON written by others decodes (escapes, spaces)",
        arguments: [
            (#"{ "a" : "\u00e9\/\b\f" , "b":"\ud83d\ude00" }"#, Labels([("a", "é/\u{8}\u{c}"), ("b", "😀")])),
            (#"{"z":"1","a":"2"}"#, Labels([("a", "2"), ("z", "1")])),
        ]
    )
    func foreignJSON(text: String, expected: Labels) {
        #expect(JSONText.decodeLabels(text) == expected)
    }

    @Test(
        "malformed text is rejected, not guessed",
        arguments: [
            "", "{", "}", "[]", #"{"a"}"#, #"{"a":1}"#, #"{"a":"1",}"#, #"{"a":"1"} x"#, #"{"a":"\x"}"#,
            #"{"a":"\u12"}"#, #"{"a":"\ud83d"}"#, #"{"a":"\ude00"}"#, "{\"a\":\"raw\nnewline\"}", #"{a:"1"}"#,
        ]
    )
    func malformed(text: String) {
        #expect(JSONText.decodeLabels(text) == nil)
    }

    @Test("malformed lists are rejected", arguments: ["", "[", #"["a",]"#, #"[1]"#, #"{"a":"b"}"#])
    func malformedLists(text: String) {
        #expect(JSONText.decodeStrings(text) == nil)
    }
}
