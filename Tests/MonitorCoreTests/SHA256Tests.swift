import MonitorCore
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-4 examples (NIST CSRC "Example Algorithms", SHA256.pdf and SHA2_Additional.pdf).
    @Test(
        "NIST example messages",
        arguments: [
            // Empty message: padding only, one block.
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            // One block ("abc", FIPS 180-4 example B.1).
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            // 448 bits: the length field no longer fits, padding spills into a second block (B.2).
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            // 896 bits: two full message blocks before the padding block.
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
        ]
    )
    func nistVectors(message: String, expected: String) {
        #expect(SHA256.hex(message) == expected)
        var h = SHA256()
        h.update(Array(message.utf8))
        #expect(SHA256.hexString(h.finalize()) == expected)
    }

    @Test("one million 'a' (NIST long message), fed in uneven pieces")
    func millionA() {
        var h = SHA256()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 997)  // prime: pieces straddle blocks
        var fed = 0
        while fed < 1_000_000 {
            let n = min(piece.count, 1_000_000 - fed)
            h.update(Array(piece[0..<n]))
            fed += n
        }
        #expect(h.hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths either side of the padding boundaries (55/56 bytes: the length field fits in the
    /// last block or not; 63/64/65: block edges). Expected values from GNU coreutils `sha256sum`
    /// over `x` repeated n times.
    @Test(
        "padding boundaries",
        arguments: [
            (55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"),
            (56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"),
            (63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"),
            (64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"),
            (65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"),
            (119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"),
            (120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"),
            (128, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464"),
        ]
    )
    func boundaries(length: Int, expected: String) {
        #expect(SHA256.hex(String(repeating: "x", count: length)) == expected)
    }

    @Test("every split point of a 1 KiB message gives the one-shot digest")
    func incrementalSplits() {
        // bytes 0...255 four times; `sha256sum` gives the expected digest.
        let message = (0..<1024).map { UInt8(truncatingIfNeeded: $0) }
        let expected = "785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9"
        #expect(SHA256.hexString(SHA256.hash(message)) == expected)
        for split in [0, 1, 55, 56, 63, 64, 65, 127, 128, 500, 1023, 1024] {
            var h = SHA256()
            h.update(Array(message[..<split]))
            h.update(Array(message[split...]))
            #expect(h.hex == expected, "split at \(split)")
        }
        // Byte by byte.
        var h = SHA256()
        for b in message { h.update([b]) }
        #expect(h.hex == expected)
    }

    @Test("finalize does not consume: more input may follow")
    func finalizeThenContinue() {
        var h = SHA256()
        h.update("ab")
        #expect(h.hex == SHA256.hex("ab"))
        h.update("c")
        #expect(h.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(h.finalize().count == SHA256.byteCount)
    }

    @Test("strings hash as their UTF-8 bytes")
    func unicode() {
        // printf 'h\xc3\xa9llo \xe2\x9c\x93\n' | sha256sum
        #expect(SHA256.hex("héllo ✓\n") == "9be5bd4e3f83c6050bca22ac38dd5e40df7bb23e8821e58533e298b6e2f4bbf1")
    }
}
