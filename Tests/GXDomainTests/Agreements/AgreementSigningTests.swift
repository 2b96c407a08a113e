import Foundation
import GXCrypto
import GXDomain
import GXTestSupport
import Testing

@Suite("Agreement signatures")
struct AgreementSigningTests {
    @Test("the consumer signs first, then the provider; both signatures verify")
    func consumerThenProvider() throws {
        let parties = try AgreementParties.housing()
        let signed = try parties.signedByBoth()
        #expect(signed.state == .signedByProvider)
        #expect(signed.consumerSignature?.signer == parties.consumer.code)
        #expect(signed.providerSignature?.signer == parties.provider.code)
        try signed.verifySignatures(consumerKey: parties.consumerKey.publicKey, providerKey: parties.providerKey.publicKey)
    }

    @Test("the provider cannot sign before the consumer")
    func providerCannotSignFirst() throws {
        let parties = try AgreementParties.housing()
        let draft = SharingAgreement(terms: parties.terms)
        let signature = try parties.providerKey.signature(for: parties.terms.canonicalBytes)
        #expect(throws: AgreementError.wrongSigner(agreement: draft.id, expected: parties.consumer.code, got: parties.provider.code)) {
            try draft.signed(by: parties.provider.code, signature: signature, key: parties.providerKey.publicKey, at: Date())
        }
    }

    @Test("a signature by another key is refused")
    func foreignKeyRefused() throws {
        let parties = try AgreementParties.housing()
        let intruder = try SM2PrivateKey.generate()
        let draft = SharingAgreement(terms: parties.terms)
        let forged = try intruder.signature(for: parties.terms.canonicalBytes)
        #expect(throws: AgreementError.badSignature(agreement: draft.id, signer: parties.consumer.code)) {
            try draft.signed(by: parties.consumer.code, signature: forged, key: parties.consumerKey.publicKey, at: Date())
        }
    }

    @Test("changing one agreed item after signing invalidates the signatures")
    func changedItemBreaksSignatures() throws {
        let parties = try AgreementParties.housing()
        var tampered = try parties.signedByBoth()
        tampered.terms.items.removeLast()
        #expect(throws: AgreementError.self) {
            try tampered.verifySignatures(consumerKey: parties.consumerKey.publicKey, providerKey: parties.providerKey.publicKey)
        }
    }

    @Test("changing any term changes the canonical bytes that are signed")
    func everyTermIsCovered() throws {
        let terms = try AgreementParties.housing().terms
        var variants: [AgreementTerms] = []
        var t = terms; t.purpose += "。"; variants.append(t)
        t = terms; t.validUntil = CalendarDate(year: 2029, month: 12, day: 31); variants.append(t)
        t = terms; t.method = .pull; variants.append(t)
        t = terms; t.duties.security += "x"; variants.append(t)
        t = terms; t.basis = nil; variants.append(t)
        t = terms; t.items.swapAt(1, 2); variants.append(t)
        for variant in variants { #expect(variant.canonicalBytes != terms.canonicalBytes) }
    }

    @Test("canonical terms are RFC 8785: sorted keys, no whitespace, UTF-8 text")
    func canonicalFormIsStable() throws {
        let terms = try AgreementParties.housing().terms
        let text = String(decoding: terms.canonicalBytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"basis":"#))
        #expect(text.contains(#""consumer":"11110000000021020F","duties":{"disposal":"#))
        #expect(!text.contains("\n") && !text.contains(": "))
        #expect(text.contains("不动产单元号"))
        // The same content decoded again gives the same bytes.
        let decoded = try JSONDecoder().decode(AgreementTerms.self, from: try JSONEncoder().encode(terms))
        #expect(decoded.canonicalBytes == terms.canonicalBytes)
    }
}
