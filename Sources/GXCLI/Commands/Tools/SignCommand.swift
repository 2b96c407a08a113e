import ArgumentParser
import Foundation
import GXCrypto

struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a file with an SM2 key (SM3, distinguishing ID 1234567812345678); writes a DER signature.",
        discussion: "Verify with: openssl dgst -sm3 -verify PUB -signature SIG -sigopt distid:1234567812345678 FILE")

    @Option(help: "SM2 private key (PKCS#8 PEM).")
    var key: String

    @Option(help: "Where to write the DER signature (default: FILE.sig).")
    var out: String?

    @Argument(help: "The file to sign.")
    var file: String

    func run() async throws {
        let privateKey = try SM2PrivateKey(pem: try SecretFile.read(key))
        guard let message = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let signature = try privateKey.signature(for: [UInt8](message))
        let path = out ?? file + ".sig"
        try Data(signature).write(to: URL(fileURLWithPath: path))
        print(path)
    }
}
