import Testing

@testable import MonitorRules

@Suite("Lexer")
struct LexerTests {
    /// Renders tokens compactly: kind-specific text plus start offset.
    static func render(_ text: String) -> String {
        switch Lexer.tokenize(text) {
        case .failure(let e): return "error@\(e.offset): \(e.message)"
        case .success(let tokens):
            return tokens.dropLast().map { t -> String in
                switch t.kind {
                case .number(let v): return "num(\(v))@\(t.start)"
                case .string(let s): return "str(\(s))@\(t.start)"
                case .identifier: return "id(\(t.text))@\(t.start)"
                default: return "\(t.text)@\(t.start)"
                }
            }.joined(separator: " ")
        }
    }

    @Test(arguments: [
        // Intent: a selector with every matcher operator, offsets in scalars.
        (#"psi{a="x",b!="y",c=~"z",d!~"w"}"#,
         "id(psi)@0 {@3 id(a)@4 =@5 str(x)@6 ,@9 id(b)@10 !=@11 str(y)@13 ,@16 id(c)@17 =~@18 str(z)@20 ,@23 id(d)@24 !~@25 str(w)@27 }@30"),
        // Intent: comparison operators are maximal munch (>= not > =).
        ("a>=1<=2==3!=4>5<6", "id(a)@0 >=@1 num(1.0)@3 <=@4 num(2.0)@6 ==@7 num(3.0)@9 !=@10 num(4.0)@12 >@13 num(5.0)@14 <@15 num(6.0)@16"),
        // Intent: numbers in scientific, fractional, hexadecimal form and Inf/NaN in any case.
        ("1e-3 .5 2.5E+2 0x1F inf NaN", "num(0.001)@0 num(0.5)@5 num(250.0)@8 num(31.0)@15 num(inf)@20 num(nan)@24"),
        // Intent: metric names may contain colons; keywords are plain identifiers to the lexer.
        ("job:rate and by", "id(job:rate)@0 id(and)@9 id(by)@13"),
        // Intent: Go escapes decode; single quotes and raw strings work.
        (#"{a="x\"y\\z\n", b='q', c=`r\d`}"#, #"{@0 id(a)@1 =@2 str(x"y\z"# + "\n" + #")@3 ,@14 id(b)@16 =@17 str(q)@18 ,@21 id(c)@23 =@24 str(r\d)@25 }@30"#),
        // Intent: comments run to the end of the line; offsets continue across lines.
        ("a # comment\n+ b", "id(a)@0 +@12 id(b)@14"),
        // Intent: unicode offsets count scalars, not bytes.
        (#"{a="é"} + b"#, "{@0 id(a)@1 =@2 str(é)@3 }@6 +@8 id(b)@10"),
    ])
    func tokens(text: String, expected: String) {
        #expect(LexerTests.render(text) == expected)
    }

    @Test(arguments: [
        // Intent: a lone ! is not an operator.
        ("a ! b", 2, "unexpected character after \"!\""),
        // Intent: unterminated strings point at their opening quote.
        (#"{a="x}"#, 3, "unterminated string"),
        // Intent: an unknown escape points at its backslash.
        (#"{a="x\.y"}"#, 5, #"unknown escape sequence "\.""#),
        // Intent: durations are not numbers here.
        ("a > 5m", 4, "bad number \"5m\""),
        // Intent: characters outside the language.
        ("a @ b", 2, "unexpected character \"@\""),
        // Intent: raw strings must close.
        ("{a=`x}", 3, "unterminated raw string"),
    ])
    func errors(text: String, offset: Int, message: String) {
        guard case .failure(let e) = Lexer.tokenize(text) else {
            Issue.record("expected a lexical error for \(text)")
            return
        }
        #expect(e.offset == offset)
        #expect(e.message.contains(message), "\(e.message)")
    }
}
