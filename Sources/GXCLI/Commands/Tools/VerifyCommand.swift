import ArgumentParser
import Foundation
import GXCrypto

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a DER SM2 signature over a file.",
        discussion: "Exit status: 0 valid, 1 invalid, 2 bad input (unreadable file, not an SM2 key).")

    @Option(help: "SM2 public key (SubjectPublicKeyInfo PEM).")
    var pub: String

    @Option(help: "DER signature file.")
    var sig: String

    @Argument(help: "The signed file.")
    var file: String

    func run() async throws {
        let key: SM2PublicKey
        do {
            key = try SM2PublicKey(pem: try SecretFile.read(pub))
        } catch {
            Console.note("bad input: \(pub): \(error)")
            throw ExitCode(2)
        }
        guard let signature = FileManager.default.contents(atPath: sig) else {
            Console.note("bad input: cannot read signature \(sig)")
            throw ExitCode(2)
        }
        guard let message = FileManager.default.contents(atPath: file) else {
            Console.note("bad input: cannot read \(file)")
            throw ExitCode(2)
        }
        if key.isValidSignature([UInt8](signature), for: [UInt8](message)) {
            print("valid")
        } else {
            print("invalid")
            throw ExitCode(1)
        }
    }
}
