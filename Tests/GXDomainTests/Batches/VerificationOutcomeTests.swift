import GXCrypto
import GXDomain
import Testing

@Suite("Verification answers: words only, checked against the request record for record")
struct VerificationOutcomeTests {
    func line(_ values: [String?], _ tokens: inout [Int]) throws -> CanonicalRecordLine {
        var bytes: [UInt8] = []
        CanonicalRecord(operation: .upsert, values: values).write(into: &bytes)
        return try CanonicalRecordLine(checking: bytes.dropLast(), valueCount: values.count, tokens: &tokens)
    }

    @Test("an answer says found and match/mismatch per asked item, never a value; an empty item is not answered")
    func answerWords() throws {
        var a: [Int] = [], b: [Int] = []
        let asked = try line(["34052419800101001X", "张三", "1980-01-01", nil], &a)
        let held = try line(["34052419800101001X", "张三", "1980-01-02", "1"], &b)
        var answer: [UInt8] = []
        var mismatches: [Int64] = [0, 0, 0]
        VerificationOutcome.writeAnswer(for: asked, keyCount: 1, register: held, into: &answer, mismatches: &mismatches)
        #expect(String(decoding: answer, as: UTF8.self) == "[\"u\",\"34052419800101001X\",\"found\",\"match\",\"mismatch\",null]\n")
        #expect(mismatches == [0, 1, 0])
        answer.removeAll()
        VerificationOutcome.writeAnswer(for: asked, keyCount: 1, register: nil, into: &answer, mismatches: &mismatches)
        #expect(String(decoding: answer, as: UTF8.self) == "[\"u\",\"34052419800101001X\",\"not_found\",null,null,null]\n")
    }

    @Test("an answer for another key, with a value, or answering an item not asked is refused")
    func checkedAgainstRequest() throws {
        var a: [Int] = [], b: [Int] = []
        let asked = try line(["34052419800101001X", "张三", nil], &a)
        let good = try line(["34052419800101001X", "found", "mismatch", nil], &b)
        guard case .success(let outcome) = VerificationOutcome.check(answer: good, request: asked, keyCount: 1) else {
            Issue.record("a right answer was refused")
            return
        }
        #expect(outcome.found && outcome.mismatched == [0])
        let other = try line(["370101190102039973", "found", "match", nil], &b)
        guard case .failure(.notInStep) = VerificationOutcome.check(answer: other, request: asked, keyCount: 1) else {
            Issue.record("an answer for another key was accepted")
            return
        }
        for values in [["34052419800101001X", "found", "张三", nil], ["34052419800101001X", "found", "match", "match"],
                       ["34052419800101001X", "not_found", "match", nil]] as [[String?]] {
            guard case .failure(.malformed) = VerificationOutcome.check(answer: try line(values, &b), request: asked, keyCount: 1) else {
                Issue.record("\(values) was accepted")
                continue
            }
        }
    }

    @Test("when every item is asked, a found record answers each with match or mismatch and a record not found with null")
    func wordsWhenEveryItemAsked() throws {
        var a: [Int] = []
        let good = [["34052419800101001X", "found", "match", "mismatch"], ["34052419800101001X", "not_found", nil, nil]] as [[String?]]
        for values in good {
            guard case .success = VerificationOutcome.checkWords(answeringEveryItem: try line(values, &a), keyCount: 1) else {
                Issue.record("\(values) was refused")
                continue
            }
        }
        let wrong = [["34052419800101001X", "found", "match", nil], ["34052419800101001X", "not_found", "match", nil],
                     ["34052419800101001X", "found", "张三", "match"], ["34052419800101001X", "maybe", nil, nil]] as [[String?]]
        for values in wrong {
            guard case .failure(.malformed) = VerificationOutcome.checkWords(answeringEveryItem: try line(values, &a), keyCount: 1) else {
                Issue.record("\(values) was accepted")
                continue
            }
        }
    }

    @Test("a request record with an empty item does not ask every item")
    func asksEveryItem() throws {
        var a: [Int] = []
        #expect(VerificationOutcome.asksEveryItem(try line(["34052419800101001X", "张三", "1980-01-01"], &a), keyCount: 1))
        #expect(!VerificationOutcome.asksEveryItem(try line(["34052419800101001X", "张三", nil], &a), keyCount: 1))
    }

    @Test("the key digest is SM3 over each key and a newline, however many chunks it takes; another order or key changes it")
    func keyDigest() throws {
        var a: [Int] = []
        let keys = (0..<5000).map { String(format: "11010119800101%04dX", $0) }
        func digest(_ keys: [String]) throws -> String {
            var digest = RequestKeyDigest()
            for key in keys { digest.append(VerificationOutcome.key(of: try line([key, "张三"], &a), keyCount: 1)) }
            return digest.finish()
        }
        let all = try digest(keys)
        // 5 000 keys of 20 bytes and a newline run past one 64 KiB chunk.
        let text = keys.map { "\"\($0)\"\n" }.joined()
        var hasher = SM3Hasher()
        hasher.update(Array(text.utf8))
        #expect(all == hasher.finalize().hex)
        #expect(try digest(keys) == all)
        #expect(try digest(Array(keys.dropLast())) != all)
        #expect(try digest([keys[1], keys[0]] + keys.dropFirst(2)) != all)
    }
}
