import ArgumentParser

/// `gx`: the one program of the exchange — hub, admin and audit clients, operator tools.
public struct GXCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gx",
        abstract: "Gongxiang (共享): the inter-agency data-sharing exchange.",
        discussion: """
            Run a hub, administer agencies, the resource catalogue and sharing agreements, and audit \
            the tamper-evident log. Clients find the hub with --hub (or $GX_HUB) and authenticate \
            with --token-file (or $GX_TOKEN_FILE / $GX_TOKEN).
            """,
        subcommands: [
            HubCommand.self, AgenciesCommand.self, AuditorsCommand.self, CredentialsCommand.self, CatalogueCommand.self, AgreementCommand.self, DemandCommand.self, ObjectionCommand.self,
            AuditCommand.self, AgentCommand.self, ExchangeCommand.self, ReportCommand.self, KeysCommand.self, DataKeyCommand.self, SampleCommand.self, BenchCommands.self, DigestCommand.self, SignCommand.self, VerifyCommand.self, ValidateCommand.self,
        ]
    )
    public init() {}
}
