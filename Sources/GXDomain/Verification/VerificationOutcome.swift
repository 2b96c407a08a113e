/// The words of a verification answer and how answer records are laid out.
///
/// An answer record is a canonical record line `["u", key…, found, item…]`: the key exactly as the consumer
/// sent it (so the hub can check the answer covers the request record for record), then `"found"` or
/// `"not_found"`, then per checked item `"match"`, `"mismatch"` or `null`.
public enum VerificationOutcome {
    public static let found = "found"
    public static let notFound = "not_found"
    public static let match = "match"
    public static let mismatch = "mismatch"
    /// The column (and answer item) that carries found/not_found.
    public static let foundItem = "found"

    static let foundToken = Array("\"found\"".utf8)
    static let notFoundToken = Array("\"not_found\"".utf8)
    static let matchToken = Array("\"match\"".utf8)
    static let mismatchToken = Array("\"mismatch\"".utf8)
    static let nullToken = Array("null".utf8)
    static let upsertOpening = Array("[\"u\",".utf8)
    static let lineEnd = Array("]\n".utf8)

    /// The bytes of a checked line's first `keyCount` values as they stand in the line: records sort and
    /// match on them (the canonical encoding is one-to-one, so equal bytes are equal keys).
    public static func key(of line: CanonicalRecordLine, keyCount: Int) -> ArraySlice<UInt8> {
        line.bytes[line.token(0).startIndex..<line.token(keyCount - 1).endIndex]
    }

    /// Byte order of two keys (bytewise, then the shorter first): the order requests are sorted in.
    public static func compare(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                let n = min(x.count, y.count)
                var i = 0
                while i < n {
                    if x[i] != y[i] { return x[i] < y[i] ? -1 : 1 }
                    i += 1
                }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }

    /// Writes the answer line for `request` (a checked request line): `register` is the register's record
    /// for the same key in the same item order, or nil when the key is not in the register. Counts each
    /// mismatching checked item in `mismatches`.
    public static func writeAnswer(for request: CanonicalRecordLine, keyCount: Int, register: CanonicalRecordLine?, into buffer: inout [UInt8],
                                   mismatches: inout [Int64]) {
        // The tokens are compared in place: a provider writes a million of these lines in one answer.
        request.withBytes { asked in
            buffer.append(contentsOf: upsertOpening)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: asked[request.tokenRange(0).lowerBound..<request.tokenRange(keyCount - 1).upperBound]))
            buffer.append(UInt8(ascii: ","))
            guard let register else {
                buffer.append(contentsOf: notFoundToken)
                for _ in keyCount..<request.valueCount {
                    buffer.append(UInt8(ascii: ","))
                    buffer.append(contentsOf: nullToken)
                }
                buffer.append(contentsOf: lineEnd)
                return
            }
            buffer.append(contentsOf: foundToken)
            register.withBytes { held in
                for index in keyCount..<request.valueCount {
                    buffer.append(UInt8(ascii: ","))
                    let token = UnsafeRawBufferPointer(rebasing: asked[request.tokenRange(index)])
                    // A token is a quoted string or `null`: one that starts with `n` is `null`, an item not asked.
                    if token.first == UInt8(ascii: "n") {
                        buffer.append(contentsOf: nullToken)
                    } else if token.elementsEqual(UnsafeRawBufferPointer(rebasing: held[register.tokenRange(index)])) {
                        buffer.append(contentsOf: matchToken)
                    } else {
                        buffer.append(contentsOf: mismatchToken)
                        mismatches[index - keyCount] += 1
                    }
                }
            }
            buffer.append(contentsOf: lineEnd)
        }
    }

    /// Checks an answer line against the request line it must answer; returns whether it says found and
    /// which checked items mismatch, or why it is not that record's answer.
    public static func check(answer: CanonicalRecordLine, request: CanonicalRecordLine, keyCount: Int) -> Result<(found: Bool, mismatched: [Int]), AnswerFault> {
        guard answer.valueCount == request.valueCount + 1 else { return .failure(.malformed("an answer record has \(answer.valueCount) values, not \(request.valueCount + 1)")) }
        guard key(of: answer, keyCount: keyCount).elementsEqual(key(of: request, keyCount: keyCount)) else {
            return .failure(.notInStep)
        }
        return checkWords(of: answer, keyCount: keyCount) { !request.token(keyCount + $0).elementsEqual(nullToken) }
    }

    /// Checks an answer line's words when the request record it answers asked every checked item (a request
    /// with a ``RequestKeyDigest``): the key is checked with the digest, not here.
    public static func checkWords(answeringEveryItem answer: CanonicalRecordLine, keyCount: Int) -> Result<(found: Bool, mismatched: [Int]), AnswerFault> {
        checkWords(of: answer, keyCount: keyCount) { _ in true }
    }

    /// Whether a checked request line asks every checked item (none is `null`).
    public static func asksEveryItem(_ request: CanonicalRecordLine, keyCount: Int) -> Bool {
        (keyCount..<request.valueCount).allSatisfy { !request.token($0).elementsEqual(nullToken) }
    }

    /// The words after the key: `found` or `not_found`, then per checked item `match` or `mismatch` where the
    /// record was found and the item asked (`asked(i)` for checked item `i`), `null` everywhere else.
    static func checkWords(of answer: CanonicalRecordLine, keyCount: Int, asked: (Int) -> Bool) -> Result<(found: Bool, mismatched: [Int]), AnswerFault> {
        guard answer.operation == .upsert else { return .failure(.malformed("an answer record is not an upsert")) }
        guard answer.valueCount > keyCount else { return .failure(.malformed("an answer record has \(answer.valueCount) values")) }
        let foundToken = answer.token(keyCount)
        let found: Bool
        if foundToken.elementsEqual(Self.foundToken) { found = true } else if foundToken.elementsEqual(notFoundToken) { found = false } else {
            return .failure(.malformed("the found value is neither \"found\" nor \"not_found\""))
        }
        var mismatched: [Int] = []
        for checked in 0..<(answer.valueCount - keyCount - 1) {
            let said = answer.token(keyCount + 1 + checked)
            if !found || !asked(checked) {
                guard said.elementsEqual(nullToken) else { return .failure(.malformed("an item not checked is answered (it must be null)")) }
            } else if said.elementsEqual(mismatchToken) {
                mismatched.append(checked)
            } else if !said.elementsEqual(matchToken) {
                return .failure(.malformed("a checked item's answer is neither \"match\" nor \"mismatch\""))
            }
        }
        return .success((found, mismatched))
    }

    public enum AnswerFault: Error, Equatable {
        /// The answer's key is not the request record's at the same position: a record skipped or added.
        case notInStep
        case malformed(String)
    }
}
