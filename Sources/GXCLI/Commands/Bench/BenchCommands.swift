import ArgumentParser

/// `gx bench`: the benchmarks. Each has its own options, so none can take another's (ArgumentParser hands a
/// flag declared by both a command and its subcommand to the command); plain `gx bench` is `gx bench exchange`.
struct BenchCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Gongxiang: a night against a scripted pipeline (default), a whole city's night, the auditor's pages, or the oversight reports.",
        subcommands: [BenchCommand.self, CityBenchCommand.self, AuditBenchCommand.self, ReportBench.self],
        defaultSubcommand: BenchCommand.self)
}
