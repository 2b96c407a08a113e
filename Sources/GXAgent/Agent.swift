import Foundation
import GXCrypto
import GXDomain
import Logging

/// One agency's agent: the nightly job. Providers push first, then consumers pull, each resource and
/// agreement on its own so one failure does not stop the others; the run reports them all.
public struct Agent: Sendable {
    /// Files that hold records (spooled batches, downloaded deliveries) are readable by the agent's user
    /// only, as its snapshots and quarantine are: they carry personal data.
    static var recordFileAttributes: [FileAttributeKey: Any] { [.posixPermissions: 0o600] }

    public let configuration: AgentConfiguration
    let configText: String
    let configSource: String
    let logger: Logger

    public init(configPath: String, logger: Logger = Logger(label: "gongxiang.agent")) throws {
        do {
            (configuration, configText) = try AgentConfiguration.load(path: configPath)
        } catch {
            throw AgentError.configuration(error.description)
        }
        configSource = configPath
        self.logger = logger
    }

    /// Runs the night. Throws only for what stops the whole run (configuration, lock, credentials);
    /// per-resource failures are in the report. With `follow`, each consumed agreement is pulled until a
    /// provider's pass has ended (see `FollowPolicy`).
    public func run(full: Bool = false, follow: FollowPolicy? = nil) async throws -> AgentReport {
        let lock = try AgentRunLock(directory: configuration.stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        let state = try AgentState(directory: configuration.stateDirectory)
        let key: SM2PrivateKey
        let token: String
        do {
            key = try SM2PrivateKey(pem: try String(contentsOfFile: configuration.keyFile, encoding: .utf8))
            token = try String(contentsOfFile: configuration.tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw AgentError.configuration("cannot read the agency key \(configuration.keyFile) or token \(configuration.tokenFile): \(error)")
        }
        let dataKeys: DataKeyring
        do {
            dataKeys = try DataKeyring.openingOrCreating(configuration.dataKeyDirectory)
        } catch {
            throw AgentError.configuration("the data keys in \(configuration.dataKeyDirectory): \(error)")
        }
        var client = AgentHubClient(baseURL: configuration.hub.hasSuffix("/") ? String(configuration.hub.dropLast()) : configuration.hub,
                                    token: token, tls: try configuration.hubTLS.configuration(), logger: logger)
        client.dataKeys = dataKeys
        var report = AgentReport(agency: configuration.agency)
        let provider = ProviderSync(configuration: configuration, configText: configText, configSource: configSource, client: client,
                                    state: state, key: key, logger: logger)
        for resource in configuration.provide {
            do {
                report.provided.append(try await provider.run(resource, full: full))
            } catch let error as AgentError where error.exitCode >= 2 && error.exitCode != 3 {
                throw error
            } catch {
                logger.error("\(resource.resource): \(error)")
                report.failures.append("\(resource.resource): \(error)")
            }
        }
        // Verification (比对核实): answer what consumers asked, then ask and collect answers of our own. Following,
        // the answering goes on beside the asking and consuming (new requests answered as they arrive) until
        // none arrived for the idle timeout; the run ends when both have.
        let responder = VerificationResponder(configuration: configuration, configText: configText, configSource: configSource, client: client,
                                              key: key, logger: logger)
        let answers = configuration.answer
        async let following = follow == nil || answers.isEmpty ? VerificationResponder.Answered() : responder.run(answers, follow: follow)
        if follow == nil {
            let answered = try await responder.run(answers, follow: nil)
            report.verified += answered.reports
            report.failures += answered.failures
        }
        let requester = VerificationRequester(configuration: configuration, configText: configText, configSource: configSource, client: client,
                                              key: key, follow: follow, logger: logger)
        for job in configuration.verify {
            do {
                report.verified.append(try await requester.run(job))
            } catch let error as AgentError where error.exitCode >= 2 && error.exitCode != 3 {
                throw error
            } catch {
                logger.error("\(job.agreement): \(error)")
                report.failures.append("\(job.agreement): \(error)")
            }
        }
        if !configuration.consume.isEmpty {
            let hubKey = try await trustedHubKey(client)
            let consumer = ConsumerSync(configuration: configuration, configText: configText, configSource: configSource, client: client,
                                        state: state, key: key, hubKey: hubKey, follow: follow, logger: logger)
            for consumed in configuration.consume {
                do {
                    report.consumed.append(try await consumer.run(consumed))
                } catch let error as AgentError where error.exitCode >= 2 && error.exitCode != 3 {
                    throw error
                } catch {
                    logger.error("\(consumed.agreement): \(error)")
                    report.failures.append("\(consumed.agreement): \(error)")
                }
            }
        }
        let followed = try await following
        report.verified += followed.reports
        report.failures += followed.failures
        return report
    }

    func trustedHubKey(_ client: AgentHubClient) async throws -> SM2PublicKey {
        if let path = configuration.hubKeyFile {
            do { return try SM2PublicKey(pem: try String(contentsOfFile: path, encoding: .utf8)) } catch {
                throw AgentError.configuration("cannot read the hub key \(path): \(error)")
            }
        }
        struct Info: Decodable { var publicKey: String; enum CodingKeys: String, CodingKey { case publicKey = "public_key" } }
        let info: Info = try await client.get("/v1/hub")
        logger.warning("no hub_key_file configured: trusting the key the hub announces (SM3 \(SM3.digest(info.publicKey).hex.prefix(16))…)")
        do { return try SM2PublicKey(pem: info.publicKey) } catch {
            throw AgentError.verification(what: "the hub's key", reason: "\(error)")
        }
    }
}

/// What one run did, for the log, `--json` and the exit status.
public struct AgentReport: Sendable, Codable {
    public var agency: String
    public var provided: [ProviderReport] = []
    public var consumed: [ConsumerReport] = []
    /// Verification agreements answered (provider) or asked (consumer) in this run.
    public var verified: [VerificationReport] = []
    public var failures: [String] = []
}
