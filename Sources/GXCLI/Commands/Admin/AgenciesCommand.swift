import ArgumentParser
import Foundation
import GXCrypto
import GXDomain
import GXHub

struct AgenciesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agencies", abstract: "Register and list agencies (admin).",
        subcommands: [Register.self, Import.self, List.self, Show.self, RotateKey.self, RevokeKey.self])

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

    struct RevokeKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-key", abstract: "Revoke an agency's SM2 key as compromised (admin).",
            discussion: """
                Name the key by its public key file or by the SM3 of its PEM (as audit entries show it); it may be \
                the current key or a retired one. From --at (default now; a compromise found late may be dated \
                back, never ahead) the hub refuses batches, receipts and agreement or amendment signatures made \
                with it, and consumers refuse deliveries of batches it signed that were accepted from then on. \
                Revoking the current key leaves the agency unable to sign until the authority rotates it to a new \
                key (`gx agencies rotate-key` with the admin token). Audited as agency.key_revoked.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Argument(help: "Agency code.") var code: String
        @Option(help: "The revoked public key (PEM file).") var publicKey: String?
        @Option(help: "SM3 (hex) of the revoked key's PEM, instead of --public-key.") var keySm3: String?
        @Option(help: "When the key stopped being trusted: RFC 3339 or a date (default now).") var at: String?
        @Option(help: "Why the key is revoked (kept in the audit log).") var reason: String

        func run() async throws {
            let sm3: String
            switch (publicKey, keySm3) {
            case let (path?, nil): sm3 = SM3.digest(try SM2PublicKey(pem: try SecretFile.read(path)).pem).hex
            case let (nil, digest?): sm3 = digest
            default: throw ValidationError("name the key with exactly one of --public-key and --key-sm3")
            }
            let agency: Agency = try await connection.client().post("/v1/agencies/\(code.urlPathEscaped)/key/revocation",
                                                                    HubAPI.RevokeKey(publicKeySM3: sm3, revokedAt: at, reason: reason))
            let revoked = agency.revokedKeys.last { $0.publicKeySM3 == sm3.lowercased() }
            print("key \(sm3.lowercased()) of \(agency.code) revoked from \(revoked?.revokedAt ?? "now")"
                  + (SM3.digest(agency.publicKeyPEM).hex == sm3.lowercased() ? "; it was the agency's current key: rotate it to a new key" : ""))
        }
    }
}

extension String {
    var urlPathEscaped: String { addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? self }
    var urlQueryEscaped: String { addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self }
}
