import ArgumentParser
import Foundation
import GXCrypto
import GXDomain
import GXHub

struct AgenciesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agencies", abstract: "Register and list agencies (admin).",
        subcommands: [Register.self, Import.self, List.self, Show.self, RotateKey.self])

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an agency with its SM2 public key; writes its credential.")
        @OptionGroup var connection: HubConnectionOptions
        @Option(help: "统一社会信用代码 of the agency.") var code: String
        @Option(help: "Name of the agency.") var name: String
        @Option(help: "The agency's SM2 public key (PEM file).") var publicKey: String
        @Option(help: "Comma-separated roles: provider, consumer.") var roles: String
        @Option(help: "Where to write the agency's bearer token (mode 0600).") var tokenOut: String

        func run() async throws {
            let parsedRoles = try roles.split(separator: ",").map { name -> AgencyRole in
                guard let role = AgencyRole(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown role '\(name)': use provider, consumer")
                }
                return role
            }
            let publicKeyPEM = try SecretFile.read(publicKey)
            let client = try connection.client()
            let output = try SecretFile.reserve(tokenOut)
            defer { output.abandon() }
            let registered: HubAPI.RegisteredAgency = try await client.post(
                "/v1/agencies", HubAPI.RegisterAgency(code: code, name: name, publicKey: publicKeyPEM, roles: parsedRoles))
            try output.fill(registered.credential.token + "\n", recovery: CredentialsCommand.recovery(for: "--agency \(code)"))
            print("registered \(registered.agency.code) \(registered.agency.name); token written to \(tokenOut)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register every agency of an agency list file (Agreements/agencies.toml).",
            discussion: "Each agency's public key is read from KEYS/CODE.pub; its token is written to TOKENS/CODE.token (0600). Agencies already registered are skipped. Every token file is checked (and created empty) before the first agency is registered: an existing one stops the import with nothing registered.")
        @OptionGroup var connection: HubConnectionOptions
        @Option(help: "Directory holding CODE.pub for each agency.") var keys: String
        @Option(help: "Directory to write CODE.token into.") var tokens: String
        @Argument(help: "Agency list file.") var file: String

        func run() async throws {
            let list = try TOMLDocument.decode(AgencyListDocument.self, from: try SecretFile.read(file), source: file)
            let client = try connection.client()
            try FileManager.default.createDirectory(atPath: tokens, withIntermediateDirectories: true)
            let existing = Set(try await client.get("/v1/agencies", as: [Agency].self).map(\.code))
            let unregistered = list.agency.filter { !existing.contains($0.code) }
            for entry in list.agency where existing.contains(entry.code) { print("\(entry.code) \(entry.name): already registered") }
            // Every key read and every token file created before the hub is asked for the first credential.
            let keyPEMs = try unregistered.map { try SecretFile.read("\(keys)/\($0.code).pub") }
            var outputs: [ReservedSecretFile] = []
            defer { for output in outputs { output.abandon() } }
            for entry in unregistered { outputs.append(try SecretFile.reserve("\(tokens)/\(entry.code).token")) }
            for (index, entry) in unregistered.enumerated() {
                let registered: HubAPI.RegisteredAgency = try await client.post(
                    "/v1/agencies", HubAPI.RegisterAgency(code: entry.code, name: entry.name, publicKey: keyPEMs[index], roles: entry.roles))
                try outputs[index].fill(registered.credential.token + "\n", recovery: CredentialsCommand.recovery(for: "--agency \(entry.code)"))
                print("\(entry.code) \(entry.name): registered")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered agencies.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let agencies: [Agency] = try await connection.client().get("/v1/agencies")
            if output.json { return try JSONOutput.print(agencies) }
            var table = TextTable("CODE", "NAME", "ROLES")
            for agency in agencies { table.add(agency.code, agency.name, agency.roles.map(\.rawValue).joined(separator: ",")) }
            print(table.render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one agency, with its public key.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var code: String

        func run() async throws {
            try JSONOutput.print(try await connection.client().get("/v1/agencies/\(code.urlPathEscaped)", as: Agency.self))
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key", abstract: "Put an agency's new SM2 public key in force; the old one stays on record.",
            discussion: """
                An agency rotates its own key with its own token and --proof-key, its current private key: the \
                hub checks that key's signature over the new public key. The authority (admin token) may rotate \
                without proof, for a lost or compromised key. Batches and agreement signatures made with the old \
                key keep verifying against it (`gx exchange verify`); from now on the hub accepts only the new \
                key. Rotate after a run that exited 0, so no batch signed with the old key waits in the spool.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Argument(help: "Agency code.") var code: String
        @Option(help: "The new public key (PEM file).") var publicKey: String
        @Option(help: "The agency's current private key (PEM), to prove the rotation comes from its holder.") var proofKey: String?

        func run() async throws {
            let pem = try SecretFile.read(publicKey)
            let proof = try proofKey.map { path in
                Data(try SM2PrivateKey(pem: try SecretFile.read(path)).signature(for: Array(pem.utf8))).base64EncodedString()
            }
            let agency: Agency = try await connection.client().put("/v1/agencies/\(code.urlPathEscaped)/key", HubAPI.RotateKey(publicKey: pem, proof: proof))
            print("key of \(agency.code) rotated; \(agency.retiredKeys.count) retired key(s) kept for what they signed")
        }
    }
}

extension String {
    var urlPathEscaped: String { addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? self }
    var urlQueryEscaped: String { addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self }
}
