/// toml++ (inside TOMLKit) asserts, and so aborts the whole process, on a table header whose first key does
/// not start with a bare-key character or a quote (`[?]`, `[[ ?]]`; found by `scripts/fuzz.sh`). Such a
/// header is a syntax error anyway: it is refused here, naming the line, before the text reaches the parser.
/// The text is read by Unicode scalar, not by `Character`: a combining mark after `[` would otherwise join
/// the bracket into one grapheme and hide the header (`[` U+05A4, found by the 10-minute campaign).
/// It also asserts on a `}` where an array's value belongs (`[}]`, `[1, }]`; found by the same campaign on
/// `agreement-toml`), which is refused the same way.
extension TOMLDocument {
    static func checkTableHeaders(_ text: String, source: String) throws(InvalidInput) {
        var line = 1
        var atLineStart = true
        var open: [Unicode.Scalar] = []   // the [ and { of values open here, innermost last
        var expectingArrayValue = false   // after an array's [ or ,: only blanks and comments so far
        var string: [Unicode.Scalar]? = nil    // the delimiter of the string being read
        var inComment = false
        let characters = Array(text.unicodeScalars)
        var i = 0
        func starts(_ token: String, at index: Int) -> Bool {
            let token = Array(token.unicodeScalars)
            return index + token.count <= characters.count && Array(characters[index..<index + token.count]) == token
        }
        while i < characters.count {
            let c = characters[i]
            if c == "\n" {
                line += 1
                atLineStart = true
                inComment = false
                if let delimiter = string, delimiter.count == 1 { string = nil }   // a one-line string ends with its line
                i += 1
                continue
            }
            if inComment { i += 1; continue }
            if let delimiter = string {
                if delimiter.first == "\"", c == "\\" { i += 2; continue }
                if starts(String(String.UnicodeScalarView(delimiter)), at: i) { string = nil; i += delimiter.count; continue }
                i += 1
                continue
            }
            if atLineStart, c == " " || c == "\t" { i += 1; continue }
            if atLineStart, c == "[", open.isEmpty {
                var j = i + 1
                if j < characters.count, characters[j] == "[" { j += 1 }
                while j < characters.count, characters[j] == " " || characters[j] == "\t" { j += 1 }
                let first: Unicode.Scalar = j < characters.count ? characters[j] : "\n"
                let isBare = ("A"..."Z").contains(first) || ("a"..."z").contains(first) || ("0"..."9").contains(first) || first == "_" || first == "-"
                guard isBare || first == "\"" || first == "'" else {
                    throw InvalidInput(field: "syntax", reason: "a table header must begin with a bare key (A–Z, a–z, 0–9, _ or -) or a quoted key",
                                       record: "\(source):\(line)")
                }
                // The header itself: skip to the end of its line (keys may be quoted, which the check above allows).
                while i < characters.count, characters[i] != "\n" { i += 1 }
                continue
            }
            atLineStart = false
            if c == "}", expectingArrayValue {
                throw InvalidInput(field: "syntax", reason: "a } where an array's value belongs", record: "\(source):\(line)")
            }
            if c != " ", c != "\t", c != "\r", c != "#" { expectingArrayValue = false }
            switch c {
            case "#": inComment = true
            case "\"": string = starts("\"\"\"", at: i) ? Array("\"\"\"".unicodeScalars) : ["\""]; i += string!.count; continue
            case "'": string = starts("'''", at: i) ? Array("'''".unicodeScalars) : ["'"]; i += string!.count; continue
            case "[", "{":
                open.append(c)
                expectingArrayValue = c == "["
            case "]", "}": if !open.isEmpty { open.removeLast() }
            case ",": expectingArrayValue = open.last == "["
            default: break
            }
            i += 1
        }
    }
}
