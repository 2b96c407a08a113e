import ArgumentParser
import Foundation
import GXAgent
import GXDomain
import Logging

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run an agency's agent: push what it provides, pull and apply what its agreements give it.",
        subcommands: [Run.self, Status.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one night's exchange for the agency in --config (the nightly job).",
            discussion: """
                Providers first: spooled batches a previous run could not push are resent unchanged, then the local \
                source is read, mapped, validated (breaking records go to state_dir/quarantine) and the changes \
                are pushed as signed batches. Then consumers: every batch after the sink's checkpoint is pulled, \
                verified and applied in one transaction with the checkpoint, and a signed receipt is sent.

                With --follow, a consumer does not stop at what the hub has: it applies each batch as the \
                provider pushes it, until the last batch it applied ends a provider's pass (the provider \
                marks it) that the hub accepted in the agreement's current period — tonight for a daily \
                agreement, nights running from 12:00 to 12:00 Beijing time. Start it beside the provider's \
                nightly run and the data is applied while the provider still reads. It gives up after \
                --follow-timeout seconds without a new batch (exit 1, naming the agreement).

                With --follow, a provider that answers verifications ([[answer]]) does not stop at the requests \
                the hub has either: beside its asking and consuming, it waits for new requests and answers each \
                as it arrives, and stops (exit 0) once none arrived for --follow-timeout seconds — so a \
                following run, and its lock, end by themselves on a night no consumer asks.

                Top-level settings can be overridden from the environment: GX_AGENT_HUB, GX_AGENT_AGENCY, \
                GX_AGENT_TOKEN_FILE, GX_AGENT_KEY_FILE, GX_AGENT_HUB_KEY_FILE, GX_AGENT_STATE_DIR, \
                GX_AGENT_HUB_CA_FILE, GX_AGENT_CLIENT_CERTIFICATE_FILE, GX_AGENT_CLIENT_KEY_FILE; PostgreSQL \
                locations with url = "postgres" take libpq's PG* variables. --print-config shows the result.

                Exit status: 0 all done, 1 some resource or agreement failed (see the log), 2 configuration \
                error, 3 another run of this agent holds the lock, 4 hub unreachable after retries.
                """)

        @Option(help: "The agent's TOML configuration.")
        var config: String

        @Flag(help: "Resend every row instead of the changes since the last accepted batch.")
        var full = false

        @Flag(help: "Consumers: keep pulling as batches arrive until tonight's pass of the provider has ended. Verification providers: answer requests as they arrive.")
        var follow = false

        @Option(help: "With --follow: give up on an agreement after this many seconds without a new batch; stop answering verification requests after this many seconds without one.")
        var followTimeout = 1800

        @Option(help: "With --follow: wait for a pass accepted since this instant (RFC 3339, or 'now' for this run's start) instead of since the start of the agreement's current period.")
        var passSince: String?

        @Flag(help: "Print the run's report as JSON on standard output.")
        var json = false

        @Flag(help: "Print the effective settings (config file, then GX_AGENT_* environment overrides) and exit.")
        var printConfig = false

        @Option(help: "Log level: trace, debug, info, notice, warning, error.")
        var logLevel = "info"

        func run() async throws {
            guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level '\(logLevel)'") }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            do {
                let agent = try Agent(configPath: config)
                if printConfig {
                    print(agent.configuration.printed)
                    return
                }
                guard followTimeout > 0 else { throw ValidationError("--follow-timeout must be a positive number of seconds") }
                let since: Date? = switch passSince {
                case nil: nil
                case "now": Date()
                case let text?: try Timestamp.date(from: text) ?? { throw ValidationError("--pass-since must be an RFC 3339 instant or 'now', not '\(text)'") }()
                }
                let report = try await agent.run(full: full, follow: follow ? FollowPolicy(idleTimeout: .seconds(followTimeout), passSince: since) : nil)
                try? writeLastRun(report, stateDirectory: agent.configuration.stateDirectory)
                if json {
                    try JSONOutput.print(report)
                } else {
                    for p in report.provided {
                        print("provided \(p.resource): \(p.rowsRead) rows read, \(p.upserts) upserts, \(p.deletes) deletes, \(p.quarantined) quarantined, batches \(p.batches.map(String.init).joined(separator: ","))")
                    }
                    for c in report.consumed {
                        print("consumed \(c.agreement): \(c.upserts) upserts, \(c.deletes) deletes applied, batches \(c.batches.map(String.init).joined(separator: ","))")
                    }
                    for v in report.verified {
                        let mismatches = v.mismatches.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                        print("verified \(v.agreement): requests \(v.requested.map(String.init).joined(separator: ",")) (\(v.requests) records), answers \(v.answered.map(String.init).joined(separator: ",")) (\(v.answers) records, \(v.found) found, mismatches: \(mismatches.isEmpty ? "none" : mismatches))")
                    }
                }
                for failure in report.failures { Console.note("failed: \(failure)") }
                if !report.failures.isEmpty { throw ExitCode(1) }
            } catch let error as AgentError {
                Console.note("gx agent: \(error)")
                throw ExitCode(error.exitCode)
            }
        }

        func writeLastRun(_ report: AgentReport, stateDirectory: String) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            var data = try encoder.encode(report)
            data.append(contentsOf: Array("\n".utf8))
            try data.write(to: URL(fileURLWithPath: stateDirectory + "/last-run.json"), options: .atomic)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the agent's last run did and whether a run is in progress.")

        @Option(help: "The agent's TOML configuration.")
        var config: String

        func run() async throws {
            let agent: Agent
            do { agent = try Agent(configPath: config) } catch let error as AgentError {
                Console.note("gx agent: \(error)")
                throw ExitCode(error.exitCode)
            }
            let state = agent.configuration.stateDirectory
            print("agency \(agent.configuration.agency), hub \(agent.configuration.hub), state \(state)")
            if let pid = try? String(contentsOfFile: state + "/agent.lock", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
               !pid.isEmpty, kill(pid_t(pid) ?? 0, 0) == 0 {
                print("a run is in progress (pid \(pid))")
            }
            guard let last = FileManager.default.contents(atPath: state + "/last-run.json") else {
                print("no run recorded yet")
                return
            }
            print("last run:")
            print(String(decoding: last, as: UTF8.self), terminator: "")
        }
    }
}
