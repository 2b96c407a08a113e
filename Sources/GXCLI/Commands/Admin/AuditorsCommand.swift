import ArgumentParser
import GXHub

struct AuditorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditors", abstract: "Issue read-only auditor credentials (admin).", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an auditor; writes its bearer token (mode 0600).",
            discussion: "An auditor that already holds a credential is refused (409): replace its token with `gx credentials reissue --auditor NAME`.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument(help: "Auditor name (letters, digits, - . _).") var name: String
        @Option(help: "Where to write the token.") var tokenOut: String

        func run() async throws {
            let client = try connection.client()
            let output = try SecretFile.reserve(tokenOut)
            defer { output.abandon() }
            let credential: HubAPI.IssuedCredential = try await client.post("/v1/auditors", HubAPI.AddAuditor(name: name))
            try output.fill(credential.token + "\n", recovery: CredentialsCommand.recovery(for: "--auditor \(name)"))
            print("\(credential.principal): token written to \(tokenOut)")
        }
    }
}
