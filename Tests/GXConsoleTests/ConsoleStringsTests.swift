import Foundation
import GXTestSupport
import Testing

@Suite("Console strings")
struct ConsoleStringsTests {
    @Test("Chinese and English name the same strings, none empty")
    func sameKeys() throws {
        let folder = SampleDocuments.root.appendingPathComponent("Sources/GXConsole/Templates")
        let chinese = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("strings.zh-CN.json")))
        let english = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("strings.en.json")))
        #expect(Set(chinese.keys) == Set(english.keys))
        #expect(chinese.values.allSatisfy { !$0.isEmpty } && english.values.allSatisfy { !$0.isEmpty })
    }
}
