import ArgumentParser

/// `gx bench`: the benchmarks. Each has its own options, so none can take another's (ArgumentParser hands a
/// flag declared by both a command and its subcommand to the command); plain `gx bench` is `gx bench exchange`.
struct BenchCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Gongxiang: a night against a scripted pipeline (default), a whole city's night, or the auditor's pages.",
        subcommands: [BenchCommand.self, CityBenchCommand.self, AuditBenchCommand.self],
        defaultSubcommand: BenchCommand.self)
}
