import Testing
@testable import GXAgent

@Suite("CSV sink")
struct CSVSinkTests {
    @Test("each apply leaves a complete file: header, then rows sorted by key, quoted where needed")
    func completeSortedFile() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("received.csv")
        let sink = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "name", "address"])
        try sink.apply(stream: "s", checkpoint: 1) { tx in
            try tx.upsert(["3", "Zhao", "Haidian, Beijing"])
            try tx.upsert(["1", "Li \"Junior\"", nil])
            try tx.upsert(["2", "", "two\nlines"])
        }
        #expect(try scratch.read("received.csv") == #"""
            id,name,address
            1,"Li ""Junior""",
            2,"","two
            lines"
            3,Zhao,"Haidian, Beijing"

            """#)
        try sink.apply(stream: "s", checkpoint: 2) { try $0.delete(key: ["2"]) }
        #expect(try scratch.read("received.csv") == #"""
            id,name,address
            1,"Li ""Junior""",
            3,Zhao,"Haidian, Beijing"

            """#)
    }

    @Test("the written file reads back through CSVSource with nil and empty strings intact")
    func roundTrip() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("received.csv")
        let sink = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "a", "b"])
        let rows: [[String?]] = [["1", nil, ""], ["2", "x,\"y\"\r\nz", "人口"]]
        try sink.apply(stream: "s", checkpoint: 1) { tx in
            for row in rows { try tx.upsert(row) }
        }
        var read: [[String?]] = []
        try CSVSource(path: path, keyColumns: ["id"]).scan(after: nil) { read.append($0.values) }
        #expect(read == rows)
    }

    @Test("rows and checkpoints survive a reopen, and the next apply adds to them")
    func reopen() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("received.csv")
        do {
            let sink = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "name"])
            try sink.apply(stream: "s", checkpoint: 1) { try $0.upsert(["2", "Wang"]) }
        }
        let sink = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "name"])
        #expect(try sink.checkpoint(stream: "s") == 1)
        try sink.apply(stream: "s", checkpoint: 2) { try $0.upsert(["1", "Li"]) }
        #expect(try scratch.read("received.csv") == "id,name\n1,Li\n2,Wang\n")
    }

    @Test("reopening with other columns than the side database holds is refused")
    func columnMismatch() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("received.csv")
        _ = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "name"])
        let error = #expect(throws: LocalDataError.self) {
            try CSVSink(path: path, keyColumns: ["id"], columns: ["id"])
        }
        #expect(error?.location == path)
    }

    @Test("an export left unfinished after a commit is redone by exportIfStale, once")
    func staleExport() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("received.csv")
        // Without the automatic export, the apply commits and stops where a crash before the rename would.
        let sink = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "name"], exportsAfterEachApply: false)
        try sink.apply(stream: "s", checkpoint: 1) { try $0.upsert(["1", "Li"]) }
        #expect(!POSIXFile.exists(path))
        let reopened = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "name"])
        #expect(try reopened.exportIfStale())
        #expect(try scratch.read("received.csv") == "id,name\n1,Li\n")
        #expect(try !reopened.exportIfStale())
        #expect(!POSIXFile.exists(path + ".gx-export.tmp"))
    }

    @Test("a failed apply leaves the file and the checkpoint as they were")
    func failedApply() throws {
        struct Refusal: Error {}
        let scratch = try LocalDataScratch()
        let path = scratch.file("received.csv")
        let sink = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "name"])
        try sink.apply(stream: "s", checkpoint: 1) { try $0.upsert(["1", "Li"]) }
        #expect(throws: Refusal.self) {
            try sink.apply(stream: "s", checkpoint: 2) { tx in
                try tx.upsert(["2", "Wang"])
                throw Refusal()
            }
        }
        #expect(try scratch.read("received.csv") == "id,name\n1,Li\n")
        #expect(try sink.checkpoint(stream: "s") == 1)
        #expect(try !sink.exportIfStale())
    }
}
