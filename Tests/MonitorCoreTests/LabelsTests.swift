import MonitorCore
import Testing

@Suite("Labels")
struct LabelsTests {
    @Test(arguments: [
        // Intent: sorted unique input (the fast path) keeps everything in order.
        ([("a", "1"), ("b", "2")], #"{a="1", b="2"}"#),
        // Intent: unsorted input is sorted by name.
        ([("b", "2"), ("a", "1")], #"{a="1", b="2"}"#),
        // Intent: a later duplicate wins, even when the input is otherwise sorted.
        ([("a", "1"), ("a", "3"), ("b", "2")], #"{a="3", b="2"}"#),
        // Intent: empty values are dropped, sorted input or not.
        ([("a", ""), ("b", "2")], #"{b="2"}"#),
        ([("b", "2"), ("a", "")], #"{b="2"}"#),
        // Intent: byte order, not locale order (upper case before lower case).
        ([("a", "1"), ("B", "2")], #"{B="2", a="1"}"#),
        ([("B", "2"), ("a", "1")], #"{B="2", a="1"}"#),
        // Intent: the empty set.
        ([], "{}"),
    ] as [([(String, String)], String)])
    func construction(pairs: [(String, String)], expected: String) {
        let l = Labels(pairs)
        #expect(l.description == expected)
        // Whatever path built it, equal sets compare and hash equal.
        #expect(l == Labels(pairs.reversed().reversed()))
        #expect(Set([l, Labels(l.map { ($0.name, $0.value) })]).count == 1)
    }
}
