import ArgumentParser
import Foundation
import GXAgent

/// Where the hub is and which credential to use. The token is read from a file or the environment,
/// never from the command line, so it does not show up in process listings or shell history.
struct HubConnectionOptions: ParsableArguments {
    @Option(name: .customLong("hub"), help: "Hub base URL (default: $GX_HUB or http://127.0.0.1:8480).")
    var hubURL: String?

    @Option(name: .customLong("token-file"), help: "File holding the bearer token (default: $GX_TOKEN_FILE, or the token in $GX_TOKEN).")
    var tokenFile: String?

    @Option(name: .customLong("hub-ca"), help: "CA bundle (PEM) that issued an HTTPS hub's certificate (default: $GX_HUB_CA, else the system's).")
    var hubCA: String?

    @Option(name: .customLong("client-certificate"), help: "Client certificate (PEM) for a mutual-TLS hub (default: $GX_CLIENT_CERTIFICATE).")
    var clientCertificate: String?

    @Option(name: .customLong("client-key"), help: "The client certificate's private key (PEM) (default: $GX_CLIENT_KEY).")
    var clientKey: String?

    func client() throws -> HubClient {
        let environment = ProcessInfo.processInfo.environment
        var url = hubURL ?? environment["GX_HUB"] ?? "http://127.0.0.1:8480"
        while url.hasSuffix("/") { url.removeLast() }
        let token: String
        if let path = tokenFile ?? environment["GX_TOKEN_FILE"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the token file \(path)")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let value = environment["GX_TOKEN"] {
            token = value
        } else {
            throw ValidationError("no credential: pass --token-file FILE or set GX_TOKEN_FILE or GX_TOKEN")
        }
        let tls = HubClientTLS(caFile: hubCA ?? environment["GX_HUB_CA"], certificateFile: clientCertificate ?? environment["GX_CLIENT_CERTIFICATE"],
                               keyFile: clientKey ?? environment["GX_CLIENT_KEY"])
        do {
            return HubClient(baseURL: url, token: token, tls: try tls.configuration())
        } catch {
            throw ValidationError(error.description)
        }
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for scripts instead of a table.")
    var json = false
}
