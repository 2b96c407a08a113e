@testable import GXDomain
import Testing

@Suite struct CanonicalJSONTests {
    @Test func membersSortByUTF16CodeUnitsAsInRFC8785() {
        // RFC 8785 §3.2.3: the emoji's surrogate pair (D83D DE00) sorts before U+FB33.
        let value: CanonicalJSON = [
            "\u{20AC}": "Euro Sign",
            "\r": "Carriage Return",
            "\u{FB33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\u{1F600}": "Emoji: Grinning Face",
            "\u{0080}": "Control",
            "\u{00F6}": "Latin Small Letter O With Diaeresis",
        ]
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{0080}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\","
            + "\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(value.canonicalString == expected)
    }

    @Test func stringsAndLiteralsAsInRFC8785() {
        // RFC 8785 §3.2.2 example, less its numbers.
        let value: CanonicalJSON = [
            "string": "\u{20AC}$\u{0F}\nA'B\"\\\\\"/",
            "literals": [nil, true, false],
        ]
        #expect(value.canonicalString == #"{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
    }

    @Test func everyControlCharacterIsEscapedAsJCSRequires() {
        let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        for byte in UInt8(0)..<0x20 {
            let text = String(UnicodeScalar(byte))
            let hex = String(byte, radix: 16)
            let expected = short[byte] ?? "\\u00" + (hex.count == 1 ? "0" + hex : hex)
            #expect(CanonicalJSON.string(text).canonicalString == "\"\(expected)\"")
        }
        #expect(CanonicalJSON.string("\u{1F}\u{7F}").canonicalString == "\"\\u001f\u{7F}\"")
        #expect(CanonicalJSON.string("a/b").canonicalString == "\"a/b\"")
    }

    @Test func chineseTextStaysLiteralUTF8() {
        let value: CanonicalJSON = ["机构名称": "北京市税务局", "备注": "共享 “交换”\t"]
        #expect(value.canonicalBytes == Array("{\"备注\":\"共享 “交换”\\t\",\"机构名称\":\"北京市税务局\"}".utf8))
    }

    @Test func nestedArraysAndObjects() {
        let value: CanonicalJSON = [
            "b": [1, [2, [3, []]], ["z": nil, "a": [:]]],
            "a": ["y": ["x": true]],
            "": "",
        ]
        #expect(value.canonicalString == #"{"":"","a":{"y":{"x":true}},"b":[1,[2,[3,[]]],{"a":{},"z":null}]}"#)
    }

    @Test func integersInPlainDecimal() {
        let value: CanonicalJSON = [.integer(.min), .integer(.max), 0, -1, 10, 1_000_000]
        #expect(value.canonicalString == "[-9223372036854775808,9223372036854775807,0,-1,10,1000000]")
    }

    @Test func writeAppendsToAnExistingBuffer() {
        var buffer = Array("prefix:".utf8)
        let value: CanonicalJSON = ["k": 1]
        value.writeCanonical(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:{"k":1}"#)
    }

    @Test func keyOrderMatchesUTF16ComparisonOnRandomKeys() {
        var random = IdentifierTestRandom(seed: 8785)
        let pool: [Unicode.Scalar] = ["a", "b", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}",
                                      "\u{FB33}", "\u{FFFF}", "\u{10000}", "\u{1F600}", "\u{10FFFF}"]
        for _ in 0..<5000 {
            func key() -> String {
                var text = ""
                for _ in 0..<Int.random(in: 0...4, using: &random) {
                    text.unicodeScalars.append(pool[Int.random(in: 0..<pool.count, using: &random)])
                }
                return text
            }
            let a = key(), b = key()
            #expect(CanonicalJSON.keyPrecedes(a, b) == a.utf16.lexicographicallyPrecedes(b.utf16), "\(Array(a.unicodeScalars)) vs \(Array(b.unicodeScalars))")
        }
    }

    @Test func accessors() {
        let value: CanonicalJSON = ["name": "x", "n": 3, "ok": true, "list": [1, 2], "none": nil, "obj": ["k": "v"]]
        #expect(value["name"]?.stringValue == "x")
        #expect(value["n"]?.integerValue == 3)
        #expect(value["ok"]?.boolValue == true)
        #expect(value["list"]?[1]?.integerValue == 2)
        #expect(value["list"]?[2] == nil)
        #expect(value["list"]?.arrayValue?.count == 2)
        #expect(value["none"]?.isNull == true)
        #expect(value["obj"]?.objectValue == ["k": "v"])
        #expect(value["missing"] == nil)
        #expect(value["n"]?.stringValue == nil)
        #expect(CanonicalJSON.integer(1)["k"] == nil)
    }

    @Test func equalValuesHaveEqualBytes() {
        var first: [String: CanonicalJSON] = [:]
        var second: [String: CanonicalJSON] = [:]
        let keys = (0..<200).map { "key\($0)" }
        for key in keys { first[key] = .string(key) }
        for key in keys.reversed() { second[key] = .string(key) }
        #expect(CanonicalJSON.object(first) == CanonicalJSON.object(second))
        #expect(CanonicalJSON.object(first).canonicalBytes == CanonicalJSON.object(second).canonicalBytes)
    }
}
