import Foundation
import GXTestSupport
import Testing

@Suite("Operator tools: keys, digest, sign, verify, validate")
struct OperatorToolTests {
    let openssl = ProcessRunner.which("openssl") ?? "/usr/bin/openssl"

    @Test("gx keys generate writes a 0600 private key and a public key openssl reads as SM2")
    func keysGenerate() async throws {
        let dir = try temporaryDirectory("keys")
        let result = try await GXBinary.run(["keys", "generate", "--out", dir.path, "--name", "agency"])
        #expect(result.status == 0)
        let key = dir.appendingPathComponent("agency.key").path
        #expect(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int == 0o600)
        let text = try await ProcessRunner.run(openssl, ["pkey", "-in", key, "-noout", "-text"])
        #expect(text.stdout.contains("SM2") || text.stdout.contains("Private-Key: (256 bit)"))
        let again = try await GXBinary.run(["keys", "generate", "--out", dir.path, "--name", "agency"])
        #expect(again.status != 0, "an existing private key is never overwritten silently")
    }

    @Test("a gx signature verifies with openssl, and an openssl signature verifies with gx")
    func signInterop() async throws {
        let dir = try temporaryDirectory("sign")
        _ = try await GXBinary.run(["keys", "generate", "--out", dir.path, "--name", "k"])
        let file = dir.appendingPathComponent("batch.ndjson")
        try Data("{\"seq\":1,\"名称\":\"共享\"}\n".utf8).write(to: file)
        let key = dir.appendingPathComponent("k.key").path, pub = dir.appendingPathComponent("k.pub").path
        await #expect(try GXBinary.run(["sign", "--key", key, file.path]).status == 0)
        let check = try await ProcessRunner.run(openssl, ["dgst", "-sm3", "-verify", pub, "-signature", file.path + ".sig", "-sigopt", "distid:1234567812345678", file.path])
        #expect(check.status == 0 && check.stdout.contains("Verified OK"), "\(check.stdout)\(check.stderr)")

        let osslSig = dir.appendingPathComponent("ossl.sig").path
        let signed = try await ProcessRunner.run(openssl, ["dgst", "-sm3", "-sign", key, "-sigopt", "distid:1234567812345678", "-out", osslSig, file.path])
        #expect(signed.status == 0, "\(signed.stderr)")
        let verified = try await GXBinary.run(["verify", "--pub", pub, "--sig", osslSig, file.path])
        #expect(verified.status == 0 && verified.stdout.contains("valid"))
    }

    @Test("gx verify exits 1 for a changed file and 2 for bad input")
    func verifyExitCodes() async throws {
        let dir = try temporaryDirectory("verify")
        _ = try await GXBinary.run(["keys", "generate", "--out", dir.path, "--name", "k"])
        let file = dir.appendingPathComponent("f.txt")
        try Data("original".utf8).write(to: file)
        _ = try await GXBinary.run(["sign", "--key", dir.appendingPathComponent("k.key").path, file.path])
        try Data("originaL".utf8).write(to: file)
        let pub = dir.appendingPathComponent("k.pub").path
        await #expect(try GXBinary.run(["verify", "--pub", pub, "--sig", file.path + ".sig", file.path]).status == 1)
        await #expect(try GXBinary.run(["verify", "--pub", file.path, "--sig", file.path + ".sig", file.path]).status == 2)
        await #expect(try GXBinary.run(["verify", "--pub", pub, "--sig", "/nonexistent", file.path]).status == 2)
    }

    @Test("gx digest equals openssl dgst -sm3")
    func digestMatchesOpenSSL() async throws {
        let dir = try temporaryDirectory("digest")
        let file = dir.appendingPathComponent("data.bin")
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: file)
        let ours = try await GXBinary.run(["digest", file.path]).stdout.split(separator: " ").first.map(String.init)
        let theirs = try await ProcessRunner.run(openssl, ["dgst", "-sm3", "-r", file.path]).stdout.split(separator: " ").first.map(String.init)
        #expect(ours != nil && ours == theirs)
    }

    @Test("gx validate reads values from stdin, reports each, and exits 1 if any is invalid")
    func validateFromStdin() async throws {
        let result = try await GXBinary.run(["validate", "id", "-"], input: "34052419800101001X\n370101190102039973\n340524198001010011\n")
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == "34052419800101001X\tvalid")
        #expect(lines[2].hasPrefix("340524198001010011\tinvalid: check character"))
        let allValid = try await GXBinary.run(["validate", "uscc", "91420000757013137P", "91330100716105852F", "91330110MA2CC1X505"])
        #expect(allValid.status == 0)
    }

    @Test("gx validate refuses an unknown kind")
    func validateUnknownKind() async throws {
        let result = try await GXBinary.run(["validate", "passport", "X"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("unknown kind 'passport'"))
    }
}
