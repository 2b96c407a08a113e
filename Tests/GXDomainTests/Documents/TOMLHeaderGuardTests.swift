import GXDomain
import Testing

/// Table headers that made toml++ abort the process (found by `scripts/fuzz.sh agreement-toml`; the combining
/// mark after `[` by the 10-minute `catalogue-toml` campaign).
@Suite("TOML table headers the parser would abort on")
struct TOMLHeaderGuardTests {
    struct Anything: Decodable {}

    @Test("a header not starting with a bare or quoted key is a syntax error naming its line, not an abort",
          arguments: ["[?]", "[?/\u{0}", "[[ ?]]", "id = \"x\"\n\n[ ?]", "\n[\u{05A4}.", "[\u{0301}a]"])
    func refused(_ text: String) throws {
        let error = #expect(throws: InvalidInput.self) { try TOMLDocument.decode(Anything.self, from: text, source: "fuzzed.toml") }
        #expect(error?.field == "syntax")
        #expect(error?.record == "fuzzed.toml:\(text.split(separator: "\n", omittingEmptySubsequences: false).count)")
    }

    @Test("a } where an array's value belongs is a syntax error naming its line, not an abort",
          arguments: ["x = [}]", "x = [1, }]", "x = [{},}]", "x = {a=[}]}", "x = [1,#c\n}]", "id = \"x\"\nitems = [\"a\",}}}\"b\"]"])
    func closingBraceInArrayRefused(_ text: String) throws {
        let error = #expect(throws: InvalidInput.self) { try TOMLDocument.decode(Anything.self, from: text, source: "fuzzed.toml") }
        #expect(error?.field == "syntax")
        #expect(error?.record == "fuzzed.toml:\(text.split(separator: "\n", omittingEmptySubsequences: false).count)")
    }

    @Test("arrays and inline tables that toml++ reads are still accepted",
          arguments: ["x = [1, 2,]", "x = [{a = 1}, {b = 2}]", "x = [\n  1, # one\n  2,\n]", "x = {a = [1], b = {c = 2}}", "x = [\"}\"]"])
    func nestedValuesAccepted(_ text: String) throws {
        _ = try TOMLDocument.decode(Anything.self, from: text, source: "valid.toml")
    }

    @Test("brackets inside values and strings are not headers",
          arguments: ["x = [\n  [1, 2],\n]\n[a]", "x = \"\"\"\n[?]\n\"\"\"\n[b]", "[\"quoted key\"]", "x = '[?]'\n[c]"])
    func accepted(_ text: String) throws {
        _ = try TOMLDocument.decode(Anything.self, from: text, source: "valid.toml")
    }
}
