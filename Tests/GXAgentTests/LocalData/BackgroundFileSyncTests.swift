import Testing
@testable import GXAgent

@Suite("Files made durable on a thread of their own")
struct BackgroundFileSyncTests {
    @Test("files that exist are synced, and waiting for them succeeds")
    func syncsFiles() throws {
        let scratch = try LocalDataScratch()
        let sync = BackgroundFileSync()
        sync.sync(try scratch.write("a", "one"))
        sync.sync(try scratch.write("b", "two"))
        try sync.wait()
    }

    @Test("a file that cannot be synced fails the wait, naming the file")
    func failureNamesTheFile() throws {
        let scratch = try LocalDataScratch()
        let sync = BackgroundFileSync()
        sync.sync(try scratch.write("a", "one"))
        sync.sync(scratch.file("vanished"))
        let error = #expect(throws: LocalDataError.self) { try sync.wait() }
        #expect(error?.location == scratch.file("vanished"), "\(String(describing: error))")
    }
}
