import ArgumentParser
import GXHub

struct AuditorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditors", abstract: "Issue read-only auditor credentials (admin).", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an auditor; writes its bearer token (mode 0600).")
        @OptionGroup var connection: HubConnectionOptions
        @Argument(help: "Auditor name (letters, digits, - . _).") var name: String
        @Option(help: "Where to write the token.") var tokenOut: String

        func run() async throws {
            let credential: HubAPI.IssuedCredential = try await connection.client().post("/v1/auditors", HubAPI.AddAuditor(name: name))
            try SecretFile.write(credential.token + "\n", to: tokenOut)
            print("\(credential.principal): token written to \(tokenOut)")
        }
    }
}
