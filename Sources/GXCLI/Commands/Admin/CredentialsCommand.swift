import ArgumentParser
import Foundation
import GXHub

struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Revoke or reissue bearer credentials (admin).",
        discussion: """
            Both act at once on every hub process sharing the database and are audited (credential.revoked, \
            credential.reissued). Reissue is also the way back for a token that was lost or never written.
            """,
        subcommands: [List.self, Revoke.self, RevokeToken.self, Reissue.self, ID.self])

    /// How an admin gets a token again after it was issued but could not be written.
    static func recovery(for holder: String) -> String {
        "the hub issued the credential but it is lost: get a new one with `gx credentials reissue \(holder) --token-out FILE`"
    }

    /// Exactly one holder: an agency, an auditor or an admin.
    struct Holder: ParsableArguments {
        @Option(help: "The agency's code (统一社会信用代码).") var agency: String?
        @Option(help: "The auditor's name.") var auditor: String?
        @Option(help: "Another admin's name.") var admin: String?

        func validate() throws {
            guard [agency, auditor, admin].compactMap({ $0 }).count == 1 else {
                throw ValidationError("name exactly one holder: --agency CODE, --auditor NAME or --admin NAME")
            }
        }

        var path: String {
            let (kind, name) = if let agency { ("agency", agency) } else if let auditor { ("auditor", auditor) } else { ("admin", admin ?? "") }
            return "/v1/credentials/\(kind)/\(name.urlPathEscaped)"
        }

        var flag: String {
            if let agency { return "--agency \(agency)" }
            if let auditor { return "--auditor \(auditor)" }
            return "--admin \(admin ?? "")"
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke every credential of an agency, auditor or other admin; its tokens stop working at once.",
            discussion: "An admin cannot revoke its own credential. Give the holder a new one with `gx credentials reissue`; to revoke one token only, use `gx credentials revoke-token`.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var holder: Holder
        @Option(help: "Why; kept in the audit log.") var reason: String?

        func run() async throws {
            let revoked: HubAPI.RevokedCredentials = try await connection.client().post("\(holder.path)/revocation", HubAPI.CredentialChange(reason: reason))
            print("\(revoked.principal): \(revoked.revoked) credential(s) revoked")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the credentials a holder has, by id (the first 16 hex digits of the token's SM3), never the token.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var holder: Holder
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let held: HubAPI.HeldCredentials = try await connection.client().get(holder.path)
            if output.json { return try JSONOutput.print(held) }
            var table = TextTable("ID", "CREATED")
            for credential in held.credentials { table.add(credential.id, credential.createdAt) }
            print(table.render())
        }
    }

    struct RevokeToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-token", abstract: "Revoke one credential of a holder by its id; the holder's other tokens keep working.",
            discussion: "`gx credentials list` shows a holder's ids; `gx credentials id --token-file FILE` shows the id of a token file (a copy that leaked). Audited as credential.token_revoked.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var holder: Holder
        @Option(help: "The credential's id.") var id: String
        @Option(help: "Why; kept in the audit log.") var reason: String?

        func run() async throws {
            let revoked: HubAPI.RevokedCredentials = try await connection.client().post("\(holder.path)/tokens/\(id.urlPathEscaped)/revocation",
                                                                                         HubAPI.CredentialChange(reason: reason))
            print("\(revoked.principal): credential \(id) revoked")
        }
    }

    struct ID: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "id", abstract: "Show the id of the token in a file (no hub asked; the token is never printed).")
        @Option(help: "File holding the token.") var tokenFile: String

        func run() throws {
            print(Credentials.id(of: try SecretFile.read(tokenFile).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    struct Reissue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the credentials of an agency, auditor or admin with one new token (mode 0600).",
            discussion: "The old tokens stop working as the new one starts. --token-out must not exist yet: it is created before the hub is asked.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var holder: Holder
        @Option(help: "Where to write the new token.") var tokenOut: String
        @Option(help: "Why; kept in the audit log.") var reason: String?

        func run() async throws {
            let client = try connection.client()
            let output = try SecretFile.reserve(tokenOut)
            defer { output.abandon() }
            let credential: HubAPI.IssuedCredential = try await client.post("\(holder.path)/reissue", HubAPI.CredentialChange(reason: reason))
            try output.fill(credential.token + "\n", recovery: CredentialsCommand.recovery(for: holder.flag))
            print("\(credential.principal): new token written to \(tokenOut); the old ones no longer work")
        }
    }
}
