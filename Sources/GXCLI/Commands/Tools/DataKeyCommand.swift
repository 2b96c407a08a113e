import ArgumentParser
import GXCrypto

/// `gx data-key`: the SM4 data keys that seal payloads at rest (密评), and opening sealed files by hand.
struct DataKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-key",
        abstract: "Manage the SM4 data keys that seal payloads at rest, and seal or open files with them.",
        discussion: """
            A hub (beside its database) and an agent (in its state directory) keep payloads, spools, downloads and \
            quarantine files sealed: SM4-CTR, then HMAC-SM3 over the ciphertext, under the current key of a \
            data-key directory (0700, key files 0600). Rotating adds a key and makes it current; older keys stay \
            to open what they sealed. A sealed file's ciphertext is what `openssl enc -sm4-ctr` makes under the \
            key's sm4 line and the file's IV (bytes 16–31), so files open without gx too.
            """,
        subcommands: [Generate.self, Rotate.self, List.self, Seal.self, Open.self, SM4CTR.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a data-key directory with its first key (refuses a directory that already has one).")
        @Option(help: "The data-key directory, e.g. the hub's STATE/data-keys.") var dir: String
        func run() async throws {
            guard !DataKeyring.exists(in: dir) else {
                throw CLIError("\(dir) already holds data keys; use `gx data-key rotate --dir \(dir)` to add one")
            }
            print("data key \(try DataKeyring.addKey(in: dir).idHex) created in \(dir) (current)")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a fresh data key and make it current; files sealed under older keys still open.")
        @Option(help: "The data-key directory.") var dir: String
        func run() async throws {
            let before = try DataKeyring(directory: dir).current.idHex
            print("data key \(try DataKeyring.addKey(in: dir).idHex) is current in \(dir) (was \(before))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a data-key directory's key ids, the current one marked.")
        @Option(help: "The data-key directory.") var dir: String
        func run() async throws {
            let ring = try DataKeyring(directory: dir)
            for id in ring.ids { print("\(id == ring.current.idHex ? "*" : " ") \(id)") }
        }
    }

    struct Seal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Seal a file under the current data key (writes a new 0600 file).")
        @Option(help: "The data-key directory.") var dir: String
        @Argument(help: "The plaintext file.") var input: String
        @Argument(help: "The sealed file to create.") var output: String
        func run() async throws {
            try SealedFile.seal(input, into: output, key: try DataKeyring(directory: dir).current)
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a sealed file into plaintext, after checking its HMAC-SM3 (a changed file is refused).")
        @Option(help: "The data-key directory.") var dir: String
        @Argument(help: "The sealed file.") var input: String
        @Argument(help: "The plaintext file to create (0600).") var output: String
        func run() async throws {
            try SealedFile.open(input, into: output, keyring: try DataKeyring(directory: dir))
        }
    }

    struct SM4CTR: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sm4-ctr",
            abstract: "Encrypt or decrypt a file with bare SM4-CTR, exactly as `openssl enc -sm4-ctr -K KEY -iv IV` does.")
        @Option(help: "The SM4 key, 32 hex digits (a data key file's sm4 line).") var key: String
        @Option(help: "The IV (initial counter block), 32 hex digits.") var iv: String
        @Argument(help: "The input file.") var input: String
        @Argument(help: "The output file to create (0600).") var output: String
        func run() async throws {
            guard let keyBytes = Hex.decode(key) else { throw CLIError("--key: expected 32 hex digits") }
            guard let ivBytes = Hex.decode(iv) else { throw CLIError("--iv: expected 32 hex digits") }
            try SM4CTRCipher.transform(file: input, into: output, key: keyBytes, iv: ivBytes)
        }
    }
}
