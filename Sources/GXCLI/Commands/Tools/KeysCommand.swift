import ArgumentParser
import Foundation
import GXCrypto

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage SM2 key pairs.", subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new SM2 key pair: NAME.key (PKCS#8, mode 0600) and NAME.pub (SubjectPublicKeyInfo).")

        @Option(help: "Directory to write the key pair into (created if missing).")
        var out: String

        @Option(help: "File name stem for the pair.")
        var name = "sm2"

        @Flag(help: "Overwrite an existing private key.")
        var force = false

        func run() async throws {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let key = try SM2PrivateKey.generate()
            let keyPath = (out as NSString).appendingPathComponent("\(name).key")
            let pubPath = (out as NSString).appendingPathComponent("\(name).pub")
            try SecretFile.write(key.pkcs8PEM, to: keyPath, overwrite: force, existing: "refusing to overwrite a private key (use --force)")
            try key.publicKey.pem.write(toFile: pubPath, atomically: true, encoding: .utf8)
            print(keyPath)
            print(pubPath)
        }
    }
}
