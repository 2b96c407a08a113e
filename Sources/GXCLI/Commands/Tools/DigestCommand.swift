import ArgumentParser
import GXCrypto

struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the SM3 digest of files (same as `openssl dgst -sm3`), streaming any size.")

    @Argument(help: "Files to digest.")
    var files: [String]

    func run() async throws {
        for file in files {
            print("\(try SM3.digest(fileAt: file).hex)  \(file)")
        }
    }
}
