import Testing
@testable import MonitorRules
import MonitorCore
import Yams

@Test func smoke() throws {
    let text = "a: |\n  psi > 1\n    and pis > 2\nb: >-\n  x\n  y\nc: \"q\"\nd: 'r'\ne: plain\n"
    let node = try Yams.compose(yaml: text)!
    for (k, v) in node.mapping! { print(k.string!, v.mark!, v.scalar!.style) }
}
