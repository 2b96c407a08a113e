/// Finds where in the agent's TOML config a mapping names a column or an item, so start-up errors
/// point at the line to edit rather than at "the mapping".
///
/// A text search rather than a TOML parse: TOMLKit does not report positions of decoded values. It
/// accepts `key = "value"` and `key='value'` with any spacing, at the start of a line or inside an
/// inline table (`{ item = "X", column = "y" }`).
struct ConfigLocator: Sendable {
    let text: String
    let source: String

    /// `source:line` of the `occurrence`-th (1-based) assignment `key = "value"`, or just `source`.
    func record(key: String, value: String, occurrence: Int = 1) -> String {
        line(key: key, value: value, occurrence: occurrence).map { "\(source):\($0)" } ?? source
    }

    func line(key: String, value: String, occurrence: Int = 1) -> Int? {
        let key = Array(key), value = Array(value)
        var seen = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            seen += Self.matches(Array(line), key: key, value: value)
            if seen >= occurrence { return index + 1 }
        }
        return nil
    }

    static func matches(_ line: [Character], key: [Character], value: [Character]) -> Int {
        guard line.count >= key.count + value.count + 3 else { return 0 }
        var count = 0
        var start = 0
        while start + key.count <= line.count {
            defer { start += 1 }
            guard line[start..<(start + key.count)].elementsEqual(key),
                  start == 0 || [" ", "\t", "{", ",", "."].contains(line[start - 1])
            else { continue }
            var index = start + key.count
            func skipSpace() { while index < line.count, line[index] == " " || line[index] == "\t" { index += 1 } }
            skipSpace()
            guard index < line.count, line[index] == "=" else { continue }
            index += 1
            skipSpace()
            guard index < line.count, line[index] == "\"" || line[index] == "'" else { continue }
            let quote = line[index]
            index += 1
            guard index + value.count < line.count, line[index..<(index + value.count)].elementsEqual(value),
                  line[index + value.count] == quote
            else { continue }
            count += 1
        }
        return count
    }
}
