import Testing
@testable import GXAgent

@Suite("CSV source")
struct CSVSourceTests {
    private func rows(_ source: CSVSource) throws -> [[String?]] {
        var rows: [[String?]] = []
        try source.scan(after: nil) { rows.append($0.values) }
        return rows
    }

    @Test("reads the header as columns and each row in file order")
    func headerAndRows() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,name\n2,Li\n1,Wang\n")
        let source = try CSVSource(path: path, keyColumns: ["id"])
        #expect(try source.columns() == ["id", "name"])
        #expect(try rows(source) == [["2", "Li"], ["1", "Wang"]])
    }

    @Test("an empty unquoted field is nil, a quoted empty field is the empty string")
    func emptyFields() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,a,b,c\n1,,\"\",\n")
        #expect(try rows(CSVSource(path: path, keyColumns: ["id"])) == [["1", nil, "", nil]])
    }

    @Test("quoted fields keep commas, doubled quotes and newlines")
    func quoting() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,address\n1,\"Haidian, Beijing\"\n2,\"say \"\"hi\"\"\"\n3,\"line one\nline two\"\n")
        #expect(try rows(CSVSource(path: path, keyColumns: ["id"])) == [
            ["1", "Haidian, Beijing"], ["2", "say \"hi\""], ["3", "line one\nline two"],
        ])
    }

    @Test("CRLF line ends are not part of the last field, quoted or not")
    func crlf() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,name\r\n1,Li\r\n2,\"Wang\"\r\n3,\r\n")
        #expect(try rows(CSVSource(path: path, keyColumns: ["id"])) == [["1", "Li"], ["2", "Wang"], ["3", nil]])
    }

    @Test("a UTF-8 BOM is stripped from the first column name")
    func byteOrderMark() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", [0xEF, 0xBB, 0xBF] + Array("公民身份号码,姓名\n34052419800101001X,张三\n".utf8))
        let source = try CSVSource(path: path, keyColumns: ["公民身份号码"])
        #expect(try source.columns() == ["公民身份号码", "姓名"])
        #expect(try rows(source) == [["34052419800101001X", "张三"]])
    }

    @Test("a last line without a line end is still a row, and blank lines are skipped")
    func lastLineAndBlankLines() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,name\n1,Li\n\n\r\n2,Wang")
        #expect(try rows(CSVSource(path: path, keyColumns: ["id"])) == [["1", "Li"], ["2", "Wang"]])
    }

    @Test("a row with the wrong number of fields is an error naming file and line")
    func raggedRow() throws {
        let scratch = try LocalDataScratch()
        // Line 3 holds an embedded newline, so the ragged row starts on physical line 5.
        let path = try scratch.write("people.csv", "id,name\n1,Li\n2,\"two\nlines\"\n3,Zhao,extra\n")
        let source = try CSVSource(path: path, keyColumns: ["id"])
        let error = #expect(throws: LocalDataError.self) { try rows(source) }
        #expect(error?.location == "\(path):5")
        #expect(error?.reason == "row has 3 fields, the header has 2")
    }

    @Test("an unterminated quoted field is an error naming the line where the row starts")
    func unterminatedQuote() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,name\n1,Li\n2,\"Wang\n3,Zhao\n")
        let source = try CSVSource(path: path, keyColumns: ["id"])
        let error = #expect(throws: LocalDataError.self) { try rows(source) }
        #expect(error?.location == "\(path):3")
    }

    @Test("a quote inside an unquoted field is an error")
    func strayQuote() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,height\n1,5'11\"\n")
        let source = try CSVSource(path: path, keyColumns: ["id"])
        let error = #expect(throws: LocalDataError.self) { try rows(source) }
        #expect(error?.location == "\(path):2")
    }

    @Test("bytes that are not UTF-8 are refused rather than replaced")
    func invalidUTF8() throws {
        let scratch = try LocalDataScratch()
        // "张三" in GBK.
        let path = try scratch.write("people.csv", Array("id,name\n1,".utf8) + [0xD5, 0xC5, 0xC8, 0xFD] + [0x0A])
        let source = try CSVSource(path: path, keyColumns: ["id"])
        let error = #expect(throws: LocalDataError.self) { try rows(source) }
        #expect(error?.location == "\(path):2")
        #expect(error?.reason.contains("UTF-8") == true)
    }

    @Test("a key column missing from the header is an error naming it")
    func missingKeyColumn() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,name\n")
        let error = #expect(throws: LocalDataError.self) { try CSVSource(path: path, keyColumns: ["sfzh"]) }
        #expect(error?.location == path)
        #expect(error?.reason.contains("key column sfzh") == true)
    }

    @Test("an empty key field is an error naming the column and line")
    func emptyKey() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,name\n1,Li\n,Wang\n")
        let source = try CSVSource(path: path, keyColumns: ["id"])
        let error = #expect(throws: LocalDataError.self) { try rows(source) }
        #expect(error?.location == "\(path):3")
        #expect(error?.reason == "key column id is empty")
    }

    @Test("an empty file has no header and is refused")
    func emptyFile() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "")
        #expect(throws: LocalDataError.self) { try CSVSource(path: path, keyColumns: ["id"]) }
    }

    @Test("cursor mode is refused for a CSV source")
    func cursorModeRefused() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id\n1\n")
        let source = try CSVSource(path: path, keyColumns: ["id"])
        let error = #expect(throws: LocalDataError.self) {
            try source.scan(after: SourceCursor(value: "1", key: ["1"])) { _ in }
        }
        #expect(error?.reason == "cursor mode needs a database source; use snapshot change detection")
    }

    @Test("every chunk size yields the same rows, so records cut by a chunk boundary parse whole")
    func tinyChunks() throws {
        let scratch = try LocalDataScratch()
        let text = "\u{FEFF}id,text,note\r\n1,\"a,b\",\r\n2,\"he said \"\"x\"\"\",\"\"\r\n3,\"multi\r\nline\",z\n4,plain,\"q\"\n"
        let path = try scratch.write("people.csv", text)
        let expected: [[String?]] = [
            ["1", "a,b", nil], ["2", "he said \"x\"", ""], ["3", "multi\r\nline", "z"], ["4", "plain", "q"],
        ]
        for chunkSize in 1...9 {
            let source = try CSVSource(path: path, keyColumns: ["id"], chunkSize: chunkSize)
            #expect(try source.columns() == ["id", "text", "note"], "chunk size \(chunkSize)")
            #expect(try rows(source) == expected, "chunk size \(chunkSize)")
        }
    }

    @Test("a file several times the 1 MiB read chunk streams every row intact")
    func largerThanChunk() throws {
        let scratch = try LocalDataScratch()
        var bytes = Array("id,name,address\n".utf8)
        let count = 80_000
        for index in 0..<count {
            bytes += Array("\(index),姓名\(index),\"北京市, 第\(index)号\n\"\"楼\"\"\"\n".utf8)
        }
        #expect(bytes.count > 3 * CSVReader.defaultChunkSize)
        let path = try scratch.write("big.csv", bytes)
        var seen = 0
        try CSVSource(path: path, keyColumns: ["id"]).scan(after: nil) { row in
            #expect(row.values == ["\(seen)", "姓名\(seen)", "北京市, 第\(seen)号\n\"楼\""])
            seen += 1
        }
        #expect(seen == count)
    }
}
